//! The station's sync worker against the real reference centre over
//! loopback: the happy path, outages, faults, a killed station, repeated
//! deliveries, tampering, and results flowing back.

mod support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use tucai_center::Action;
use tucai_core::ErrorKind;
use tucai_core::store::{DraftState, Store, SubmissionState};
use tucai_core::sync::protocol::{CentreState, EnrolRequest, ReceiptStatus, UploadMetadata};
use tucai_core::sync::{CentreClient, CentreUrl, ClientError, SignedUpload, SyncHandle};

use support::*;

const STUDENT: &str = "TC2026A0001";

fn state_of(store: &Store, submission_id: &str) -> SubmissionState {
    store.submission(submission_id).expect("submission").state
}

fn wait_for_state(store: &Store, submission_id: &str, state: SubmissionState) {
    wait_for(
        &format!("submission {submission_id} to be {state:?}"),
        || state_of(store, submission_id) == state,
    );
}

#[test]
fn upload_finish_and_final_flow_back() -> TestResult {
    let centre = TestCentre::start();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let token = centre.centre.issue_token("Test University")?;
    let sync = SyncHandle::start(station.path(), fast_settings(&centre.url(), Some(token)))?;

    let submission = store.submit_draft(&draft.id, false)?;
    sync.wake();
    wait_for_state(
        &store,
        &submission.id,
        SubmissionState::Centre(CentreState::Received),
    );

    let stored = centre
        .centre
        .submission(&submission.id)?
        .expect("stored at centre");
    assert_eq!(stored.original_sha256, draft.original_sha256);
    assert_eq!(store.outbox_len()?, 0);
    assert!(sync.state().online);

    centre
        .centre
        .apply(&submission.id, &Action::StartProduction)?;
    centre.centre.apply(&submission.id, &Action::Finish)?;
    wait_for_state(
        &store,
        &submission.id,
        SubmissionState::Centre(CentreState::Finished),
    );
    let finished = store
        .submission(&submission.id)?
        .finished_jpeg
        .expect("finished photo");
    let photo = image::load_from_memory(&finished)?;
    assert_eq!((photo.width(), photo.height()), (480, 640));

    centre.centre.apply(&submission.id, &Action::MakeFinal)?;
    wait_for_state(
        &store,
        &submission.id,
        SubmissionState::Centre(CentreState::Final),
    );
    assert!(store.submission(&submission.id)?.finished_jpeg.is_some());

    let other = save_draft(&mut store, STUDENT, false);
    let refused = store.submit_draft(&other.id, false).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Conflict);
    assert!(refused.to_string().contains("final"), "{refused}");
    let replaced = store.submit_draft(&other.id, true)?;
    wait_for_state(
        &store,
        &replaced.id,
        SubmissionState::Centre(CentreState::Received),
    );
    assert_eq!(centre.count(), 2);
    Ok(())
}

#[test]
fn reset_returns_student_to_capture() -> TestResult {
    let centre = TestCentre::start();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let token = centre.centre.issue_token("Test University")?;
    let _sync = SyncHandle::start(station.path(), fast_settings(&centre.url(), Some(token)))?;
    let first = store.submit_draft(&draft.id, false)?;
    wait_for_state(
        &store,
        &first.id,
        SubmissionState::Centre(CentreState::Received),
    );
    let second_draft = save_draft(&mut store, STUDENT, false);
    let while_received = store.submit_draft(&second_draft.id, false).unwrap_err();

    centre.centre.apply(
        &first.id,
        &Action::Reset {
            reason: "glasses reflect the light".to_string(),
        },
    )?;
    wait_for_state(
        &store,
        &first.id,
        SubmissionState::Centre(CentreState::Reset),
    );

    assert_eq!(while_received.kind(), ErrorKind::Conflict);
    let reset = store.submission(&first.id)?;
    assert_eq!(reset.reason.as_deref(), Some("glasses reflect the light"));
    assert_eq!(store.draft(&draft.id)?.state, DraftState::Draft);
    let again = store.submit_draft(&second_draft.id, false)?;
    wait_for_state(
        &store,
        &again.id,
        SubmissionState::Centre(CentreState::Received),
    );
    assert_eq!(centre.count(), 2);
    Ok(())
}

