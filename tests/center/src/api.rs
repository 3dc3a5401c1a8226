//! The station-facing routes: enrolment, idempotent upload, the change feed
//! and the finished photo.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, VerifyingKey};
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use tucai_core::sync::protocol::{
    CentreState, Change, ChangePage, EnrolRequest, EnrolResponse, FIELD_METADATA, FIELD_ORIGINAL,
    FIELD_SIGNATURE, MAX_CHANGES_PER_PAGE, ReceiptStatus, UploadMetadata, UploadReceipt,
    signed_message,
};

use crate::db::{self, StationRow};
use crate::{ApiError, Centre, now, random_secret, sha256_hex, write_atomically};

pub fn routes() -> Router<Centre> {
    Router::new()
        .route("/v1/enrolments", post(enrol))
        .route("/v1/submissions/{id}", put(upload))
        .route("/v1/submissions/{id}/finished", get(finished_photo))
        .route("/v1/changes", get(changes))
}

async fn enrol(
    State(centre): State<Centre>,
    request: Result<Json<EnrolRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<EnrolResponse>), ApiError> {
    let Json(request) = request.map_err(ApiError::from_rejection)?;
    let key_bytes: [u8; 32] = BASE64
        .decode(request.public_key.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_public_key",
                "public_key must be 32 bytes of Ed25519 public key in standard base64",
            )
        })?;
    VerifyingKey::from_bytes(&key_bytes).map_err(|_| {
        ApiError::bad_request("invalid_public_key", "public_key is not an Ed25519 point")
    })?;

    let mut conn = centre.db();
    let tx = conn.transaction()?;
    let token_hash = sha256_hex(request.token.trim().as_bytes());
    let school: Option<String> = tx
        .query_row(
            "SELECT school FROM enrolment_tokens WHERE token_sha256 = ?1 AND used_at IS NULL",
            [&token_hash],
            |row| row.get(0),
        )
        .optional()?;
    let Some(school) = school else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_token",
            "the enrolment token is unknown or was used already",
        ));
    };

    // A key enrolled before keeps its station id, so that the station's
    // earlier submissions and its change feed stay its own; only the
    // credential is new.
    let known: Option<(String, String)> = tx
        .query_row(
            "SELECT id, school FROM stations WHERE public_key = ?1",
            [key_bytes.to_vec()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((id, enrolled_school)) = &known
        && *enrolled_school != school
    {
        return Err(ApiError::conflict(
            "key_of_other_school",
            format!(
                "this station's key is enrolled as station {id} of {enrolled_school}, \
                 the token is for {school}; ask the centre for a token of {enrolled_school}"
            ),
        ));
    }
    let station_id = known
        .map(|(id, _)| id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let credential = random_secret();
    let at = now();
    tx.execute(
        "INSERT INTO stations (id, name, school, public_key, credential_sha256, enrolled_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
             credential_sha256 = excluded.credential_sha256, enrolled_at = excluded.enrolled_at",
        params![
            station_id,
            request.station_name,
            school,
            key_bytes.to_vec(),
            sha256_hex(credential.as_bytes()),
            at
        ],
    )?;
    tx.execute(
        "UPDATE enrolment_tokens SET used_at = ?2, station_id = ?3 WHERE token_sha256 = ?1",
        params![token_hash, at, station_id],
    )?;
    tx.commit()?;

    tracing::info!(%station_id, %school, "station enrolled");
    Ok((
        StatusCode::CREATED,
        Json(EnrolResponse {
            station_id,
            credential,
            school,
        }),
    ))
}

fn authenticate(centre: &Centre, headers: &HeaderMap) -> Result<StationRow, ApiError> {
    let unauthorized = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or unknown station credential, enrol the station again",
        )
    };
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    db::station_by_credential(&centre.db(), &sha256_hex(credential.trim().as_bytes()))?
        .ok_or_else(unauthorized)
}

/// The three fields of an upload.
struct UploadParts {
    metadata: Vec<u8>,
    signature: String,
    original: Vec<u8>,
}

