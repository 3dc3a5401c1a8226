//! The staff page and JSON API: issuing enrolment tokens, listing
//! submissions and moving them through production. Every JSON route needs
//! the staff key as a bearer credential.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tucai_core::sync::protocol::CentreState;

use crate::db::{self, SubmissionRow};
use crate::{ApiError, Centre, now, random_secret, sha256_hex, write_atomically};

/// A step staff take on a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// From received.
    StartProduction,
    /// From received or in production: renders the finished photo.
    Finish,
    /// From received, in production or finished, with the reason shown to
    /// the student.
    Reset { reason: String },
    /// From finished.
    MakeFinal,
}

impl Action {
    fn target(&self) -> CentreState {
        match self {
            Action::StartProduction => CentreState::InProduction,
            Action::Finish => CentreState::Finished,
            Action::Reset { .. } => CentreState::Reset,
            Action::MakeFinal => CentreState::Final,
        }
    }

    fn allowed_from(&self) -> &'static [CentreState] {
        use CentreState::*;
        match self {
            Action::StartProduction => &[Received],
            Action::Finish => &[Received, InProduction],
            Action::Reset { .. } => &[Received, InProduction, Finished],
            Action::MakeFinal => &[Finished],
        }
    }
}

pub fn routes() -> Router<Centre> {
    Router::new()
        .route("/staff", get(page))
        .route("/staff/tokens", post(issue_token))
        .route("/staff/submissions", get(list))
        .route(
            "/staff/submissions/{id}/in-production",
            post(start_production),
        )
        .route("/staff/submissions/{id}/finished", post(finish))
        .route("/staff/submissions/{id}/reset", post(reset))
        .route("/staff/submissions/{id}/final", post(make_final))
}

impl Centre {
    /// Issues a one-time enrolment token for a school's station.
    pub fn issue_token(&self, school: &str) -> anyhow::Result<String> {
        let school = school.trim();
        anyhow::ensure!(
            !school.is_empty(),
            "the school name is empty, give the school's name"
        );
        let token = random_secret();
        self.db().execute(
            "INSERT INTO enrolment_tokens (token_sha256, school, issued_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![sha256_hex(token.as_bytes()), school, now()],
        )?;
        tracing::info!(school, "enrolment token issued");
        Ok(token)
    }

    /// Applies a staff action to a submission and appends it to the
    /// station's change feed.
    ///
    /// Fails with 404 for an unknown submission, 409 when the action is not
    /// allowed from the submission's state, 400 for a reset without a
    /// reason, and 422 when the original cannot be rendered.
    pub fn apply(&self, id: &str, action: &Action) -> Result<SubmissionRow, ApiError> {
        let current = db::submission(&self.db(), id)?
            .ok_or_else(|| ApiError::not_found(format!("submission {id} not found")))?;
        let state = CentreState::parse(&current.state).ok_or_else(|| {
            ApiError::internal(format!(
                "submission {id} has unknown state {}",
                current.state
            ))
        })?;
        if !action.allowed_from().contains(&state) {
            return Err(ApiError::conflict(
                "invalid_transition",
                format!(
                    "submission {id} is {}, it cannot become {}",
                    state.as_str(),
                    action.target().as_str()
                ),
            ));
        }

        let (reason, finished) = match action {
            Action::Reset { reason } if reason.trim().is_empty() => {
                return Err(ApiError::bad_request(
                    "missing_reason",
                    "a reset needs a reason the student can act on",
                ));
            }
            Action::Reset { reason } => (Some(reason.trim().to_string()), None),
            Action::Finish => (None, Some(self.render_finished(id)?)),
            _ => (None, None),
        };

        let mut conn = self.db();
        let tx = conn.transaction()?;
        // The state is read again under the lock, so two staff actions at
        // once cannot both pass the check above.
        let still: String =
            tx.query_row("SELECT state FROM submissions WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        if still != current.state {
            return Err(ApiError::conflict(
                "changed",
                format!("submission {id} changed to {still} meanwhile, reload and try again"),
            ));
        }
        db::record_change(
            &tx,
            id,
            action.target().as_str(),
            reason.as_deref(),
            finished.as_deref(),
            &now(),
        )?;
        tx.commit()?;
        tracing::info!(
            submission_id = id,
            state = action.target().as_str(),
            "staff action applied"
        );
        Ok(db::submission(&conn, id)?.expect("the row was just updated"))
    }

