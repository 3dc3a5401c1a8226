//! The whole flow in the real window under Xvfb, driven through WebDriver.
//! The test creates the station's first supervisor, finds a student, reads
//! the guide and watches the demo camera's live preview. It then captures,
//! reads the verdict, and finds the draft in the draft box and in the
//! SQLite store.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, Locator};
use tucai_tests::{Driver, repo_root, run_station, screenshot_dir, station_binary};

const STUDENT_CODE: &str = "TC2026A0001";
const STUDENT_NUMBER: &str = "2023010001";
const SUPERVISOR: &str = "chen.jing";
const SUPERVISOR_PASSWORD: &str = "booth-2026-pass";

async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let started = Instant::now();
    let mut last_error = None;
    while started.elapsed() < timeout {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("timed out after {timeout:?} waiting for {what} (last error: {last_error:?})")
}

async fn displayed(client: &Client, css: &str) -> Result<bool> {
    Ok(client.find(Locator::Css(css)).await?.is_displayed().await?)
}

async fn attr(client: &Client, css: &str, name: &str) -> Result<Option<String>> {
    Ok(client.find(Locator::Css(css)).await?.attr(name).await?)
}

async fn screenshot(client: &Client, name: &str) -> Result<()> {
    // WebKit paints after the DOM changes: wait two animation frames so the
    // picture shows what the page now holds.
    let painted = "const done = arguments[arguments.length - 1]; \
                   requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
    client.execute_async(painted, vec![]).await?;
    let png = client.screenshot().await?;
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_flow_makes_demo_draft() -> Result<()> {
    let data = tempfile::tempdir()?;
    let roster = repo_root().join("assets/roster/sample-roster.csv");
    run_station(
        &["roster", "import", roster.to_str().context("path")?],
        data.path(),
    )?;

    let driver = Driver::start(&[("TUCAI_DATA_DIR", data.path())])?;
    let client = driver.session(&station_binary()?).await?;
    let outcome = flow(&client, data.path()).await;
    if outcome.is_err() {
        let _ = screenshot(&client, "failure").await;
    }
    client.close().await?;
    outcome
}

async fn type_into(client: &Client, css: &str, text: &str) -> Result<()> {
    let field = client.find(Locator::Css(css)).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

async fn text_of(client: &Client, css: &str) -> Result<String> {
    Ok(client.find(Locator::Css(css)).await?.text().await?)
}

/// Creates the first supervisor on the setup screen of a station with no
/// staff, first with a password the backend finds too short.
async fn create_first_supervisor(client: &Client) -> Result<()> {
    let long = Duration::from_secs(60);
    wait_until("the setup screen", long, || displayed(client, "#setup-username")).await?;
    screenshot(client, "setup").await?;

    type_into(client, "#setup-username", SUPERVISOR).await?;
    type_into(client, "#setup-password", "short").await?;
    type_into(client, "#setup-password2", "short").await?;
    client.find(Locator::Css("#setup-submit")).await?.click().await?;
    wait_until("the short password error", long, || displayed(client, "#setup-error")).await?;
    let error = text_of(client, "#setup-error").await?;
    assert!(error.contains('8'), "the error names the minimum length: {error}");

    type_into(client, "#setup-password", SUPERVISOR_PASSWORD).await?;
    type_into(client, "#setup-password2", "a-different-one").await?;
    client.find(Locator::Css("#setup-submit")).await?.click().await?;
    wait_until("the mismatch error", long, || async {
        Ok(text_of(client, "#setup-error").await? != error)
    })
    .await?;

    type_into(client, "#setup-password", SUPERVISOR_PASSWORD).await?;
    type_into(client, "#setup-password2", SUPERVISOR_PASSWORD).await?;
    client.find(Locator::Css("#setup-submit")).await?.click().await?;
    wait_until("the identify screen", long, || displayed(client, "#query")).await?;
    let staff = text_of(client, "#staff-name").await?;
    assert!(staff.contains(SUPERVISOR), "header names the staff member: {staff}");
    Ok(())
}

async fn flow(client: &Client, data: &std::path::Path) -> Result<()> {
    let long = Duration::from_secs(60);
    create_first_supervisor(client).await?;

    // Identify: the demo camera banner shows, and the code finds the student.
    wait_until("the identify screen", long, || displayed(client, "#query")).await?;
    wait_until("the demo camera banner", long, || async {
        let js = "const b = document.getElementById('demo-banner'); \
                  return !b.hidden && b.offsetHeight > 0;";
        Ok(client.execute(js, vec![]).await?.as_bool().unwrap_or(false))
    })
    .await?;
    screenshot(client, "identify").await?;
    client
        .find(Locator::Css("#query"))
        .await?
        .send_keys(STUDENT_CODE)
        .await?;
    client.find(Locator::Css("#find")).await?.click().await?;
    wait_until("the student card", long, || {
        displayed(client, "#student-card")
    })
    .await?;
    let card = client
        .find(Locator::Css("#student-card"))
        .await?
        .text()
        .await?;
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
    screenshot(client, "student").await?;

    // Guide, then the live preview with frames streaming in.
    client
        .find(Locator::Css("#to-guide"))
        .await?
        .click()
        .await?;
    wait_until("the guide", long, || displayed(client, "#guide-ready")).await?;
    screenshot(client, "guide").await?;
    client
        .find(Locator::Css("#guide-ready"))
        .await?
        .click()
        .await?;
    wait_until("preview frames", long, || async {
        Ok(attr(client, "#preview", "src")
            .await?
            .is_some_and(|src| src.starts_with("blob:")))
    })
    .await?;
    wait_until("live hints", long, || async {
        Ok(!client
            .find(Locator::Css("#hints"))
            .await?
            .text()
            .await?
            .trim()
            .is_empty())
    })
    .await?;
    screenshot(client, "live").await?;

    // Capture and the verdict.
    client.find(Locator::Css("#capture")).await?.click().await?;
    wait_until("the verdict", Duration::from_secs(120), || {
        displayed(client, "#verdict")
    })
    .await?;
    wait_until("the rendered photo", long, || async {
        let js = "const img = document.getElementById('verdict-preview'); \
                  return img.complete && img.naturalWidth === 480 && img.naturalHeight === 640;";
        Ok(client.execute(js, vec![]).await?.as_bool().unwrap_or(false))
    })
    .await?;
    screenshot(client, "verdict").await?;
    let passed = attr(client, "#verdict", "data-passed").await?;
    let rules = client
        .find(Locator::Css("#verdict-rules"))
        .await?
        .text()
        .await?;
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

    // The draft box shows one demo draft.
    client
        .find(Locator::Css("#to-drafts"))
        .await?
        .click()
        .await?;
    wait_until("the draft box", long, || displayed(client, "#draft-box")).await?;
    let drafts = client.find_all(Locator::Css("#draft-box .draft")).await?;
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].attr("data-demo").await?.as_deref(), Some("true"));
    screenshot(client, "drafts").await?;

    // Staff switch the window to English and back.
    let next = client.find(Locator::Css("#next-student")).await?;
    let chinese = next.text().await?;
    client.find(Locator::Css("#lang")).await?.click().await?;
    wait_until("English text", long, || async {
        Ok(client
            .find(Locator::Css("#next-student"))
            .await?
            .text()
            .await?
            == "Next student")
    })
    .await?;
    screenshot(client, "drafts-en").await?;
    client.find(Locator::Css("#lang")).await?.click().await?;
    wait_until("Chinese text again", long, || async {
        Ok(client
            .find(Locator::Css("#next-student"))
            .await?
            .text()
            .await?
            == chinese)
    })
    .await?;

    check_store(data)
}

/// Reads a student's ID number from the sample roster CSV.
fn roster_id_number(student_number: &str) -> Result<String> {
    let csv = std::fs::read_to_string(repo_root().join("assets/roster/sample-roster.csv"))?;
    csv.lines()
        .map(|line| line.split(',').map(str::trim).collect::<Vec<_>>())
        .find(|cells| cells.contains(&student_number))
        .and_then(|cells| cells.into_iter().find(|c| c.len() == 18).map(str::to_owned))
        .context("student not in the sample roster")
}

/// Checks that the draft's row and original are in the SQLite store, marked demo.
fn check_store(data: &std::path::Path) -> Result<()> {
    let db = rusqlite::Connection::open(data.join("tucai.sqlite3"))?;
    let (demo, original, sha256): (bool, String, String) = db.query_row(
        "SELECT demo, original_path, original_sha256 FROM drafts",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    assert!(demo, "the draft is not marked demo");
    let bytes = std::fs::read(data.join(&original))?;
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
