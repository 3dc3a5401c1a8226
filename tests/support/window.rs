//! Driving the station's window in the tests: a station in temporary
//! folders, waiting for the page, typing and clicking, and a screenshot of
//! each screen with a check of its accessibility.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};
use tempfile::TempDir;

use crate::{Driver, repo_root, run_station, run_station_with_env, screenshot_dir, station_binary};

/// The longest wait for one step of the page, such as the next screen.
pub const STEP: Duration = Duration::from_secs(60);

/// A capture runs every rule on a full frame, which takes a few seconds in
/// a debug build on a loaded machine.
pub const CAPTURE: Duration = Duration::from_secs(120);

static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Lets one window test run at a time: each starts a station with its
/// models and camera, and two at once on a small machine slow both past
/// their waits.
pub async fn one_window_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_WINDOW.lock().await
}

/// A station's folders: the store, the settings file, and a home for the
/// webview's own storage (language and text size), so no test sees what
/// another stored.
pub struct TestStation {
    pub data: TempDir,
    pub settings: PathBuf,
    webview_home: TempDir,
}

impl TestStation {
    /// Creates the folders and writes `settings` (TOML) as the settings file.
    pub fn new(settings: &str) -> Result<Self> {
        let data = tempfile::tempdir()?;
        let webview_home = tempfile::tempdir()?;
        let path = data.path().join("settings.toml");
        std::fs::write(&path, settings)?;
        Ok(Self {
            data,
            settings: path,
            webview_home,
        })
    }

    /// Imports the fictitious sample roster through the command line.
    pub fn import_sample_roster(&self) -> Result<()> {
        let roster = repo_root().join("assets/roster/sample-roster.csv");
        run_station(
            &["roster", "import", roster.to_str().context("roster path")?],
            self.data.path(),
        )?;
        Ok(())
    }

    /// Adds a staff account through the command line.
    pub fn add_staff(&self, username: &str, role: &str, password: &str) -> Result<()> {
        run_station_with_env(
            &["staff", "add", username, "--role", role],
            self.data.path(),
            &[("TUCAI_PASSWORD", password)],
        )?;
        Ok(())
    }

    /// Starts tauri-driver and opens the station's window with `args`.
    pub async fn open(&self, args: &[&str]) -> Result<(Driver, Client)> {
        let home = self.webview_home.path();
        let driver = Driver::start(&[
            ("TUCAI_DATA_DIR", self.data.path()),
            ("TUCAI_SETTINGS", &self.settings),
            ("XDG_DATA_HOME", &home.join("data")),
            ("XDG_CACHE_HOME", &home.join("cache")),
            ("TUCAI_LOG_DIR", &home.join("logs")),
        ])?;
        let client = driver.session_with_args(&station_binary()?, args).await?;
        Ok((driver, client))
    }

    /// Opens the SQLite store for checks on what the window did.
    pub fn database(&self) -> Result<rusqlite::Connection> {
        Ok(rusqlite::Connection::open(
            self.data.path().join("tucai.sqlite3"),
        )?)
    }
}

/// Polls `check` every 200 ms until it returns true, failing after `timeout`
/// with the last error it returned.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<()>
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

pub async fn displayed(client: &Client, css: &str) -> Result<bool> {
    on_element(client, css, |element| async move {
        Ok(element.is_displayed().await?)
    })
    .await
}

/// Waits until the element `css` is displayed.
pub async fn wait_for(client: &Client, css: &str) -> Result<()> {
    wait_until(css, STEP, || displayed(client, css)).await
}

pub async fn attr(client: &Client, css: &str, name: &str) -> Result<Option<String>> {
    on_element(client, css, |element| async move {
        Ok(element.attr(name).await?)
    })
    .await
}

pub async fn text_of(client: &Client, css: &str) -> Result<String> {
    on_element(
        client,
        css,
        |element| async move { Ok(element.text().await?) },
    )
    .await
}

/// Clicks the element `css` after scrolling it into view, as
/// [`type_into`] does.
pub async fn click(client: &Client, css: &str) -> Result<()> {
    on_element(client, css, |element| async move {
        scroll_into_view(client, &element).await?;
        element.click().await?;
        Ok(())
    })
    .await
}

