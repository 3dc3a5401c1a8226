//! The staff screen with a supervisor signed in: the day's dashboard, a
//! roster import that lists every bad row, the settings, a new operator,
//! the audit log, a reset of a student's attempts and the export of the
//! day.

use anyhow::{Context, Result};
use fantoccini::{Client, Locator};
use tucai_tests::repo_root;
use tucai_tests::window::{
    STEP, TestStation, attr, click, displayed, one_window_at_a_time, shot, sign_in, text_of,
    type_into, wait_for, wait_until,
};

use crate::{STUDENT_CODE, STUDENT_NAME, SUPERVISOR, SUPERVISOR_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_screen_imports_and_configures() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let station = TestStation::new("")?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;

    let (_driver, client) = station.open(&[]).await?;
    let outcome = staff_tasks(&client, &station).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-staff").await;
    }
    client.close().await?;
    outcome
}

async fn staff_tasks(client: &Client, station: &TestStation) -> Result<()> {
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    wait_for(client, "#open-staff").await?;
    click(client, "#open-staff").await?;

    wait_until("the dashboard's numbers", STEP, || async {
        Ok(text_of(client, "#dashboard-tiles [data-key=students] dd").await? == "40")
    })
    .await?;
    let not_seen = text_of(client, "#dashboard-tiles [data-key=not_seen] dd").await?;
    assert_eq!(not_seen, "40", "nobody was photographed yet");
    shot(client, "staff-dashboard").await?;

    roster_with_errors(client).await?;
    settings(client, station).await?;
    add_operator(client, station).await?;
    audit_log(client).await?;
    reset_attempts(client, station).await?;
    export_day(client).await
}

/// Resets a student's attempts from the unlock panel with a reason, which
/// the audit log records.
async fn reset_attempts(client: &Client, station: &TestStation) -> Result<()> {
    click(client, "#tab-unlock").await?;
    type_into(client, "#unlock-query", STUDENT_CODE).await?;
    click(client, "#unlock-find").await?;
    wait_for(client, "#reset-attempts").await?;
    click(client, "#reset-attempts").await?;
    wait_for(client, "#act-reason").await?;
    type_into(client, "#act-reason", "换了眼镜，重新开始").await?;
    shot(client, "reset-dialog").await?;
    click(client, "#act-confirm").await?;
    wait_until("the reset notice", STEP, || async {
        Ok(displayed(client, "#unlock-notice").await?
            && text_of(client, "#unlock-notice")
                .await?
                .contains(STUDENT_NAME))
    })
    .await?;
    let details: String = station.database()?.query_row(
        "SELECT details FROM audit_log WHERE action = 'reset_attempts'",
        [],
        |r| r.get(0),
    )?;
    assert!(
        details.contains("换了眼镜"),
        "the reason is audited: {details}"
    );
    Ok(())
}

/// Imports the sample roster with errors: nothing is imported and each bad
/// line is listed.
async fn roster_with_errors(client: &Client) -> Result<()> {
    click(client, "#tab-roster").await?;
    wait_for(client, "#roster-file").await?;
    let bad = repo_root().join("assets/roster/sample-roster-with-errors.csv");
    let bad = bad.canonicalize()?;
    client
        .find(Locator::Css("#roster-file"))
        .await?
        .send_keys(bad.to_str().context("roster path")?)
        .await?;
    click(client, "#roster-import").await?;
    wait_for(client, "#roster-problems").await?;
    let rows = client.find_all(Locator::Css("#roster-errors tr")).await?;
    let mut lines = Vec::new();
    for row in &rows {
        lines.push(row.attr("data-line").await?.unwrap_or_default());
    }
    lines.dedup();
    assert_eq!(lines, ["3", "5", "7"], "every bad line, in order");
    let title = text_of(client, "#roster-problems-title").await?;
    assert!(title.contains("sample-roster-with-errors.csv"), "{title}");
    let first = "#roster-errors tr:first-child td:last-child";
    let problem = text_of(client, first).await?;
    assert!(problem.contains("校验码应为 3"), "{problem}");
    shot(client, "staff-roster-errors").await?;

    // The same rows in English after a language switch, and back.
    click(client, "#lang").await?;
    wait_until("the English reason", STEP, || async {
        Ok(text_of(client, first)
            .await?
            .contains("check digit should be 3"))
    })
    .await?;
    click(client, "#lang").await?;
    wait_until("the Chinese reason again", STEP, || async {
        Ok(text_of(client, first).await?.contains("校验码应为 3"))
    })
    .await?;

    click(client, "#tab-dashboard").await?;
    wait_until("the unchanged count", STEP, || async {
        Ok(text_of(client, "#dashboard-tiles [data-key=students] dd").await? == "40")
    })
    .await
}

