//! Camera classification and selection: pure functions over what the
//! operating system reports (node names, capabilities, formats), so that
//! they are tested without a camera.
//!
//! A camera that faces the person at the screen (a laptop's built-in
//! "selfie" camera) sits at arm's height. The student then raises the
//! shoulders and tilts the head to look at it, and the photo fails the
//! head-posture rules, so such a camera is used only when a supervisor
//! allows it in the settings (`allow_user_facing_camera`).

use std::fmt;

use serde::Serialize;
use ts_rs::TS;

use super::PixelFormat;
use crate::text::Text;

/// One format a camera offers: its pixel format (fourcc), frame size and
/// frame rate as the backend reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatDesc {
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    /// Frames per second as the backend reports it. Backends misreport it,
    /// so the feed measures the delivered rate as well.
    pub fps: u32,
}

impl FormatDesc {
    pub fn new(format: PixelFormat, width: u32, height: u32, fps: u32) -> Self {
        Self {
            format,
            width,
            height,
            fps,
        }
    }

    /// Returns the number of pixels in one frame.
    pub fn area(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

impl fmt::Display for FormatDesc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}x{} {} fps",
            self.format.name(),
            self.width,
            self.height,
            self.fps
        )
    }
}

/// The direction a camera faces, as far as its name or backend shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CameraKind {
    /// A built-in camera that faces the person at the screen.
    UserFacing,
    /// A USB camera on a stand, or a tablet's rear camera.
    ExternalOrRear,
}

impl CameraKind {
    pub fn name(self) -> &'static str {
        match self {
            CameraKind::UserFacing => "user_facing",
            CameraKind::ExternalOrRear => "external_or_rear",
        }
    }
}

/// The position a backend or the system reports for a camera, where one
/// is reported: AVFoundation in its description, Linux in sysfs (see
/// [`sysfs_position`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportedPosition {
    Front,
    Back,
    External,
}

/// Name fragments that decide a camera's kind, checked in order against
/// the lowercased name with `_` and `-` read as spaces. The first match
/// wins, and a name that matches none is `ExternalOrRear`.
///
/// Rear names come first because a tablet names both of its cameras after
/// the device ("Microsoft Camera Front", "Microsoft Camera Rear"). USB
/// cameras on a stand carry a product name ("HD Pro Webcam C920", "USB
/// Camera"), which none of the user-facing fragments match.
pub const NAME_RULES: &[(&str, CameraKind, &str)] = &[
    ("rear", CameraKind::ExternalOrRear, "tablet's rear camera"),
    (
        "back camera",
        CameraKind::ExternalOrRear,
        "tablet's rear camera",
    ),
    (
        "world facing",
        CameraKind::ExternalOrRear,
        "Windows name of a rear camera",
    ),
    (
        "integrated camera",
        CameraKind::UserFacing,
        "laptop built-in camera (Lenovo, Dell)",
    ),
    (
        "integrated webcam",
        CameraKind::UserFacing,
        "laptop built-in camera (Dell)",
    ),
    (
        "facetime",
        CameraKind::UserFacing,
        "Apple's built-in camera",
    ),
    (
        "front camera",
        CameraKind::UserFacing,
        "tablet or laptop front camera",
    ),
    (
        "camera front",
        CameraKind::UserFacing,
        "Surface front camera",
    ),
    (
        "user facing",
        CameraKind::UserFacing,
        "Windows name of a front camera",
    ),
    (
        "hd webcam",
        CameraKind::UserFacing,
        "laptop built-in camera (HP, Acer, ASUS)",
    ),
    (
        "hd uvc webcam",
        CameraKind::UserFacing,
        "laptop built-in camera (\"USB2.0 HD UVC WebCam\")",
    ),
    (
        "truevision",
        CameraKind::UserFacing,
        "HP laptop built-in camera",
    ),
    (
        "built in",
        CameraKind::UserFacing,
        "any camera named built-in",
    ),
];

