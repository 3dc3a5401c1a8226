//! Fixtures for the sync tests: a centre served on loopback, a station data
//! folder with the sample roster, drafts made from a real photo, and
//! waiting on conditions.

#![allow(dead_code)]

use std::io::Cursor;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tucai_center::Centre;
use tucai_core::store::{Draft, NewCapture, Store};
use tucai_core::sync::{CentreUrl, SyncSettings};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

pub const STAFF_KEY: &str = "test-staff-key";

/// Generous limit for a condition to become true. Tests never assert on
/// how long something took.
pub const PATIENCE: Duration = Duration::from_secs(120);

/// A centre served on 127.0.0.1 by its own runtime.
pub struct TestCentre {
    pub centre: Centre,
    pub addr: SocketAddr,
    pub dir: TempDir,
    pub runtime: tokio::runtime::Runtime,
}

impl TestCentre {
    /// Starts a centre on a free port.
    pub fn start() -> TestCentre {
        TestCentre::start_on(0)
    }

    /// Starts a centre on `port`, 0 for a free one.
    pub fn start_on(port: u16) -> TestCentre {
        TestCentre::start_in(TempDir::new().expect("temporary folder"), port)
    }

    /// Starts a centre over the data folder `dir` on `port`.
    pub fn start_in(dir: TempDir, port: u16) -> TestCentre {
        let centre = Centre::open(dir.path(), STAFF_KEY).expect("centre opens");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .expect("bind on loopback");
        let addr = listener.local_addr().expect("local address");
        let served = centre.clone();
        runtime.spawn(served.serve(listener, std::future::pending()));
        TestCentre {
            centre,
            addr,
            dir,
            runtime,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops serving and returns the data folder, so that a later centre
    /// can start over the same records.
    pub fn stop(self) -> TempDir {
        let TestCentre { dir, runtime, .. } = self;
        runtime.shutdown_timeout(Duration::from_secs(10));
        dir
    }

    pub fn count(&self) -> usize {
        self.centre.submissions().expect("centre submissions").len()
    }
}

/// Returns a port on 127.0.0.1 with nothing listening on it.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Settings with short timings, so retries happen within a test.
pub fn fast_settings(url: &str) -> SyncSettings {
    let mut settings = SyncSettings::new(CentreUrl::parse(url).expect("centre address"));
    settings.request_timeout = Duration::from_secs(10);
    settings.poll_interval = Duration::from_millis(100);
    settings.backoff_min = Duration::from_millis(50);
    settings.backoff_max = Duration::from_millis(500);
    settings
}

/// Enrols the station in `dir` at the centre with a fresh token.
pub fn enrol(dir: &Path, centre: &TestCentre) {
    let token = centre.centre.issue_token("Test University").expect("token");
    let enrolment =
        tucai_core::sync::enrol(dir, &fast_settings(&centre.url()), &token).expect("enrolment");
    Store::open(dir)
        .expect("station store")
        .save_enrolment(&enrolment, "test")
        .expect("enrolment saved");
}

/// Opens a station data folder with the sample roster imported.
pub fn station_store(dir: &Path) -> Store {
    let mut store = Store::open(dir).expect("station store");
    store
        .import_roster(&tucai_core::assets_dir().join("roster/sample-roster.csv"))
        .expect("roster import");
    store
}

/// Returns a real photo as PNG bytes: a frame of the demo camera.
pub fn original_png() -> &'static [u8] {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(|| {
        let path = tucai_core::assets_dir().join("demo-camera/frame-00.jpg");
        let image = image::open(path).expect("demo frame");
        let mut png = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode PNG");
        png
    })
}

/// Saves a passing, non-demo draft of the student `student_number`.
pub fn save_draft(store: &mut Store, student_number: &str, demo: bool) -> Draft {
    let student = store.find_student(student_number).expect("student");
    let capture_id = store
        .record_capture(&NewCapture {
            student_id: student.id,
            passed: true,
            demo,
            recapture: false,
            report_json: r#"{"passed":true,"profile":"test"}"#.to_string(),
            frame_width: 720,
            frame_height: 960,
        })
        .expect("capture");
    let jpeg = std::fs::read(tucai_core::assets_dir().join("demo-camera/frame-00.jpg"))
        .expect("demo frame");
    store
        .save_draft(&capture_id, student.id, demo, original_png(), &jpeg, 6)
        .expect("draft")
}

/// Polls `condition` until it holds, failing the test after [`PATIENCE`].
pub fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < PATIENCE, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A child process that is killed (SIGKILL on Unix) and reaped when
/// dropped, so that a failing test leaves no process behind.
pub struct ChildGuard(pub std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
