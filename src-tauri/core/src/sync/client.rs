//! The HTTP client of the centre protocol (reqwest over rustls), with a
//! time-out on every request and errors sorted into "try again" and "stop".

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer, SigningKey};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::protocol::{
    ChangePage, EnrolRequest, EnrolResponse, FIELD_METADATA, FIELD_ORIGINAL, FIELD_SIGNATURE,
    Problem, UploadMetadata, UploadReceipt, signed_message,
};
use super::settings::CentreUrl;

/// A failed request, sorted by what the worker should do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The centre could not be reached or did not respond in time. Try again.
    #[error("centre {url} not reachable: {reason}")]
    Unreachable { url: String, reason: String },

    /// The centre failed or is overloaded (5xx, 408, 429). Try again.
    #[error("centre responded {status}: {message}")]
    Server { status: u16, message: String },

    /// The centre does not accept the station's credential or token (401,
    /// 403). Trying again does not help until the station enrols again.
    #[error("centre rejected the station ({status}): {message}")]
    Unauthorized { status: u16, message: String },

    /// The centre rejected this request for good (another 4xx), such as an
    /// original whose hash does not match.
    #[error("centre rejected the request ({status} {code}): {message}")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },

    /// The centre's response could not be read.
    #[error("invalid response from the centre: {0}")]
    Protocol(String),
}

impl ClientError {
    /// Returns true when the same request may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ClientError::Unreachable { .. } | ClientError::Server { .. }
        )
    }
}

/// An upload ready to send: the metadata bytes, their signature and the original.
#[derive(Clone)]
pub struct SignedUpload {
    pub submission_id: String,
    /// The metadata field, byte for byte as signed.
    pub metadata_json: Vec<u8>,
    /// Ed25519 signature over [`signed_message`], standard base64.
    pub signature: String,
    pub original: Vec<u8>,
}

