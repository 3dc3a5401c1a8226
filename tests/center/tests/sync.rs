//! The station's sync worker against the real reference centre over
//! loopback: the happy path, outages, faults, a killed station, repeated
//! deliveries, tampering, and results flowing back.

mod support;

use std::process::{Command, Stdio};
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

const RECEIVED: SubmissionState = SubmissionState::Centre(CentreState::Received);

/// Returns the actor and action of the newest audit entries, newest first.
fn audit_actions(store: &Store, limit: u32) -> Vec<(String, String)> {
    store
        .audit_entries(limit)
        .expect("audit entries")
        .into_iter()
        .map(|entry| (entry.actor, entry.action))
        .collect()
}

#[test]
fn upload_finish_and_final_flow_back() -> TestResult {
    let centre = TestCentre::start();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    enrol(station.path(), &centre);
    let sync = SyncHandle::start(station.path(), fast_settings(&centre.url()))?;

    let submission = store.submit_draft(&draft.id, "wang.li", false)?;
    sync.wake();
    wait_for_state(&store, &submission.id, RECEIVED);

    let stored = centre
        .centre
        .submission(&submission.id)?
        .expect("stored at centre");
    assert_eq!(stored.original_sha256, draft.original_sha256);
    assert_eq!(stored.collection_code, STUDENT);
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
    assert_eq!(
        store.submission(&submission.id)?.finished_jpeg,
        Some(finished)
    );
    let actions = audit_actions(&store, 2);
    assert_eq!(actions[0], ("centre".into(), "centre_final".into()));
    assert_eq!(actions[1], ("wang.li".into(), "submit".into()));

    let other = save_draft(&mut store, STUDENT, false);
    let refused = store.submit_draft(&other.id, "zhao.op", false).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Denied);
    assert!(refused.to_string().contains("final"), "{refused}");
    let replaced = store.submit_draft(&other.id, "wang.li", true)?;
    wait_for_state(&store, &replaced.id, RECEIVED);
    assert_eq!(centre.count(), 2);
    assert_eq!(
        audit_actions(&store, 1)[0],
        ("wang.li".into(), "submit_replacing_final".into())
    );
    assert!(store.verify_audit().is_ok());
    Ok(())
}

#[test]
fn reset_returns_student_to_capture() -> TestResult {
    let centre = TestCentre::start();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    enrol(station.path(), &centre);
    let _sync = SyncHandle::start(station.path(), fast_settings(&centre.url()))?;
    let first = store.submit_draft(&draft.id, "test", false)?;
    wait_for_state(&store, &first.id, RECEIVED);
    let second_draft = save_draft(&mut store, STUDENT, false);
    let while_received = store
        .submit_draft(&second_draft.id, "test", false)
        .unwrap_err();

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
    let entry = &store.audit_entries(1)?[0];
    assert_eq!(entry.action, "centre_reset");
    assert!(entry.details.contains("glasses reflect the light"));

    let same_again = store.submit_draft(&draft.id, "test", false).unwrap_err();
    assert_eq!(same_again.kind(), ErrorKind::Conflict);
    assert!(same_again.to_string().contains("capture a new photo"));

    let again = store.submit_draft(&second_draft.id, "test", false)?;
    wait_for_state(&store, &again.id, RECEIVED);
    assert_eq!(centre.count(), 2);
    Ok(())
}

#[test]
fn centre_down_then_up() -> TestResult {
    let centre = TestCentre::start();
    let url = centre.url();
    let port = centre.addr.port();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    enrol(station.path(), &centre);
    let centre_dir = centre.stop();
    let draft = save_draft(&mut store, STUDENT, false);
    let submission = store.submit_draft(&draft.id, "test", false)?;
    let sync = SyncHandle::start(station.path(), fast_settings(&url))?;

    wait_for("a failed round", || sync.state().last_error.is_some());
    let down = sync.state();
    assert!(!down.online);
    let error = down.last_error.expect("error").en;
    assert!(error.contains("not reachable"), "{error}");
    assert!(error.contains("retries by itself"), "{error}");
    assert_eq!(store.outbox_len()?, 1);

    let centre = TestCentre::start_in(centre_dir, port);
    wait_for_state(&store, &submission.id, RECEIVED);
    assert_eq!(centre.count(), 1);
    wait_for("a successful round", || sync.state().last_error.is_none());
    assert!(sync.state().online);
    Ok(())
}

