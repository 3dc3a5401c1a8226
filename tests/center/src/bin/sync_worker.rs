//! `tucai-sync-worker`: runs the station's sync worker over an enrolled
//! data folder until it is killed. The crash tests and the sync benchmark
//! start it as a child process, so that it can be killed with SIGKILL in
//! the middle of an upload and its memory measured on its own.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tucai_core::sync::{CentreUrl, SyncHandle, SyncSettings};

/// Runs the Tucai station's sync worker on a data folder until killed.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The station's data folder, already enrolled at the centre.
    #[arg(long)]
    data_dir: PathBuf,

    /// The centre's base address.
    #[arg(long)]
    centre: String,

    /// Time-out of each request, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,

    /// Pause between reads of the change feed while nothing is waiting, in
    /// milliseconds.
    #[arg(long, default_value_t = 200)]
    poll_ms: u64,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();

    let mut settings = SyncSettings::new(CentreUrl::parse(&args.centre)?);
    settings.request_timeout = Duration::from_millis(args.timeout_ms);
    settings.poll_interval = Duration::from_millis(args.poll_ms);
    settings.backoff_min = Duration::from_millis(100);
    settings.backoff_max = Duration::from_secs(1);
    let _handle = SyncHandle::start(&args.data_dir, settings).context("cannot start sync")?;
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
