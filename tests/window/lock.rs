//! A student locked by failed captures, and a supervisor's unlock approved
//! in the dialog while an operator is signed in. The camera replays a photo
//! that fails the checks (an open mouth on a busy background), and the
//! settings lock after two failures.

use anyhow::Result;
use fantoccini::Client;
use tucai_tests::window::{
    STEP, TestStation, attr, capture, click, displayed, fixture, identify, one_window_at_a_time,
    shot, sign_in, text_of, to_live, type_into, wait_for, wait_until,
};

use crate::{OPERATOR, OPERATOR_PASSWORD, STUDENT_CODE, SUPERVISOR, SUPERVISOR_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_captures_lock_until_unlocked() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let station = TestStation::new("lock_failures = 2\n")?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;
    station.add_staff(OPERATOR, "operator", OPERATOR_PASSWORD)?;

    let photo = fixture("astronaut.png")?;
    let (_driver, client) = station.open(&["--replay", &photo]).await?;
    let outcome = lock_and_unlock(&client, &station).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-lock").await;
    }
    client.close().await?;
    outcome
}

async fn lock_and_unlock(client: &Client, station: &TestStation) -> Result<()> {
    sign_in(client, OPERATOR, OPERATOR_PASSWORD).await?;
    identify(client, STUDENT_CODE).await?;
    to_live(client).await?;

    // The first failure: the rules to fix, and one try left.
    capture(client).await?;
    assert_eq!(
        attr(client, "#verdict", "data-passed").await?.as_deref(),
        Some("false")
    );
    wait_for(client, "#verdict-fixes .fix").await?;
    let fixes = text_of(client, "#verdict-fixes").await?;
    assert!(!fixes.trim().is_empty(), "the failing rules are listed");
    let left = text_of(client, "#attempts-left").await?;
    assert!(left.contains('1'), "one failure left before a lock: {left}");
    assert_eq!(
        attr(client, "body", "data-tone").await?.as_deref(),
        Some("fail")
    );
    shot(client, "verdict-fail").await?;

    // The second failure locks the student: no retake, the lock's reason.
    click(client, "#retake").await?;
    wait_for(client, "#capture").await?;
    capture(client).await?;
    wait_for(client, "#verdict-lock").await?;
    assert!(!displayed(client, "#retake").await?, "a lock hides Retake");
    assert!(!displayed(client, "#attempts-left").await?);
    let lock = text_of(client, "#verdict-lock").await?;
    assert!(!lock.trim().is_empty(), "the lock says why and until when");
    shot(client, "verdict-locked").await?;

    // The card shows the lock, and Continue is disabled.
    click(client, "#verdict-next").await?;
    identify(client, STUDENT_CODE).await?;
    wait_for(client, "#student-lock").await?;
    assert_eq!(
        attr(client, "#student-card", "data-locked")
            .await?
            .as_deref(),
        Some("true")
    );
    let to_guide = client.find(fantoccini::Locator::Css("#to-guide")).await?;
    assert!(
        !to_guide.is_enabled().await?,
        "a locked student cannot go on"
    );
    shot(client, "student-locked").await?;

    unlock_with_approval(client).await?;
    check_audit(station)
}

/// Unlocks in the dialog: a reason, then a wrong password, then the
/// supervisor's.
async fn unlock_with_approval(client: &Client) -> Result<()> {
    click(client, "#card-unlock").await?;
    wait_for(client, "#act-dialog").await?;
    assert!(
        displayed(client, "#act-approval").await?,
        "an operator needs a supervisor's approval"
    );
    click(client, "#act-confirm").await?;
    wait_for(client, "#act-error").await?;

    type_into(client, "#act-reason", "光线已调整，学生本人在场").await?;
    type_into(client, "#act-username", SUPERVISOR).await?;
    type_into(client, "#act-password", "not-the-password").await?;
    click(client, "#act-confirm").await?;
    wait_until("the denied approval", STEP, || async {
        Ok(displayed(client, "#act-error").await?
            && !text_of(client, "#act-error").await?.is_empty()
            && displayed(client, "#act-dialog").await?)
    })
    .await?;
    shot(client, "unlock-dialog").await?;

    type_into(client, "#act-password", SUPERVISOR_PASSWORD).await?;
    click(client, "#act-confirm").await?;
    wait_until("the unlocked card", STEP, || async {
        Ok(!displayed(client, "#act-dialog").await?
            && attr(client, "#student-card", "data-locked")
                .await?
                .as_deref()
                == Some("false"))
    })
    .await?;
    let to_guide = client.find(fantoccini::Locator::Css("#to-guide")).await?;
    assert!(
        to_guide.is_enabled().await?,
        "the student can capture again"
    );
    let card = text_of(client, "#student-card").await?;
    assert!(card.contains('2'), "two failures left again: {card}");
    shot(client, "student-unlocked").await
}

/// Checks the audit log names the supervisor who approved and the reason.
fn check_audit(station: &TestStation) -> Result<()> {
    let db = station.database()?;
    let (actor, details): (String, String) = db.query_row(
        "SELECT actor, details FROM audit_log WHERE action = 'unlock'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(actor, SUPERVISOR);
    assert!(details.contains("光线已调整"), "details: {details}");
    let locks: u32 = db.query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'lock'",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(locks, 1);
    Ok(())
}
