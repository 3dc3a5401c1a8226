//! Opening a station: the store, the models, the profile and a camera,
//! falling back to the demo camera when no device can be used.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::Station;
use crate::Result;
use crate::camera::{
    CameraFeed, DeviceSource, FrameSource, NodeStatus, ReplaySource, SourceFactory, classify_node,
    demo_frames_dir, probe_nodes, select_from_nodes, select_numbered,
};
use crate::checks::Profile;
use crate::config::Settings;
use crate::store::Store;
use crate::text::Text;
use crate::vision::Models;

/// The camera to run.
#[derive(Debug, Clone, PartialEq)]
pub enum CameraChoice {
    /// The camera the settings name (`camera`), or else the first external
    /// or rear camera the system lists (a user-facing one only when the
    /// settings allow it). The demo camera runs when there is none or it
    /// cannot be opened. A supervisor's change of these settings reopens
    /// the camera while the station runs.
    Auto,
    /// This camera index, and no fallback. A user-facing camera still needs
    /// the settings' permission.
    Device(u32),
    /// Image files (a folder or one file) replayed at a frame rate.
    Replay { path: PathBuf, fps: f32 },
}

/// Frame rate of the demo camera, in frames per second.
pub const DEMO_FPS: f32 = 25.0;

#[derive(Debug, Clone)]
pub struct StationOptions {
    pub data_dir: PathBuf,
    pub profile: String,
    pub camera: CameraChoice,
    /// The station's settings, already loaded and validated.
    pub settings: crate::config::Settings,
    /// Where a supervisor's settings changes are saved; `None` keeps them
    /// for this run only.
    pub settings_path: Option<PathBuf>,
    /// CSV file for measuring the preview: each painted frame appends a
    /// row with its capture, encode, send and paint times, and the frame
    /// number is drawn into each preview frame. `None` in normal use.
    pub preview_trace: Option<PathBuf>,
}

impl Station {
    pub fn open(options: &StationOptions) -> Result<Station> {
        // The cheap checks of the options come first, so a bad option
        // leaves no store behind.
        let profile = Profile::named(&options.profile)?;
        let camera = open_camera(&options.camera, &options.settings)?;
        let models = Models::load_bundled()?;
        let mut store = Store::open(&options.data_dir)?;
        let recovery = store.recover()?;
        store.apply_retention(
            options.settings.retention_days,
            chrono::Local::now(),
            "station",
        )?;
        tracing::info!(
            data_dir = %options.data_dir.display(),
            profile = %profile.id,
            camera = %camera.name,
            "station opened"
        );
        let station = Station {
            store: Mutex::new(store),
            models: Arc::new(models),
            profile: Arc::new(profile),
            camera: std::sync::RwLock::new(Arc::new(camera)),
            camera_choice: options.camera.clone(),
            last_checked: Arc::new(Mutex::new(None)),
            history: Arc::new(Mutex::new(Default::default())),
            settings: std::sync::RwLock::new(options.settings.clone()),
            settings_path: options.settings_path.clone(),
            signed_in: Mutex::new(None),
            recovery,
            preview: Mutex::new(None),
            preview_trace: options.preview_trace.clone(),
            sync: Mutex::new(None),
        };
        station.restart_sync()?;
        Ok(station)
    }
}

impl Station {
    /// Opens the camera again as the settings now choose it, and replaces
    /// the one in use. The preview stops, and the frame the live checks saw
    /// last is forgotten, so no capture takes a frame of the camera before.
    /// Used after a supervisor changes the camera settings, and when staff
    /// ask the station to look for cameras again (after plugging one in).
    ///
    /// Fails with an invalid-input error when the camera was chosen on the
    /// command line (`--camera` or `--replay`), which the settings do not override.
    pub fn reopen_camera(&self) -> Result<()> {
        if self.camera_choice != CameraChoice::Auto {
            return Err(crate::Error::explained(
                crate::ErrorKind::InvalidInput,
                "摄像头是启动工作站时用 --camera 或 --replay 指定的；要在设置中选择摄像头，请不带这两个选项重启工作站。",
                "the camera was chosen with --camera or --replay when the station started; \
                 restart the station without them to choose the camera in the settings",
            ));
        }
        self.stop_preview();
        // The camera in use is closed first: a V4L2 device streams to one
        // reader at a time, so opening it again while it streams fails as busy.
        self.camera().close();
        *self.last_checked.lock().unwrap_or_else(|e| e.into_inner()) = None;
        *self.history.lock().unwrap_or_else(|e| e.into_inner()) = Default::default();
        let settings = self.settings().clone();
        let camera = open_camera(&self.camera_choice, &settings)?;
        tracing::info!(camera = %camera.name, source = ?camera.kind, "camera reopened");
        *self.camera.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(camera);
        Ok(())
    }
}

