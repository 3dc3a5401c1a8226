//! Submitting the chosen draft. The replay and demo cameras make demo
//! drafts only, which can never be submitted, so this test stores a
//! non-demo draft through the store first, as a device camera's capture
//! would leave it: a real photo as the original and a JPEG as the
//! rendered photo. No centre is set, so the submission waits in the
//! outbox.

use anyhow::Result;
use fantoccini::{Client, Locator};
use tucai_core::store::{NewCapture, Store};
use tucai_tests::repo_root;
use tucai_tests::window::{
    STEP, TestStation, attr, click, displayed, identify, one_window_at_a_time, shot, sign_in,
    text_of, wait_for, wait_until,
};

use crate::{STUDENT_CODE, SUPERVISOR, SUPERVISOR_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chosen_draft_is_queued() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let station = TestStation::new("")?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;
    store_device_draft(&station, "fixtures/grace_hopper_uniform_bg.png")?;

    let (_driver, client) = station.open(&[]).await?;
    let outcome = submit(&client, &station).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-submit").await;
    }
    client.close().await?;
    outcome
}

/// Stores one passing, non-demo capture of the sample student as a draft,
/// with the photo `original` (relative to assets) as its original, stored
/// as PNG as the station stores a camera's frame.
pub(crate) fn store_device_draft(station: &TestStation, original: &str) -> Result<()> {
    let assets = repo_root().join("assets");
    let frame = image::open(assets.join(original))?.to_rgb8();
    let mut original = Vec::new();
    frame.write_to(
        &mut std::io::Cursor::new(&mut original),
        image::ImageFormat::Png,
    )?;
    let rendered = std::fs::read(assets.join("fixtures/grace_hopper.jpg"))?;
    let mut store = Store::open(station.data.path())?;
    let student = store.find_student(STUDENT_CODE)?;
    let capture = store.record_capture(&NewCapture {
        student_id: student.id,
        passed: true,
        demo: false,
        recapture: false,
        report_json: "{\"passed\":true}".into(),
        frame_width: frame.width(),
        frame_height: frame.height(),
    })?;
    store.save_draft(&capture, student.id, false, &original, &rendered, 6)?;
    Ok(())
}

async fn submit(client: &Client, station: &TestStation) -> Result<()> {
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    identify(client, STUDENT_CODE).await?;
    assert!(
        !displayed(client, "#student-submission").await?,
        "nothing was submitted yet"
    );
    click(client, "#card-drafts").await?;
    wait_for(client, "#draft-box .draft").await?;
    let submit = client.find(Locator::Css("#submit-draft")).await?;
    assert!(!submit.is_enabled().await?, "nothing is chosen yet");

    choose_first_draft(client).await?;
    click(client, "#submit-draft").await?;
    wait_for(client, "#act-dialog").await?;
    assert!(
        !displayed(client, "#act-approval").await?,
        "a supervisor is signed in"
    );
    click(client, "#act-confirm").await?;

    wait_for(client, "#drafts-submission").await?;
    assert_eq!(
        attr(client, "#drafts-submission", "data-state")
            .await?
            .as_deref(),
        Some("queued")
    );
    let submit = client.find(Locator::Css("#submit-draft")).await?;
    assert!(!submit.is_enabled().await?, "one submission at a time");
    let badge = text_of(client, "#draft-box .badge-submitted").await?;
    assert!(!badge.is_empty(), "the draft is marked submitted");
    shot(client, "drafts-submitted").await?;

    // The card shows the submission the next time the student comes.
    click(client, "#next-student").await?;
    identify(client, STUDENT_CODE).await?;
    wait_for(client, "#student-submission").await?;
    assert_eq!(
        attr(client, "#student-submission", "data-state")
            .await?
            .as_deref(),
        Some("queued")
    );
    shot(client, "student-submitted").await?;

    let (state, drafts): (String, String) = station.database()?.query_row(
        "SELECT s.state, d.state FROM submissions s JOIN drafts d ON d.id = s.draft_id",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(state, "queued");
    assert_eq!(drafts, "submitted");
    Ok(())
}

/// Chooses the first draft in the draft box and waits until the submit
/// button is enabled.
pub(crate) async fn choose_first_draft(client: &Client) -> Result<()> {
    click(client, "#draft-box .draft-choose").await?;
    wait_until("the enabled submit button", STEP, || async {
        Ok(client
            .find(Locator::Css("#submit-draft"))
            .await?
            .is_enabled()
            .await?)
    })
    .await?;
    Ok(())
}