/// Decides a camera's kind: the position the backend reports when there
/// is one, otherwise the first matching rule of [`NAME_RULES`].
pub fn camera_kind(name: &str, position: Option<ReportedPosition>) -> CameraKind {
    match position {
        Some(ReportedPosition::Front) => return CameraKind::UserFacing,
        Some(ReportedPosition::Back | ReportedPosition::External) => {
            return CameraKind::ExternalOrRear;
        }
        None => {}
    }
    let normalized: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    NAME_RULES
        .iter()
        .find(|(fragment, _, _)| normalized.contains(fragment))
        .map_or(CameraKind::ExternalOrRear, |(_, kind, _)| *kind)
}

/// Reads the position from a camera's description where the backend puts
/// one there. nokhwa 0.10's AVFoundation backend describes a camera as
/// `"{manufacturer}: {model} - {device type}, {position:?} f{aperture}"`,
/// with the position `Front`, `Back` or `Unspecified`, and the device type
/// `AVCaptureDeviceTypeExternal` (or `...ExternalUnknown`) for a USB camera.
/// The V4L2 and Media Foundation backends describe no position.
pub fn position_from_description(description: &str) -> Option<ReportedPosition> {
    if description.contains(", Front f") {
        Some(ReportedPosition::Front)
    } else if description.contains(", Back f") {
        Some(ReportedPosition::Back)
    } else if description.contains("AVCaptureDeviceTypeExternal") {
        Some(ReportedPosition::External)
    } else {
        None
    }
}

/// Reads where Linux places the USB camera behind V4L2 node `index`, from
/// the sysfs tree at `sys` (`/sys` on a running system).
///
/// The node's `device` link leads to a USB interface, whose parent is the
/// USB device. Two of the device's attributes come from the firmware's
/// description of its ports (ACPI):
/// - `physical_location/panel` (Linux 6.0 and later): the side of the
///   computer the port is on. `front` is the screen's side, so a camera
///   there faces the person at the screen; `back` faces away.
/// - `removable`: `removable` for a port a cable plugs into, `fixed` for
///   a device wired inside the computer, `unknown` where the firmware gives
///   no value.
///
/// A panel of `front` or `back` decides; otherwise a removable device is
/// external. A fixed device is built in, but that alone does not tell its
/// side (a tablet's rear camera is fixed too), so it gives `None` and the
/// name decides. Anything missing or unreadable gives `None`, which is
/// what firmware without this information produces on many computers.
pub fn sysfs_position(sys: &std::path::Path, index: u32) -> Option<ReportedPosition> {
    let link = sys
        .join("class/video4linux")
        .join(format!("video{index}"))
        .join("device");
    let interface = std::fs::canonicalize(link).ok()?;
    // A USB interface is named like "1-2:1.0"; its device is "1-2".
    let is_interface = interface
        .file_name()
        .is_some_and(|name| name.to_string_lossy().contains(':'));
    let device = if is_interface {
        interface.parent()?.to_path_buf()
    } else {
        interface
    };
    let read = |name: &str| {
        std::fs::read_to_string(device.join(name))
            .ok()
            .map(|text| text.trim().to_owned())
    };
    match read("physical_location/panel").as_deref() {
        Some("front") => return Some(ReportedPosition::Front),
        Some("back") => return Some(ReportedPosition::Back),
        _ => {}
    }
    (read("removable").as_deref() == Some("removable")).then_some(ReportedPosition::External)
}

/// A video node as the operating system reports it, before the station
/// decides whether it is a camera.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeDesc {
    pub index: u32,
    pub name: String,
    /// Whether the node can capture video. V4L2 reports this per node
    /// (metadata nodes lack `V4L2_CAP_VIDEO_CAPTURE`); `None` where the
    /// backend has no such notion.
    pub can_capture: Option<bool>,
    pub formats: Vec<FormatDesc>,
    pub position: Option<ReportedPosition>,
    /// The error that stopped the node being opened to read its formats.
    pub open_error: Option<String>,
}

/// A camera the station can stream from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraDesc {
    pub index: u32,
    pub name: String,
    pub kind: CameraKind,
    pub formats: Vec<FormatDesc>,
}

