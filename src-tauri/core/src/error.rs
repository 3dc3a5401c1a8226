//! The crate's error type, grouped by cause so that callers and the window
//! branch on the kind, never on the text.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

use crate::text::Text;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The cause of an error, sent to the window beside the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    /// A student, draft or file that was asked for does not exist.
    NotFound,
    /// A value given by a person or a file is invalid. The message names it.
    InvalidInput,
    /// The camera is missing, busy, forbidden or stopped sending frames.
    Camera,
    /// A model file is missing, altered or failed to run.
    Model,
    /// The station's store (SQLite file or original photos) failed.
    Store,
    /// The request is valid but not allowed in the current state.
    Conflict,
    /// A fault inside the station itself, such as the window failing to start.
    Internal,
    /// Staff must sign in, or a supervisor must approve.
    Denied,
    /// The student is locked; the message says why and until when.
    Locked,
    /// The provincial centre could not be reached, timed out or failed.
    Network,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid profile {path:?}: {reason}")]
    Profile { path: PathBuf, reason: String },

    #[error("{0}")]
    Invalid(String),

    #[error("{what} not found: {value:?}")]
    NotFound { what: &'static str, value: String },

    #[error("camera: {0}")]
    Camera(String),

    /// A camera failure with its cause and fix in both languages, for the
    /// window's camera banner.
    #[error("camera: {}", .0.en)]
    CameraFault(Text),

    #[error("model {name}: {reason}")]
    Model { name: String, reason: String },

    #[error("store: {0}")]
    Store(String),

    #[error("{0}")]
    Conflict(String),

    #[error("{0}")]
    Internal(String),

    #[error("{0}")]
    Denied(String),

    #[error("{0}")]
    Locked(String),

    #[error("{0}")]
    Network(String),

    /// A failure that a person can act on, explained in both languages:
    /// what failed, on which value or path, and the fix. `kind` classifies
    /// it as for the other variants, and the English text is its `Display`.
    #[error("{}", .text.en)]
    Explained { kind: ErrorKind, text: Text },

    #[error("i/o on {path:?}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Profile { .. } | Error::Invalid(_) => ErrorKind::InvalidInput,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Camera(_) | Error::CameraFault(_) => ErrorKind::Camera,
            Error::Model { .. } => ErrorKind::Model,
            Error::Store(_) | Error::Io { .. } => ErrorKind::Store,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Internal(_) => ErrorKind::Internal,
            Error::Denied(_) => ErrorKind::Denied,
            Error::Locked(_) => ErrorKind::Locked,
            Error::Network(_) => ErrorKind::Network,
            Error::Explained { kind, .. } => *kind,
        }
    }

    /// Returns the bilingual text of a camera failure: its own for
    /// `CameraFault`, otherwise the cause classified from the message.
    pub fn camera_text(&self) -> Text {
        match self {
            Error::CameraFault(text) => text.clone(),
            other => crate::camera::explain(&other.to_string(), None),
        }
    }

    /// Builds an [`Error::Explained`] from its Chinese and English text.
    pub fn explained(kind: ErrorKind, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::Explained {
            kind,
            text: Text::new(zh, en),
        }
    }

    /// Returns the message in both languages, for the errors that have it.
    pub fn text(&self) -> Option<&Text> {
        match self {
            Error::Explained { text, .. } | Error::CameraFault(text) => Some(text),
            _ => None,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if crate::explain::is_damage(&e) {
            crate::explain::damaged_store(None, &e.to_string())
        } else if crate::explain::is_read_only(&e) {
            crate::explain::read_only_store(None)
        } else {
            Error::Store(e.to_string())
        }
    }
}

impl From<rusqlite_migration::Error> for Error {
    fn from(e: rusqlite_migration::Error) -> Self {
        match e {
            rusqlite_migration::Error::RusqliteError { err, .. }
                if crate::explain::is_damage(&err) =>
            {
                Error::from(err)
            }
            other => Error::Store(format!("migration failed: {other}")),
        }
    }
}