async fn read_parts(mut multipart: Multipart) -> Result<UploadParts, ApiError> {
    let (mut metadata, mut signature, mut original) = (None, None, None);
    let invalid = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(
            e.status(),
            "invalid_multipart",
            format!("cannot read the upload: {}", e.body_text()),
        )
    };
    while let Some(field) = multipart.next_field().await.map_err(invalid)? {
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field.bytes().await.map_err(invalid)?.to_vec();
        match name.as_str() {
            FIELD_METADATA => metadata = Some(bytes),
            FIELD_SIGNATURE => signature = Some(String::from_utf8_lossy(&bytes).into_owned()),
            FIELD_ORIGINAL => original = Some(bytes),
            _ => {}
        }
    }
    let missing = |field: &str| {
        ApiError::bad_request(
            "missing_field",
            format!("the upload has no {field:?} field"),
        )
    };
    Ok(UploadParts {
        metadata: metadata.ok_or_else(|| missing(FIELD_METADATA))?,
        signature: signature.ok_or_else(|| missing(FIELD_SIGNATURE))?,
        original: original.ok_or_else(|| missing(FIELD_ORIGINAL))?,
    })
}

async fn upload(
    State(centre): State<Centre>,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<impl IntoResponse, ApiError> {
    // The body (at most the body limit) is read before any refusal, so that a
    // station still sending receives the 401 or the 500 rather than a
    // connection closed under it.
    let parts = read_parts(multipart.map_err(ApiError::from_rejection)?).await?;
    let station = authenticate(&centre, &headers)?;
    centre.faults().before_store()?;

    let worker = centre.clone();
    let (status, receipt) =
        tokio::task::spawn_blocking(move || store_upload(&worker, &station, &id, &parts))
            .await
            .map_err(ApiError::internal)??;

    centre.faults().after_store().await;
    Ok((status, Json(receipt)))
}

/// Checks an upload and stores it once. A repeat with the same hash gets the
/// first receipt with 200; another hash under the same id gets 409.
fn store_upload(
    centre: &Centre,
    station: &StationRow,
    id: &str,
    parts: &UploadParts,
) -> Result<(StatusCode, UploadReceipt), ApiError> {
    check_id(id)?;
    let metadata = verify(station, id, parts)?;

    // The file is complete on disk before the row names it. A second
    // upload of the same id racing this one waits for the lock below.
    let path = centre.original_path(id);
    let mut conn = centre.db();
    if let Some(receipt) = existing_receipt(&conn, id, &metadata.original_sha256, station)? {
        return Ok((StatusCode::OK, receipt));
    }
    write_atomically(&path, &parts.original)?;

    let at = now();
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO submissions (id, station_id, collection_code, captured_at, original_sha256,
                                  original_bytes, metadata_json, signature, received_at, state,
                                  updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'received', ?9)",
        params![
            id,
            station.id,
            metadata.collection_code,
            metadata.captured_at,
            metadata.original_sha256,
            parts.original.len() as i64,
            String::from_utf8_lossy(&parts.metadata),
            parts.signature,
            at
        ],
    )?;
    db::record_change(&tx, id, CentreState::Received.as_str(), None, None, &at)?;
    tx.commit()?;

    tracing::info!(submission_id = id, station_id = %station.id, bytes = parts.original.len(), "original stored");
    Ok((
        StatusCode::CREATED,
        UploadReceipt {
            submission_id: id.to_string(),
            status: ReceiptStatus::Stored,
            received_at: at,
        },
    ))
}

fn check_id(id: &str) -> Result<(), ApiError> {
    let valid = (1..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "invalid_submission_id",
        format!("submission id {id:?} must be 1 to 64 letters, digits, '-' or '_'"),
    ))
}

/// Checks the signature, the metadata against the route and the station,
/// and the original against its hash.
fn verify(station: &StationRow, id: &str, parts: &UploadParts) -> Result<UploadMetadata, ApiError> {
    let key = VerifyingKey::from_bytes(&station.public_key).map_err(ApiError::internal)?;
    let signature: [u8; 64] = BASE64
        .decode(parts.signature.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            ApiError::bad_request("invalid_signature", "signature must be 64 bytes in base64")
        })?;
    key.verify_strict(
        &signed_message(&parts.metadata),
        &Signature::from_bytes(&signature),
    )
    .map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_signature",
            "the signature does not match the metadata and the station's key",
        )
    })?;

    let metadata: UploadMetadata = serde_json::from_slice(&parts.metadata)
        .map_err(|e| ApiError::bad_request("invalid_metadata", format!("metadata: {e}")))?;
    if metadata.submission_id != id || metadata.station_id != station.id {
        return Err(ApiError::bad_request(
            "metadata_mismatch",
            format!(
                "metadata names submission {:?} of station {:?}, the request is for {id:?} by {:?}",
                metadata.submission_id, metadata.station_id, station.id
            ),
        ));
    }
    let actual = sha256_hex(&parts.original);
    if actual != metadata.original_sha256 || parts.original.len() as u64 != metadata.original_bytes
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "hash_mismatch",
            format!(
                "the original has SHA-256 {actual} and {} bytes, the signed metadata says {} and {} bytes",
                parts.original.len(),
                metadata.original_sha256,
                metadata.original_bytes
            ),
        ));
    }
    Ok(metadata)
}

