//! The draft box limit: with room for two drafts, a third passing capture
//! is not kept and the box says what to do; deleting a draft before its
//! time takes a supervisor's approval while an operator is signed in.

use anyhow::Result;
use fantoccini::{Client, Locator};
use tucai_tests::window::{
    STEP, TestStation, attr, capture, click, displayed, identify, one_window_at_a_time, shot,
    sign_in, text_of, to_live, type_into, wait_for, wait_until,
};

use crate::{OPERATOR, OPERATOR_PASSWORD, STUDENT_CODE, SUPERVISOR, SUPERVISOR_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_draft_box_keeps_no_more() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let station = TestStation::new("draft_limit = 2\n")?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;
    station.add_staff(OPERATOR, "operator", OPERATOR_PASSWORD)?;

    let (_driver, client) = station.open(&[]).await?;
    let outcome = fill_and_delete(&client, &station).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-drafts").await;
    }
    client.close().await?;
    outcome
}

async fn fill_and_delete(client: &Client, station: &TestStation) -> Result<()> {
    sign_in(client, OPERATOR, OPERATOR_PASSWORD).await?;
    identify(client, STUDENT_CODE).await?;
    to_live(client).await?;

    for taken in 1..=2 {
        capture(client).await?;
        assert_eq!(
            attr(client, "#verdict", "data-passed").await?.as_deref(),
            Some("true"),
            "capture {taken} passes on the demo camera"
        );
        assert!(
            !displayed(client, "#not-saved").await?,
            "capture {taken} is kept"
        );
        click(client, "#retake").await?;
        wait_for(client, "#capture").await?;
    }

    // The third passing capture does not fit.
    capture(client).await?;
    wait_for(client, "#not-saved").await?;
    let not_saved = text_of(client, "#not-saved").await?;
    assert!(
        !not_saved.is_empty(),
        "the verdict says the photo was not kept"
    );
    shot(client, "verdict-box-full").await?;

    click(client, "#to-drafts").await?;
    wait_until("two drafts", STEP, || async {
        Ok(client
            .find_all(Locator::Css("#draft-box .draft"))
            .await?
            .len()
            == 2)
    })
    .await?;
    wait_for(client, "#drafts-full").await?;
    let retake = client.find(Locator::Css("#drafts-retake")).await?;
    assert!(
        !retake.is_enabled().await?,
        "a full box offers no new capture"
    );
    shot(client, "drafts-full").await?;

    delete_first_draft(client).await?;
    let rows: u32 = station
        .database()?
        .query_row("SELECT count(*) FROM drafts", [], |r| r.get(0))?;
    assert_eq!(rows, 1, "one draft left in the store");
    Ok(())
}

/// Deletes the first draft before its waiting time: the dialog asks for a
/// supervisor's approval because an operator is signed in.
async fn delete_first_draft(client: &Client) -> Result<()> {
    click(client, "#draft-box .draft .draft-delete").await?;
    wait_for(client, "#act-dialog").await?;
    assert!(
        displayed(client, "#act-approval").await?,
        "an early deletion needs a supervisor"
    );
    type_into(client, "#act-username", SUPERVISOR).await?;
    type_into(client, "#act-password", SUPERVISOR_PASSWORD).await?;
    shot(client, "draft-delete-dialog").await?;
    click(client, "#act-confirm").await?;
    wait_until("one draft left", STEP, || async {
        Ok(!displayed(client, "#act-dialog").await?
            && client
                .find_all(Locator::Css("#draft-box .draft"))
                .await?
                .len()
                == 1)
    })
    .await?;
    assert!(
        !displayed(client, "#drafts-full").await?,
        "the box has room again"
    );
    let retake = client.find(Locator::Css("#drafts-retake")).await?;
    assert!(retake.is_enabled().await?, "a new capture fits again");
    shot(client, "drafts-after-delete").await
}