impl Station {
    /// Lists the cameras the settings can choose; needs signed-in staff.
    /// Probing opens each video node to read its formats, which can take a
    /// second or two.
    // NOTE: untested with a real camera. If the backend cannot read the
    // formats of the camera that is streaming, that camera is left out of
    // the list while it is in use.
    pub fn list_cameras(&self) -> Result<Vec<crate::views::CameraOption>> {
        self.require_staff()?;
        let nodes = probe_nodes();
        Ok(crate::camera::usable_cameras(&nodes)
            .into_iter()
            .map(|camera| crate::views::CameraOption {
                index: camera.index,
                name: camera.name,
                kind: camera.kind,
            })
            .collect())
    }

    /// Opens the camera again as the settings choose it; needs signed-in
    /// staff. Staff use it after plugging a camera in.
    pub fn detect_cameras(&self) -> Result<()> {
        self.require_staff()?;
        self.reopen_camera()
    }
}

fn open_camera(choice: &CameraChoice, settings: &Settings) -> Result<CameraFeed> {
    let allow_user_facing = settings.allow_user_facing_camera;
    match choice {
        CameraChoice::Device(index) => CameraFeed::start(device_factory(*index, allow_user_facing)),
        CameraChoice::Replay { path, fps } => CameraFeed::start(replay_factory(path.clone(), *fps)),
        CameraChoice::Auto => {
            let why = match auto_camera(settings) {
                Ok(feed) => return Ok(feed),
                Err(why) => why,
            };
            tracing::warn!(reason = %why.en, "using the demo camera");
            let mut feed = CameraFeed::start(replay_factory(demo_frames_dir(), DEMO_FPS))?;
            feed.note = Some(demo_note(&why));
            Ok(feed)
        }
    }
}

/// Opens the camera that the settings select, or returns why there is
/// none to use.
fn auto_camera(settings: &Settings) -> std::result::Result<CameraFeed, Text> {
    let allow_user_facing = settings.allow_user_facing_camera;
    let statuses: Vec<NodeStatus> = probe_nodes().iter().map(classify_node).collect();
    let camera = match settings.camera_index() {
        Ok(Some(index)) => select_numbered(&statuses, index, allow_user_facing)?,
        _ => select_from_nodes(&statuses, allow_user_facing)?,
    };
    tracing::info!(index = camera.index, name = %camera.name, kind = camera.kind.name(), "camera selected");
    CameraFeed::start(device_factory(camera.index, allow_user_facing)).map_err(|e| {
        tracing::warn!(error = %e, index = camera.index, "camera failed to open");
        e.camera_text()
    })
}

/// Returns the demo camera's note: why no camera runs, and that sample
/// frames replay meanwhile.
fn demo_note(why: &Text) -> Text {
    Text::new(
        format!("{}正在回放样片。", why.zh),
        format!("{}; replaying sample frames", why.en),
    )
}

fn device_factory(index: u32, allow_user_facing: bool) -> SourceFactory {
    Box::new(move || {
        Ok(Box::new(DeviceSource::open(index, allow_user_facing)?) as Box<dyn FrameSource>)
    })
}

fn replay_factory(path: PathBuf, fps: f32) -> SourceFactory {
    Box::new(move || Ok(Box::new(ReplaySource::open_path(&path, fps)?) as Box<dyn FrameSource>))
}