/// Saves an invalid setting (rejected, naming it), then a valid one.
async fn settings(client: &Client, station: &TestStation) -> Result<()> {
    click(client, "#tab-settings").await?;
    wait_until("the loaded settings", STEP, || async {
        Ok(client
            .find(Locator::Css("#setting-draft_limit"))
            .await?
            .prop("value")
            .await?
            .as_deref()
            == Some("6"))
    })
    .await?;
    let camera = text_of(client, "#setting-camera-in-use").await?;
    assert!(!camera.is_empty(), "the camera in use is named");
    shot(client, "staff-settings").await?;

    type_into(client, "#setting-draft_limit", "0").await?;
    click(client, "#settings-save").await?;
    wait_until("the rejected value", STEP, || async {
        Ok(displayed(client, "#settings-result").await?
            && text_of(client, "#settings-result")
                .await?
                .contains("draft_limit"))
    })
    .await?;

    type_into(client, "#setting-draft_limit", "4").await?;
    type_into(client, "#setting-lock_failures", "3").await?;
    click(client, "#settings-save").await?;
    wait_until("the saved settings", STEP, || async {
        Ok(attr(client, "#settings-result", "class")
            .await?
            .is_some_and(|c| !c.contains("is-problem"))
            && displayed(client, "#settings-result").await?)
    })
    .await?;
    let saved = std::fs::read_to_string(&station.settings)?;
    assert!(saved.contains("draft_limit = 4"), "settings file:\n{saved}");
    assert!(
        saved.contains("lock_failures = 3"),
        "settings file:\n{saved}"
    );
    Ok(())
}

/// Adds an operator; the account can then sign in.
async fn add_operator(client: &Client, station: &TestStation) -> Result<()> {
    click(client, "#tab-accounts").await?;
    wait_for(client, "#account-username").await?;
    type_into(client, "#account-username", "wang.fang").await?;
    type_into(client, "#account-password", "front-desk-2026").await?;
    type_into(client, "#account-password2", "front-desk-2026").await?;
    click(client, "#account-add").await?;
    wait_until("the added account", STEP, || async {
        Ok(displayed(client, "#accounts-result").await?
            && text_of(client, "#accounts-result")
                .await?
                .contains("wang.fang"))
    })
    .await?;
    shot(client, "staff-accounts").await?;
    let role: String = station.database()?.query_row(
        "SELECT role FROM staff WHERE username = 'wang.fang'",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(role, "operator");
    Ok(())
}

async fn audit_log(client: &Client) -> Result<()> {
    click(client, "#tab-audit").await?;
    click(client, "#audit-load").await?;
    wait_for(client, "#audit-scroll").await?;
    let actions: Vec<String> = {
        let rows = client.find_all(Locator::Css("#audit-body tr")).await?;
        let mut actions = Vec::new();
        for row in rows {
            actions.push(row.attr("data-action").await?.unwrap_or_default());
        }
        actions
    };
    assert_eq!(
        actions.first().map(String::as_str),
        Some("staff_create"),
        "newest first: {actions:?}"
    );
    assert!(actions.iter().any(|a| a == "settings_save"), "{actions:?}");
    assert!(actions.iter().any(|a| a == "roster_import"), "{actions:?}");
    shot(client, "staff-audit").await
}

async fn export_day(client: &Client) -> Result<()> {
    let target = tempfile::tempdir()?;
    click(client, "#tab-export").await?;
    wait_for(client, "#export-folder").await?;
    type_into(
        client,
        "#export-folder",
        target.path().to_str().context("export path")?,
    )
    .await?;
    click(client, "#export-submit").await?;
    wait_until("the export summary", STEP, || async {
        Ok(displayed(client, "#export-result").await?
            && attr(client, "#export-result", "class")
                .await?
                .is_some_and(|c| !c.contains("is-problem")))
    })
    .await?;
    shot(client, "staff-export").await?;
    let made = std::fs::read_dir(target.path())?.count();
    assert_eq!(made, 1, "one export folder inside the target");
    Ok(())
}
