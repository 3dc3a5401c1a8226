//! Camera failure causes, classified from the backend's error, with the
//! fix for each operating system in both languages.

use crate::text::Text;

/// The cause of a camera failure, as far as the error shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraFault {
    /// No such camera: unplugged, or never attached.
    Missing,
    /// Another program is using the camera.
    Busy,
    /// The operating system does not let this user or app use the camera.
    Denied,
    /// Anything else; the original error is shown as it is.
    Other,
}

/// An operating system whose fix a message gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
    MacOs,
}

impl Os {
    /// Returns the operating system this build runs on; other Unix
    /// systems get the Linux advice.
    pub fn current() -> Os {
        if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Linux
        }
    }
}

/// POSIX errno values, the same on Linux and macOS.
const EPERM: i32 = 1;
const ENOENT: i32 = 2;
const ENXIO: i32 = 6;
const EACCES: i32 = 13;
const EBUSY: i32 = 16;
const ENODEV: i32 = 19;

/// Classifies an errno value; `None` for one that names no camera cause.
pub fn fault_from_errno(errno: i32) -> Option<CameraFault> {
    match errno {
        EACCES | EPERM => Some(CameraFault::Denied),
        EBUSY => Some(CameraFault::Busy),
        ENOENT | ENODEV | ENXIO => Some(CameraFault::Missing),
        _ => None,
    }
}

/// Classifies an I/O error kind; `None` for one that names no camera cause.
pub fn fault_from_io_kind(kind: std::io::ErrorKind) -> Option<CameraFault> {
    match kind {
        std::io::ErrorKind::PermissionDenied => Some(CameraFault::Denied),
        std::io::ErrorKind::NotFound => Some(CameraFault::Missing),
        std::io::ErrorKind::ResourceBusy => Some(CameraFault::Busy),
        _ => None,
    }
}

/// Windows HRESULTs that Media Foundation returns for these causes, as
/// the `windows-sys` 0.36 crate defines them.
const HRESULTS: &[(&str, CameraFault)] = &[
    // E_ACCESSDENIED: the privacy setting blocks camera access.
    ("0x80070005", CameraFault::Denied),
    // MF_E_VIDEO_DEVICE_LOCKED: another app is using the camera.
    ("0xc00d4e24", CameraFault::Busy),
    // MF_E_VIDEO_RECORDING_DEVICE_PREEMPTED: another app took the camera.
    ("0xc00d3ea3", CameraFault::Busy),
    // MF_E_HW_MFT_FAILED_START_STREAMING: the camera did not start, often
    // because another app is streaming from it.
    ("0xc00d3704", CameraFault::Busy),
    // MF_E_VIDEO_RECORDING_DEVICE_INVALIDATED: the camera was removed.
    ("0xc00d3ea2", CameraFault::Missing),
];

/// Phrases of backend errors, lowercased, for errors that carry no code.
const PHRASES: &[(&str, CameraFault)] = &[
    ("permission denied", CameraFault::Denied),
    ("access denied", CameraFault::Denied),
    ("access is denied", CameraFault::Denied),
    ("not authorized", CameraFault::Denied),
    ("not permitted", CameraFault::Denied),
    ("resource busy", CameraFault::Busy),
    ("in use", CameraFault::Busy),
    ("device is locked", CameraFault::Busy),
    ("no such device", CameraFault::Missing),
    ("no such file", CameraFault::Missing),
    ("device not found", CameraFault::Missing),
    ("no camera", CameraFault::Missing),
    ("failed to find", CameraFault::Missing),
];

/// Classifies a backend's error message, such as nokhwa's
/// `Could not open device 0: V4L2 Error: Device or resource busy (os error 16)`.
/// An `os error N` is read as errno first, then HRESULTs, then phrases.
pub fn classify_message(message: &str) -> CameraFault {
    let lower = message.to_lowercase();
    if let Some(fault) = os_error_code(&lower).and_then(fault_from_errno) {
        return fault;
    }
    HRESULTS
        .iter()
        .chain(PHRASES)
        .find(|(needle, _)| lower.contains(needle))
        .map_or(CameraFault::Other, |(_, fault)| *fault)
}

