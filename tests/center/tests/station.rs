//! The station's sync commands, as the window calls them, against the
//! reference centre over loopback: enrolment, submitting with staff
//! signed in, the sync status, the finished photo and a final photo that
//! only a supervisor can replace.

mod support;

use std::time::Duration;

use tucai_center::Action;
use tucai_core::ErrorKind;
use tucai_core::config::Settings;
use tucai_core::station::{Approval, CameraChoice, Station, StationOptions};
use tucai_core::store::{Role, Store};
use tucai_core::views::SubmissionState;

use support::*;

const STUDENT: &str = "TC2026A0001";
const SUPERVISOR: (&str, &str) = ("wang.li", "correct horse");
const OPERATOR: (&str, &str) = ("zhao.op", "operator pass");

fn open_station(data_dir: &std::path::Path, centre_url: &str) -> Station {
    let options = StationOptions {
        data_dir: data_dir.to_path_buf(),
        profile: tucai_core::checks::DEFAULT_PROFILE.to_string(),
        camera: CameraChoice::Replay {
            path: tucai_core::camera::demo_frames_dir(),
            fps: 25.0,
        },
        settings: Settings {
            centre_url: centre_url.to_string(),
            ..Settings::default()
        },
        settings_path: None,
        preview_trace: None,
    };
    Station::open(&options).expect("station opens")
}

fn wait_for_view(station: &Station, state: SubmissionState) {
    wait_for(&format!("the submission to be {state:?}"), || {
        station
            .submission(STUDENT)
            .expect("submission")
            .is_some_and(|view| view.state == state)
    });
}

/// Saves a non-demo draft through a second connection, as the station's
/// camera in these tests is the demo camera.
fn real_draft(data_dir: &std::path::Path) -> String {
    let mut store = Store::open(data_dir).expect("store");
    save_draft(&mut store, STUDENT, false).id
}

#[test]
fn station_submits_and_receives_final() -> TestResult {
    let centre = TestCentre::start();
    let data = tempfile::TempDir::new()?;
    drop(station_store(data.path()));
    let first_draft = real_draft(data.path());
    let station = open_station(data.path(), &centre.url());
    station.create_first_supervisor(SUPERVISOR.0, SUPERVISOR.1)?;
    station.add_staff(OPERATOR.0, OPERATOR.1, Role::Operator, None)?;
    station.start_sync(Some(fast_settings(&centre.url())))?;

    let before = station.sync_status()?;
    let token = centre.centre.issue_token("Test University")?;
    let enrolled = station.enrol_station(&token, None)?;
    station.sign_in(OPERATOR.0, OPERATOR.1)?;
    let queued = station.submit_draft(&first_draft, None)?;
    wait_for_view(&station, SubmissionState::Received);
    let status = station.sync_status()?;

    assert_eq!(before.centre_url, Some(centre.url()));
    assert!(!before.enrolled);
    assert!(enrolled.enrolled);
    assert_eq!(queued.state, SubmissionState::Queued);
    assert_eq!(status.waiting, 0);
    assert!(status.online);
    assert!(status.last_error.is_none());

    centre
        .centre
        .apply(&queued.submission_id, &Action::Finish)?;
    wait_for_view(&station, SubmissionState::Finished);
    let finished = station.submission(STUDENT)?.expect("submission");
    let export = tempfile::TempDir::new()?;
    let path = station.export_finished_photo(STUDENT, &export.path().display().to_string())?;
    let photo = image::open(&path)?;

    let preview = finished.finished_preview.expect("finished preview");
    assert!(preview.starts_with("data:image/jpeg;base64,"));
    assert!(path.ends_with("TC2026A0001.jpg"), "{path}");
    assert_eq!((photo.width(), photo.height()), (480, 640));

    centre
        .centre
        .apply(&queued.submission_id, &Action::MakeFinal)?;
    wait_for_view(&station, SubmissionState::Final);
    let final_view = station.submission(STUDENT)?.expect("submission");
    let replacement = real_draft(data.path());
    let refused = station.submit_draft(&replacement, None).unwrap_err();
    let approval = Approval {
        username: SUPERVISOR.0.into(),
        password: SUPERVISOR.1.into(),
    };
    let replaced = station.submit_draft(&replacement, Some(&approval))?;

    assert!(final_view.final_photo);
    assert!(!final_view.can_submit);
    assert_eq!(refused.kind(), ErrorKind::Denied);
    assert_eq!(replaced.state, SubmissionState::Queued);
    wait_for_view(&station, SubmissionState::Received);
    assert_eq!(centre.count(), 2);
    Ok(())
}

#[test]
fn station_demo_draft_refused() -> TestResult {
    let data = tempfile::TempDir::new()?;
    drop(station_store(data.path()));
    let station = open_station(data.path(), "");
    station.create_first_supervisor(SUPERVISOR.0, SUPERVISOR.1)?;
    station
        .camera()
        .slot()
        .wait_newer(0, Duration::from_secs(10))
        .expect("a first frame from the demo camera");

    let draft = station
        .capture(STUDENT)?
        .draft
        .expect("the demo frame passes");
    let error = station.submit_draft(&draft.id, None).unwrap_err();
    let status = station.sync_status()?;

    assert!(draft.demo);
    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(status.centre_url, None);
    assert_eq!(status.waiting, 0);
    let offline = status.last_error.expect("offline reason").en;
    assert!(offline.contains("centre_url"), "{offline}");
    Ok(())
}

#[test]
fn station_signed_out_cannot_submit() -> TestResult {
    let data = tempfile::TempDir::new()?;
    drop(station_store(data.path()));
    let draft = real_draft(data.path());
    let station = open_station(data.path(), "");
    station.create_first_supervisor(SUPERVISOR.0, SUPERVISOR.1)?;
    station.sign_out()?;

    let error = station.submit_draft(&draft, None).unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Denied);
    assert_eq!(Store::open(data.path())?.outbox_len()?, 0);
    Ok(())
}

#[test]
fn station_rejects_remote_plain_http() {
    let data = tempfile::TempDir::new().expect("temporary folder");
    let problems = Settings::parse("centre_url = \"http://192.0.2.10:8787/\"\n").unwrap_err();
    let reason = &problems[0].text.en;
    let options = StationOptions {
        data_dir: data.path().to_path_buf(),
        profile: tucai_core::checks::DEFAULT_PROFILE.to_string(),
        camera: CameraChoice::Replay {
            path: tucai_core::camera::demo_frames_dir(),
            fps: 25.0,
        },
        settings: Settings {
            centre_url: "http://192.0.2.10:8787/".into(),
            ..Settings::default()
        },
        settings_path: None,
        preview_trace: None,
    };

    let error = Station::open(&options).err().expect("rejected");

    assert!(reason.contains("use https://192.0.2.10:8787/"), "{reason}");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("192.0.2.10"), "{error}");
}
