//! The provincial centre in the window, against the reference centre served
//! on loopback. The test covers the header's sync status, enrolling the
//! station with the school's token (a wrong one first), a submission
//! reaching the centre, and the finished photo coming back for the student
//! to proofread and for staff to export. It ends with the station panel's
//! diagnostics bundle and close button.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::Client;
use sha2::{Digest, Sha256};
use tucai_center::{Action, Centre};
use tucai_tests::window::{
    STEP, TestStation, attr, click, displayed, identify, one_window_at_a_time, shot, sign_in,
    text_of, type_into, wait_for, wait_until,
};

use crate::{STUDENT_CODE, SUPERVISOR, SUPERVISOR_PASSWORD};

/// Limit for a sync step. The station reads the centre's changes every 5 s,
/// but a round on a loaded machine can take much longer than that.
const SYNC: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn centre_round_trip() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let centre_dir = tempfile::tempdir()?;
    let centre = Centre::open(centre_dir.path(), "window-test-staff-key")?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(centre.clone().serve(listener, async {
        let _ = stopped.await;
    }));
    let token = centre.issue_token("示范大学")?;

    let station = TestStation::new(&format!(
        "centre_url = \"http://{addr}/\"\n\
         station_name = \"图书馆一楼\"\n\
         sync_poll_seconds = 5\n\
         sync_retry_min_seconds = 1\n\
         sync_retry_max_seconds = 5\n"
    ))?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;
    // The centre renders the finished photo from the original, which needs
    // a frame as large as a camera's.
    crate::submit::store_device_draft(&station, "demo-camera/frame-00.jpg")?;
    let exports = tempfile::tempdir()?;

    let (_driver, client) = station.open(&[]).await?;
    let outcome = round_trip(&client, &station, &centre, &token, exports.path()).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-centre").await;
    }
    // The last step closes the station, which ends the WebDriver session.
    let _ = client.close().await;
    let _ = stop.send(());
    outcome
}

async fn round_trip(
    client: &Client,
    station: &TestStation,
    centre: &Centre,
    token: &str,
    exports: &Path,
) -> Result<()> {
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    wait_until("the sync status in the header", STEP, || async {
        Ok(attr(client, "#sync-status", "data-state").await?.as_deref() == Some("unenrolled"))
    })
    .await?;

    enrol(client, token).await?;
    submit(client, centre).await?;
    let finished = finish(client, centre).await?;
    export_finished(client, exports, &finished).await?;
    station_panel(client, station, exports).await
}

/// Opens the centre panel from the header, refuses a wrong token, then
/// enrols with the school's token and waits for the station to go online.
async fn enrol(client: &Client, token: &str) -> Result<()> {
    click(client, "#sync-status")
        .await
        .context("opening the centre panel from the header")?;
    wait_for(client, "#panel-centre").await?;
    let status = text_of(client, "#centre-status").await?;
    ensure!(
        status.contains("127.0.0.1"),
        "the address is shown: {status}"
    );

    // A supervisor is signed in, so enrolling needs no approval dialog.
    type_into(client, "#enrol-token", "not-the-school-token")
        .await
        .context("typing the wrong token")?;
    click(client, "#enrol-submit")
        .await
        .context("enrolling with the wrong token")?;
    wait_until("the refused token's message", STEP, || async {
        Ok(displayed(client, "#enrol-result").await?
            && attr(client, "#enrol-result", "class")
                .await?
                .is_some_and(|c| c.contains("is-problem")))
    })
    .await?;
    let refused = text_of(client, "#enrol-result").await?;
    assert!(
        refused.contains("省中心拒绝了这次注册") && refused.contains("申请新的注册码"),
        "the refusal and its fix are in Chinese: {refused}"
    );
    shot(client, "staff-centre-refused").await?;

    type_into(client, "#enrol-token", token).await?;
    click(client, "#enrol-submit").await?;
    wait_until("the enrolment", STEP, || async {
        Ok(displayed(client, "#enrol-result").await?
            && !attr(client, "#enrol-result", "class")
                .await?
                .is_some_and(|c| c.contains("is-problem")))
    })
    .await?;
    wait_until("the station online", SYNC, || async {
        Ok(attr(client, "#sync-status", "data-state").await?.as_deref() == Some("online"))
    })
    .await?;
    shot(client, "staff-centre").await
}

/// Submits the stored draft and waits until the centre has stored it and
/// the header shows an empty outbox.
async fn submit(client: &Client, centre: &Centre) -> Result<()> {
    click(client, "#staff-back").await?;
    identify(client, STUDENT_CODE).await?;
    click(client, "#card-drafts").await?;
    wait_for(client, "#draft-box .draft").await?;
    crate::submit::choose_first_draft(client).await?;
    click(client, "#submit-draft").await?;
    confirm(client).await?;
    wait_until("the submission at the centre", SYNC, || async {
        Ok(centre.submissions()?.len() == 1)
    })
    .await?;
    wait_until("an empty outbox in the header", SYNC, || async {
        Ok(attr(client, "#sync-status", "data-waiting")
            .await?
            .as_deref()
            == Some("0"))
    })
    .await
}

