//! The station's real window under Xvfb, driven through WebDriver.
//!
//! This file holds the whole student flow on the demo camera: the first
//! supervisor, identifying a student (by code and by name), an idle
//! sign-out, the guide, the live preview, a capture, the verdict and the
//! draft box. The other modules test locks, the draft box limit, the
//! staff screen, submitting a draft, the provincial centre, reading a
//! student's QR code, the automatic capture and a camera that sends
//! unreadable frames, and the preview benchmark (ignored in normal runs).
//! Every screen is saved as a screenshot and checked for contrast, touch
//! targets and keyboard reach.

mod auto;
mod camera;
mod centre;
mod drafts;
mod lock;
mod preview;
mod scan;
mod staff;
mod submit;

use anyhow::{Context, Result};
use fantoccini::{Client, Locator};
use tucai_tests::repo_root;
use tucai_tests::window::{
    STEP, TestStation, attr, capture, check_focus_ring, click, displayed, js_bool,
    one_window_at_a_time, shot, sign_in, text_of, to_live, type_into, wait_for, wait_until,
};

const STUDENT_CODE: &str = "TC2026A0001";
const STUDENT_NUMBER: &str = "2023010001";
const STUDENT_NAME: &str = "赵小明";
const SUPERVISOR: &str = "chen.jing";
const SUPERVISOR_PASSWORD: &str = "booth-2026-pass";
const OPERATOR: &str = "li.na";
const OPERATOR_PASSWORD: &str = "queue-2026-pass";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_flow_makes_demo_draft() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let station = TestStation::new("")?;
    station.import_sample_roster()?;

    let (_driver, client) = station.open(&[]).await?;
    let outcome = flow(&client, &station).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure").await;
    }
    client.close().await?;
    outcome
}

async fn flow(client: &Client, station: &TestStation) -> Result<()> {
    create_first_supervisor(client).await?;
    identify_by_name(client).await?;
    identify_by_code(client).await?;

    // Guide, then the live preview with frames streaming in.
    click(client, "#to-guide").await?;
    wait_for(client, "#guide-ready").await?;
    shot(client, "guide").await?;
    click(client, "#guide-ready").await?;
    wait_until("preview frames", STEP, || async {
        Ok(attr(client, "#preview", "data-frame").await?.is_some())
    })
    .await?;
    wait_until("live hints", STEP, || async {
        Ok(!text_of(client, "#hints").await?.trim().is_empty())
    })
    .await?;
    shot(client, "live").await?;

    signed_out_keeps_student(client).await?;
    to_live(client).await?;
    capture_and_verdict(client).await?;
    draft_box(client).await?;
    language_and_text_size(client).await?;
    check_store(station)
}

/// Creates the first supervisor on the setup screen of a station with no
/// staff: first a password the backend finds too short, then two that
/// differ, then a good one.
async fn create_first_supervisor(client: &Client) -> Result<()> {
    wait_for(client, "#setup-username").await?;
    shot(client, "setup").await?;

    type_into(client, "#setup-username", SUPERVISOR).await?;
    type_into(client, "#setup-password", "short").await?;
    type_into(client, "#setup-password2", "short").await?;
    click(client, "#setup-submit").await?;
    wait_for(client, "#setup-error").await?;
    let error = text_of(client, "#setup-error").await?;
    assert!(
        error.contains("密码只有 5 个字符，请至少用 8 个"),
        "the error counts the characters and names the minimum, in Chinese: {error}"
    );

    type_into(client, "#setup-password", SUPERVISOR_PASSWORD).await?;
    type_into(client, "#setup-password2", "a-different-one").await?;
    click(client, "#setup-submit").await?;
    wait_until("the mismatch error", STEP, || async {
        Ok(text_of(client, "#setup-error").await? != error)
    })
    .await?;

    type_into(client, "#setup-password", SUPERVISOR_PASSWORD).await?;
    type_into(client, "#setup-password2", SUPERVISOR_PASSWORD).await?;
    click(client, "#setup-submit").await?;
    wait_for(client, "#query").await?;
    let staff = text_of(client, "#staff-name").await?;
    anyhow::ensure!(
        staff.contains(SUPERVISOR),
        "the header names the staff member: {staff:?}"
    );
    Ok(())
}

