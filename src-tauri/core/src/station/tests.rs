//! One station end to end without a window: a real SQLite file, the real
//! models and the replay camera over the demo frames.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::ErrorKind;
use crate::checks::RuleStatus;
use crate::recapture::corpus::{Corpus, CorpusSize, Presentation};

fn options(data: &std::path::Path, replay: PathBuf, draft_limit: u32) -> StationOptions {
    StationOptions {
        data_dir: data.to_owned(),
        profile: crate::checks::DEFAULT_PROFILE.to_owned(),
        camera: CameraChoice::Replay {
            path: replay,
            fps: 25.0,
        },
        settings: crate::config::Settings {
            draft_limit,
            draft_delete_after_minutes: 30,
            lock_failures: 3,
            recapture_lock_count: 2,
            ..crate::config::Settings::default()
        },
        settings_path: None,
        preview_trace: None,
    }
}

const SUPERVISOR: (&str, &str) = ("wang.li", "correct horse");

fn station(data: &std::path::Path, replay: PathBuf, draft_limit: u32) -> Station {
    let roster = crate::assets_dir().join("roster/sample-roster.csv");
    Store::open(data).unwrap().import_roster(&roster).unwrap();
    let station = Station::open(&options(data, replay, draft_limit)).unwrap();
    station
        .create_first_supervisor(SUPERVISOR.0, SUPERVISOR.1)
        .unwrap();
    // Wait for the first frame, as a person waits for the preview.
    station
        .camera()
        .slot()
        .wait_newer(0, Duration::from_secs(10))
        .unwrap();
    station
}

fn demo_station(data: &std::path::Path, draft_limit: u32) -> Station {
    station(data, crate::camera::demo_frames_dir(), draft_limit)
}

#[test]
fn capture_saves_demo_draft() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    let outcome = station.capture("TC2026A0001").unwrap();
    assert!(
        outcome.report.passed,
        "{:?}",
        outcome.report.failed().collect::<Vec<_>>()
    );
    let draft = outcome.draft.expect("a draft");
    assert!(draft.demo);
    assert!(draft.preview.starts_with("data:image/jpeg;base64,"));
}

#[test]
fn drafts_list_the_saved_capture() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    let saved = station.capture("2023010001").unwrap().draft.unwrap();
    let drafts = station.drafts("2023010001").unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].id, saved.id);
}

#[test]
fn full_draft_box_keeps_nothing() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 1);
    station.capture("2023010001").unwrap();
    let second = station.capture("2023010001").unwrap();
    assert!(second.report.passed);
    assert!(second.draft.is_none());
    assert!(second.not_saved.is_some());
    assert_eq!(station.drafts("2023010001").unwrap().len(), 1);
}

#[test]
fn failing_capture_makes_no_draft() {
    let data = tempfile::tempdir().unwrap();
    let cat = crate::assets_dir().join("fixtures/chelsea.png");
    let station = station(data.path(), cat, 6);
    let outcome = station.capture("2023010001").unwrap();
    assert!(!outcome.report.passed);
    assert!(outcome.draft.is_none());
    assert!(station.drafts("2023010001").unwrap().is_empty());
}

#[test]
fn unknown_student_is_not_found() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    let err = station.capture("NOSUCHCODE").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn found_student_has_masked_id() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    let student = station.find_student("tc2026a0001").unwrap();
    assert_eq!(student.student_number, "2023010001");
    assert!(student.masked_id.contains('*'), "{}", student.masked_id);
    assert_eq!(student.draft_limit, 6);
}

#[test]
fn status_reports_demo_camera() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    let status = station.status().unwrap();
    assert_eq!(status.camera.source, crate::views::CameraSourceKind::Demo);
    assert_eq!(
        (status.camera.frame_width, status.camera.frame_height),
        (720, 960)
    );
    assert_eq!(status.student_count, 40);
}

#[test]
fn bad_replay_leaves_no_store() {
    let data = tempfile::tempdir().unwrap();
    let store_dir = data.path().join("store");
    let missing = data.path().join("no-such-frames");
    let err = Station::open(&options(&store_dir, missing, 6))
        .err()
        .unwrap();
    assert_eq!(err.kind(), ErrorKind::Camera);
    assert!(!store_dir.exists());
}