#[test]
fn centre_down_then_up() -> TestResult {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/");
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let submission = store.submit_draft(&draft.id, false)?;
    // The token is issued by the centre started below, into a data folder
    // prepared beforehand.
    let centre_dir = tempfile::TempDir::new()?;
    let token = tucai_center::Centre::open(centre_dir.path(), STAFF_KEY)?.issue_token("School")?;
    let sync = SyncHandle::start(station.path(), fast_settings(&url, Some(token)))?;

    wait_for("a failed round", || sync.state().last_error.is_some());
    let down = sync.state();
    assert!(!down.online);
    assert!(down.last_error.expect("error").en.contains("not reachable"));
    assert_eq!(store.outbox_len()?, 1);

    let centre = TestCentre::start_in(centre_dir, port);
    wait_for_state(
        &store,
        &submission.id,
        SubmissionState::Centre(CentreState::Received),
    );
    assert_eq!(centre.count(), 1);
    assert!(sync.state().last_error.is_none());
    Ok(())
}

#[test]
fn server_errors_retried() -> TestResult {
    let centre = TestCentre::start();
    centre.centre.faults().fail_next_uploads(3);
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let token = centre.centre.issue_token("School")?;
    let _sync = SyncHandle::start(station.path(), fast_settings(&centre.url(), Some(token)))?;

    let submission = store.submit_draft(&draft.id, false)?;
    wait_for_state(
        &store,
        &submission.id,
        SubmissionState::Centre(CentreState::Received),
    );

    assert_eq!(centre.centre.faults().failures_left(), 0);
    assert_eq!(centre.count(), 1);
    Ok(())
}

#[test]
fn timeout_after_store_not_doubled() -> TestResult {
    let centre = TestCentre::start();
    centre.centre.faults().hold_after_store();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let token = centre.centre.issue_token("School")?;
    let mut settings = fast_settings(&centre.url(), Some(token));
    settings.request_timeout = Duration::from_secs(1);
    let sync = SyncHandle::start(station.path(), settings)?;

    let submission = store.submit_draft(&draft.id, false)?;
    wait_for("two uploads held by the centre", || {
        centre.centre.faults().stored_while_held() >= 2
    });
    let timed_out = sync.state().last_error.expect("a timed-out round");
    assert!(timed_out.en.contains("timed out"), "{}", timed_out.en);
    assert_eq!(store.outbox_len()?, 1);

    centre.centre.faults().release();
    wait_for_state(
        &store,
        &submission.id,
        SubmissionState::Centre(CentreState::Received),
    );
    assert_eq!(centre.count(), 1);
    assert_eq!(store.outbox_len()?, 0);
    Ok(())
}

fn spawn_worker(station: &std::path::Path, url: &str, token: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tucai-sync-worker"));
    command
        .arg("--data-dir")
        .arg(station)
        .arg("--centre")
        .arg(url)
        .arg("--timeout-ms")
        .arg("60000")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(token) = token {
        command.arg("--token").arg(token);
    }
    command.spawn().expect("sync worker starts")
}

#[test]
fn killed_mid_upload_recovers() -> TestResult {
    let centre = TestCentre::start();
    centre.centre.faults().hold_after_store();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let submission = store.submit_draft(&draft.id, false)?;
    let token = centre.centre.issue_token("School")?;

    let mut worker = spawn_worker(station.path(), &centre.url(), Some(&token));
    wait_for("the upload held open", || {
        centre.centre.faults().held() >= 1
    });
    worker.kill()?;
    worker.wait()?;

    assert_eq!(centre.count(), 1, "the centre stored the upload");
    assert_eq!(store.outbox_len()?, 1, "the station never saw the answer");
    assert_eq!(state_of(&store, &submission.id), SubmissionState::Queued);

    centre.centre.faults().release();
    let mut restarted = spawn_worker(station.path(), &centre.url(), None);
    wait_for_state(
        &store,
        &submission.id,
        SubmissionState::Centre(CentreState::Received),
    );
    restarted.kill()?;
    restarted.wait()?;

    assert_eq!(centre.count(), 1);
    assert_eq!(store.outbox_len()?, 0);
    Ok(())
}

/// Enrols a fresh key at the centre and returns the client, the key, the
/// station id and the credential.
fn enrolled_client(
    centre: &TestCentre,
) -> Result<(CentreClient, ed25519_dalek::SigningKey, String, String), Box<dyn std::error::Error>> {
    let client = CentreClient::new(CentreUrl::parse(&centre.url())?, Duration::from_secs(30))?;
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let request = EnrolRequest {
        token: centre.centre.issue_token("School")?,
        public_key: base64::engine::general_purpose::STANDARD
            .encode(key.verifying_key().to_bytes()),
        station_name: "test".to_string(),
    };
    let enrolled = centre.runtime.block_on(client.enrol(&request))?;
    Ok((client, key, enrolled.station_id, enrolled.credential))
}

