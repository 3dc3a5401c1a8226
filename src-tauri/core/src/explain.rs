//! Everyday failures explained to staff in both languages: a chosen folder
//! that cannot be written, an input file that cannot be read, and a store
//! that is damaged or read-only. Each message names the path and the fix, in place of the
//! operating system's or SQLite's bare words.

use std::io::ErrorKind as IoKind;
use std::path::Path;

use crate::{Error, ErrorKind};

/// Explains a failed write into `chosen`, a folder that staff picked as a
/// destination (such as a USB drive for the day's export), from the
/// operating system's `error`.
pub fn unwritable_folder(chosen: &Path, error: &std::io::Error) -> Error {
    let folder = chosen.display();
    match error.kind() {
        IoKind::PermissionDenied | IoKind::ReadOnlyFilesystem => Error::explained(
            ErrorKind::InvalidInput,
            format!(
                "无法写入文件夹 {folder}：该文件夹是只读的，或当前用户没有写入权限。\
                 请选择其他文件夹；如果是 U 盘，请检查其写保护开关。"
            ),
            format!(
                "cannot write into the folder {folder}: it is read-only, or this user may not \
                 write there. Choose another folder; on a USB drive, check its write-protect \
                 switch."
            ),
        ),
        IoKind::StorageFull | IoKind::QuotaExceeded => Error::explained(
            ErrorKind::InvalidInput,
            format!("文件夹 {folder} 所在的磁盘已满。请腾出空间或换一个磁盘，然后重试。"),
            format!(
                "the drive that holds {folder} is full. Free some space or choose another \
                 drive, then try again."
            ),
        ),
        IoKind::NotFound => missing_folder(chosen),
        _ => Error::explained(
            ErrorKind::InvalidInput,
            format!("无法写入文件夹 {folder}（系统提示：{error}）。请选择其他文件夹后重试。"),
            format!(
                "cannot write into the folder {folder} (the system reports: {error}). Choose \
                 another folder and try again."
            ),
        ),
    }
}

/// Explains that `chosen`, the destination folder staff named, does not
/// exist or is not a folder.
pub fn missing_folder(chosen: &Path) -> Error {
    let folder = chosen.display();
    Error::explained(
        ErrorKind::InvalidInput,
        format!("{folder} 不是已存在的文件夹。请插入 U 盘，或选择一个已存在的文件夹。"),
        format!(
            "{folder} is not an existing folder. Plug in the drive, or choose a folder that \
             exists."
        ),
    )
}

/// Explains why the input file at `path` cannot be read. `what` names the
/// file's role in Chinese and English, such as `("名单文件", "roster file")`.
pub fn unreadable_file(what: (&str, &str), path: &Path, error: &std::io::Error) -> Error {
    let (what_zh, what_en) = what;
    let file = path.display();
    match error.kind() {
        IoKind::NotFound => Error::explained(
            ErrorKind::NotFound,
            format!("找不到{what_zh} {file}。请检查文件名和所在的文件夹。"),
            format!("{what_en} {file} not found. Check the file name and its folder."),
        ),
        IoKind::PermissionDenied => Error::explained(
            ErrorKind::InvalidInput,
            format!("当前用户没有读取{what_zh} {file} 的权限。请把文件复制到自己的文件夹后重试。"),
            format!(
                "this user may not read the {what_en} {file}. Copy the file into a folder of \
                 your own and try again."
            ),
        ),
        IoKind::IsADirectory => Error::explained(
            ErrorKind::InvalidInput,
            format!("{file} 是文件夹，不是{what_zh}。请选择其中的文件。"),
            format!("{file} is a folder, not a {what_en}. Choose the file inside it."),
        ),
        _ => Error::explained(
            ErrorKind::InvalidInput,
            format!("无法读取{what_zh} {file}（系统提示：{error}）。请检查该文件后重试。"),
            format!(
                "cannot read the {what_en} {file} (the system reports: {error}). Check the \
                 file and try again."
            ),
        ),
    }
}