/// Returns N from the first `os error N` in `text`, as Rust's
/// `std::io::Error` prints an errno.
fn os_error_code(text: &str) -> Option<i32> {
    let rest = text.split("os error ").nth(1)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Returns the message for `fault` on camera `index` with the fix for
/// `os`. `detail` is the backend's error, kept for IT.
pub fn fault_text(fault: CameraFault, os: Os, index: Option<u32>, detail: &str) -> Text {
    let which_en = index.map_or("the camera".to_owned(), |i| format!("camera {i}"));
    let which_zh = index.map_or("摄像头".to_owned(), |i| format!("摄像头 {i}"));
    let node = index.map_or("/dev/video*".to_owned(), |i| format!("/dev/video{i}"));
    let (zh, en) = match (fault, os) {
        (CameraFault::Missing, _) => (
            format!(
                "未找到{which_zh}：请检查摄像头已插好（换一个 USB 口试试），然后在设置中点“重新检测摄像头”。"
            ),
            format!(
                "{which_en} was not found: check that it is plugged in (try another USB port), then choose \"Detect cameras again\" in the settings"
            ),
        ),
        (CameraFault::Busy, Os::Linux) => (
            format!(
                "{which_zh}正被其他程序占用：关闭正在使用摄像头的程序（用 `fuser {node}` 查看是哪个进程），然后在设置中点“重新检测摄像头”。"
            ),
            format!(
                "{which_en} is busy in another program: close the program using it (`fuser {node}` shows which process holds it), then choose \"Detect cameras again\" in the settings"
            ),
        ),
        (CameraFault::Busy, _) => (
            format!(
                "{which_zh}正被其他程序占用：关闭视频会议、相机等正在使用摄像头的程序，然后在设置中点“重新检测摄像头”。"
            ),
            format!(
                "{which_en} is busy in another program: close the video call, camera or other app using it, then choose \"Detect cameras again\" in the settings"
            ),
        ),
        (CameraFault::Denied, Os::Linux) => (
            format!(
                "没有使用{which_zh}的权限：把当前用户加入 video 组（`sudo usermod -aG video $USER`，重新登录后生效），并检查 {node} 的权限（`ls -l {node}`）。"
            ),
            format!(
                "no permission to use {which_en}: add this user to the video group (`sudo usermod -aG video $USER`, then sign in again) and check the permissions of {node} (`ls -l {node}`)"
            ),
        ),
        (CameraFault::Denied, Os::Windows) => (
            format!(
                "没有使用{which_zh}的权限：在“设置 > 隐私和安全性 > 摄像头”中打开摄像头访问权限，并允许桌面应用访问摄像头，然后重启。"
            ),
            format!(
                "no permission to use {which_en}: turn on camera access in Settings > Privacy & security > Camera, including access for desktop apps, then restart"
            ),
        ),
        (CameraFault::Denied, Os::MacOs) => (
            format!(
                "没有使用{which_zh}的权限：在“系统设置 > 隐私与安全性 > 摄像头”中允许 Tucai，然后重启。若列表中没有 Tucai，说明应用的 Info.plist 缺少摄像头用途说明（NSCameraUsageDescription），请重新安装。"
            ),
            format!(
                "no permission to use {which_en}: allow Tucai in System Settings > Privacy & Security > Camera, then restart. If Tucai is not in that list, the app's Info.plist lacks the camera usage description (NSCameraUsageDescription): reinstall it"
            ),
        ),
        (CameraFault::Other, _) => (
            format!(
                "{which_zh}无法使用。请重新插拔摄像头，然后在设置中点“重新检测摄像头”；如仍失败，把诊断包交给 IT。"
            ),
            format!(
                "{which_en} cannot be used; unplug and plug it in again and choose \"Detect cameras again\" in the settings, and if it still fails give IT a diagnostics bundle"
            ),
        ),
    };
    if detail.is_empty() {
        Text::new(zh, en)
    } else {
        Text::new(format!("{zh}（{detail}）"), format!("{en} ({detail})"))
    }
}

/// Classifies `message` and returns its text for this operating system.
pub fn explain(message: &str, index: Option<u32>) -> Text {
    fault_text(classify_message(message), Os::current(), index, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_values() {
        assert_eq!(fault_from_errno(13), Some(CameraFault::Denied));
        assert_eq!(fault_from_errno(1), Some(CameraFault::Denied));
        assert_eq!(fault_from_errno(16), Some(CameraFault::Busy));
        assert_eq!(fault_from_errno(2), Some(CameraFault::Missing));
        assert_eq!(fault_from_errno(19), Some(CameraFault::Missing));
        assert_eq!(fault_from_errno(6), Some(CameraFault::Missing));
        assert_eq!(fault_from_errno(22), None);
    }

    #[test]
    fn io_kinds() {
        use std::io::ErrorKind;
        assert_eq!(
            fault_from_io_kind(ErrorKind::PermissionDenied),
            Some(CameraFault::Denied)
        );
        assert_eq!(
            fault_from_io_kind(ErrorKind::NotFound),
            Some(CameraFault::Missing)
        );
        assert_eq!(
            fault_from_io_kind(ErrorKind::ResourceBusy),
            Some(CameraFault::Busy)
        );
        assert_eq!(fault_from_io_kind(ErrorKind::TimedOut), None);
    }

    #[test]
    fn io_error_display_carries_errno() {
        let busy = std::io::Error::from_raw_os_error(16);
        let message = format!("Could not open device 0: V4L2 Error: {busy}");

        assert_eq!(classify_message(&message), CameraFault::Busy);
    }

    #[test]
    fn nokhwa_v4l2_messages() {
        let cases = [
            (
                "Could not open device 0: V4L2 Error: Permission denied (os error 13)",
                CameraFault::Denied,
            ),
            (
                "Could not open device 2: V4L2 Error: Device or resource busy (os error 16)",
                CameraFault::Busy,
            ),
            (
                "Could not open device 4: V4L2 Error: No such file or directory (os error 2)",
                CameraFault::Missing,
            ),
            (
                "Could not capture frame: No such device (os error 19)",
                CameraFault::Missing,
            ),
            (
                "Could not open device stream: Invalid argument (os error 22)",
                CameraFault::Other,
            ),
        ];
        for (message, fault) in cases {
            assert_eq!(classify_message(message), fault, "{message}");
        }
    }

    #[test]
    fn windows_and_macos_messages() {
        let cases = [
            (
                "Could not open device 0: MFCreateDeviceSource failed: 0x80070005",
                CameraFault::Denied,
            ),
            (
                "Could not open device stream: 0xC00D4E24",
                CameraFault::Busy,
            ),
            ("Could not capture frame: 0xC00D3EA3", CameraFault::Busy),
            ("Could not capture frame: 0xC00D3EA2", CameraFault::Missing),
            ("Could not capture frame: 0xC00D3704", CameraFault::Busy),
            (
                "Could not initialize AVFoundation: Not Authorized",
                CameraFault::Denied,
            ),
            (
                "Error: the device is in use by another application",
                CameraFault::Busy,
            ),
            ("Error: Failed to find camera", CameraFault::Missing),
        ];
        for (message, fault) in cases {
            assert_eq!(classify_message(message), fault, "{message}");
        }
    }

    #[test]
    fn linux_busy_names_fuser() {
        let text = fault_text(CameraFault::Busy, Os::Linux, Some(2), "");

        assert!(text.en.contains("fuser /dev/video2"), "{}", text.en);
        assert!(text.zh.contains("fuser /dev/video2"), "{}", text.zh);
    }

    #[test]
    fn linux_denied_names_video_group() {
        let text = fault_text(CameraFault::Denied, Os::Linux, Some(0), "");

        assert!(text.en.contains("video group"), "{}", text.en);
        assert!(text.en.contains("/dev/video0"), "{}", text.en);
        assert!(text.zh.contains("video 组"), "{}", text.zh);
    }

    #[test]
    fn windows_denied_names_privacy_setting() {
        let text = fault_text(CameraFault::Denied, Os::Windows, None, "");

        assert!(
            text.en.contains("Settings > Privacy & security > Camera"),
            "{}",
            text.en
        );
        assert!(text.zh.contains("隐私和安全性"), "{}", text.zh);
    }

    #[test]
    fn macos_denied_names_info_plist() {
        let text = fault_text(CameraFault::Denied, Os::MacOs, None, "");

        assert!(
            text.en
                .contains("System Settings > Privacy & Security > Camera"),
            "{}",
            text.en
        );
        assert!(text.en.contains("Info.plist"), "{}", text.en);
        assert!(text.zh.contains("NSCameraUsageDescription"), "{}", text.zh);
    }

    #[test]
    fn messages_differ_by_fault() {
        let texts: Vec<String> = [
            CameraFault::Missing,
            CameraFault::Busy,
            CameraFault::Denied,
            CameraFault::Other,
        ]
        .into_iter()
        .map(|fault| fault_text(fault, Os::Linux, Some(0), "").en)
        .collect();

        for (i, a) in texts.iter().enumerate() {
            for b in &texts[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn error_camera_text() {
        let own = Text::new("中文", "English");
        let busy = crate::Error::Camera(
            "Could not open device 1: Device or resource busy (os error 16)".into(),
        );

        assert_eq!(crate::Error::CameraFault(own.clone()).camera_text(), own);
        assert!(
            busy.camera_text().en.contains("busy in another program"),
            "{}",
            busy.camera_text().en
        );
        assert!(
            busy.camera_text().zh.contains("占用"),
            "{}",
            busy.camera_text().zh
        );
    }

    #[test]
    fn detail_kept_for_it() {
        let text = explain("V4L2 Error: Permission denied (os error 13)", Some(0));

        assert!(text.en.contains("(os error 13)"), "{}", text.en);
        assert!(text.zh.contains("(os error 13)"), "{}", text.zh);
    }
}