/// The classification of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeStatus {
    Camera(CameraDesc),
    /// The node streams no video, such as a V4L2 metadata node.
    Skipped {
        index: u32,
        name: String,
        reason: &'static str,
    },
    /// The node could not be opened. The error gives the cause (missing,
    /// busy or no permission).
    Unreadable {
        index: u32,
        name: String,
        error: String,
    },
}

/// Classifies one node: a camera, a node that streams no video, or one
/// that could not be opened.
pub fn classify_node(node: &NodeDesc) -> NodeStatus {
    if node.can_capture == Some(false) {
        return NodeStatus::Skipped {
            index: node.index,
            name: node.name.clone(),
            reason: "no video capture capability (a metadata node)",
        };
    }
    if let Some(error) = &node.open_error {
        return NodeStatus::Unreadable {
            index: node.index,
            name: node.name.clone(),
            error: error.clone(),
        };
    }
    if node.formats.is_empty() {
        return NodeStatus::Skipped {
            index: node.index,
            name: node.name.clone(),
            reason: "lists no video format",
        };
    }
    NodeStatus::Camera(CameraDesc {
        index: node.index,
        name: node.name.clone(),
        kind: camera_kind(&node.name, node.position),
        formats: node.formats.clone(),
    })
}

/// Returns the nodes that are cameras, in the order listed.
pub fn usable_cameras(nodes: &[NodeDesc]) -> Vec<CameraDesc> {
    nodes
        .iter()
        .filter_map(|node| match classify_node(node) {
            NodeStatus::Camera(camera) => Some(camera),
            _ => None,
        })
        .collect()
}

/// The reason no camera was selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No node is a usable camera.
    NoCamera,
    /// Every camera faces the user and the settings do not allow that.
    OnlyUserFacing { index: u32, name: String },
}

impl Refusal {
    /// Returns the message for staff: what was refused, why, and how to
    /// allow it.
    pub fn text(&self) -> Text {
        match self {
            Refusal::NoCamera => Text::new(
                "未检测到可用的摄像头。请连接外置或后置摄像头，然后在设置中点“重新检测摄像头”。",
                "no usable camera found; attach an external or rear-facing camera, then choose \"Detect cameras again\" in the settings",
            ),
            Refusal::OnlyUserFacing { index, name } => user_facing_refusal(*index, name),
        }
    }
}

/// Returns the message that refuses the user-facing camera `name`.
pub fn user_facing_refusal(index: u32, name: &str) -> Text {
    Text::new(
        format!(
            "摄像头 {index}（{name}）是面向操作者的内置摄像头，已拒绝使用：它位于手臂高度，学生会耸肩、仰头，照片的头部姿态不合格。请连接外置或后置摄像头；如确需使用，请主管在设置中打开“允许使用面向用户的摄像头”（allow_user_facing_camera）并保存。"
        ),
        format!(
            "camera {index} ({name}) is a built-in user-facing camera and was rejected: at arm's height it makes the student raise the shoulders and tilt the head, which fails the head-posture rules. Attach an external or rear-facing camera, or have a supervisor turn on \"Allow a user-facing camera\" (allow_user_facing_camera) in the settings and save"
        ),
    )
}

/// Picks the camera to run: the first external or rear camera, else the
/// first user-facing one when `allow_user_facing` is set.
pub fn select_camera(
    cameras: &[CameraDesc],
    allow_user_facing: bool,
) -> Result<&CameraDesc, Refusal> {
    if let Some(camera) = cameras
        .iter()
        .find(|c| c.kind == CameraKind::ExternalOrRear)
    {
        return Ok(camera);
    }
    match cameras.first() {
        None => Err(Refusal::NoCamera),
        Some(camera) if allow_user_facing => Ok(camera),
        Some(camera) => Err(Refusal::OnlyUserFacing {
            index: camera.index,
            name: camera.name.clone(),
        }),
    }
}

