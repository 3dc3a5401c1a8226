//! The command line: options parsed once into the station's settings, and
//! the subcommands for staff and scripts (which never create drafts).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tucai_core::checks::{self, DEFAULT_PROFILE, Profile, RuleStatus};
use tucai_core::station::{CameraChoice, StationOptions};
use tucai_core::store::Store;
use tucai_core::vision::Models;
use tucai_core::{ErrorKind, decode, paths};

/// Tucai: the capture station for the diploma registration photo.
///
/// With no subcommand it opens the station's window. The subcommands check
/// photos and manage the store from a terminal; they never create drafts.
#[derive(Debug, Parser)]
#[command(name = "tucai-station", version, max_term_width = 100)]
pub struct Cli {
    /// Folder of the station's store (SQLite file and originals). Defaults
    /// to the operating system's data folder for the app.
    #[arg(long, global = true, value_name = "DIR", env = paths::DATA_DIR_ENV)]
    data_dir: Option<PathBuf>,

    /// Spec profile to check photos against: a bundled profile name or the
    /// path of a .toml file.
    #[arg(long, global = true, value_name = "NAME", default_value = DEFAULT_PROFILE)]
    profile: String,

    /// Camera index to open (see the list the system gives). Without it
    /// the first camera is used, or the demo camera when there is none.
    #[arg(long, value_name = "INDEX", conflicts_with = "replay")]
    camera: Option<u32>,

    /// Replay image files instead of a camera: a folder of .jpg/.png frames
    /// or one file. Drafts made from them are demo drafts.
    #[arg(long, value_name = "PATH")]
    replay: Option<PathBuf>,

    /// Frame rate of --replay, in frames per second.
    #[arg(long, value_name = "FPS", default_value_t = 25.0)]
    replay_fps: f32,

    /// Most qualified drafts a student keeps.
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=50))]
    draft_limit: u32,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check one photo against the profile and print the report.
    ///
    /// Exits 0 when every rule passes, 1 when any rule fails, 2 when the
    /// photo or an option cannot be used (the reason is printed), and 3
    /// when the station itself is broken (such as a damaged model file).
    Check {
        /// The photo file (JPEG or PNG).
        photo: PathBuf,
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Language of the table's reasons.
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
    },
    /// Manage the roster of students.
    Roster {
        #[command(subcommand)]
        action: RosterAction,
    },
}

#[derive(Debug, Subcommand)]
enum RosterAction {
    /// Import a roster CSV (columns: student number, name, ID number,
    /// school, college, class, collection code; Chinese or English
    /// headers). A file with any bad row imports nothing.
    Import { file: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    Zh,
    En,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.command.is_none());
    match cli.command {
        Some(Command::Check {
            ref photo,
            json,
            lang,
        }) => check(photo, &cli.profile, json, lang),
        Some(Command::Roster {
            action: RosterAction::Import { ref file },
        }) => roster_import(&cli, file),
        None => window(&cli),
    }
}

/// Logs to standard error at the level `TUCAI_LOG` sets (such as `debug`
/// or `tucai_core=trace`): by default the window logs its steps and the
/// subcommands only warnings, so their output stays readable.
fn init_logging(window: bool) {
    let default = if window {
        "warn,tucai_core=info,tucai_station=info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TUCAI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("tucai-station: {message}");
    ExitCode::from(code)
}

fn exit_code_for(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput | ErrorKind::NotFound => 2,
        _ => 3,
    }
}

fn check(photo: &std::path::Path, profile: &str, json: bool, lang: Lang) -> ExitCode {
    let profile = match Profile::named(profile) {
        Ok(p) => p,
        Err(e) => return fail(2, e),
    };
    let image = match decode::load_photo(photo) {
        Ok(image) => image,
        Err(e) => return fail(2, e),
    };
    let models = match Models::load_bundled() {
        Ok(m) => m,
        Err(e) => return fail(3, e),
    };
    let report = match checks::check_photo(&image, &models, &profile) {
        Ok((report, _)) => report,
        Err(e) => return fail(exit_code_for(e.kind()), e),
    };

    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => return fail(3, e),
        }
    } else if let Err(e) = print_report(photo, &report, lang) {
        // A closed pipe (such as `| head`) is not an error of the check.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(3, e);
        }
    }
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_report(
    photo: &std::path::Path,
    report: &checks::Report,
    lang: Lang,
) -> std::io::Result<()> {
    let pick = |t: &tucai_core::text::Text| {
        if lang == Lang::Zh {
            t.zh.clone()
        } else {
            t.en.clone()
        }
    };
    let verdict = match (report.passed, lang) {
        (true, Lang::Zh) => "合格 PASS",
        (false, Lang::Zh) => "不合格 FAIL",
        (true, Lang::En) => "PASS",
        (false, Lang::En) => "FAIL",
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}  {}x{}  profile {}  {verdict}",
        photo.display(),
        report.frame_width,
        report.frame_height,
        report.profile
    )?;

    let mut unmeasured = Vec::new();
    for rule in &report.rules {
        let status = match rule.status {
            RuleStatus::Pass => "pass",
            RuleStatus::Fail => "FAIL",
            RuleStatus::Advisory => "warn",
            RuleStatus::NotAssessed if rule.measured.is_none() => {
                unmeasured.push(rule.rule.as_str());
                continue;
            }
            RuleStatus::NotAssessed => "n/a ",
        };
        let measured = rule.measured.as_deref().unwrap_or("-");
        writeln!(
            out,
            "  [{status}] {:<22} {measured}  ({})",
            rule.rule,
            pick(&rule.allowed)
        )?;
        if rule.status != RuleStatus::Pass {
            writeln!(out, "         {}", pick(&rule.reason))?;
            if let Some(advice) = &rule.advice {
                writeln!(out, "         → {}", pick(advice))?;
            }
        }
    }
    if !unmeasured.is_empty() {
        let label = if lang == Lang::Zh {
            "未测量（请目视检查）"
        } else {
            "not measured (check by eye)"
        };
        writeln!(out, "  [n/a ] {label}: {}", unmeasured.join(", "))?;
    }
    Ok(())
}

fn roster_import(cli: &Cli, file: &std::path::Path) -> ExitCode {
    let dir = match paths::data_dir(cli.data_dir.clone()) {
        Ok(dir) => dir,
        Err(e) => return fail(2, e),
    };
    let result = Store::open(&dir).and_then(|mut store| store.import_roster_csv(file));
    match result {
        Ok(summary) => {
            println!(
                "imported {}: {} added, {} updated, {} unchanged (store {})",
                file.display(),
                summary.added,
                summary.updated,
                summary.unchanged,
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(exit_code_for(e.kind()), e),
    }
}

fn window(cli: &Cli) -> ExitCode {
    let data_dir = match paths::data_dir(cli.data_dir.clone()) {
        Ok(dir) => dir,
        Err(e) => return fail(2, e),
    };
    let camera = match (&cli.replay, cli.camera) {
        (Some(path), _) => CameraChoice::Replay {
            path: path.clone(),
            fps: cli.replay_fps,
        },
        (None, Some(index)) => CameraChoice::Device(index),
        (None, None) => CameraChoice::Auto,
    };
    let options = StationOptions {
        data_dir,
        profile: cli.profile.clone(),
        camera,
        draft_limit: cli.draft_limit,
    };
    match crate::run_window(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(exit_code_for(e.kind()), e),
    }
}