fn existing_receipt(
    conn: &rusqlite::Connection,
    id: &str,
    sha256: &str,
    station: &StationRow,
) -> Result<Option<UploadReceipt>, ApiError> {
    let Some(row) = db::submission(conn, id)? else {
        return Ok(None);
    };
    if row.original_sha256 != sha256 || row.station_id != station.id {
        return Err(ApiError::conflict(
            "submission_id_taken",
            format!("submission {id} is already stored with another original"),
        ));
    }
    Ok(Some(UploadReceipt {
        submission_id: id.to_string(),
        status: ReceiptStatus::AlreadyStored,
        received_at: row.received_at,
    }))
}

#[derive(Debug, Deserialize)]
struct ChangesQuery {
    after: Option<String>,
    limit: Option<u32>,
}

async fn changes(
    State(centre): State<Centre>,
    headers: HeaderMap,
    query: Result<Query<ChangesQuery>, QueryRejection>,
) -> Result<Json<ChangePage>, ApiError> {
    let station = authenticate(&centre, &headers)?;
    let Query(query) = query.map_err(ApiError::from_rejection)?;
    let cursor = query.after.unwrap_or_else(|| "0".to_string());
    let after: i64 = cursor.parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_cursor",
            format!("cursor {cursor:?} is not one this centre issued"),
        )
    })?;
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_CHANGES_PER_PAGE);

    let conn = centre.db();
    let mut statement = conn.prepare(
        "SELECT seq, submission_id, state, reason, finished_sha256, at FROM changes
         WHERE station_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = statement.query_map(params![station.id, after, limit + 1], |row| {
        let state: String = row.get(2)?;
        Ok(Change {
            seq: row.get(0)?,
            submission_id: row.get(1)?,
            state: CentreState::parse(&state).unwrap_or(CentreState::Received),
            reason: row.get(3)?,
            finished_sha256: row.get(4)?,
            at: row.get(5)?,
        })
    })?;
    let mut changes = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let more = changes.len() as u32 > limit;
    changes.truncate(limit as usize);
    let cursor = changes.last().map_or(cursor, |c| c.seq.to_string());
    Ok(Json(ChangePage {
        changes,
        cursor,
        more,
    }))
}

async fn finished_photo(
    State(centre): State<Centre>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let station = authenticate(&centre, &headers)?;
    let row = db::submission(&centre.db(), &id)?
        .filter(|row| row.station_id == station.id)
        .ok_or_else(|| ApiError::not_found(format!("submission {id} not found")))?;
    if row.finished_sha256.is_none() {
        return Err(ApiError::not_found(format!(
            "submission {id} has no finished photo yet, it is {}",
            row.state
        )));
    }
    let jpeg = tokio::fs::read(centre.finished_path(&id)).await?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], jpeg))
}

#[cfg(test)]
mod tests {
    /// Every route the router serves, as the OpenAPI file writes it.
    const ROUTES: &[&str] = &[
        "/v1/enrolments",
        "/v1/submissions/{id}",
        "/v1/submissions/{id}/finished",
        "/v1/changes",
        "/staff/tokens",
        "/staff/submissions",
        "/staff/submissions/{id}/in-production",
        "/staff/submissions/{id}/finished",
        "/staff/submissions/{id}/reset",
        "/staff/submissions/{id}/final",
    ];

    #[test]
    fn openapi_lists_every_route() {
        let spec = include_str!("../../../docs/centre-api.yaml");

        for route in ROUTES {
            assert!(
                spec.contains(&format!("\n  {route}:\n")),
                "docs/centre-api.yaml does not document {route}"
            );
        }
    }

    #[test]
    fn router_serves_every_documented_route() {
        let centre_dir = tempfile::TempDir::new().expect("temporary folder");
        let centre = crate::Centre::open(centre_dir.path(), "key").expect("centre");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");

        for route in ROUTES {
            let uri = route.replace("{id}", "sub-1");
            let request = axum::http::Request::builder()
                .method("OPTIONS")
                .uri(&uri)
                .body(axum::body::Body::empty())
                .expect("request");
            let response = runtime
                .block_on(tower::ServiceExt::oneshot(centre.router(), request))
                .expect("response");

            // An unknown path is 404; a known one rejects OPTIONS with 405.
            assert_eq!(response.status().as_u16(), 405, "{uri}");
        }
    }
}