/// Finds the student by name and the last four characters of the ID number.
async fn identify_by_name(client: &Client) -> Result<()> {
    wait_until("the demo camera banner", STEP, || {
        js_bool(
            client,
            "const b = document.getElementById('demo-banner'); \
             return !b.hidden && b.offsetHeight > 0;",
        )
    })
    .await?;
    shot(client, "identify").await?;
    check_focus_ring(client).await?;

    let id_number = roster_id_number(STUDENT_NUMBER)?;
    click(client, "#mode-name").await?;
    wait_for(client, "#name-query").await?;
    type_into(client, "#name-query", STUDENT_NAME).await?;
    type_into(client, "#digits-query", "12").await?;
    click(client, "#find-by-name").await?;
    wait_until("the digit count's message", STEP, || async {
        Ok(text_of(client, "#identify-error")
            .await?
            .contains("\"12\" 不是身份证号的末 4 到 6 位"))
    })
    .await?;

    type_into(client, "#digits-query", "0000").await?;
    click(client, "#find-by-name").await?;
    wait_until("the not-found notice", STEP, || async {
        Ok(displayed(client, "#identify-error").await?
            && attr(client, "#identify-error", "class")
                .await?
                .is_some_and(|c| c.contains("is-problem"))
            && !text_of(client, "#identify-error")
                .await?
                .contains("不是身份证号"))
    })
    .await?;

    type_into(client, "#digits-query", &id_number[id_number.len() - 4..]).await?;
    click(client, "#find-by-name").await?;
    wait_until("the student card", STEP, || async {
        Ok(displayed(client, "#student-card").await?
            && text_of(client, "#student-card")
                .await?
                .contains(STUDENT_NUMBER))
    })
    .await?;
    shot(client, "identify-by-name").await?;
    click(client, "#mode-code").await
}

/// Finds the student by collection code, as a scanner types it with Enter.
async fn identify_by_code(client: &Client) -> Result<()> {
    wait_for(client, "#query").await?;
    let query = client.find(Locator::Css("#query")).await?;
    query.clear().await?;
    query.send_keys(&format!("{STUDENT_CODE}\u{E007}")).await?;
    wait_until("the student card", STEP, || async {
        Ok(displayed(client, "#student-card").await?
            && text_of(client, "#student-card")
                .await?
                .contains(STUDENT_CODE))
    })
    .await?;
    let card = text_of(client, "#student-card").await?;
    assert!(card.contains(STUDENT_NUMBER), "student card: {card}");
    let id_number = roster_id_number(STUDENT_NUMBER)?;
    assert!(
        !card.contains(&id_number),
        "the card shows the full ID number: {card}"
    );
    let last_four = &id_number[id_number.len() - 4..];
    assert!(
        card.contains(last_four),
        "the card hides the last digits: {card}"
    );
    assert!(
        card.contains('5'),
        "the card shows the 5 failed captures left: {card}"
    );
    shot(client, "student").await
}

/// Signs staff out behind the window's back, as the idle time does. The
/// capture is then denied, the window shows the sign-in screen, and after
/// the sign-in the student in hand is still on the card.
async fn signed_out_keeps_student(client: &Client) -> Result<()> {
    let signed_out = "const done = arguments[arguments.length - 1]; \
                      window.__TAURI_INTERNALS__.invoke('sign_out') \
                          .then(() => done(true), (e) => done(String(e)));";
    let result = client.execute_async(signed_out, vec![]).await?;
    assert_eq!(result.as_bool(), Some(true), "sign_out failed: {result}");
    click(client, "#capture").await?;
    wait_for(client, "#signin-username").await?;
    wait_for(client, "#signin-note").await?;
    let note = text_of(client, "#signin-note").await?;
    assert!(
        note.contains(STUDENT_NAME),
        "the note names the student kept: {note}"
    );
    shot(client, "signin").await?;

    sign_in(client, SUPERVISOR, "wrong-password").await?;
    wait_for(client, "#signin-error").await?;
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    wait_until("the student's card again", STEP, || async {
        Ok(displayed(client, "#student-card").await?
            && text_of(client, "#student-card")
                .await?
                .contains(STUDENT_NUMBER))
    })
    .await
}

/// Captures a passing photo and reads the verdict.
async fn capture_and_verdict(client: &Client) -> Result<()> {
    let tones_before = tone_count(client).await?;
    capture(client).await?;
    wait_until("the rendered photo", STEP, || {
        js_bool(
            client,
            "const img = document.getElementById('verdict-preview'); \
             return img.complete && img.naturalWidth === 480 && img.naturalHeight === 640;",
        )
    })
    .await?;
    shot(client, "verdict").await?;
    let passed = attr(client, "#verdict", "data-passed").await?;
    let rules = text_of(client, "#verdict-rules").await?;
    assert_eq!(passed.as_deref(), Some("true"), "verdict rules:\n{rules}");
    for rule in [
        "single_face",
        "crop",
        "head_roll",
        "head_yaw",
        "eyes_open",
        "mouth_closed",
        "exposure",
        "sharpness",
        "background_uniformity",
    ] {
        let status = attr(
            client,
            &format!("#verdict-rules [data-rule=\"{rule}\"]"),
            "data-status",
        )
        .await?;
        assert_eq!(status.as_deref(), Some("pass"), "rule {rule}");
    }
    assert!(
        !displayed(client, "#verdict-fixes").await?,
        "a pass lists nothing to fix"
    );
    let tones = tone_count(client).await?;
    assert_eq!(tones, tones_before + 2, "a tone on capture and verdict");
    let tone = attr(client, "body", "data-tone").await?;
    assert_eq!(tone.as_deref(), Some("pass"));
    Ok(())
}

