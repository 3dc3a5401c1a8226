//! Support for the whole-system tests: finding the built station, starting
//! tauri-driver, and opening a WebDriver session on the station's window.
//! The `window` module drives the window's screens.

pub mod window;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder};

/// Finds the debug build of `tucai-station`, beside this test's own executable
/// (`target/debug/deps/window-*` → `target/debug/tucai-station`).
pub fn station_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("TUCAI_STATION_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .context("test executable has no target folder")?;
    let binary = dir.join(format!("tucai-station{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        bail!(
            "{} not found: build it first with `cargo build -p tucai-station`",
            binary.display()
        );
    }
    Ok(binary)
}

/// Returns the checkout's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Asks the system for a free TCP port on loopback.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, timeout: Duration) -> Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let started = Instant::now();
    while started.elapsed() < timeout {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("nothing listens on 127.0.0.1:{port} after {timeout:?}")
}

/// A running tauri-driver, stopped with SIGTERM when dropped so that the
/// WebKitWebDriver it started stops too (SIGKILL would leave it running).
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    /// Starts tauri-driver with `env` passed on to the station it launches.
    pub fn start(env: &[(&str, &Path)]) -> Result<Self> {
        let port = free_port()?;
        let native_port = free_port()?;
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().context(
            "tauri-driver did not start: install it with `cargo install tauri-driver --locked --version 2.1.0` (scripts/setup --tests does)",
        )?;
        let driver = Self { child, port };
        wait_for_port(port, Duration::from_secs(20))?;
        Ok(driver)
    }

    /// Opens a session on the station's window, giving up after a minute in
    /// case the station dies at start-up (connect would wait forever).
    pub async fn session(&self, binary: &Path) -> Result<Client> {
        self.session_with_args(binary, &[]).await
    }

    /// Opens a session on the station's window started with `args`.
    pub async fn session_with_args(&self, binary: &Path, args: &[&str]) -> Result<Client> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": binary.canonicalize()?, "args": args }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut builder = ClientBuilder::native();
        builder.capabilities(caps);
        let client = tokio::time::timeout(Duration::from_secs(60), builder.connect(&url))
            .await
            .context("the station's window did not open within 60 s")??;
        Ok(client)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `tucai-station` with arguments and returns its standard output,
/// failing with its standard error when it exits non-zero.
pub fn run_station(args: &[&str], data_dir: &Path) -> Result<String> {
    run_station_with_env(args, data_dir, &[])
}

/// Runs `tucai-station` as [`run_station`] does, with `env` set as well.
pub fn run_station_with_env(
    args: &[&str],
    data_dir: &Path,
    env: &[(&str, &str)],
) -> Result<String> {
    let output = Command::new(station_binary()?)
        .args(args)
        .env("TUCAI_DATA_DIR", data_dir)
        .envs(env.iter().copied())
        .output()?;
    if !output.status.success() {
        bail!(
            "tucai-station {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Folder where the tests leave screenshots of the window.
pub fn screenshot_dir() -> PathBuf {
    let dir = repo_root().join("target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}