/// Selects the camera to run among classified nodes, or returns why none
/// can run. When no node is a camera but one could not be opened, its
/// error (busy, no permission) explains more than "no camera".
pub fn select_from_nodes(
    statuses: &[NodeStatus],
    allow_user_facing: bool,
) -> Result<CameraDesc, Text> {
    let cameras: Vec<CameraDesc> = statuses
        .iter()
        .filter_map(|status| match status {
            NodeStatus::Camera(camera) => Some(camera.clone()),
            _ => None,
        })
        .collect();
    match select_camera(&cameras, allow_user_facing) {
        Ok(camera) => Ok(camera.clone()),
        Err(Refusal::NoCamera) => Err(statuses
            .iter()
            .find_map(|status| match status {
                NodeStatus::Unreadable { index, error, .. } => {
                    Some(super::explain(error, Some(*index)))
                }
                _ => None,
            })
            .unwrap_or_else(|| Refusal::NoCamera.text())),
        Err(refusal) => Err(refusal.text()),
    }
}

/// Selects camera `index`, which the settings name, among classified
/// nodes, or returns why it cannot run: not listed, not a camera,
/// unreadable, or user-facing without the settings' permission.
pub fn select_numbered(
    statuses: &[NodeStatus],
    index: u32,
    allow_user_facing: bool,
) -> Result<CameraDesc, Text> {
    let status = statuses.iter().find(|status| status.index() == index);
    match status {
        Some(NodeStatus::Camera(camera))
            if allow_user_facing || camera.kind == CameraKind::ExternalOrRear =>
        {
            Ok(camera.clone())
        }
        Some(NodeStatus::Camera(camera)) => Err(user_facing_refusal(index, &camera.name)),
        Some(NodeStatus::Unreadable { error, .. }) => Err(super::explain(error, Some(index))),
        Some(NodeStatus::Skipped { name, reason, .. }) => Err(Text::new(
            format!(
                "设置中的摄像头 {index}（{name}）不能拍摄视频（{reason}）。请在设置中改选列出的摄像头，或留空自动选择。"
            ),
            format!(
                "camera {index} ({name}) in the settings cannot stream video ({reason}); choose a listed camera in the settings, or leave it empty to choose automatically"
            ),
        )),
        None => {
            let listed: Vec<String> = statuses
                .iter()
                .filter_map(|status| match status {
                    NodeStatus::Camera(camera) => Some(format!("{} {}", camera.index, camera.name)),
                    _ => None,
                })
                .collect();
            let (zh_listed, en_listed) = if listed.is_empty() {
                ("没有列出任何摄像头".to_owned(), "none is listed".to_owned())
            } else {
                (
                    format!("列出的有：{}", listed.join("、")),
                    format!("listed: {}", listed.join(", ")),
                )
            };
            Err(Text::new(
                format!(
                    "未找到设置中的摄像头 {index}（{zh_listed}）。请连接该摄像头后在设置中点“重新检测摄像头”，或在设置中改选，或留空自动选择。"
                ),
                format!(
                    "camera {index} in the settings was not found ({en_listed}); attach it and choose \"Detect cameras again\" in the settings, choose another camera, or leave the setting empty to choose automatically"
                ),
            ))
        }
    }
}

impl NodeStatus {
    /// Returns the node's index.
    pub fn index(&self) -> u32 {
        match self {
            NodeStatus::Camera(camera) => camera.index,
            NodeStatus::Skipped { index, .. } | NodeStatus::Unreadable { index, .. } => *index,
        }
    }
}

