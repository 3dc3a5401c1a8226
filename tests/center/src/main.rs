//! `tucai-center`: runs the reference provincial centre on this computer.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Parser;
use tucai_center::Centre;

/// The reference provincial centre for Tucai stations: enrols stations,
/// stores their signed uploads, renders finished photos and serves the
/// change feed, as described in docs/centre-api.yaml.
///
/// Staff page: http://127.0.0.1:8787/staff (enter the staff key there).
/// Staff routes (all need 'Authorization: Bearer STAFF_KEY'):
///   POST /staff/tokens {"school": NAME}         issue an enrolment token
///   GET  /staff/submissions                     list submissions
///   POST /staff/submissions/ID/in-production    start production
///   POST /staff/submissions/ID/finished         render the finished photo
///   POST /staff/submissions/ID/reset {"reason"} send the student back to capture
///   POST /staff/submissions/ID/final            make the photo final
#[derive(Debug, Parser)]
#[command(version, verbatim_doc_comment)]
struct Args {
    /// TCP port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8787)]
    port: u16,

    /// Address to listen on. Only loopback addresses are accepted unless
    /// --allow-non-loopback is given, because the centre speaks plain HTTP.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,

    /// Listen on a --bind address that other computers can reach.
    #[arg(long)]
    allow_non_loopback: bool,

    /// Folder for the centre's database and photos [default: the system's
    /// data folder for tucai-center, such as ~/.local/share/tucai-center].
    #[arg(long, env = "TUCAI_CENTER_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Staff key for the staff routes; a random one is made and printed
    /// when not given.
    #[arg(long, env = "TUCAI_CENTER_STAFF_KEY", hide_env_values = true)]
    staff_key: Option<String>,

    /// Issue an enrolment token for this school at start and print it; may
    /// be repeated.
    #[arg(long, value_name = "SCHOOL")]
    issue_token: Vec<String>,

    /// Load the face models at the first finished photo instead of at start.
    #[arg(long)]
    lazy_models: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();

    if !args.bind.is_loopback() && !args.allow_non_loopback {
        bail!(
            "refusing to listen on {}: the reference centre speaks plain HTTP, so it listens on \
             loopback addresses only; pass --allow-non-loopback to listen there anyway",
            args.bind
        );
    }
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => directories::ProjectDirs::from("cn", "tucai", "tucai-center")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .context("no home directory for the data folder: pass --data-dir DIR")?,
    };
    let staff_key = args.staff_key.clone().unwrap_or_else(|| {
        let key = hex::encode(rand::random::<[u8; 16]>());
        println!("staff key: {key}");
        key
    });

    let centre = Centre::open(&data_dir, &staff_key)
        .with_context(|| format!("cannot open the data folder {}", data_dir.display()))?;
    if !args.lazy_models {
        centre.models().context("cannot load the face models")?;
    }
    for school in &args.issue_token {
        println!(
            "enrolment token for {school}: {}",
            centre.issue_token(school)?
        );
    }

    let addr = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}: choose another --port"))?;
    println!("listening on http://{}", listener.local_addr()?);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    centre.serve(listener, shutdown).await?;
    Ok(())
}
