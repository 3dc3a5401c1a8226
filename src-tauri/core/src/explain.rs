//! Everyday failures explained to staff in both languages: a chosen folder
//! that cannot be written and an input file that cannot be read. Each
//! message names the path and the fix, in place of the operating system's
//! bare words.

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

#[cfg(test)]
mod tests {
    use super::*;

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
