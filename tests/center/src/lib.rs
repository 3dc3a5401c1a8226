//! The reference provincial centre: an HTTP server over SQLite and a folder
//! of files that implements the station's sync protocol
//! (`docs/centre-api.yaml`), with a staff JSON API to move submissions
//! through production.
//!
//! Layout of the data folder:
//!
//! ```text
//! centre.sqlite3            tokens, stations, submissions and the change feed
//! originals/<id>.original   each submission's original, as uploaded
//! finished/<id>.jpg         each finished 480x640 photo
//! ```

mod api;
mod db;
mod error;
mod faults;
mod staff;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

pub use db::SubmissionRow;
pub use error::ApiError;
pub use faults::Faults;
pub use staff::Action;

/// Largest request body accepted, in bytes: an original of a 24-megapixel
/// camera as PNG stays under it.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// A running centre's shared state. Cloning shares it.
#[derive(Clone)]
pub struct Centre {
    inner: Arc<Inner>,
}

struct Inner {
    db: Mutex<Connection>,
    data_dir: PathBuf,
    staff_key: String,
    faults: Faults,
    profile: tucai_core::checks::Profile,
    models: Mutex<Option<Arc<tucai_core::vision::Models>>>,
}

impl Centre {
    /// Opens or creates the centre's data folder. `staff_key` guards the
    /// staff routes.
    pub fn open(data_dir: &Path, staff_key: &str) -> anyhow::Result<Centre> {
        for folder in ["originals", "finished"] {
            std::fs::create_dir_all(data_dir.join(folder))?;
        }
        let conn = db::open(&data_dir.join("centre.sqlite3"))?;
        let profile = tucai_core::checks::Profile::named(tucai_core::checks::DEFAULT_PROFILE)?;
        Ok(Centre {
            inner: Arc::new(Inner {
                db: Mutex::new(conn),
                data_dir: data_dir.to_path_buf(),
                staff_key: staff_key.to_string(),
                faults: Faults::default(),
                profile,
                models: Mutex::new(None),
            }),
        })
    }

    /// Builds the HTTP routes over this centre.
    pub fn router(&self) -> Router {
        api::routes()
            .merge(staff::routes())
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(self.clone())
    }

    /// Serves the routes on `listener` until `shutdown` completes.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let addr: SocketAddr = listener.local_addr()?;
        tracing::info!(%addr, data_dir = %self.inner.data_dir.display(), "centre listening");
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Fault injection for tests of the station's retries.
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.inner.db.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn original_path(&self, id: &str) -> PathBuf {
        self.inner
            .data_dir
            .join("originals")
            .join(format!("{id}.original"))
    }

    fn finished_path(&self, id: &str) -> PathBuf {
        self.inner
            .data_dir
            .join("finished")
            .join(format!("{id}.jpg"))
    }

    /// Loads the face models on first use, so a centre that never renders
    /// starts fast. The binary calls this at start to fail early.
    pub fn models(&self) -> anyhow::Result<Arc<tucai_core::vision::Models>> {
        let mut models = self.inner.models.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(loaded) = models.as_ref() {
            return Ok(loaded.clone());
        }
        let loaded = Arc::new(tucai_core::vision::Models::load_bundled()?);
        *models = Some(loaded.clone());
        Ok(loaded)
    }

    /// Returns every submission, oldest first.
    pub fn submissions(&self) -> anyhow::Result<Vec<SubmissionRow>> {
        Ok(db::submissions(&self.db())?)
    }

    /// Returns one submission.
    pub fn submission(&self, id: &str) -> anyhow::Result<Option<SubmissionRow>> {
        Ok(db::submission(&self.db(), id)?)
    }
}

/// Lowercase hex SHA-256.
fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Current time, RFC 3339 in UTC.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Draws a random secret of 32 bytes as hex, for tokens and credentials.
fn random_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// Writes `bytes` to `path` through a temporary file in the same folder,
/// synced before the rename, so a reader never sees a partial file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let temp = path.with_extension("partial");
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temp, path)
}
