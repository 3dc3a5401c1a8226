//! Opening a station: the store, the models, the profile and a camera,
//! falling back to the demo camera when no device can be used.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::Station;
use crate::Result;
use crate::camera::{
    CameraFeed, DeviceSource, FrameSource, NodeStatus, ReplaySource, SourceFactory, classify_node,
    demo_frames_dir, probe_nodes, select_from_nodes,
};
use crate::checks::Profile;
use crate::store::Store;
use crate::text::Text;
use crate::vision::Models;

/// The camera to run.
#[derive(Debug, Clone, PartialEq)]
pub enum CameraChoice {
    /// The first external or rear camera the system lists (a user-facing
    /// one only when the settings allow it), or the demo camera when there
    /// is none or it cannot be opened.
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
        let camera = open_camera(&options.camera, options.settings.allow_user_facing_camera)?;
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
            camera,
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

fn open_camera(choice: &CameraChoice, allow_user_facing: bool) -> Result<CameraFeed> {
    match choice {
        CameraChoice::Device(index) => CameraFeed::start(device_factory(*index, allow_user_facing)),
        CameraChoice::Replay { path, fps } => CameraFeed::start(replay_factory(path.clone(), *fps)),
        CameraChoice::Auto => {
            let why = match auto_camera(allow_user_facing) {
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
fn auto_camera(allow_user_facing: bool) -> std::result::Result<CameraFeed, Text> {
    let statuses: Vec<NodeStatus> = probe_nodes().iter().map(classify_node).collect();
    let camera = select_from_nodes(&statuses, allow_user_facing)?;
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
