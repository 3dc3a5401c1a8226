//! The sync worker: a thread with its own tokio runtime and its own store
//! connection. Each round it uploads the outbox oldest first and applies
//! the centre's change feed. Failed rounds wait with exponential back-off.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use tokio::sync::{Notify, watch};

use super::backoff::Backoff;
use super::client::{CentreClient, ClientError, SignedUpload, sha256_hex};
use super::key::load_or_create_key;
use super::protocol::{CentreState, Change, UploadMetadata};
use super::settings::SyncSettings;
use crate::store::{Enrolment, OutboxEntry, Store};
use crate::text::Text;
use crate::{Error, Result};

/// Outbox entries read from the store per batch.
const UPLOAD_BATCH: u32 = 16;

/// Changes asked for per feed read.
const CHANGES_PER_READ: u32 = 100;

/// The worker's view of the connection, for the status line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncState {
    /// The last round reached the centre.
    pub online: bool,
    /// Reason the last round failed, with the fix. None after a success.
    pub last_error: Option<Text>,
    /// When a round last succeeded, RFC 3339.
    pub last_success_at: Option<String>,
}

struct Shared {
    state: Mutex<SyncState>,
    wake: Notify,
}

/// A running sync worker. Dropping the handle stops the worker, cancelling
/// a request in flight, which the idempotent upload makes safe.
pub struct SyncHandle {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl SyncHandle {
    /// Loads or creates the station's key and starts the worker on its own
    /// thread over the store in `data_dir`.
    ///
    /// Fails with the key file's errors from [`load_or_create_key`] and with
    /// the store's errors when the data folder cannot be used.
    pub fn start(data_dir: &Path, settings: SyncSettings) -> Result<SyncHandle> {
        let key = load_or_create_key(data_dir)?;
        let client = CentreClient::new(settings.centre.clone(), settings.request_timeout)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let store = Store::open(data_dir)?;

        let shared = Arc::new(Shared {
            state: Mutex::new(SyncState::default()),
            wake: Notify::new(),
        });
        let (stop, stop_rx) = watch::channel(false);
        let worker = Worker {
            store,
            client,
            key,
            backoff: Backoff::new(settings.backoff_min, settings.backoff_max),
            settings,
            shared: shared.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("tucai-sync".to_string())
            .spawn(move || worker.run(stop_rx))
            .map_err(|e| Error::Internal(format!("cannot start the sync thread: {e}")))?;
        Ok(SyncHandle {
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// Starts a round now, such as after a draft was submitted.
    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }

    pub fn state(&self) -> SyncState {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the sync thread panicked");
        }
    }
}

/// The reason a round stopped early.
struct RoundError {
    text: Text,
    /// The centre sent a response, so the station is online.
    reached: bool,
}

impl From<Error> for RoundError {
    fn from(e: Error) -> Self {
        RoundError {
            text: Text::new(
                format!("本地存储出错：{e}"),
                format!("station store failed: {e}"),
            ),
            reached: false,
        }
    }
}

impl From<ClientError> for RoundError {
    fn from(e: ClientError) -> Self {
        let (text, reached) = explain_client_error(&e);
        RoundError { text, reached }
    }
}

/// Explains a failed request to the centre in both languages, with the
/// fix. The flag is true when the centre responded at all.
pub(crate) fn explain_client_error(e: &ClientError) -> (Text, bool) {
    let (zh, reached) = match e {
        ClientError::Unreachable { url, reason } => (
            format!("无法连接省中心（{url}）：{reason}。网络恢复后自动重试。"),
            false,
        ),
        ClientError::Server { status, message } => (
            format!("省中心出错（{status}）：{message}。稍后自动重试。"),
            true,
        ),
        ClientError::Unauthorized { message, .. } => (
            format!("省中心拒绝了本工作站：{message}。请向省中心申请新的注册码后重新注册。"),
            true,
        ),
        ClientError::Rejected { message, .. } => (format!("省中心拒绝了请求：{message}"), true),
        ClientError::Protocol(message) => (format!("省中心的应答无法识别：{message}"), true),
    };
    let en = match e {
        ClientError::Unreachable { .. } | ClientError::Server { .. } => {
            format!("{e}; the station retries by itself")
        }
        ClientError::Unauthorized { .. } => {
            format!("{e}; ask the centre for a new enrolment token and enrol again")
        }
        _ => e.to_string(),
    };
    (Text::new(zh, en), reached)
}

struct Worker {
    store: Store,
    client: CentreClient,
    key: SigningKey,
    settings: SyncSettings,
    backoff: Backoff,
    shared: Arc<Shared>,
}

impl Worker {
    fn run(mut self, stop: watch::Receiver<bool>) {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                tracing::error!(error = %e, "cannot start the sync runtime");
                return;
            }
        };
        tracing::info!(centre = %self.client.base().as_str(), "sync worker started");
        runtime.block_on(self.run_rounds(stop));
        tracing::info!("sync worker stopped");
    }