#[test]
fn outline_centres_the_crop() {
    let profile = crate::checks::Profile::named(crate::checks::DEFAULT_PROFILE).unwrap();
    let o = outline(720, 960, &profile);
    assert!((o.crop_left - 0.0).abs() < 1e-6);
    assert!((o.crop_height - 1.0).abs() < 1e-6);
    assert!(o.head_top < o.eye_line);
}

#[test]
fn nothing_works_signed_out() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    station.sign_out().unwrap();

    let find = station.find_student("2023010001").unwrap_err();
    let capture = station.capture("2023010001").unwrap_err();

    assert_eq!(find.kind(), ErrorKind::Denied);
    assert_eq!(capture.kind(), ErrorKind::Denied);
    assert!(!station.session().unwrap().needs_first_supervisor);
}

#[test]
fn idle_session_signs_out() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    station.pretend_idle(Duration::from_secs(11 * 60));

    let error = station.find_student("2023010001").unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Denied);
    assert!(station.session().unwrap().staff.is_none());
}

#[test]
fn operator_needs_supervisor_approval() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    station
        .add_staff(
            "zhao.op",
            "operator pass",
            crate::store::Role::Operator,
            None,
        )
        .unwrap();
    station.sign_in("zhao.op", "operator pass").unwrap();

    let refused = station.audit_entries(5, None).unwrap_err();
    let wrong = Approval {
        username: "zhao.op".into(),
        password: "operator pass".into(),
    };
    let by_operator = station.audit_entries(5, Some(&wrong)).unwrap_err();
    let approval = Approval {
        username: SUPERVISOR.0.into(),
        password: SUPERVISOR.1.into(),
    };
    let entries = station.audit_entries(5, Some(&approval)).unwrap();

    assert_eq!(refused.kind(), ErrorKind::Denied);
    let asked = refused.text().expect("the refusal in both languages");
    assert!(asked.zh.contains("需要主管"), "{}", asked.zh);
    assert!(
        by_operator.to_string().contains("operator"),
        "{by_operator}"
    );
    let named = by_operator.text().expect("the refusal in both languages");
    assert!(named.zh.contains("zhao.op 是操作员"), "{}", named.zh);
    assert_eq!(entries[0].action, "staff_create");
}

#[test]
fn failures_lock_then_supervisor_unlocks() {
    let data = tempfile::tempdir().unwrap();
    let cat = crate::assets_dir().join("fixtures/chelsea.png");
    let station = station(data.path(), cat, 6);

    let first = station.capture("2023010001").unwrap();
    station.capture("2023010001").unwrap();
    let third = station.capture("2023010001").unwrap();
    let refused = station.capture("2023010001").unwrap_err();
    let looked_up = station.find_student("2023010001").unwrap();

    assert_eq!(first.attempts_left, 2);
    let lock = third.lock.expect("the third failure locks");
    assert_eq!(lock.kind, crate::store::LockKind::Failures);
    assert!(lock.until.is_some());
    assert_eq!(refused.kind(), ErrorKind::Locked);
    assert!(refused.to_string().contains("until"), "{refused}");
    assert!(looked_up.lock.is_some());

    station
        .unlock("2023010001", "moved to the window seat", None)
        .unwrap();

    let again = station.capture("2023010001").unwrap();
    assert_eq!(again.attempts_left, 2);
}

#[test]
fn young_draft_needs_supervisor_to_delete() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    station
        .add_staff(
            "zhao.op",
            "operator pass",
            crate::store::Role::Operator,
            None,
        )
        .unwrap();
    let draft = station.capture("2023010001").unwrap().draft.unwrap();
    assert!(!draft.deletable_now);
    station.sign_in("zhao.op", "operator pass").unwrap();

    let refused = station.delete_draft(&draft.id, None).unwrap_err();
    let approval = Approval {
        username: SUPERVISOR.0.into(),
        password: SUPERVISOR.1.into(),
    };
    station.delete_draft(&draft.id, Some(&approval)).unwrap();

    assert_eq!(refused.kind(), ErrorKind::Denied);
    assert!(station.drafts("2023010001").unwrap().is_empty());
}