fn metadata(id: &str, station_id: &str, original: &[u8]) -> UploadMetadata {
    UploadMetadata {
        submission_id: id.to_string(),
        station_id: station_id.to_string(),
        collection_code: "TC2026A0001".to_string(),
        captured_at: "2026-06-18T09:30:12.345+08:00".to_string(),
        original_sha256: tucai_core::sync::client::sha256_hex(original),
        original_bytes: original.len() as u64,
        report: serde_json::json!({"passed": true}),
    }
}

#[test]
fn same_upload_twice_stored_once() -> TestResult {
    let centre = TestCentre::start();
    let (client, key, station_id, credential) = enrolled_client(&centre)?;
    let original = original_png().to_vec();
    let upload = SignedUpload::sign(&metadata("sub-1", &station_id, &original), original, &key);

    let first = centre
        .runtime
        .block_on(client.upload(&credential, &upload))?;
    let second = centre
        .runtime
        .block_on(client.upload(&credential, &upload))?;

    assert_eq!(first.status, ReceiptStatus::Stored);
    assert_eq!(second.status, ReceiptStatus::AlreadyStored);
    assert_eq!(first.received_at, second.received_at);
    assert_eq!(centre.count(), 1);

    let other = b"\x89PNG\r\n\x1a\nanother original".to_vec();
    let conflicting = SignedUpload::sign(&metadata("sub-1", &station_id, &other), other, &key);
    let error = centre
        .runtime
        .block_on(client.upload(&credential, &conflicting))
        .unwrap_err();
    assert!(
        matches!(error, ClientError::Rejected { status: 409, .. }),
        "{error:?}"
    );
    assert_eq!(centre.count(), 1);
    Ok(())
}

#[test]
fn tampered_upload_refused() -> TestResult {
    let centre = TestCentre::start();
    let (client, key, station_id, credential) = enrolled_client(&centre)?;
    let original = original_png().to_vec();
    let signed = SignedUpload::sign(&metadata("sub-2", &station_id, &original), original, &key);

    let mut tampered_file = signed.clone();
    let middle = tampered_file.original.len() / 2;
    tampered_file.original[middle] ^= 0x01;
    let mut tampered_metadata = signed.clone();
    tampered_metadata.metadata_json = String::from_utf8(signed.metadata_json.clone())?
        .replace("TC2026A0001", "TC2026A0002")
        .into_bytes();

    let file_error = centre
        .runtime
        .block_on(client.upload(&credential, &tampered_file))
        .unwrap_err();
    let metadata_error = centre
        .runtime
        .block_on(client.upload(&credential, &tampered_metadata))
        .unwrap_err();

    assert!(
        matches!(&file_error, ClientError::Rejected { status: 422, code, .. } if code == "hash_mismatch"),
        "{file_error:?}"
    );
    assert!(
        matches!(&metadata_error, ClientError::Rejected { status: 422, code, .. } if code == "bad_signature"),
        "{metadata_error:?}"
    );
    assert_eq!(centre.count(), 0);
    Ok(())
}

#[test]
fn tampered_original_rejected_for_student() -> TestResult {
    let centre = TestCentre::start();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let path = store.original_path(&draft);
    let mut bytes = std::fs::read(&path)?;
    let last = bytes.len() - 1;
    bytes[last] ^= 0xFF;
    std::fs::write(&path, bytes)?;
    let token = centre.centre.issue_token("School")?;
    let _sync = SyncHandle::start(station.path(), fast_settings(&centre.url(), Some(token)))?;

    let submission = store.submit_draft(&draft.id, false)?;
    wait_for_state(&store, &submission.id, SubmissionState::Rejected);

    let rejected = store.submission(&submission.id)?;
    assert!(
        rejected
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("SHA-256"),
        "{rejected:?}"
    );
    assert_eq!(store.draft(&draft.id)?.state, DraftState::Draft);
    assert_eq!(store.outbox_len()?, 0);
    assert_eq!(centre.count(), 0);
    Ok(())
}

#[test]
fn demo_draft_never_queued() -> TestResult {
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, true);

    let error = store.submit_draft(&draft.id, true).unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert_eq!(store.outbox_len()?, 0);
    Ok(())
}

#[test]
fn remote_plain_http_rejected() -> TestResult {
    let station = tempfile::TempDir::new()?;

    let error = SyncHandle::start(
        station.path(),
        fast_settings("http://192.0.2.10:8787/", None),
    )
    .err()
    .expect("plain http to another host is rejected");

    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(error.to_string().contains("192.0.2.10"), "{error}");
    Ok(())
}