impl SignedUpload {
    /// Serialises the metadata and signs it with the station's key.
    pub fn sign(metadata: &UploadMetadata, original: Vec<u8>, key: &SigningKey) -> SignedUpload {
        let metadata_json =
            serde_json::to_vec(metadata).expect("upload metadata always serialises to JSON");
        let signature = key.sign(&signed_message(&metadata_json));
        SignedUpload {
            submission_id: metadata.submission_id.clone(),
            metadata_json,
            signature: BASE64.encode(signature.to_bytes()),
            original,
        }
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A client for one centre.
#[derive(Debug, Clone)]
pub struct CentreClient {
    http: reqwest::Client,
    base: CentreUrl,
}

impl CentreClient {
    /// Builds a client whose every request ends after `timeout`.
    pub fn new(base: CentreUrl, timeout: Duration) -> Result<CentreClient, ClientError> {
        // reqwest is built without a TLS provider of its own, so rustls's
        // ring provider is installed once for the process. A provider that
        // is already installed is kept. rustls 0.23.48 deprecates this
        // function because ring offers no post-quantum key exchange; the
        // alternative provider, aws-lc, needs a C and assembly build that
        // the station's bundles avoid.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let _ = provider.install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .no_proxy()
            .user_agent(concat!("tucai-station/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Protocol(format!("cannot build the HTTP client: {e}")))?;
        Ok(CentreClient { http, base })
    }

    pub fn base(&self) -> &CentreUrl {
        &self.base
    }

    /// Enrols the station with a one-time token.
    pub async fn enrol(&self, request: &EnrolRequest) -> Result<EnrolResponse, ClientError> {
        let url = self.url("v1/enrolments")?;
        let response = self.http.post(url.clone()).json(request).send().await;
        json_body(&url, response).await
    }

    /// Uploads one original. The same upload may be sent any number of
    /// times: the centre stores it once and returns the same receipt.
    pub async fn upload(
        &self,
        credential: &str,
        upload: &SignedUpload,
    ) -> Result<UploadReceipt, ClientError> {
        let url = self.url(&format!("v1/submissions/{}", upload.submission_id))?;
        let metadata = Part::bytes(upload.metadata_json.clone())
            .mime_str("application/json")
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let original = Part::bytes(upload.original.clone())
            .file_name("original")
            .mime_str("application/octet-stream")
            .map_err(|e| ClientError::Protocol(e.to_string()))?;
        let form = Form::new()
            .part(FIELD_METADATA, metadata)
            .text(FIELD_SIGNATURE, upload.signature.clone())
            .part(FIELD_ORIGINAL, original);

        let response = self
            .http
            .put(url.clone())
            .header(AUTHORIZATION, bearer(credential)?)
            .multipart(form)
            .send()
            .await;
        json_body(&url, response).await
    }

    /// Reads the changes after `cursor`, at most `limit` of them.
    pub async fn changes(
        &self,
        credential: &str,
        cursor: &str,
        limit: u32,
    ) -> Result<ChangePage, ClientError> {
        let mut url = self.url("v1/changes")?;
        url.query_pairs_mut()
            .append_pair("after", cursor)
            .append_pair("limit", &limit.to_string());
        let response = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, bearer(credential)?)
            .send()
            .await;
        json_body(&url, response).await
    }

    /// Downloads the finished photo of a submission.
    pub async fn finished_photo(
        &self,
        credential: &str,
        submission_id: &str,
    ) -> Result<Vec<u8>, ClientError> {
        let url = self.url(&format!("v1/submissions/{submission_id}/finished"))?;
        let response = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, bearer(credential)?)
            .send()
            .await;
        let response = checked(&url, response).await?;
        let bytes = response.bytes().await.map_err(|e| unreachable(&url, &e))?;
        Ok(bytes.to_vec())
    }

    fn url(&self, route: &str) -> Result<reqwest::Url, ClientError> {
        self.base
            .as_url()
            .join(route)
            .map_err(|e| ClientError::Protocol(format!("cannot build the URL of {route}: {e}")))
    }
}

fn bearer(credential: &str) -> Result<HeaderValue, ClientError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {credential}"))
        .map_err(|_| ClientError::Protocol("the stored credential is not valid text".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

fn unreachable(url: &reqwest::Url, e: &reqwest::Error) -> ClientError {
    let reason = if e.is_timeout() {
        "timed out".to_string()
    } else {
        // The last source in the chain is the cause, such as a refused
        // connection or an untrusted certificate, because the links before
        // it repeat the request. The debug log records the whole chain.
        let mut chain = e.to_string();
        let mut last = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            chain = format!("{chain}: {cause}");
            last = cause.to_string();
            source = cause.source();
        }
        tracing::debug!(url = %url, error = %chain, "request to the centre failed");
        last
    };
    ClientError::Unreachable {
        url: url.origin().ascii_serialization(),
        reason,
    }
}

/// Sorts an error status into a [`ClientError`], reading the centre's
/// [`Problem`] body when it sent one.
async fn checked(
    url: &reqwest::Url,
    response: reqwest::Result<Response>,
) -> Result<Response, ClientError> {
    let response = response.map_err(|e| unreachable(url, &e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }

    let text = response.text().await.unwrap_or_default();
    let problem = serde_json::from_str::<Problem>(&text).unwrap_or_else(|_| Problem {
        code: "unknown".to_string(),
        message: foreign_body(status, &text),
    });
    let code = status.as_u16();
    Err(match status {
        s if s.is_server_error()
            || s == StatusCode::REQUEST_TIMEOUT
            || s == StatusCode::TOO_MANY_REQUESTS =>
        {
            ClientError::Server {
                status: code,
                message: problem.message,
            }
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ClientError::Unauthorized {
            status: code,
            message: problem.message,
        },
        _ => ClientError::Rejected {
            status: code,
            code: problem.code,
            message: problem.message,
        },
    })
}

/// Describes an error response that is not the centre's JSON problem: a
/// web page or an empty body means the address is not a centre's.
fn foreign_body(status: StatusCode, text: &str) -> String {
    let text = text.trim();
    if text.is_empty() || text.starts_with('<') {
        let what = if text.is_empty() {
            "an empty response"
        } else {
            "a web page"
        };
        return format!(
            "HTTP {status} with {what}, not a centre's response: check that centre_url is the \
             address the centre gave the school"
        );
    }
    text.chars().take(200).collect()
}

async fn json_body<T: DeserializeOwned>(
    url: &reqwest::Url,
    response: reqwest::Result<Response>,
) -> Result<T, ClientError> {
    let response = checked(url, response).await?;
    let bytes = response.bytes().await.map_err(|e| unreachable(url, &e))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ClientError::Protocol(format!("invalid JSON from {url}: {e}")))
}