#[test]
fn roster_import_from_window_bytes() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    let bad =
        std::fs::read(crate::assets_dir().join("roster/sample-roster-with-errors.csv")).unwrap();

    let error = station
        .import_roster_bytes("roster.csv", &bad, None)
        .unwrap_err();
    let good = std::fs::read(crate::assets_dir().join("roster/sample-roster.csv")).unwrap();
    let summary = station
        .import_roster_bytes("roster.csv", &good, None)
        .unwrap();

    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("line "), "{error}");
    assert_eq!((summary.unchanged, summary.students), (40, 40));
}

#[test]
fn capture_after_preview_restart_uses_new_frame() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    let (seen, checked) = std::sync::mpsc::channel();
    let live: LiveSink = Box::new(move |_| seen.send(()).is_ok());
    station.start_preview(Box::new(|_| true), live).unwrap();
    checked.recv_timeout(Duration::from_secs(60)).unwrap();
    station.stop_preview();

    // Longer than a capture accepts a frame's age, as when the student
    // takes a while to come back to the camera.
    std::thread::sleep(super::capture::MAX_FRAME_AGE + Duration::from_millis(500));
    let outcome = station.capture("2023010001");

    assert!(outcome.is_ok(), "{:?}", outcome.err());
}

#[test]
fn qr_code_in_view_finds_the_student() {
    let data = tempfile::tempdir().unwrap();
    let frames = tempfile::tempdir().unwrap();
    let mut frame = image::open(crate::camera::demo_frames_dir().join("frame-00.jpg"))
        .unwrap()
        .to_rgb8();
    crate::camera::code_tests::paint_qr(&mut frame, "TC2026A0001", 20, 700, 5);
    frame.save(frames.path().join("slip.png")).unwrap();
    let station = station(data.path(), frames.path().to_owned(), 6);

    let student = station.find_student_by_camera().unwrap();

    assert_eq!(student.student_number, "2023010001");
}

#[test]
fn qr_scan_without_code_fails() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);

    let err = station.find_student_by_camera().unwrap_err();

    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("QR code"), "{err}");
}