/// Finishes the submission at the centre, which renders the finished photo,
/// and waits until the student's card shows it. Returns the photo's SHA-256.
async fn finish(client: &Client, centre: &Centre) -> Result<String> {
    let id = centre.submissions()?[0].id.clone();
    let worker = centre.clone();
    let row = tokio::task::spawn_blocking(move || worker.apply(&id, &Action::Finish))
        .await?
        .map_err(|e| anyhow::anyhow!("the centre could not finish the photo: {e:?}"))?;
    let finished = row
        .finished_sha256
        .context("a finished submission has a photo")?;

    click(client, "#next-student").await?;
    wait_until("the finished photo on the card", SYNC, || async {
        identify(client, STUDENT_CODE).await?;
        // The card reads the submission after the student; give it a moment.
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(attr(client, "#student-submission", "data-state")
            .await?
            .as_deref()
            == Some("finished"))
    })
    .await?;
    wait_for(client, "#student-submission .finished-photo").await?;
    let src = attr(client, "#student-submission .finished-photo", "src").await?;
    ensure!(
        src.is_some_and(|s| s.starts_with("data:image/jpeg;base64,")),
        "the finished photo is shown"
    );
    shot(client, "student-finished").await?;
    Ok(finished)
}

/// Exports the finished photo from the card: first with no folder, then
/// into `exports`, and checks the file is the centre's photo.
async fn export_finished(client: &Client, exports: &Path, finished: &str) -> Result<()> {
    type_into(client, "#finished-folder", "").await?;
    click(client, "#finished-export").await?;
    wait_for(client, "#finished-result.is-problem").await?;

    let folder = exports.to_str().context("UTF-8 path")?;
    type_into(client, "#finished-folder", folder).await?;
    click(client, "#finished-export").await?;
    let file = exports.join(format!("{STUDENT_CODE}.jpg"));
    wait_until("the exported finished photo", STEP, || async {
        Ok(file.is_file() && text_of(client, "#finished-result").await?.contains(folder))
    })
    .await?;
    let saved = hex::encode(Sha256::digest(std::fs::read(&file)?));
    ensure!(
        saved == finished,
        "the export is the centre's finished photo"
    );
    Ok(())
}

/// Reads the dashboard's sync figures, exports a diagnostics bundle from
/// the station panel, then closes the station with the supervisor's
/// confirmation and finds the audit entry.
async fn station_panel(client: &Client, station: &TestStation, exports: &Path) -> Result<()> {
    click(client, "#open-staff").await?;
    click(client, "#tab-dashboard").await?;
    wait_until("the dashboard's finished photo", STEP, || async {
        Ok(text_of(client, "#dashboard-tiles [data-key=finished] dd").await? == "1")
    })
    .await?;
    let waiting = text_of(client, "#dashboard-tiles [data-key=waiting_to_sync] dd").await?;
    ensure!(
        waiting == "0",
        "nothing waits to be sent, the dashboard shows {waiting}"
    );

    click(client, "#tab-station").await?;
    wait_for(client, "#panel-station").await?;
    let folder = exports.to_str().context("UTF-8 path")?;
    type_into(client, "#diagnostics-folder", folder).await?;
    click(client, "#diagnostics-submit").await?;
    wait_until("the diagnostics bundle", STEP, || async {
        Ok(displayed(client, "#diagnostics-result").await?
            && text_of(client, "#diagnostics-result")
                .await?
                .contains(folder))
    })
    .await?;
    let bundles = std::fs::read_dir(exports)?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .count();
    ensure!(
        bundles == 1,
        "one diagnostics folder was made, found {bundles}"
    );
    shot(client, "staff-station").await?;

    click(client, "#close-station").await?;
    wait_for(client, "#act-dialog").await?;
    ensure!(
        !displayed(client, "#act-approval").await?,
        "a supervisor is signed in"
    );
    // The confirmation closes the window, so WebDriver may report the click
    // as failed when the window is gone before its reply. The audit log
    // below shows whether the close happened.
    if let Err(e) = click(client, "#act-confirm").await {
        eprintln!("the click that closed the window returned: {e}");
    }
    wait_until("the audited close", STEP, || async {
        let closes: i64 = station.database()?.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'kiosk_exit'",
            [],
            |r| r.get(0),
        )?;
        Ok(closes == 1)
    })
    .await
}

/// Confirms the act dialog. A supervisor is signed in, so the dialog shows
/// no approval fields.
async fn confirm(client: &Client) -> Result<()> {
    wait_for(client, "#act-dialog").await?;
    ensure!(
        !displayed(client, "#act-approval").await?,
        "a supervisor is signed in"
    );
    click(client, "#act-confirm").await
}