/// Explains that the store's SQLite file is not a database or is corrupt,
/// with SQLite's `reason`, and how staff recover without losing the
/// damaged file or the original photos beside it. `db` is the file's path
/// where the caller knows it.
///
/// The station keeps no backup of its database, so the message states it and
/// points to a backup of the data folder, if IT keeps one, or else to a new
/// store and a new roster import.
pub fn damaged_store(db: Option<&Path>, reason: &str) -> Error {
    let (file_zh, file_en) = match db {
        Some(path) => (path.display().to_string(), path.display().to_string()),
        None => (
            format!("（数据文件夹中的 {}）", crate::store::DB_FILE),
            format!("({} in the data folder)", crate::store::DB_FILE),
        ),
    };
    Error::explained(
        ErrorKind::Store,
        format!(
            "本站的数据库文件 {file_zh} 已损坏，无法读取（SQLite：{reason}）。本站不自动备份数据库。\
             恢复方法：先关闭本站，把该文件及其旁边的 -wal、-shm 文件移到其他文件夹保存，\
             不要删除。如果技术人员备份过数据文件夹，从备份中把这些文件复制回来；\
             如果没有备份，重新启动本站会建立空的数据库，然后重新导入名单。\
             同一文件夹下 originals 中的原始照片仍然保留，新数据库在本站启动时会把它们\
             移到 originals/.unreferenced。"
        ),
        format!(
            "the station's database {file_en} is damaged and cannot be read (SQLite: \
             {reason}). The station makes no backup of its database. To recover, close the \
             station, then move that file and the -wal and -shm files beside it into another \
             folder, keeping them. If IT backed up the data folder, copy those files back \
             from the backup. Without a backup, the station then starts on a new, empty \
             database, and the roster is imported again. The original photos stay in the \
             originals folder beside the file, and a new database moves them to \
             originals/.unreferenced when the station starts."
        ),
    )
}

/// Tells whether SQLite reports the file as not a database or corrupt.
pub fn is_damage(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// Returns true when SQLite rejected a write because the database file or
/// its folder is read-only for the user running the station.
pub fn is_read_only(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ReadOnly)
    )
}

/// Explains a store that the user running the station may read but not
/// write, naming the database file when it is known.
pub fn read_only_store(db: Option<&Path>) -> Error {
    let file = match db {
        Some(path) => path.display().to_string(),
        None => crate::store::DB_FILE.to_owned(),
    };
    Error::explained(
        ErrorKind::InvalidInput,
        format!(
            "本站无法写入数据库 {file}：该文件或其所在文件夹对当前用户是只读的。\
             请以拥有该数据文件夹的用户运行本站，或让管理员给当前用户加上该文件夹及其中文件的写权限；\
             数据库本身没有损坏。"
        ),
        format!(
            "the station cannot write its store {file}: the file or its folder is read-only for \
             the user running the station. Run the station as the user who owns the data folder, \
             or have an administrator give this user write access to the folder and its files. \
             The store itself is not damaged."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_store_names_file_and_fix() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("read-only.sqlite3");
        rusqlite::Connection::open(&path)?.execute_batch("CREATE TABLE t (x)")?;
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;

        let refused = conn.execute("INSERT INTO t VALUES (1)", []).unwrap_err();
        let error = crate::Error::from(refused);

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        let text = error.text().expect("both languages");
        assert!(text.en.contains("cannot write its store"), "{}", text.en);
        assert!(text.en.contains("not damaged"), "{}", text.en);
        assert!(text.zh.contains("只读"), "{}", text.zh);
        Ok(())
    }

    fn os_error(kind: IoKind) -> std::io::Error {
        std::io::Error::from(kind)
    }

    #[test]
    fn read_only_folder_names_path_and_fix() {
        let error = unwritable_folder(
            Path::new("/media/usb"),
            &os_error(IoKind::ReadOnlyFilesystem),
        );

        let text = error.text().expect("bilingual text");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(text.en.contains("/media/usb"), "{}", text.en);
        assert!(text.en.contains("read-only"), "{}", text.en);
        assert!(text.en.contains("Choose another folder"), "{}", text.en);
        assert!(text.zh.contains("/media/usb"), "{}", text.zh);
        assert!(text.zh.contains("只读"), "{}", text.zh);
    }

    #[test]
    fn full_drive_says_full() {
        let error = unwritable_folder(Path::new("/media/usb"), &os_error(IoKind::StorageFull));

        let text = error.text().expect("bilingual text");
        assert!(text.en.contains("is full"), "{}", text.en);
        assert!(text.zh.contains("已满"), "{}", text.zh);
    }

    #[test]
    fn vanished_folder_is_missing_folder() {
        let error = unwritable_folder(Path::new("/media/usb"), &os_error(IoKind::NotFound));

        assert_eq!(
            error.to_string(),
            missing_folder(Path::new("/media/usb")).to_string()
        );
    }

    #[test]
    fn other_write_failure_keeps_system_words() {
        let error = unwritable_folder(Path::new("/x"), &os_error(IoKind::TimedOut));

        let text = error.text().expect("bilingual text");
        assert!(text.en.contains("timed out"), "{}", text.en);
        assert!(text.en.contains("Choose another folder"), "{}", text.en);
    }

    #[test]
    fn missing_input_file_is_not_found() {
        let error = unreadable_file(
            ("名单文件", "roster file"),
            Path::new("roster.csv"),
            &os_error(IoKind::NotFound),
        );

        assert_eq!(error.kind(), ErrorKind::NotFound);
        assert_eq!(
            error.to_string(),
            "roster file roster.csv not found. Check the file name and its folder."
        );
        assert_eq!(
            error.text().map(|t| t.zh.as_str()),
            Some("找不到名单文件 roster.csv。请检查文件名和所在的文件夹。")
        );
    }
}
