//! The automatic capture: with `auto_capture` on, the live screen counts
//! down while the live checks report the student ready, then captures by
//! itself and shows the verdict.

use anyhow::{Result, ensure};
use fantoccini::Client;
use tucai_tests::window::{
    CAPTURE, STEP, TestStation, displayed, identify, one_window_at_a_time, shot, sign_in, text_of,
    to_live, wait_until,
};

use crate::{STUDENT_CODE, SUPERVISOR, SUPERVISOR_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_student_captured_automatically() -> Result<()> {
    let _one = one_window_at_a_time().await;
    // A long hold, so that the countdown shows for several live updates.
    let station = TestStation::new("auto_capture = true\nauto_capture_hold_ms = 4000\n")?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;

    let (_driver, client) = station.open(&[]).await?;
    let outcome = count_down_and_capture(&client, &station).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-auto").await;
    }
    client.close().await?;
    outcome
}

async fn count_down_and_capture(client: &Client, station: &TestStation) -> Result<()> {
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    identify(client, STUDENT_CODE).await?;
    to_live(client).await?;

    wait_until("the countdown", STEP, || displayed(client, "#countdown")).await?;
    let seconds: u32 = text_of(client, "#countdown-number").await?.trim().parse()?;
    ensure!(
        (1..=4).contains(&seconds),
        "the countdown shows whole seconds of the 4 s hold, not {seconds}"
    );
    shot(client, "live-countdown").await?;

    // The test never presses capture, so the verdict comes from the automatic capture.
    wait_until("the automatic capture's verdict", CAPTURE, || {
        displayed(client, "#verdict")
    })
    .await?;
    let captures: i64 =
        station
            .database()?
            .query_row("SELECT COUNT(*) FROM captures", [], |r| r.get(0))?;
    ensure!(captures == 1, "one capture was taken, found {captures}");
    Ok(())
}