    /// Renders the finished 480x640 photo from the original with the
    /// station's own checks and renderer, stores it, and returns its hash.
    fn render_finished(&self, id: &str) -> Result<String, ApiError> {
        let original = std::fs::read(self.original_path(id))?;
        let unusable = |why: String| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "cannot_render",
                format!(
                    "submission {id} cannot be rendered: {why}; reset it so the student captures again"
                ),
            )
        };
        let image = tucai_core::decode::decode_photo(&original).map_err(|why| unusable(why.en))?;
        let models = self.models().map_err(ApiError::internal)?;
        let profile = &self.inner.profile;
        let (_, analysis) = tucai_core::checks::check_photo(&image, &models, profile)
            .map_err(|e| unusable(e.to_string()))?;
        let crop = match analysis.crop {
            Some(Ok(crop)) => crop,
            Some(Err(problem)) => return Err(unusable(format!("{problem:?}"))),
            None => return Err(unusable("no face found".to_string())),
        };
        let rendered = tucai_core::checks::render(&image, &crop, profile)
            .map_err(|e| unusable(e.to_string()))?;
        write_atomically(&self.finished_path(id), &rendered.jpeg)?;
        Ok(sha256_hex(&rendered.jpeg))
    }
}

/// Serves the staff page, which calls the JSON routes below with the staff
/// key typed into it. The page itself contains no data, so it needs no key.
async fn page() -> Html<&'static str> {
    Html(include_str!("staff.html"))
}

fn check_staff(centre: &Centre, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    // Comparing hashes keeps the time taken independent of where the
    // strings first differ.
    match given {
        Some(key)
            if sha256_hex(key.as_bytes()) == sha256_hex(centre.inner.staff_key.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong staff key, send it as 'Authorization: Bearer KEY'",
        )),
    }
}

#[derive(Debug, Deserialize)]
struct TokenRequest {
    school: String,
}

#[derive(Debug, Serialize)]
struct TokenResponse {
    token: String,
}

async fn issue_token(
    State(centre): State<Centre>,
    headers: HeaderMap,
    request: Result<Json<TokenRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<TokenResponse>), ApiError> {
    check_staff(&centre, &headers)?;
    let Json(request) = request.map_err(ApiError::from_rejection)?;
    let token = centre
        .issue_token(&request.school)
        .map_err(|e| ApiError::bad_request("invalid_school", e.to_string()))?;
    Ok((StatusCode::CREATED, Json(TokenResponse { token })))
}

async fn list(
    State(centre): State<Centre>,
    headers: HeaderMap,
) -> Result<Json<Vec<SubmissionRow>>, ApiError> {
    check_staff(&centre, &headers)?;
    Ok(Json(db::submissions(&centre.db())?))
}

async fn run(centre: Centre, id: String, action: Action) -> Result<Json<SubmissionRow>, ApiError> {
    tokio::task::spawn_blocking(move || centre.apply(&id, &action))
        .await
        .map_err(ApiError::internal)?
        .map(Json)
}