    async fn run_rounds(&mut self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let result = tokio::select! {
                result = self.round() => result,
                _ = stop.changed() => break,
            };
            let delay = self.after_round(result);
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.shared.wake.notified() => {}
                _ = stop.changed() => break,
            }
        }
    }

    /// Records the round's outcome and returns the pause before the next.
    fn after_round(&mut self, result: std::result::Result<bool, RoundError>) -> Duration {
        let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(more) => {
                self.backoff.reset();
                state.online = true;
                state.last_error = None;
                state.last_success_at = Some(crate::store::now_rfc3339());
                if more {
                    Duration::ZERO
                } else {
                    self.settings.poll_interval
                }
            }
            Err(error) => {
                let delay = self.backoff.next_delay();
                tracing::warn!(
                    error = %error.text.en,
                    failures = self.backoff.failures(),
                    retry_in_ms = delay.as_millis() as u64,
                    "sync round failed"
                );
                state.online = error.reached;
                state.last_error = Some(error.text);
                delay
            }
        }
    }

    /// Runs one round. Returns true when work is left for another round.
    async fn round(&mut self) -> std::result::Result<bool, RoundError> {
        let enrolment = self.enrolment()?;
        let more_uploads = self.upload_batch(&enrolment).await?;
        let more_changes = self.pull_changes(&enrolment).await?;
        Ok(more_uploads || more_changes)
    }

    fn enrolment(&self) -> std::result::Result<Enrolment, RoundError> {
        let centre_url = self.client.base().as_str();
        if let Some(enrolment) = self.store.enrolment(centre_url)? {
            return Ok(enrolment);
        }
        Err(RoundError {
            text: Text::new(
                format!(
                    "本工作站尚未在省中心（{centre_url}）注册：请主管输入省中心发给学校的注册码。"
                ),
                format!(
                    "station not enrolled at {centre_url}: a supervisor enters the enrolment \
                     token the centre issued to the school"
                ),
            ),
            reached: false,
        })
    }

    /// Uploads up to one batch of the outbox. Returns true when more is waiting.
    async fn upload_batch(
        &mut self,
        enrolment: &Enrolment,
    ) -> std::result::Result<bool, RoundError> {
        let entries = self.store.outbox(UPLOAD_BATCH)?;
        // NOTE: a transient failure ends the round, so an upload that the
        // centre keeps failing (a 5xx on that one id) holds up the entries
        // queued behind it until the centre handles it.
        for entry in &entries {
            self.upload_one(enrolment, entry).await?;
        }
        Ok(entries.len() as u32 == UPLOAD_BATCH)
    }

    async fn upload_one(
        &mut self,
        enrolment: &Enrolment,
        entry: &OutboxEntry,
    ) -> std::result::Result<(), RoundError> {
        let id = entry.submission_id.as_str();
        // The schema's triggers keep demo drafts out of the outbox; this
        // second check keeps a database edited by hand from sending one.
        if entry.demo {
            self.store
                .mark_rejected(id, "demo drafts are never sent to the centre")?;
            return Ok(());
        }

        let path = &entry.original_path;
        let original = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let reason = format!("the original {} is missing, capture again", path.display());
                self.store.mark_rejected(id, &reason)?;
                return Ok(());
            }
            Err(e) => return Err(Error::io(path, e).into()),
        };
        let metadata = UploadMetadata {
            submission_id: id.to_string(),
            station_id: enrolment.station_id.clone(),
            collection_code: entry.collection_code.clone(),
            captured_at: entry.captured_at.clone(),
            original_sha256: entry.original_sha256.clone(),
            original_bytes: original.len() as u64,
            report: serde_json::from_str(&entry.report_json).unwrap_or(serde_json::Value::Null),
        };
        let upload = SignedUpload::sign(&metadata, original, &self.key);

        match self.client.upload(&enrolment.credential, &upload).await {
            Ok(receipt) => {
                self.store.mark_uploaded(id)?;
                tracing::info!(submission_id = id, status = ?receipt.status, "upload acknowledged");
                Ok(())
            }
            Err(ClientError::Rejected { message, .. }) => {
                self.store.mark_rejected(id, &message)?;
                Ok(())
            }
            Err(e) => {
                self.store.record_upload_failure(id, &e.to_string())?;
                Err(e.into())
            }
        }
    }

    /// Applies one page of the change feed in one transaction, after
    /// downloading the finished photos it announces. Returns true when more
    /// follows.
    async fn pull_changes(
        &mut self,
        enrolment: &Enrolment,
    ) -> std::result::Result<bool, RoundError> {
        let centre_url = enrolment.centre_url.as_str();
        let cursor = self
            .store
            .enrolment(centre_url)?
            .map(|e| e.feed_cursor)
            .unwrap_or_else(|| "0".to_string());
        let page = self
            .client
            .changes(&enrolment.credential, &cursor, CHANGES_PER_READ)
            .await?;
        if page.changes.is_empty() {
            return Ok(false);
        }

        let mut photos = Vec::with_capacity(page.changes.len());
        for change in &page.changes {
            photos.push(self.finished_photo(enrolment, change).await?);
        }
        let applied: Vec<(&Change, Option<&[u8]>)> = page
            .changes
            .iter()
            .zip(photos.iter().map(Option::as_deref))
            .collect();
        self.store.apply_changes(centre_url, &applied)?;
        Ok(page.more)
    }

    /// Downloads the finished photo a change announces, unless the station
    /// has that photo already. The download must match the announced hash.
    async fn finished_photo(
        &mut self,
        enrolment: &Enrolment,
        change: &Change,
    ) -> std::result::Result<Option<Vec<u8>>, RoundError> {
        let Some(expected) = change.finished_sha256.as_deref() else {
            return Ok(None);
        };
        if !matches!(change.state, CentreState::Finished | CentreState::Final) {
            return Ok(None);
        }
        let held = match self.store.submission(&change.submission_id) {
            Ok(submission) => submission.finished_jpeg,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if held
            .as_deref()
            .is_some_and(|jpeg| sha256_hex(jpeg) == expected)
        {
            return Ok(None);
        }

        let jpeg = self
            .client
            .finished_photo(&enrolment.credential, &change.submission_id)
            .await?;
        let actual = sha256_hex(&jpeg);
        if actual != expected {
            return Err(ClientError::Protocol(format!(
                "finished photo of {} has SHA-256 {actual}, the feed announced {expected}",
                change.submission_id
            ))
            .into());
        }
        Ok(Some(jpeg))
    }
}