/// Formats one node for `tucai-station cameras` and the diagnostics
/// bundle: the camera with its kind and formats, or why it is skipped.
pub fn describe_node(status: &NodeStatus) -> Vec<String> {
    match status {
        NodeStatus::Camera(camera) => {
            let mut lines = vec![format!(
                "{}: {} ({})",
                camera.index,
                camera.name,
                camera.kind.name()
            )];
            lines.extend(camera.formats.iter().map(|format| format!("    {format}")));
            lines
        }
        NodeStatus::Skipped {
            index,
            name,
            reason,
        } => vec![format!("{index}: {name} (skipped: {reason})")],
        NodeStatus::Unreadable { index, name, error } => {
            vec![format!("{index}: {name} (cannot be opened: {error})")]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mjpeg_720p() -> FormatDesc {
        FormatDesc::new(PixelFormat::Mjpeg, 1280, 720, 30)
    }

    fn node(index: u32, name: &str) -> NodeDesc {
        NodeDesc {
            index,
            name: name.to_owned(),
            can_capture: Some(true),
            formats: vec![mjpeg_720p()],
            position: None,
            open_error: None,
        }
    }

    fn camera(index: u32, name: &str) -> CameraDesc {
        CameraDesc {
            index,
            name: name.to_owned(),
            kind: camera_kind(name, None),
            formats: vec![mjpeg_720p()],
        }
    }

    #[test]
    fn user_facing_names() {
        for name in [
            "Integrated Camera: Integrated C",
            "Integrated_Webcam_HD",
            "FaceTime HD Camera",
            "FaceTime HD Camera (Built-in)",
            "Front Camera",
            "Microsoft Camera Front",
            "Integrated Camera User-Facing",
            "HD WebCam",
            "HP HD Webcam",
            "USB2.0 HD UVC WebCam",
            "HP TrueVision HD Camera",
            "Built-in iSight",
        ] {
            assert_eq!(camera_kind(name, None), CameraKind::UserFacing, "{name}");
        }
    }

    #[test]
    fn external_and_rear_names() {
        for name in [
            "HD Pro Webcam C920",
            "Logitech BRIO",
            "USB Camera",
            "UVC Camera (046d:0825)",
            "Microsoft Camera Rear",
            "Back Camera",
            "Integrated Camera World-Facing",
            "Video4Linux Device @ /dev/video2",
        ] {
            assert_eq!(
                camera_kind(name, None),
                CameraKind::ExternalOrRear,
                "{name}"
            );
        }
    }

    #[test]
    fn reported_position_beats_name() {
        assert_eq!(
            camera_kind("USB Camera", Some(ReportedPosition::Front)),
            CameraKind::UserFacing
        );
        assert_eq!(
            camera_kind("FaceTime HD Camera", Some(ReportedPosition::External)),
            CameraKind::ExternalOrRear
        );
        assert_eq!(
            camera_kind("Front Camera", Some(ReportedPosition::Back)),
            CameraKind::ExternalOrRear
        );
    }

    #[test]
    fn avfoundation_description_positions() {
        let front = "Apple Inc.: Apple Camera VendorID_0x106B - AVCaptureDeviceTypeBuiltInWideAngleCamera, Front f2.4";
        let back = "Apple Inc.: iPad - AVCaptureDeviceTypeBuiltInWideAngleCamera, Back f1.8";
        let external =
            "Logitech: UVC Camera VendorID_1133 - AVCaptureDeviceTypeExternal, Unspecified f0";

        assert_eq!(
            position_from_description(front),
            Some(ReportedPosition::Front)
        );
        assert_eq!(
            position_from_description(back),
            Some(ReportedPosition::Back)
        );
        assert_eq!(
            position_from_description(external),
            Some(ReportedPosition::External)
        );
        assert_eq!(
            position_from_description("Video4Linux Device @ /dev/video0"),
            None
        );
    }

    /// Builds a sysfs tree in which V4L2 node `index` belongs to a USB
    /// device with the given `panel` and `removable` attributes, laid out
    /// as Linux lays it out: the class entry links to the interface
    /// directory under the device's directory.
    #[cfg(unix)]
    fn sysfs_tree(index: u32, panel: Option<&str>, removable: Option<&str>) -> tempfile::TempDir {
        let sys = tempfile::tempdir().unwrap();
        let device = sys.path().join("devices/pci0000:00/0000:00:14.0/usb1/1-2");
        let interface = device.join("1-2:1.0");
        let video = interface.join(format!("video4linux/video{index}"));
        std::fs::create_dir_all(&video).unwrap();
        std::os::unix::fs::symlink(&interface, video.join("device")).unwrap();
        let class = sys.path().join("class/video4linux");
        std::fs::create_dir_all(&class).unwrap();
        std::os::unix::fs::symlink(&video, class.join(format!("video{index}"))).unwrap();
        if let Some(panel) = panel {
            std::fs::create_dir_all(device.join("physical_location")).unwrap();
            std::fs::write(device.join("physical_location/panel"), format!("{panel}\n")).unwrap();
        }
        if let Some(removable) = removable {
            std::fs::write(device.join("removable"), format!("{removable}\n")).unwrap();
        }
        sys
    }

    #[cfg(unix)]
    #[test]
    fn sysfs_attributes_give_positions() {
        let cases = [
            (Some("front"), Some("fixed"), Some(ReportedPosition::Front)),
            (Some("back"), Some("fixed"), Some(ReportedPosition::Back)),
            (
                Some("front"),
                Some("removable"),
                Some(ReportedPosition::Front),
            ),
            (
                Some("unknown"),
                Some("removable"),
                Some(ReportedPosition::External),
            ),
            (None, Some("removable"), Some(ReportedPosition::External)),
            (None, Some("fixed"), None),
            (None, Some("unknown"), None),
            (Some("top"), None, None),
            (None, None, None),
        ];
        for (panel, removable, expected) in cases {
            let sys = sysfs_tree(2, panel, removable);
            assert_eq!(
                sysfs_position(sys.path(), 2),
                expected,
                "panel {panel:?}, removable {removable:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn sysfs_missing_node_is_none() {
        let sys = sysfs_tree(2, Some("front"), Some("removable"));
        assert_eq!(sysfs_position(sys.path(), 3), None);
        assert_eq!(
            sysfs_position(std::path::Path::new("/nonexistent-sys"), 0),
            None
        );
    }

    #[cfg(unix)]
    #[test]
    fn removable_hd_webcam_is_external() {
        // Cheap USB cameras share the name of laptops' built-in ones, so the
        // port's attribute separates them where the firmware sets it.
        let sys = sysfs_tree(0, None, Some("removable"));
        assert_eq!(
            camera_kind("HD Webcam", sysfs_position(sys.path(), 0)),
            CameraKind::ExternalOrRear
        );
        let sys = sysfs_tree(0, None, Some("fixed"));
        assert_eq!(
            camera_kind("HD Webcam", sysfs_position(sys.path(), 0)),
            CameraKind::UserFacing
        );
    }

    #[test]
    fn numbered_camera_selected_or_explained() {
        let mut metadata = node(1, "HD Pro Webcam C920");
        metadata.can_capture = Some(false);
        let nodes: Vec<NodeStatus> = [
            node(0, "Integrated Camera"),
            metadata,
            node(2, "HD Pro Webcam C920"),
        ]
        .iter()
        .map(classify_node)
        .collect();

        assert_eq!(select_numbered(&nodes, 2, false).unwrap().index, 2);
        assert_eq!(select_numbered(&nodes, 0, true).unwrap().index, 0);

        let user_facing = select_numbered(&nodes, 0, false).unwrap_err();
        assert!(user_facing.en.contains("user-facing"), "{}", user_facing.en);
        let skipped = select_numbered(&nodes, 1, false).unwrap_err();
        assert!(skipped.en.contains("cannot stream video"), "{}", skipped.en);
        let missing = select_numbered(&nodes, 5, false).unwrap_err();
        assert!(missing.en.contains("camera 5"), "{}", missing.en);
        assert!(
            missing
                .en
                .contains("0 Integrated Camera, 2 HD Pro Webcam C920"),
            "{}",
            missing.en
        );
        assert!(missing.zh.contains("摄像头 5"), "{}", missing.zh);
        let none = select_numbered(&[], 0, false).unwrap_err();
        assert!(none.en.contains("none is listed"), "{}", none.en);
    }

    #[test]
    fn metadata_node_skipped() {
        let mut metadata = node(1, "HD Pro Webcam C920");
        metadata.can_capture = Some(false);
        metadata.formats.clear();

        let status = classify_node(&metadata);

        assert!(
            matches!(status, NodeStatus::Skipped { index: 1, .. }),
            "{status:?}"
        );
    }

    #[test]
    fn node_without_formats_skipped() {
        let mut empty = node(3, "USB Camera");
        empty.can_capture = None;
        empty.formats.clear();

        let status = classify_node(&empty);

        assert!(
            matches!(status, NodeStatus::Skipped { reason, .. } if reason.contains("no video format")),
            "{status:?}"
        );
    }

    #[test]
    fn unopenable_node_kept_with_error() {
        let mut busy = node(0, "USB Camera");
        busy.formats.clear();
        busy.open_error = Some("Device or resource busy (os error 16)".into());

        let status = classify_node(&busy);

        assert!(
            matches!(&status, NodeStatus::Unreadable { error, .. } if error.contains("busy")),
            "{status:?}"
        );
    }

    #[test]
    fn usable_cameras_keep_capture_nodes() {
        let mut metadata = node(1, "HD Pro Webcam C920");
        metadata.can_capture = Some(false);
        let nodes = vec![
            node(0, "HD Pro Webcam C920"),
            metadata,
            node(2, "Integrated Camera"),
        ];

        let cameras = usable_cameras(&nodes);

        let indexes: Vec<u32> = cameras.iter().map(|c| c.index).collect();
        assert_eq!(indexes, vec![0, 2]);
        assert_eq!(cameras[0].kind, CameraKind::ExternalOrRear);
        assert_eq!(cameras[1].kind, CameraKind::UserFacing);
    }

    #[test]
    fn select_prefers_external() {
        let cameras = vec![
            camera(0, "Integrated Camera"),
            camera(2, "HD Pro Webcam C920"),
        ];

        let chosen = select_camera(&cameras, false).unwrap();

        assert_eq!(chosen.index, 2);
        assert_eq!(select_camera(&cameras, true).unwrap().index, 2);
    }

    #[test]
    fn select_refuses_user_facing() {
        let cameras = vec![camera(0, "Integrated Camera")];

        let refusal = select_camera(&cameras, false).unwrap_err();

        assert_eq!(
            refusal,
            Refusal::OnlyUserFacing {
                index: 0,
                name: "Integrated Camera".into()
            }
        );
        let text = refusal.text();
        assert!(text.en.contains("raise the shoulders"), "{}", text.en);
        assert!(text.en.contains("allow_user_facing_camera"), "{}", text.en);
        assert!(text.zh.contains("耸肩"), "{}", text.zh);
        assert!(text.zh.contains("allow_user_facing_camera"), "{}", text.zh);
    }

    #[test]
    fn select_allows_user_facing_when_set() {
        let cameras = vec![camera(0, "Integrated Camera")];

        assert_eq!(select_camera(&cameras, true).unwrap().index, 0);
    }

    #[test]
    fn select_without_cameras() {
        assert_eq!(select_camera(&[], true).unwrap_err(), Refusal::NoCamera);
    }

    #[test]
    fn busy_node_explains_empty_list() {
        let mut busy = node(0, "USB Camera");
        busy.open_error = Some(
            "Could not open device 0: V4L2 Error: Device or resource busy (os error 16)".into(),
        );
        let statuses = vec![classify_node(&busy)];

        let why = select_from_nodes(&statuses, false).unwrap_err();

        assert!(why.en.contains("busy in another program"), "{}", why.en);
    }

    #[test]
    fn nodes_select_external_over_unreadable() {
        let mut denied = node(0, "Integrated Camera");
        denied.open_error = Some("Permission denied (os error 13)".into());
        let statuses = vec![
            classify_node(&denied),
            classify_node(&node(2, "USB Camera")),
        ];

        let chosen = select_from_nodes(&statuses, false).unwrap();

        assert_eq!(chosen.index, 2);
    }

    #[test]
    fn no_nodes_means_no_camera() {
        let why = select_from_nodes(&[], false).unwrap_err();

        assert_eq!(why, Refusal::NoCamera.text());
    }

    #[test]
    fn describe_lists_kind_and_formats() {
        let lines = describe_node(&classify_node(&node(0, "Integrated Camera")));

        assert_eq!(lines[0], "0: Integrated Camera (user_facing)");
        assert_eq!(lines[1], "    MJPEG 1280x720 30 fps");
    }
}