async fn start_production(
    State(centre): State<Centre>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<SubmissionRow>, ApiError> {
    check_staff(&centre, &headers)?;
    run(centre, id, Action::StartProduction).await
}

async fn finish(
    State(centre): State<Centre>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<SubmissionRow>, ApiError> {
    check_staff(&centre, &headers)?;
    run(centre, id, Action::Finish).await
}

#[derive(Debug, Deserialize)]
struct ResetRequest {
    reason: String,
}

async fn reset(
    State(centre): State<Centre>,
    Path(id): Path<String>,
    headers: HeaderMap,
    request: Result<Json<ResetRequest>, JsonRejection>,
) -> Result<Json<SubmissionRow>, ApiError> {
    check_staff(&centre, &headers)?;
    let Json(request) = request.map_err(ApiError::from_rejection)?;
    run(
        centre,
        id,
        Action::Reset {
            reason: request.reason,
        },
    )
    .await
}

async fn make_final(
    State(centre): State<Centre>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<SubmissionRow>, ApiError> {
    check_staff(&centre, &headers)?;
    run(centre, id, Action::MakeFinal).await
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, Response};
    use tower::ServiceExt;

    use super::*;

    const KEY: &str = "unit-test-key";

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Opens a centre with one received submission `sub-1` of station `st-1`.
    fn centre_with_submission() -> Result<(tempfile::TempDir, Centre), Box<dyn std::error::Error>> {
        let dir = tempfile::TempDir::new()?;
        let centre = Centre::open(dir.path(), KEY)?;
        let at = now();
        {
            let conn = centre.db();
            conn.execute(
                "INSERT INTO stations (id, name, school, public_key, credential_sha256, enrolled_at)
                 VALUES ('st-1', 'booth', 'School', x'00', 'hash', ?1)",
                [&at],
            )?;
            conn.execute(
                "INSERT INTO submissions (id, station_id, collection_code, captured_at,
                     original_sha256, original_bytes, metadata_json, signature, received_at,
                     state, updated_at)
                 VALUES ('sub-1', 'st-1', 'TC2026A0001', ?1, 'abc', 3, '{}', 'sig', ?1,
                         'received', ?1)",
                [&at],
            )?;
            db::record_change(&conn, "sub-1", "received", None, None, &at)?;
        }
        Ok((dir, centre))
    }

    async fn send(
        centre: &Centre,
        method: &str,
        uri: &str,
        key: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Result<(StatusCode, serde_json::Value), Box<dyn std::error::Error>> {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(key) = key {
            request = request.header(header::AUTHORIZATION, format!("Bearer {key}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let response: Response<Body> = centre.router().oneshot(request.body(body)?).await?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
        let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Ok((status, json))
    }

    fn feed_states(centre: &Centre) -> Vec<(String, Option<String>)> {
        let conn = centre.db();
        let mut statement = conn
            .prepare("SELECT state, reason FROM changes ORDER BY seq")
            .expect("query");
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("changes")
    }

    #[tokio::test]
    async fn staff_routes_need_key() -> TestResult {
        let (_dir, centre) = centre_with_submission()?;

        let (missing, body) = send(&centre, "GET", "/staff/submissions", None, None).await?;
        let (wrong, _) = send(&centre, "GET", "/staff/submissions", Some("guess"), None).await?;
        let (right, list) = send(&centre, "GET", "/staff/submissions", Some(KEY), None).await?;

        assert_eq!(missing, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "unauthorized");
        assert_eq!(wrong, StatusCode::UNAUTHORIZED);
        assert_eq!(right, StatusCode::OK);
        assert_eq!(list[0]["id"], "sub-1");
        Ok(())
    }

    #[tokio::test]
    async fn reset_needs_reason() -> TestResult {
        let (_dir, centre) = centre_with_submission()?;
        let uri = "/staff/submissions/sub-1/reset";

        let (blank, blank_body) = send(
            &centre,
            "POST",
            uri,
            Some(KEY),
            Some(serde_json::json!({"reason": " "})),
        )
        .await?;
        let (no_body, no_body_json) = send(&centre, "POST", uri, Some(KEY), None).await?;
        let (done, row) = send(
            &centre,
            "POST",
            uri,
            Some(KEY),
            Some(serde_json::json!({"reason": "shadow behind the head"})),
        )
        .await?;

        assert_eq!(blank, StatusCode::BAD_REQUEST);
        assert_eq!(blank_body["code"], "missing_reason");
        assert!(no_body.is_client_error(), "{no_body}");
        assert_eq!(no_body_json["code"], "invalid_request");
        assert_eq!(done, StatusCode::OK);
        assert_eq!(row["state"], "reset");
        assert_eq!(
            feed_states(&centre).last(),
            Some(&(
                "reset".to_string(),
                Some("shadow behind the head".to_string())
            ))
        );
        Ok(())
    }

    #[tokio::test]
    async fn final_only_after_finished() -> TestResult {
        let (_dir, centre) = centre_with_submission()?;

        let (status, body) = send(
            &centre,
            "POST",
            "/staff/submissions/sub-1/final",
            Some(KEY),
            None,
        )
        .await?;
        let (unknown, _) = send(
            &centre,
            "POST",
            "/staff/submissions/nope/final",
            Some(KEY),
            None,
        )
        .await?;

        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["code"], "invalid_transition");
        assert_eq!(unknown, StatusCode::NOT_FOUND);
        assert_eq!(feed_states(&centre).len(), 1, "no change recorded");
        Ok(())
    }

    #[test]
    fn finish_renders_real_photo() -> TestResult {
        let (_dir, centre) = centre_with_submission()?;
        let original = std::fs::read(tucai_core::assets_dir().join("demo-camera/frame-00.jpg"))?;
        std::fs::write(centre.original_path("sub-1"), &original)?;
        centre.apply("sub-1", &Action::StartProduction)?;

        let finished = centre.apply("sub-1", &Action::Finish)?;

        let jpeg = std::fs::read(centre.finished_path("sub-1"))?;
        let photo = image::load_from_memory(&jpeg)?;
        assert_eq!(finished.state, "finished");
        assert_eq!(finished.finished_sha256, Some(sha256_hex(&jpeg)));
        assert_eq!((photo.width(), photo.height()), (480, 640));
        Ok(())
    }

    #[test]
    fn finish_without_face_refused() -> TestResult {
        let (_dir, centre) = centre_with_submission()?;
        let cat = std::fs::read(tucai_core::assets_dir().join("fixtures/chelsea.png"))?;
        std::fs::write(centre.original_path("sub-1"), &cat)?;

        let error = centre.apply("sub-1", &Action::Finish).unwrap_err();

        assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error.code, "cannot_render");
        assert!(error.message.contains("reset it"), "{}", error.message);
        assert_eq!(
            centre.submission("sub-1")?.map(|s| s.state),
            Some("received".into())
        );
        Ok(())
    }

    #[tokio::test]
    async fn page_served_without_key() -> TestResult {
        let dir = tempfile::TempDir::new()?;
        let centre = Centre::open(dir.path(), KEY)?;
        let request = Request::builder().uri("/staff").body(Body::empty())?;

        let response = centre.router().oneshot(request).await?;

        assert_eq!(response.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
        assert!(String::from_utf8_lossy(&bytes).contains("Reference centre"));
        Ok(())
    }
}
