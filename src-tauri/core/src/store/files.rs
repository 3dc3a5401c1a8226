//! Original photos on disk under `originals/<student_number>/<draft_id>.png`,
//! written so that a path stored in the database always names a complete
//! file.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ORIGINALS_DIR;
use crate::{Error, Result};

/// Prefix and suffix of the temporary file that an original is written to
/// before it is renamed into place.
pub(super) const TEMP_PREFIX: &str = ".incoming-";
const TEMP_SUFFIX: &str = ".tmp";

/// An original photo that is complete on disk.
#[derive(Debug)]
pub(super) struct WrittenOriginal {
    /// Path relative to the data folder, as stored in `drafts.original_path`.
    pub relative: String,
    pub path: PathBuf,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
}

/// Writes the original photo of draft `draft_id` durably. The bytes go to a
/// temporary file in the student's folder, which is flushed to disk and
/// renamed into place. The folder is flushed next, so that the new name
/// survives a power cut.
///
/// NOTE: a crash before the rename can leave a `.incoming-*.tmp` file, and a
/// crash after it a `.png` that no draft row references. Neither is read.
pub(super) fn write_original(
    data_dir: &Path,
    student_number: &str,
    draft_id: &str,
    bytes: &[u8],
) -> Result<WrittenOriginal> {
    let relative = relative_path(student_number, draft_id)?;
    let path = resolve(data_dir, &relative);
    let originals = data_dir.join(ORIGINALS_DIR);
    let folder = originals.join(student_number);

    let folder_is_new = !folder.is_dir();
    std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
    if folder_is_new {
        sync_dir(&originals)?;
    }

    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&folder)
        .map_err(|e| Error::io(&folder, e))?;
    temp.write_all(bytes)
        .map_err(|e| Error::io(temp.path(), e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::io(temp.path(), e))?;
    #[cfg(feature = "failpoints")]
    fail::fail_point!("draft-temp-written");
    temp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    if let Err(e) = sync_dir(&folder) {
        remove_original(&path);
        return Err(e);
    }

    Ok(WrittenOriginal {
        relative,
        path,
        sha256: sha256_hex(bytes),
    })
}

/// Builds `originals/<student_number>/<draft_id>.png` with `/` separators,
/// so that a data folder moved between systems still resolves.
///
/// Fails with `Error::Invalid` when either part could leave its folder. The
/// roster import already rejects such student numbers.
fn relative_path(student_number: &str, draft_id: &str) -> Result<String> {
    for part in [student_number, draft_id] {
        let safe = !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !safe {
            return Err(Error::Invalid(format!(
                "cannot name an original file after {part:?}: \
                 use only letters, digits, \"-\" and \"_\""
            )));
        }
    }
    Ok(format!("{ORIGINALS_DIR}/{student_number}/{draft_id}.png"))
}

/// Turns a stored `/`-separated relative path into a path under `data_dir`.
pub(super) fn resolve(data_dir: &Path, relative: &str) -> PathBuf {
    let mut path = data_dir.to_path_buf();
    path.extend(relative.split('/'));
    path
}

/// Deletes an original photo that no row references, logging a failure
/// instead of returning it, because the caller is already handling an
/// error or has committed.
pub(super) fn remove_original(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove original photo")
        }
    }
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Flushes a folder's entries to disk, so that a rename inside it survives
/// a power cut.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|folder| folder.sync_all())
        .map_err(|e| Error::io(dir, e))
}

// NOTE: Windows cannot open a folder as a `File` without extra flags, so the
// rename there is flushed only by the file system's own journal.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use tempfile::TempDir;

    use crate::store::test_support::{TestResult, file_names};

    #[test]
    fn sha256_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn write_original_complete() -> TestResult {
        let dir = TempDir::new()?;
        let bytes = b"original photo bytes".to_vec();

        let written = write_original(dir.path(), "2023010001", "draft-1", &bytes)?;

        assert_eq!(written.relative, "originals/2023010001/draft-1.png");
        assert_eq!(
            written.path,
            dir.path()
                .join("originals")
                .join("2023010001")
                .join("draft-1.png")
        );
        assert_eq!(std::fs::read(&written.path)?, bytes);
        assert_eq!(written.sha256, sha256_hex(&bytes));
        Ok(())
    }

    #[test]
    fn write_original_no_temp_left() -> TestResult {
        let dir = TempDir::new()?;

        write_original(dir.path(), "2023010001", "draft-1", b"one")?;
        write_original(dir.path(), "2023010001", "draft-2", b"two")?;

        let mut names = file_names(&dir.path().join(ORIGINALS_DIR))?;
        names.sort();
        assert_eq!(names, ["draft-1.png", "draft-2.png"]);
        Ok(())
    }

    #[test]
    fn unsafe_names_rejected() -> TestResult {
        let dir = TempDir::new()?;

        for (number, draft) in [
            ("..", "d1"),
            ("a/b", "d1"),
            ("2023010001", "../d1"),
            ("", "d1"),
        ] {
            let result = write_original(dir.path(), number, draft, b"x");

            assert!(result.is_err(), "{number:?} / {draft:?}");
        }
        Ok(())
    }

    #[test]
    fn resolve_splits_slashes() {
        let path = resolve(Path::new("data"), "originals/s1/d1.png");

        assert_eq!(
            path,
            Path::new("data")
                .join("originals")
                .join("s1")
                .join("d1.png")
        );
    }
}