/// Finds the element `css` and runs `command` on it. A panel may rebuild
/// an element between the find and the command, as the settings screen
/// does with its camera line. The command then fails on a node that is
/// gone, so the element is found afresh and the command runs again, three
/// times at most.
async fn on_element<T, F, Fut>(client: &Client, css: &str, command: F) -> Result<T>
where
    F: Fn(Element) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = 1;
    loop {
        let element = client.find(Locator::Css(css)).await?;
        match command(element).await {
            Err(error) if tries < 3 && node_gone(&error) => tries += 1,
            outcome => return outcome,
        }
    }
}

/// True for the error WebKitWebDriver returns for an element removed from
/// the page since it was found.
fn node_gone(error: &anyhow::Error) -> bool {
    match error.downcast_ref::<CmdError>() {
        Some(CmdError::Standard(e)) => {
            let text = e.to_string();
            text.contains("was not found") || text.contains("stale element")
        }
        _ => false,
    }
}

async fn scroll_into_view(client: &Client, element: &Element) -> Result<()> {
    client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![serde_json::to_value(element)?],
        )
        .await?;
    Ok(())
}

/// Clears the input `css` and types `text` into it. The input is scrolled
/// into view first, because WebKitWebDriver fails to clear or click an
/// element below the bottom of a scrolled panel.
pub async fn type_into(client: &Client, css: &str, text: &str) -> Result<()> {
    let field = client.find(Locator::Css(css)).await?;
    scroll_into_view(client, &field).await?;
    field.clear().await?;
    // WebDriver rejects an empty text to send.
    if !text.is_empty() {
        field.send_keys(text).await?;
    }
    Ok(())
}

/// Runs `script` in the page and reads its result as a boolean.
pub async fn js_bool(client: &Client, script: &str) -> Result<bool> {
    Ok(client
        .execute(script, vec![])
        .await?
        .as_bool()
        .unwrap_or(false))
}

/// Signs in on the sign-in screen.
pub async fn sign_in(client: &Client, username: &str, password: &str) -> Result<()> {
    wait_for(client, "#signin-username").await?;
    type_into(client, "#signin-username", username).await?;
    type_into(client, "#signin-password", password).await?;
    click(client, "#signin-submit").await
}

/// Finds a student on the identify screen by collection code or number and
/// waits for the student's card.
pub async fn identify(client: &Client, query: &str) -> Result<()> {
    wait_for(client, "#query").await?;
    type_into(client, "#query", query).await?;
    click(client, "#find").await?;
    wait_until("the student card", STEP, || async {
        Ok(displayed(client, "#student-card").await?
            && text_of(client, "#student-card").await?.contains(query))
    })
    .await
}

/// Goes from the student's card through the guide to the live preview and
/// waits for frames and hints.
pub async fn to_live(client: &Client) -> Result<()> {
    click(client, "#to-guide").await?;
    wait_for(client, "#guide-ready").await?;
    click(client, "#guide-ready").await?;
    wait_until("preview frames", STEP, || async {
        Ok(attr(client, "#preview", "data-frame").await?.is_some())
    })
    .await?;
    wait_until("live hints", STEP, || async {
        Ok(!text_of(client, "#hints").await?.trim().is_empty())
    })
    .await
}

/// Captures on the live screen and waits for the verdict.
pub async fn capture(client: &Client) -> Result<()> {
    click(client, "#capture").await?;
    wait_until("the verdict", CAPTURE, || displayed(client, "#verdict")).await
}

/// Saves a screenshot named `name` once the page has painted, then checks
/// the screen's accessibility.
pub async fn shot(client: &Client, name: &str) -> Result<()> {
    // WebKit paints after the DOM changes: wait two animation frames so the
    // picture shows what the page now holds.
    let painted = "const done = arguments[arguments.length - 1]; \
                   requestAnimationFrame(() => requestAnimationFrame(() => done(true)));";
    client.execute_async(painted, vec![]).await?;
    let png = client.screenshot().await?;
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png)?;
    check_accessibility(client, name).await
}