/// Counts the tones the window played.
async fn tone_count(client: &Client) -> Result<u32> {
    let count = attr(client, "body", "data-tone-count").await?;
    Ok(count.as_deref().unwrap_or("0").parse()?)
}

/// Checks that the draft box shows one demo draft, when it may be deleted, and the
/// choice of the one to submit with the submit button disabled.
async fn draft_box(client: &Client) -> Result<()> {
    click(client, "#to-drafts").await?;
    wait_for(client, "#draft-box .draft").await?;
    let drafts = client.find_all(Locator::Css("#draft-box .draft")).await?;
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].attr("data-demo").await?.as_deref(), Some("true"));
    assert_eq!(
        drafts[0].attr("data-deletable-now").await?.as_deref(),
        Some("false"),
        "a new draft waits 30 minutes before staff may delete it"
    );
    let deletable = text_of(client, "#draft-box .draft-deletable").await?;
    assert!(
        !deletable.is_empty(),
        "the card says when it can be deleted"
    );

    click(client, "#draft-box .draft-choose").await?;
    wait_until("the chosen draft", STEP, || {
        js_bool(
            client,
            "return document.querySelector('#draft-box input[type=radio]').checked;",
        )
    })
    .await?;
    let submit = client.find(Locator::Css("#submit-draft")).await?;
    assert!(
        !submit.is_enabled().await?,
        "submitting waits for the sync with the centre"
    );
    let note = text_of(client, "#submit-note").await?;
    assert!(!note.is_empty(), "the note says why submitting is off");
    shot(client, "drafts").await
}

/// Staff switch the window to English and back, and make the text larger
/// and smaller again.
async fn language_and_text_size(client: &Client) -> Result<()> {
    let chinese = text_of(client, "#next-student").await?;
    click(client, "#lang").await?;
    wait_until("English text", STEP, || async {
        Ok(text_of(client, "#next-student").await? == "Next student")
    })
    .await?;
    shot(client, "drafts-en").await?;
    click(client, "#lang").await?;
    wait_until("Chinese text again", STEP, || async {
        Ok(text_of(client, "#next-student").await? == chinese)
    })
    .await?;

    let size = "return getComputedStyle(document.documentElement).fontSize;";
    let before = client.execute(size, vec![]).await?;
    click(client, "#text-larger").await?;
    let after = client.execute(size, vec![]).await?;
    assert_eq!(before.as_str(), Some("22px"));
    assert_eq!(after.as_str(), Some("24px"));
    let stored = client
        .execute("return localStorage.getItem('tucai.text-size');", vec![])
        .await?;
    assert_eq!(stored.as_str(), Some("24"), "the size is kept");
    shot(client, "drafts-larger").await?;
    click(client, "#text-smaller").await?;
    let back = client.execute(size, vec![]).await?;
    assert_eq!(back.as_str(), Some("22px"));
    Ok(())
}

/// Reads a student's ID number from the sample roster CSV.
pub fn roster_id_number(student_number: &str) -> Result<String> {
    let csv = std::fs::read_to_string(repo_root().join("assets/roster/sample-roster.csv"))?;
    csv.lines()
        .map(|line| line.split(',').map(str::trim).collect::<Vec<_>>())
        .find(|cells| cells.contains(&student_number))
        .and_then(|cells| cells.into_iter().find(|c| c.len() == 18).map(str::to_owned))
        .context("student not in the sample roster")
}

/// Checks that the draft's row and original are in the SQLite store, marked demo.
fn check_store(station: &TestStation) -> Result<()> {
    let db = station.database()?;
    let (demo, original, sha256): (bool, String, String) = db.query_row(
        "SELECT demo, original_path, original_sha256 FROM drafts",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    assert!(demo, "the draft is not marked demo");
    let bytes = std::fs::read(station.data.path().join(&original))?;
    let actual = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    assert_eq!(
        actual, sha256,
        "the original differs from its recorded hash"
    );
    assert!(bytes.starts_with(b"\x89PNG"), "the original is not a PNG");
    let image = image_size(&bytes);
    assert_eq!(
        image,
        Some((720, 960)),
        "the original is not the full camera frame"
    );
    Ok(())
}

/// Width and height from a PNG's header.
fn image_size(png: &[u8]) -> Option<(u32, u32)> {
    let width = u32::from_be_bytes(png.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?);
    Some((width, height))
}
