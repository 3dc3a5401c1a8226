//! Sync with the provincial centre: the centre's address and timings, the
//! station's key, enrolment, the HTTP client and the worker that empties
//! the outbox and reads the centre's change feed back into the store.

mod backoff;
pub mod client;
mod enrol;
pub mod key;
mod probe;
pub mod protocol;
mod settings;
mod worker;

pub use backoff::Backoff;
pub use client::{CentreClient, ClientError, SignedUpload};
pub use enrol::enrol;
pub use key::{KEY_FILE, load_or_create_key};
pub use probe::{ProbeFailure, ProbeResponse, probe};
pub use settings::{CentreUrl, SyncSettings};
pub use worker::{SyncHandle, SyncState};