#[test]
fn server_errors_retried() -> TestResult {
    let centre = TestCentre::start();
    centre.centre.faults().fail_next_uploads(3);
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    enrol(station.path(), &centre);
    let _sync = SyncHandle::start(station.path(), fast_settings(&centre.url()))?;

    let submission = store.submit_draft(&draft.id, "test", false)?;
    wait_for_state(&store, &submission.id, RECEIVED);

    assert_eq!(
        centre.centre.faults().failures_left(),
        0,
        "three 500s answered"
    );
    assert_eq!(centre.count(), 1);
    Ok(())
}

#[test]
fn failing_centre_reported_online() -> TestResult {
    let centre = TestCentre::start();
    centre.centre.faults().fail_next_uploads(u32::MAX);
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    enrol(station.path(), &centre);
    let sync = SyncHandle::start(station.path(), fast_settings(&centre.url()))?;

    let submission = store.submit_draft(&draft.id, "test", false)?;
    wait_for("a round failed with 500", || {
        sync.state().last_error.is_some()
    });
    let failing = sync.state();
    centre.centre.faults().fail_next_uploads(0);
    wait_for_state(&store, &submission.id, RECEIVED);

    let error = failing.last_error.expect("error").en;
    assert!(error.contains("500"), "{error}");
    assert!(failing.online, "a centre that answers 500 is reachable");
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
    enrol(station.path(), &centre);
    let mut settings = fast_settings(&centre.url());
    settings.request_timeout = Duration::from_secs(1);
    let sync = SyncHandle::start(station.path(), settings)?;

    let submission = store.submit_draft(&draft.id, "test", false)?;
    wait_for("two uploads held by the centre", || {
        centre.centre.faults().stored_while_held() >= 2
    });
    wait_for("a timed-out round", || {
        sync.state()
            .last_error
            .is_some_and(|text| text.en.contains("timed out"))
    });
    assert_eq!(store.outbox_len()?, 1);
    assert_eq!(state_of(&store, &submission.id), SubmissionState::Queued);

    centre.centre.faults().release();
    wait_for("the outbox to empty", || {
        store.outbox_len().unwrap_or(1) == 0
    });
    assert_eq!(centre.count(), 1);
    assert_ne!(state_of(&store, &submission.id), SubmissionState::Queued);
    Ok(())
}

fn spawn_worker(station: &std::path::Path, url: &str) -> ChildGuard {
    let child = Command::new(env!("CARGO_BIN_EXE_tucai-sync-worker"))
        .arg("--data-dir")
        .arg(station)
        .arg("--centre")
        .arg(url)
        .arg("--timeout-ms")
        .arg("60000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sync worker starts");
    ChildGuard(child)
}

#[test]
fn killed_mid_upload_recovers() -> TestResult {
    let centre = TestCentre::start();
    centre.centre.faults().hold_after_store();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let submission = store.submit_draft(&draft.id, "test", false)?;
    enrol(station.path(), &centre);

    let worker = spawn_worker(station.path(), &centre.url());
    wait_for("the upload held open", || {
        centre.centre.faults().held() >= 1
    });
    // Dropping the guard sends SIGKILL: the worker gets no chance to
    // finish the request or write anything.
    drop(worker);

    assert_eq!(centre.count(), 1, "the centre stored the upload");
    assert_eq!(store.outbox_len()?, 1, "the station never saw the answer");
    assert_eq!(state_of(&store, &submission.id), SubmissionState::Queued);

    centre.centre.faults().release();
    let restarted = spawn_worker(station.path(), &centre.url());
    wait_for("the outbox to empty", || {
        store.outbox_len().unwrap_or(1) == 0
    });
    drop(restarted);

    assert_eq!(centre.count(), 1);
    assert_eq!(state_of(&store, &submission.id), RECEIVED);
    Ok(())
}