/// Polls the station's camera state every 20 ms for up to 10 s.
fn wait_for_camera(station: &Station, expected: crate::views::CameraRunState) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while station.status().unwrap().camera.state != expected {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for the camera to be {expected:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn camera_back_needs_new_frame() {
    use crate::camera::replay_tests::{write_sidecar, yuyv_bytes};
    use crate::views::CameraRunState;

    let photo = image::open(crate::camera::demo_frames_dir().join("frame-00.jpg"))
        .unwrap()
        .to_rgb8();
    let root = tempfile::tempdir().unwrap();
    let frames = root.path().join("camera");
    std::fs::create_dir(&frames).unwrap();
    write_sidecar(&frames, &photo, 0);
    std::fs::write(frames.join("frame-000.yuyv"), yuyv_bytes(&photo, 0)).unwrap();
    let data = tempfile::tempdir().unwrap();
    let station = station(data.path(), frames.clone(), 6);
    watch_frames(&station, 1);
    let before = station.capture_frame().unwrap();

    // The raw replay reads each buffer when it is due, so a folder moved
    // away fails its reads as an unplugged camera does.
    let away = root.path().join("unplugged");
    std::fs::rename(&frames, &away).unwrap();
    wait_for_camera(&station, CameraRunState::Lost);
    let err = station.capture_frame().unwrap_err();
    assert!(err.to_string().contains("the camera is lost"), "{err}");
    let message = station.status().unwrap().camera.message.unwrap();
    assert!(message.en.starts_with("camera lost"), "{}", message.en);
    // At least one attempt to open the folder again fails meanwhile.
    std::thread::sleep(crate::camera::RECONNECT_INTERVAL + Duration::from_millis(500));
    assert_eq!(station.status().unwrap().camera.state, CameraRunState::Lost);

    std::fs::rename(&away, &frames).unwrap();
    wait_for_camera(&station, CameraRunState::Running);
    let err = station.capture_frame().unwrap_err();
    assert!(
        err.to_string()
            .contains("lost after the last checked frame"),
        "{err}"
    );

    watch_frames(&station, 1);
    let after = station.capture_frame().unwrap();
    assert!(after.number > before.number);
    assert!(after.received > before.received);
}

/// Renders the first corpus sample of `presentation`, built from a real
/// photo of the fixtures, into a folder of frames for the replay camera.
fn attack_frames(presentation: Presentation) -> tempfile::TempDir {
    let models = crate::vision::Models::load_bundled().unwrap();
    let corpus = Corpus::load(&models).unwrap();
    let size = CorpusSize {
        bona_fide: 0,
        attacks: 1,
    };
    let spec = corpus
        .specs(2026, size)
        .into_iter()
        .find(|s| s.presentation == presentation)
        .unwrap();
    let sample = corpus.render(&spec);
    let frames = tempfile::tempdir().unwrap();
    for (i, frame) in sample.frames.iter().enumerate() {
        let path = frames.path().join(format!("frame-{i:02}.png"));
        frame.save(path).unwrap();
    }
    frames
}

/// Runs the live checks on the next `count` camera frames, as the live
/// thread of the preview does, so the recapture history holds them.
fn watch_frames(station: &Station, count: usize) {
    let mut last = 0;
    for _ in 0..count {
        let frame = station
            .camera()
            .slot()
            .wait_newer(last, Duration::from_secs(10))
            .expect("the replay camera sends frames");
        last = frame.number;
        preview::check_live_frame(
            frame,
            &station.models,
            &station.profile,
            &station.last_checked,
            &station.history,
        )
        .unwrap();
    }
}

fn recapture_rule(outcome: &crate::views::CaptureOutcome) -> &crate::checks::RuleResult {
    outcome.report.rule(crate::recapture::RULE).unwrap()
}

#[test]
fn screen_attack_fails_recapture() {
    let frames = attack_frames(Presentation::Screen);
    let data = tempfile::tempdir().unwrap();
    let station = station(data.path(), frames.path().to_owned(), 6);
    watch_frames(&station, 5);

    let outcome = station.capture("2023010001").unwrap();

    let rule = recapture_rule(&outcome);
    assert_eq!(rule.status, RuleStatus::Fail, "{rule:?}");
    assert!(rule.reason.en.contains("screen"), "{rule:?}");
    assert!(rule.advice.is_some());
    assert!(!outcome.report.passed);
    assert!(outcome.draft.is_none());
}

#[test]
fn demo_capture_passes_recapture() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    watch_frames(&station, 5);

    let outcome = station.capture("2023010001").unwrap();

    let rule = recapture_rule(&outcome);
    assert_eq!(rule.status, RuleStatus::Pass, "{rule:?}");
    assert!(outcome.draft.is_some());
}

#[test]
fn recaptures_lock_until_supervisor_unlocks() {
    let frames = attack_frames(Presentation::Print);
    let data = tempfile::tempdir().unwrap();
    let station = station(data.path(), frames.path().to_owned(), 6);
    // Failed captures lock after 10 here, so only recaptures can lock.
    let settings = crate::config::Settings {
        lock_failures: 10,
        ..station.current_settings().unwrap()
    };
    station.save_settings(settings, None).unwrap();
    station
        .add_staff(
            "zhao.op",
            "operator pass",
            crate::store::Role::Operator,
            None,
        )
        .unwrap();
    station.sign_in("zhao.op", "operator pass").unwrap();

    watch_frames(&station, 5);
    let first = station.capture("2023010001").unwrap();
    watch_frames(&station, 5);
    let second = station.capture("2023010001").unwrap();
    let refused = station.capture("2023010001").unwrap_err();
    let by_operator = station
        .unlock("2023010001", "checked the student in person", None)
        .unwrap_err();

    assert_eq!(recapture_rule(&first).status, RuleStatus::Fail);
    assert!(first.lock.is_none());
    assert_eq!(recapture_rule(&second).status, RuleStatus::Fail);
    let lock = second.lock.expect("the second recapture locks");
    assert_eq!(lock.kind, crate::store::LockKind::Recapture);
    assert!(lock.until.is_none());
    assert_eq!(refused.kind(), ErrorKind::Locked);
    assert!(refused.to_string().contains("supervisor"), "{refused}");
    assert_eq!(by_operator.kind(), ErrorKind::Denied);

    let approval = Approval {
        username: SUPERVISOR.0.into(),
        password: SUPERVISOR.1.into(),
    };
    station
        .unlock(
            "2023010001",
            "checked the student in person",
            Some(&approval),
        )
        .unwrap();
    watch_frames(&station, 1);
    let again = station.capture("2023010001").unwrap();
    assert_eq!(recapture_rule(&again).status, RuleStatus::Fail);
    assert!(again.lock.is_none(), "{:?}", again.lock);
}

/// Opens a station that follows the camera settings, as one started
/// without `--camera` or `--replay` does.
fn auto_camera_station(data: &std::path::Path) -> Station {
    let mut options = options(data, crate::camera::demo_frames_dir(), 6);
    options.camera = CameraChoice::Auto;
    let station = Station::open(&options).unwrap();
    station
        .create_first_supervisor(SUPERVISOR.0, SUPERVISOR.1)
        .unwrap();
    station
}

// No computer lists a camera numbered 4000, so the station falls back to
// the demo camera with the reason, whatever cameras this machine has.
#[test]
fn camera_setting_reopens_camera() {
    let data = tempfile::tempdir().unwrap();
    let station = auto_camera_station(data.path());
    let before = station.camera();
    before
        .slot()
        .wait_newer(0, Duration::from_secs(10))
        .unwrap();
    *station.last_checked.lock().unwrap() = before.slot().latest();

    let mut settings = station.current_settings().unwrap();
    settings.camera = "4000".to_owned();
    station.save_settings(settings, None).unwrap();

    let after = station.camera();
    assert!(!Arc::ptr_eq(&before, &after), "the camera was not reopened");
    assert_eq!(before.state(), crate::views::CameraRunState::Stopped);
    assert!(station.last_checked.lock().unwrap().is_none());
    let message = station.status().unwrap().camera.message.unwrap();
    assert!(
        message
            .en
            .contains("camera 4000 in the settings was not found"),
        "{}",
        message.en
    );
    assert!(message.zh.contains("摄像头 4000"), "{}", message.zh);
    after.slot().wait_newer(0, Duration::from_secs(10)).unwrap();
}

#[test]
fn other_settings_keep_camera() {
    let data = tempfile::tempdir().unwrap();
    let station = auto_camera_station(data.path());
    let before = station.camera();

    let mut settings = station.current_settings().unwrap();
    settings.draft_limit = 5;
    station.save_settings(settings, None).unwrap();

    assert!(Arc::ptr_eq(&before, &station.camera()));
}

#[test]
fn detect_cameras_reopens_camera() {
    let data = tempfile::tempdir().unwrap();
    let station = auto_camera_station(data.path());
    let before = station.camera();

    station.detect_cameras().unwrap();

    assert!(!Arc::ptr_eq(&before, &station.camera()));
}

#[test]
fn replay_camera_ignores_camera_setting() {
    let data = tempfile::tempdir().unwrap();
    let station = demo_station(data.path(), 6);
    let before = station.camera();

    let mut settings = station.current_settings().unwrap();
    settings.camera = "4000".to_owned();
    station.save_settings(settings, None).unwrap();
    assert!(Arc::ptr_eq(&before, &station.camera()));

    let refused = station.detect_cameras().unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput, "{refused}");
    assert!(refused.to_string().contains("--replay"), "{refused}");
}

#[test]
fn camera_setting_must_be_number() {
    let settings = crate::config::Settings {
        camera: "front".to_owned(),
        ..crate::config::Settings::default()
    };
    let (key, reason) = settings.validate().unwrap_err();
    assert_eq!(key, "camera");
    assert!(
        reason.en.contains("\"front\" is not a camera number"),
        "{}",
        reason.en
    );
    assert!(reason.zh.contains("不是摄像头序号"), "{}", reason.zh);
}
