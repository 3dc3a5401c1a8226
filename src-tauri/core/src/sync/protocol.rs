//! Wire types of the centre protocol, shared by the station's client and the
//! reference centre. `docs/centre-api.yaml` describes the same messages.

use serde::{Deserialize, Serialize};

/// Path prefix of every protocol route.
pub const API_PREFIX: &str = "/v1";

/// Names of the multipart fields of an upload.
pub const FIELD_METADATA: &str = "metadata";
pub const FIELD_SIGNATURE: &str = "signature";
pub const FIELD_ORIGINAL: &str = "original";

/// Prefix of the signed message, so that a signature over an upload cannot
/// be replayed as a signature over anything else.
pub const SIGNATURE_CONTEXT: &[u8] = b"tucai-upload-v1\n";

/// Most changes the centre returns in one page.
pub const MAX_CHANGES_PER_PAGE: u32 = 500;

/// Builds the message an upload's signature covers: the context prefix
/// followed by the exact bytes of the metadata field.
pub fn signed_message(metadata_json: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNATURE_CONTEXT.len() + metadata_json.len());
    message.extend_from_slice(SIGNATURE_CONTEXT);
    message.extend_from_slice(metadata_json);
    message
}

/// Body of `POST /v1/enrolments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The one-time enrolment token the centre issued to the school.
    pub token: String,
    /// The station's Ed25519 public key, 32 bytes in standard base64.
    pub public_key: String,
    /// A name staff recognise, such as the booth's room.
    pub station_name: String,
}

/// Response to a successful enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub station_id: String,
    /// Bearer credential for every later request. Shown once.
    pub credential: String,
    pub school: String,
}

/// The metadata field of an upload, signed by the station's key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadMetadata {
    /// Chosen by the station; the same id always names the same original.
    pub submission_id: String,
    pub station_id: String,
    /// The student's collection code from the roster.
    pub collection_code: String,
    /// Capture time, RFC 3339 with offset.
    pub captured_at: String,
    /// SHA-256 of the original field, lowercase hex.
    pub original_sha256: String,
    /// Length of the original field in bytes.
    pub original_bytes: u64,
    /// The station's check report on the original, as JSON.
    pub report: serde_json::Value,
}

/// Whether an upload stored a new original or found it stored already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    Stored,
    AlreadyStored,
}

/// Response to an upload, the same for the first delivery and every repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadReceipt {
    pub submission_id: String,
    pub status: ReceiptStatus,
    /// When the centre first stored the original, RFC 3339.
    pub received_at: String,
}

/// A submission's state at the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CentreState {
    /// The original is stored and waits for production.
    Received,
    /// Staff have started producing the diploma photo.
    InProduction,
    /// The finished photo is ready to download.
    Finished,
    /// The school reset the submission: the student must capture again.
    Reset,
    /// The photo is final and goes on the diploma.
    Final,
}

impl CentreState {
    /// Value used in URLs, SQL and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CentreState::Received => "received",
            CentreState::InProduction => "in_production",
            CentreState::Finished => "finished",
            CentreState::Reset => "reset",
            CentreState::Final => "final",
        }
    }

    /// Parses the value [`CentreState::as_str`] returns.
    pub fn parse(value: &str) -> Option<CentreState> {
        [
            CentreState::Received,
            CentreState::InProduction,
            CentreState::Finished,
            CentreState::Reset,
            CentreState::Final,
        ]
        .into_iter()
        .find(|state| state.as_str() == value)
    }
}

/// One entry of the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Position in the feed, increasing.
    pub seq: i64,
    pub submission_id: String,
    pub state: CentreState,
    /// The school's reason for a reset.
    pub reason: Option<String>,
    /// SHA-256 of the finished photo, once there is one.
    pub finished_sha256: Option<String>,
    /// When the state changed, RFC 3339.
    pub at: String,
}

/// One page of the change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    /// Cursor for the next read: the last change's position, or the cursor
    /// that was sent when the page is empty.
    pub cursor: String,
    /// True when more changes follow this page.
    pub more: bool,
}

/// Body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Stable code to branch on, such as `hash_mismatch`.
    pub code: String,
    /// The failure and its fix, for people.
    pub message: String,
}