#[test]
fn demo_draft_never_queued() -> TestResult {
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, true);

    let error = store.submit_draft(&draft.id, "test", true).unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Conflict);
    assert!(error.to_string().contains("demo camera"), "{error}");
    assert_eq!(store.outbox_len()?, 0);
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
    enrol(station.path(), &centre);
    let _sync = SyncHandle::start(station.path(), fast_settings(&centre.url()))?;

    let submission = store.submit_draft(&draft.id, "test", false)?;
    wait_for_state(&store, &submission.id, SubmissionState::Rejected);

    let rejected = store.submission(&submission.id)?;
    let reason = rejected.reason.unwrap_or_default();
    assert!(reason.contains("SHA-256"), "{reason}");
    assert_eq!(store.draft(&draft.id)?.state, DraftState::Draft);
    assert_eq!(store.outbox_len()?, 0);
    assert_eq!(centre.count(), 0);
    assert_eq!(store.audit_entries(1)?[0].action, "upload_rejected");
    Ok(())
}

#[test]
fn unenrolled_station_waits() -> TestResult {
    let centre = TestCentre::start();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    let submission = store.submit_draft(&draft.id, "test", false)?;

    let sync = SyncHandle::start(station.path(), fast_settings(&centre.url()))?;
    wait_for("a failed round", || sync.state().last_error.is_some());
    let error = sync.state().last_error.expect("error").en;
    enrol(station.path(), &centre);
    sync.wake();
    wait_for_state(&store, &submission.id, RECEIVED);

    assert!(error.contains("not enrolled"), "{error}");
    assert_eq!(centre.count(), 1);
    Ok(())
}

#[test]
fn reenrolment_keeps_station() -> TestResult {
    let centre = TestCentre::start();
    let station = tempfile::TempDir::new()?;
    let mut store = station_store(station.path());
    let draft = save_draft(&mut store, STUDENT, false);
    enrol(station.path(), &centre);
    let first = store.enrolment(&centre.url())?.expect("enrolled");

    let sync = SyncHandle::start(station.path(), fast_settings(&centre.url()))?;
    let submission = store.submit_draft(&draft.id, "test", false)?;
    wait_for_state(&store, &submission.id, RECEIVED);
    wait_for("the received change applied", || {
        store
            .enrolment(&centre.url())
            .is_ok_and(|e| e.is_some_and(|e| e.feed_cursor != "0"))
    });
    drop(sync);
    let cursor = store
        .enrolment(&centre.url())?
        .expect("enrolled")
        .feed_cursor;

    enrol(station.path(), &centre);
    let second = store.enrolment(&centre.url())?.expect("enrolled");
    let _sync = SyncHandle::start(station.path(), fast_settings(&centre.url()))?;
    centre.centre.apply(
        &submission.id,
        &Action::Reset {
            reason: "eyes closed".to_string(),
        },
    )?;
    wait_for_state(
        &store,
        &submission.id,
        SubmissionState::Centre(CentreState::Reset),
    );

    assert_eq!(second.station_id, first.station_id);
    assert_ne!(second.credential, first.credential);
    assert_eq!(second.feed_cursor, cursor);
    let resets = store
        .audit_entries(50)?
        .into_iter()
        .filter(|entry| entry.action == "centre_reset")
        .count();
    assert_eq!(resets, 1);
    Ok(())
}

