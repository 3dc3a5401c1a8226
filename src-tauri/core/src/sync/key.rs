//! The station's Ed25519 key pair, created on first use and kept in the
//! data folder as a file only its owner can read.

use std::io::Write;
use std::path::Path;

use ed25519_dalek::SigningKey;

use crate::{Error, Result};

/// Name of the key file in the data folder: the 32-byte secret seed as hex.
pub const KEY_FILE: &str = "station-key";

/// Loads the station's signing key from `data_dir`, or creates one with the
/// operating system's random source when there is none.
///
/// On Unix the file is created with mode 0600, and a file found readable by
/// others is set back to 0600 with a warning. Fails with `Error::Io` when the
/// file cannot be read or written, and with `Error::Invalid` when it does not
/// contain a key.
pub fn load_or_create_key(data_dir: &Path) -> Result<SigningKey> {
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            restrict_permissions(&path)?;
            parse_key(&path, &text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key(&path),
        Err(e) => Err(Error::io(&path, e)),
    }
}

fn parse_key(path: &Path, text: &str) -> Result<SigningKey> {
    let seed: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{} does not contain a station key (64 hex digits); \
                 move it away to make a new key, then enrol the station again",
                path.display()
            ))
        })?;
    Ok(SigningKey::from_bytes(&seed))
}

fn create_key(path: &Path) -> Result<SigningKey> {
    let seed: [u8; 32] = rand::random();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);

    let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
    file.write_all(hex::encode(seed).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, e))?;
    tracing::info!(path = %path.display(), "station key created");
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;

    let mode = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "station key readable by others, setting mode 0600");
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_permissions(_path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use tempfile::TempDir;

    #[test]
    fn key_created_then_reloaded() -> Result<(), Box<dyn std::error::Error>> {
        let dir = TempDir::new()?;

        let first = load_or_create_key(dir.path())?;
        let second = load_or_create_key(dir.path())?;

        assert_eq!(first.to_bytes(), second.to_bytes());
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn key_file_owner_only() -> Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new()?;
        load_or_create_key(dir.path())?;
        let path = dir.path().join(KEY_FILE);
        let created = std::fs::metadata(&path)?.permissions().mode() & 0o777;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))?;

        load_or_create_key(dir.path())?;

        let repaired = std::fs::metadata(&path)?.permissions().mode() & 0o777;
        assert_eq!(created, 0o600);
        assert_eq!(repaired, 0o600);
        Ok(())
    }

    #[test]
    fn garbage_key_rejected() -> Result<(), Box<dyn std::error::Error>> {
        let dir = TempDir::new()?;
        std::fs::write(dir.path().join(KEY_FILE), "not a key")?;

        let error = load_or_create_key(dir.path()).unwrap_err();

        assert_eq!(error.kind(), crate::ErrorKind::InvalidInput);
        Ok(())
    }
}
