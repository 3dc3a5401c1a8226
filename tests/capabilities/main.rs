//! What the web side of the window may reach: the station's own commands
//! and nothing else. The test runs script inside the real window (under
//! Xvfb, through WebDriver) that calls plugin commands the capability does
//! not grant and reaches for a server on loopback, and checks that each
//! attempt is refused while the station's own command still answers.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use fantoccini::Client;
use serde_json::Value;
use tucai_tests::{Driver, station_binary};

/// Calls `invoke(command, args)` in the page and returns `{ok, value}` or
/// `{ok: false, error}` once the promise settles.
async fn invoke(client: &Client, command: &str, args: Value) -> Result<Value> {
    let script = "const [command, args, done] = arguments; \
        window.__TAURI_INTERNALS__.invoke(command, args) \
          .then(value => done({ ok: true, value })) \
          .catch(error => done({ ok: false, error: String(error && (error.message || JSON.stringify(error)) || error) }));";
    Ok(client
        .execute_async(script, vec![command.into(), args])
        .await?)
}

async fn wait_for_ipc(client: &Client) -> Result<()> {
    for _ in 0..300 {
        let ready = client
            .execute(
                "return typeof window.__TAURI_INTERNALS__?.invoke === 'function';",
                vec![],
            )
            .await?;
        if ready.as_bool() == Some(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("the window's IPC bridge did not appear within 60 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_side_reaches_only_the_station_commands() -> Result<()> {
    let data = tempfile::tempdir()?;
    // A settings file named by TUCAI_SETTINGS must exist; empty means the defaults.
    let settings = data.path().join("settings.toml");
    std::fs::write(&settings, "")?;
    let logs = data.path().join("logs");
    let driver = Driver::start(&[
        ("TUCAI_DATA_DIR", data.path()),
        ("TUCAI_SETTINGS", &settings),
        ("TUCAI_LOG_DIR", &logs),
    ])?;
    let client = driver.session(&station_binary()?).await?;
    let outcome = probe(&client).await;
    client.close().await?;
    outcome
}

async fn probe(client: &Client) -> Result<()> {
    wait_for_ipc(client).await?;

    // The station's own command answers, so refusals below are not a
    // broken bridge.
    let own = invoke(client, "station_status", Value::Null).await?;
    if own["ok"] != Value::Bool(true) {
        bail!("the station's own command was refused: {own}");
    }

    let outside = [
        (
            "plugin:fs|read_text_file",
            serde_json::json!({ "path": "/etc/hostname" }),
        ),
        (
            "plugin:shell|execute",
            serde_json::json!({ "program": "sh", "args": ["-c", "true"] }),
        ),
        (
            "plugin:http|fetch",
            serde_json::json!({ "clientConfig": { "url": "http://127.0.0.1:9/", "method": "GET" } }),
        ),
        (
            "plugin:window|set_fullscreen",
            serde_json::json!({ "label": "main", "value": false }),
        ),
        (
            "plugin:webview|internal_toggle_devtools",
            serde_json::json!({}),
        ),
        ("plugin:app|version", serde_json::json!({})),
        ("no_such_command", serde_json::json!({})),
    ];
    for (command, args) in outside {
        let reply = invoke(client, command, args).await?;
        if reply["ok"] != Value::Bool(false) {
            bail!("{command} was allowed from the web side: {reply}");
        }
        let error = reply["error"].as_str().unwrap_or_default().to_lowercase();
        if !(error.contains("not allowed") || error.contains("not found")) {
            bail!("{command} failed for another reason than a refusal: {reply}");
        }
    }

    // The content security policy keeps the page from reaching any server:
    // a fetch and an image load aimed at a listener on loopback must fail
    // without a connection arriving.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let script = "const [port, done] = arguments; \
        const results = {}; \
        const image = new Promise(resolve => { \
          const img = new Image(); \
          img.onload = () => resolve('loaded'); \
          img.onerror = () => resolve('blocked'); \
          img.src = `http://127.0.0.1:${port}/x.png`; \
          setTimeout(() => resolve('blocked'), 5000); }); \
        const fetched = fetch(`http://127.0.0.1:${port}/`).then(() => 'reached', () => 'blocked'); \
        const waited = new Promise(resolve => setTimeout(() => resolve('connected, no answer'), 5000)); \
        Promise.race([fetched, waited]) \
          .then(f => { results.fetch = f; return image; }) \
          .then(i => { results.image = i; done(results); });";
    let results = client.execute_async(script, vec![port.into()]).await?;
    if results["fetch"] != "blocked" || results["image"] != "blocked" {
        bail!("the page reached a loopback server: {results}");
    }
    match listener.accept() {
        Ok((_, peer)) => bail!("the page connected to the loopback server from {peer}"),
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Err(e) => return Err(e).context("checking the loopback listener"),
    }
    Ok(())
}
