//! Opening a station: the store, the models, the profile and a camera,
//! falling back to the demo camera when no device can be used.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::Station;
use crate::Result;
use crate::camera::{
    CameraFeed, DeviceSource, FrameSource, ReplaySource, SourceFactory, demo_frames_dir,
    list_devices,
};
use crate::checks::Profile;
use crate::store::Store;
use crate::text::Text;
use crate::vision::Models;

/// The camera to run.
#[derive(Debug, Clone, PartialEq)]
pub enum CameraChoice {
    /// The first camera the system lists, or the demo camera when there is
    /// none or it cannot be opened.
    Auto,
    /// This camera index, and no fallback.
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
        let camera = open_camera(&options.camera)?;
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

fn open_camera(choice: &CameraChoice) -> Result<CameraFeed> {
    match choice {
        CameraChoice::Device(index) => CameraFeed::start(device_factory(*index)),
        CameraChoice::Replay { path, fps } => CameraFeed::start(replay_factory(path.clone(), *fps)),
        CameraChoice::Auto => {
            let devices = list_devices();
            let why = match devices.first() {
                None => Text::new(
                    "未检测到摄像头，正在回放样片。请连接外置或后置摄像头后重启。",
                    "no camera found, replaying sample frames; attach an external or rear-facing camera and restart",
                ),
                Some(device) => match CameraFeed::start(device_factory(device.index)) {
                    Ok(feed) => return Ok(feed),
                    Err(e) => {
                        tracing::warn!(error = %e, index = device.index, "camera failed to open, using the demo camera");
                        Text::new(
                            format!("摄像头无法打开（{e}），正在回放样片。"),
                            format!(
                                "the camera could not be opened ({e}); replaying sample frames"
                            ),
                        )
                    }
                },
            };
            tracing::warn!(reason = %why.en, "using the demo camera");
            let mut feed = CameraFeed::start(replay_factory(demo_frames_dir(), DEMO_FPS))?;
            feed.note = Some(why);
            Ok(feed)
        }
    }
}

fn device_factory(index: u32) -> SourceFactory {
    Box::new(move || Ok(Box::new(DeviceSource::open(index)?) as Box<dyn FrameSource>))
}

fn replay_factory(path: PathBuf, fps: f32) -> SourceFactory {
    Box::new(move || Ok(Box::new(ReplaySource::open_path(&path, fps)?) as Box<dyn FrameSource>))
}