/// Checks what a person sees on the current screen: text contrast at WCAG
/// AA, touch targets of at least 44x44 CSS pixels, every control in the Tab
/// order, and no button text wider than its button.
pub async fn check_accessibility(client: &Client, screen: &str) -> Result<()> {
    let found = client.execute(AUDIT_SCRIPT, vec![]).await?;
    let problems: Vec<String> = serde_json::from_value(found)?;
    ensure!(
        problems.is_empty(),
        "screen {screen}: {} accessibility problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}

/// Presses Tab and checks that the focused control shows a ring of at
/// least 3 px.
pub async fn check_focus_ring(client: &Client) -> Result<()> {
    client.active_element().await?.send_keys("\u{E004}").await?;
    let script = "const a = document.activeElement; \
                  if (!a || a === document.body) return 'nothing focused'; \
                  const s = getComputedStyle(a); \
                  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 3 \
                      ? '' : `${a.id || a.tagName}: outline ${s.outlineStyle} ${s.outlineWidth}`;";
    let problem = client.execute(script, vec![]).await?;
    let problem = problem.as_str().unwrap_or("not a string");
    ensure!(problem.is_empty(), "focus ring: {problem}");
    Ok(())
}

/// Reads the path of a fixture photo.
pub fn fixture(name: &str) -> Result<String> {
    let path: PathBuf = repo_root().join("assets/fixtures").join(name);
    ensure!(path.is_file(), "fixture {} is missing", path.display());
    Ok(path.canonicalize()?.to_string_lossy().into_owned())
}

/// Runs in the page and returns a list of problems. Contrast uses the
/// WCAG 2 relative luminance; large text (24 px, or 18.66 px bold) needs
/// 3:1 and other text 4.5:1. Disabled controls are exempt, as WCAG has it,
/// and so is what an open modal dialog covers.
const AUDIT_SCRIPT: &str = r##"
const problems = [];
const modal = document.querySelector("dialog[open]");
const parse = (text) => {
  const m = /rgba?\(([^)]+)\)/.exec(text);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const over = (top, bottom) => {
  const a = top[3] + bottom[3] * (1 - top[3]);
  if (a === 0) return [0, 0, 0, 0];
  const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
  return [mix(0), mix(1), mix(2), a];
};
const background = (element) => {
  const layers = [];
  for (let e = element; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) {
      layers.push(c);
      if (c[3] >= 1) break;
    }
  }
  let bg = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
};
const channel = (v) => {
  v /= 255;
  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
};
const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
const ratio = (a, b) => {
  const x = luminance(a), y = luminance(b);
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
};
const visible = (e) => {
  const r = e.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return false;
  const s = getComputedStyle(e);
  return s.visibility !== "hidden" && s.display !== "none" && Number(s.opacity) > 0.1;
};
const covered = (e) => modal !== null && !modal.contains(e);
const name = (e) => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} "${(e.textContent || e.getAttribute("aria-label") || "").trim().slice(0, 40)}"`;

for (const e of document.body.querySelectorAll("*")) {
  if (["SCRIPT", "STYLE", "OPTION"].includes(e.tagName) || covered(e) || !visible(e)) continue;
  if (e.closest(":disabled")) continue;
  const text = [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
  if (text === "") continue;
  const s = getComputedStyle(e);
  const bg = background(e);
  const fg = over(parse(s.color), bg);
  const size = parseFloat(s.fontSize);
  const large = size >= 24 || (Number(s.fontWeight) >= 700 && size >= 18.66);
  const need = large ? 3 : 4.5;
  const r = ratio(fg, bg);
  if (r < need - 0.005) {
    problems.push(`contrast ${r.toFixed(2)} under ${need}: ${name(e)} (${s.color} on rgb(${bg.slice(0, 3).map(Math.round).join(", ")}))`);
  }
}

for (const e of document.querySelectorAll("button, input, select, textarea, [role=tab]")) {
  if (covered(e) || !visible(e) || e.disabled) continue;
  let box = e.getBoundingClientRect();
  if (e.type === "radio" || e.type === "checkbox") {
    const label = e.closest("label");
    if (label) box = label.getBoundingClientRect();
  }
  if (box.width < 44 || box.height < 44) {
    problems.push(`target ${Math.round(box.width)}x${Math.round(box.height)} under 44x44: ${name(e)}`);
  }
  if (e.tabIndex < 0 && e.getAttribute("role") !== "tab") {
    problems.push(`not in the Tab order: ${name(e)}`);
  }
  if (e.tagName === "BUTTON" && e.scrollWidth > e.clientWidth + 2) {
    problems.push(`text wider than its button (${e.scrollWidth} > ${e.clientWidth}): ${name(e)}`);
  }
}
return problems;
"##;