#[test]
fn used_token_rejected() -> TestResult {
    let centre = TestCentre::start();
    let station = tempfile::TempDir::new()?;
    let token = centre.centre.issue_token("Test University")?;
    let settings = fast_settings(&centre.url());
    tucai_core::sync::enrol(station.path(), &settings, &token)?;

    let reused = tucai_core::sync::enrol(station.path(), &settings, &token).unwrap_err();
    let unknown = tucai_core::sync::enrol(station.path(), &settings, "nonsense").unwrap_err();
    let down = tucai_core::sync::enrol(
        station.path(),
        &fast_settings(&format!("http://127.0.0.1:{}/", free_port())),
        &token,
    )
    .unwrap_err();

    assert_eq!(reused.kind(), ErrorKind::InvalidInput);
    assert!(reused.to_string().contains("new token"), "{reused}");
    assert_eq!(unknown.kind(), ErrorKind::InvalidInput);
    assert_eq!(down.kind(), ErrorKind::Network);
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
    let feed = centre
        .runtime
        .block_on(client.changes(&credential, "0", 100))?;
    assert_eq!(feed.changes.len(), 1, "one received change, not two");

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
    let other_key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let wrong_key = SignedUpload::sign(
        &metadata("sub-2", &station_id, &signed.original),
        signed.original.clone(),
        &other_key,
    );

    let file_error = centre
        .runtime
        .block_on(client.upload(&credential, &tampered_file))
        .unwrap_err();
    let metadata_error = centre
        .runtime
        .block_on(client.upload(&credential, &tampered_metadata))
        .unwrap_err();
    let key_error = centre
        .runtime
        .block_on(client.upload(&credential, &wrong_key))
        .unwrap_err();
    let credential_error = centre
        .runtime
        .block_on(client.upload("not-the-credential", &signed))
        .unwrap_err();

    assert!(
        matches!(&file_error, ClientError::Rejected { status: 422, code, .. } if code == "hash_mismatch"),
        "{file_error:?}"
    );
    assert!(
        matches!(&metadata_error, ClientError::Rejected { status: 422, code, .. } if code == "bad_signature"),
        "{metadata_error:?}"
    );
    assert!(
        matches!(&key_error, ClientError::Rejected { status: 422, code, .. } if code == "bad_signature"),
        "{key_error:?}"
    );
    assert!(
        matches!(
            &credential_error,
            ClientError::Unauthorized { status: 401, .. }
        ),
        "{credential_error:?}"
    );
    assert_eq!(centre.count(), 0);
    Ok(())
}

#[test]
fn feed_pages_with_cursor() -> TestResult {
    let centre = TestCentre::start();
    let (client, key, station_id, credential) = enrolled_client(&centre)?;
    let original = original_png().to_vec();
    for n in 0..3 {
        let id = format!("sub-page-{n}");
        let upload = SignedUpload::sign(
            &metadata(&id, &station_id, &original),
            original.clone(),
            &key,
        );
        centre
            .runtime
            .block_on(client.upload(&credential, &upload))?;
    }

    let first = centre
        .runtime
        .block_on(client.changes(&credential, "0", 2))?;
    let second = centre
        .runtime
        .block_on(client.changes(&credential, &first.cursor, 2))?;
    let bad_cursor = centre
        .runtime
        .block_on(client.changes(&credential, "yesterday", 2))
        .unwrap_err();

    assert_eq!(first.changes.len(), 2);
    assert!(first.more);
    assert_eq!(second.changes.len(), 1);
    assert!(!second.more);
    assert_eq!(second.changes[0].submission_id, "sub-page-2");
    assert!(
        matches!(&bad_cursor, ClientError::Rejected { status: 400, code, .. } if code == "invalid_cursor"),
        "{bad_cursor:?}"
    );
    Ok(())
}

#[test]
fn untrusted_certificate_rejected() -> TestResult {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    // A self-signed certificate for localhost, made for this test only, so
    // no trust store on any machine accepts it.
    #[allow(deprecated)] // ring, as in the station's client
    let _ = rustls::crypto::ring::default_provider().install_default();
    let certificates =
        CertificateDer::pem_slice_iter(include_bytes!("fixtures/untrusted-localhost.crt"))
            .collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(include_bytes!("fixtures/untrusted-localhost.key"))?;
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certificates, key)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let runtime = tokio::runtime::Runtime::new()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let port = listener.local_addr()?.port();
    let server = runtime.spawn(async move {
        let (tcp, _) = listener.accept().await?;
        acceptor.accept(tcp).await.map(|_| ())
    });

    let client = CentreClient::new(
        CentreUrl::parse(&format!("https://127.0.0.1:{port}/"))?,
        Duration::from_secs(30),
    )?;
    let request = EnrolRequest {
        token: "token".to_string(),
        public_key: "key".to_string(),
        station_name: "test".to_string(),
    };
    let error = runtime.block_on(client.enrol(&request)).unwrap_err();
    let handshake = runtime.block_on(server)?;

    assert!(
        matches!(error, ClientError::Unreachable { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("certificate"), "{error}");
    assert!(handshake.is_err(), "the station ended the handshake");
    Ok(())
}
