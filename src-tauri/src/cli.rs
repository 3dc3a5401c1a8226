//! The command line: options parsed once into the station's settings, and
//! the subcommands for staff and scripts (which never create drafts).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tucai_core::checks::{self, Profile, RuleStatus};
use tucai_core::config::settings_file;
use tucai_core::station::{CameraChoice, StationOptions};
use tucai_core::store::{Role, Store};
use tucai_core::sync::{self, SyncSettings};
use tucai_core::vision::Models;
use tucai_core::{ErrorKind, decode, explain, paths, recapture};

/// Tucai: the capture station for the diploma registration photo.
///
/// With no subcommand it opens the station's window. The subcommands check
/// photos and manage the store from a terminal; they never create drafts.
#[derive(Debug, Parser)]
#[command(
    name = "tucai-station",
    version,
    max_term_width = 100,
    after_help = "Environment: TUCAI_DATA_DIR sets the data folder (as --data-dir does), \
                  TUCAI_SETTINGS the settings file (as --settings does), \
                  TUCAI_LOG the log level (such as debug or tucai_core=trace), \
                  TUCAI_PREVIEW_TRACE the preview trace file (as --preview-trace does), and \
                  TUCAI_ASSETS the folder of the models, profiles and demo frames.\n\n\
                  Exit codes: 0 success; 1 a checked photo fails a rule, the audit log is \
                  broken, or the centre did not respond to `sync status` or rejected the \
                  station; 2 something the person can fix, such as a photo, file, folder, \
                  option, setting, camera or a username already taken, with the message \
                  saying what and how; 3 the station itself is broken, such as a damaged \
                  store or model file."
)]
pub struct Cli {
    #[command(flatten)]
    store: StoreArgs,

    /// Settings file (TOML). Defaults to TUCAI_SETTINGS, then to
    /// settings.toml in the operating system's config folder for the app.
    /// A file named here or by TUCAI_SETTINGS must exist, and an empty file
    /// means the defaults. A missing file at the default place also means
    /// the documented defaults.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,

    /// Spec profile to check photos against, for this run: a bundled
    /// profile name or the path of a .toml file. Defaults to the settings.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,

    /// Camera index to open. Without it the first camera is used, or the
    /// demo camera when there is none.
    #[arg(long, value_name = "INDEX", conflicts_with = "replay")]
    camera: Option<u32>,

    /// Replay image files instead of a camera: a folder of .jpg/.png frames
    /// or one file. Drafts made from them are demo drafts.
    #[arg(long, value_name = "PATH")]
    replay: Option<PathBuf>,

    /// Frame rate of --replay, in frames per second (above 0, at most 240).
    #[arg(long, value_name = "FPS", default_value_t = 25.0, value_parser = parse_fps)]
    replay_fps: f32,

    /// Measure the preview. Each preview frame sent appends a CSV row to FILE
    /// with its number and its capture, encode, send and paint times in
    /// milliseconds since the Unix epoch. Each frame's number is drawn into
    /// the preview as a row of black and white blocks.
    #[arg(long, value_name = "FILE", env = "TUCAI_PREVIEW_TRACE")]
    preview_trace: Option<PathBuf>,

    /// Most qualified drafts a student keeps, for this run (1 to 20).
    /// Defaults to the settings.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    draft_limit: Option<u32>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Clone, clap::Args)]
struct StoreArgs {
    /// Folder of the station's store (SQLite file and originals). Defaults
    /// to TUCAI_DATA_DIR, then to the operating system's data folder for
    /// the app.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

impl StoreArgs {
    /// Returns the subcommand's `--data-dir`, or else the one given before
    /// the subcommand, so that both places work.
    fn or(&self, outer: &StoreArgs) -> StoreArgs {
        StoreArgs {
            data_dir: self.data_dir.clone().or_else(|| outer.data_dir.clone()),
        }
    }
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
        /// Spec profile: a bundled profile name or the path of a .toml file.
        /// Defaults to the station's --profile, then to the settings' profile.
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Language of the table's names and reasons.
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
        /// Also write the rendered 480x640 JPEG here, as the centre would
        /// receive it. Refused when no crop meets the bands.
        #[arg(long, value_name = "OUT.jpg")]
        render: Option<PathBuf>,
    },
    /// Manage the roster of students.
    Roster {
        #[command(subcommand)]
        action: RosterAction,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
    },
    /// Enrol at and inspect the provincial centre set in the settings
    /// (centre_url).
    Sync {
        #[command(subcommand)]
        action: SyncAction,
    },
    /// Export today's capture attempts, the originals of today's drafts
    /// and the roster's progress (progress.xlsx) into a new folder inside
    /// DIR, such as a USB drive.
    Export {
        /// The folder to export into; it must exist.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the video nodes: each camera with its kind (user_facing or
    /// external_or_rear) and formats, the nodes skipped and why, and the
    /// camera the settings select. Exits 0 when a camera is selected and 2
    /// when none can be, with the reason and the fix.
    Cameras {
        /// Language of the reason when no camera can be selected.
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
    },
    /// Write a diagnostics bundle for IT into a new folder inside DIR:
    /// the settings, the versions, the newest log files and the camera
    /// list. The store (students, photos, keys) is left out.
    Diagnostics {
        /// The folder to write into; it must exist.
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditAction {
    /// Walk the whole audit log and check each entry's hash and link to
    /// the entry before. Exits 0 and prints the count and the last hash
    /// when intact, 1 naming the first broken entry otherwise. Keep the
    /// printed last hash outside the station: a log cut after it still
    /// forms an intact chain, and only --last-hash finds the cut.
    Verify {
        /// A last hash printed by an earlier check. The check fails when
        /// the log no longer contains that entry.
        #[arg(long, value_name = "HASH")]
        last_hash: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum SyncAction {
    /// Enrol the station at the centre with the one-time token the centre
    /// issued to the school. The token is read from the environment
    /// variable TUCAI_ENROL_TOKEN, or from the first line of standard input.
    Enrol {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print the centre's address, the station's enrolment there, whether
    /// the centre responds to the station now (one read, at most 10 s), and
    /// the number of submissions waiting in the outbox.
    Status {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum StaffAction {
    /// Add a staff account. The password is read from the environment
    /// variable TUCAI_PASSWORD, or from the first line of standard input.
    /// Adding a supervisor to a station with no staff creates the first
    /// supervisor; later accounts are added in the window by a supervisor,
    /// or here by whoever can write the data folder.
    Add {
        /// Username: 2 to 32 letters, digits, '.', '-' or '_'.
        username: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Operator)]
        role: RoleArg,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RoleArg {
    Operator,
    Supervisor,
}

#[derive(Debug, Subcommand)]
enum RosterAction {
    /// Import a roster, CSV or spreadsheet (columns: student number, name,
    /// ID number, school, college, class, collection code; Chinese or
    /// English headers). A file with any bad row imports nothing.
    Import {
        /// The roster file: .csv in UTF-8, or .xlsx, .xls or .ods (first sheet).
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Lang {
    Zh,
    En,
}

fn parse_fps(text: &str) -> Result<f32, String> {
    let fps: f32 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if fps > 0.0 && fps <= 240.0 {
        Ok(fps)
    } else {
        Err(format!(
            "{fps} is outside 0 (exclusive) to 240 frames per second"
        ))
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log_guard = init_logging(cli.command.is_none());
    match &cli.command {
        Some(Command::Check {
            photo,
            profile,
            json,
            lang,
            render,
        }) => match check_profile(&cli, profile.as_deref()) {
            Ok(profile) => check(photo, &profile, *json, *lang, render.as_deref()),
            Err(code) => code,
        },
        Some(Command::Roster {
            action: RosterAction::Import { file, store },
        }) => roster_import(&store.or(&cli.store), file),
        Some(Command::Audit {
            action: AuditAction::Verify { last_hash, store },
        }) => audit_verify(&store.or(&cli.store), last_hash.as_deref()),
        Some(Command::Staff {
            action:
                StaffAction::Add {
                    username,
                    role,
                    store,
                },
        }) => staff_add(&store.or(&cli.store), username, *role),
        Some(Command::Export { to, store }) => export(&store.or(&cli.store), to),
        Some(Command::Diagnostics { to }) => diagnostics(cli.settings.clone(), to),
        Some(Command::Cameras { lang }) => cameras(cli.settings.clone(), *lang),
        Some(Command::Sync {
            action: SyncAction::Enrol { store },
        }) => sync_enrol(&cli, &store.or(&cli.store)),
        Some(Command::Sync {
            action: SyncAction::Status { store },
        }) => sync_status(&cli, &store.or(&cli.store)),
        None => window(&cli),
    }
}

/// Days of log files the window keeps.
const LOG_DAYS: usize = 14;

/// Logs to standard error at the level `TUCAI_LOG` sets (such as `debug`
/// or `tucai_core=trace`): by default the window logs its steps and the
/// subcommands only warnings, so their output stays readable. The window
/// also logs to a file a day in the log folder (see [`paths::log_dir`]),
/// keeping 14; the returned guard flushes it when dropped.
fn init_logging(window: bool) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let default = if window {
        "warn,tucai_core=info,tucai_station=info"
    } else {
        "warn"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TUCAI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());

    let mut file_problem = None;
    let (file, guard) = match paths::log_dir().filter(|_| window) {
        Some(dir) => match std::fs::create_dir_all(&dir)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                tracing_appender::rolling::Builder::new()
                    .rotation(tracing_appender::rolling::Rotation::DAILY)
                    .filename_prefix("tucai-station")
                    .filename_suffix("log")
                    .max_log_files(LOG_DAYS)
                    .build(&dir)
                    .map_err(|e| e.to_string())
            }) {
            Ok(appender) => {
                let (writer, guard) = tracing_appender::non_blocking(appender);
                let layer = tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(false);
                (Some(layer), Some(guard))
            }
            Err(e) => {
                file_problem = Some(format!(
                    "cannot log to {}: {e}; set {} to a writable folder",
                    dir.display(),
                    paths::LOG_DIR_ENV
                ));
                (None, None)
            }
        },
        None => (None, None),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file)
        .init();
    if let Some(problem) = file_problem {
        tracing::warn!("{problem}");
    }
    guard
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("tucai-station: {message}");
    ExitCode::from(code)
}

/// Prints `error`, in Chinese and then English when it has both, and
/// returns `code`.
fn fail_as(code: u8, error: &tucai_core::Error) -> ExitCode {
    match error.text() {
        Some(text) => {
            eprintln!("tucai-station: {}", text.zh);
            fail(code, &text.en)
        }
        None => fail(code, error),
    }
}

/// Prints `error` and returns the exit code of its kind.
fn fail_with(error: tucai_core::Error) -> ExitCode {
    fail_as(exit_code_for(error.kind()), &error)
}

/// Exit code 2 is for what the person can fix (a photo, an option, a
/// file or folder, a camera, a name already taken); 3 is for a broken
/// station (a damaged store or model file). The `--help` text lists them.
fn exit_code_for(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput
        | ErrorKind::NotFound
        | ErrorKind::Camera
        | ErrorKind::Denied
        | ErrorKind::Locked
        | ErrorKind::Network
        | ErrorKind::Conflict => 2,
        ErrorKind::Model | ErrorKind::Store | ErrorKind::Internal => 3,
    }
}

fn open_store(args: &StoreArgs) -> Result<(PathBuf, Store), ExitCode> {
    let dir = paths::data_dir(args.data_dir.clone()).map_err(|e| fail_as(2, &e))?;
    let store = Store::open(&dir).map_err(fail_with)?;
    Ok((dir, store))
}

/// Opens the store for a command that only reads or copies it, failing
/// when the folder contains no store, because a mistyped folder must not
/// yield an empty export or an "intact" audit of a store made on the spot.
fn open_existing_store(args: &StoreArgs) -> Result<(PathBuf, Store), ExitCode> {
    let dir = paths::data_dir(args.data_dir.clone()).map_err(|e| fail_as(2, &e))?;
    if !dir.join(tucai_core::store::DB_FILE).is_file() {
        return Err(fail(
            2,
            format!(
                "no station store in {}: check --data-dir or TUCAI_DATA_DIR \
                 (the window and `roster import` create the store)",
                dir.display()
            ),
        ));
    }
    open_store(args)
}

fn audit_verify(args: &StoreArgs, last_hash: Option<&str>) -> ExitCode {
    let (dir, store) = match open_existing_store(args) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let checked = match last_hash {
        Some(hash) => store.verify_audit_through(hash),
        None => store.verify_audit(),
    };
    match checked {
        Ok(check) => {
            println!(
                "audit log intact: {} entries, last hash {} (store {})",
                check.entries,
                check.head,
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == ErrorKind::Conflict => fail(1, e),
        Err(e) => fail_with(e),
    }
}

/// Reads a secret from the environment variable `var`, or else from the
/// first line of standard input.
fn read_secret(var: &str, what: &str) -> Result<String, ExitCode> {
    if let Ok(value) = std::env::var(var)
        && !value.is_empty()
    {
        return Ok(value);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| {
        fail(
            2,
            format!("cannot read the {what} from standard input: {e}"),
        )
    })?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Loads the settings and takes the sync settings from them.
/// Loads the sync settings, and returns them with the path of the
/// settings file that contains them.
fn load_sync_settings(cli: &Cli) -> Result<(SyncSettings, PathBuf), ExitCode> {
    let file = settings_file(cli.settings.clone()).map_err(|e| fail_as(2, &e))?;
    let settings = file.load().map_err(|e| fail_as(2, &e))?;
    let sync = SyncSettings::from_settings(&settings).map_err(|e| fail_as(2, &e))?;
    match sync {
        Some(sync) => Ok((sync, file.path)),
        None => Err(fail(
            2,
            format!(
                "no centre address in {}: set centre_url to the address the centre gave the school",
                file.path.display()
            ),
        )),
    }
}

fn sync_enrol(cli: &Cli, args: &StoreArgs) -> ExitCode {
    let (settings, _) = match load_sync_settings(cli) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let token = match read_secret("TUCAI_ENROL_TOKEN", "enrolment token") {
        Ok(token) => token,
        Err(code) => return code,
    };
    // A mistyped folder would get a new, empty store and use up the
    // school's one-time token on it.
    let (dir, mut store) = match open_existing_store(args) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let enrolled = sync::enrol(&dir, &settings, &token).and_then(|enrolment| {
        store
            .save_enrolment(&enrolment, "command-line")
            .map(|()| enrolment)
    });
    match enrolled {
        Ok(enrolment) => {
            println!(
                "enrolled at {} as station {} of {}",
                enrolment.centre_url, enrolment.station_id, enrolment.school
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail_with(e),
    }
}

fn sync_status(cli: &Cli, args: &StoreArgs) -> ExitCode {
    let (settings, settings_path) = match load_sync_settings(cli) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let (_, store) = match open_existing_store(args) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let centre = settings.centre.as_str();
    let status = store
        .enrolment(centre)
        .and_then(|enrolment| Ok((enrolment, store.outbox_len()?)));
    match status {
        Ok((enrolment, waiting)) => {
            println!("centre: {centre}");
            match &enrolment {
                Some(e) => println!("enrolled: station {} of {}", e.station_id, e.school),
                None => println!("enrolled: no (run `tucai-station sync enrol`)"),
            }
            let mut code = ExitCode::SUCCESS;
            if let Some(enrolment) = &enrolment {
                match sync::probe(&settings, enrolment) {
                    Ok(response) if response.news => println!(
                        "reached: yes, in {:.1} ms; results wait there for the station",
                        response.elapsed.as_secs_f64() * 1000.0
                    ),
                    Ok(response) => println!(
                        "reached: yes, in {:.1} ms",
                        response.elapsed.as_secs_f64() * 1000.0
                    ),
                    Err(failed) => {
                        if failed.responded {
                            println!("reached: yes, but the centre rejected the station or failed");
                        } else {
                            println!("reached: no");
                        }
                        println!("  {}", failed.text.zh);
                        println!("  {}", failed.text.en);
                        println!("  centre_url is set in {}", settings_path.display());
                        code = ExitCode::from(1);
                    }
                }
            }
            println!("waiting in the outbox: {waiting}");
            code
        }
        Err(e) => fail_with(e),
    }
}

fn staff_add(args: &StoreArgs, username: &str, role: RoleArg) -> ExitCode {
    let password = match read_secret("TUCAI_PASSWORD", "password") {
        Ok(password) => password,
        Err(code) => return code,
    };
    let (_, mut store) = match open_store(args) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let role = match role {
        RoleArg::Operator => Role::Operator,
        RoleArg::Supervisor => Role::Supervisor,
    };
    match store.create_staff("command-line", username, &password, role) {
        Ok(member) => {
            println!("added {} as {}", member.username, member.role.as_str());
            ExitCode::SUCCESS
        }
        Err(e) => fail_with(e),
    }
}

fn export(args: &StoreArgs, to: &std::path::Path) -> ExitCode {
    let (_, mut store) = match open_existing_store(args) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    match store.export(to, "command-line") {
        Ok(summary) => {
            println!(
                "exported {} capture attempts, {} originals and the progress of {} students to {}",
                summary.captures, summary.originals, summary.students, summary.folder
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail_with(e),
    }
}

fn cameras(settings: Option<PathBuf>, lang: Lang) -> ExitCode {
    use tucai_core::camera::{
        NodeStatus, classify_node, describe_node, probe_nodes, select_from_nodes, select_numbered,
    };

    let settings = match settings_file(settings).and_then(|file| file.load()) {
        Ok(settings) => settings,
        Err(e) => return fail_with(e),
    };
    let statuses: Vec<NodeStatus> = probe_nodes().iter().map(classify_node).collect();
    if statuses.is_empty() {
        println!("no video node listed by the operating system");
    }
    for status in &statuses {
        for line in describe_node(status) {
            println!("{line}");
        }
    }
    let allow_user_facing = settings.allow_user_facing_camera;
    let selected = match settings.camera_index() {
        Ok(Some(index)) => select_numbered(&statuses, index, allow_user_facing),
        _ => select_from_nodes(&statuses, allow_user_facing),
    };
    match selected {
        Ok(camera) => {
            println!("selected: {} ({})", camera.index, camera.name);
            ExitCode::SUCCESS
        }
        Err(why) => fail(
            2,
            match lang {
                Lang::Zh => why.zh,
                Lang::En => why.en,
            },
        ),
    }
}

fn diagnostics(settings: Option<PathBuf>, to: &std::path::Path) -> ExitCode {
    use tucai_core::diagnostics::BundleSettings;

    let file = match settings_file(settings) {
        Ok(file) => file,
        Err(e) => return fail_as(2, &e),
    };
    let path = file.path.clone();
    // An invalid settings file keeps the station from starting, which is
    // when IT needs the bundle most, so the file goes in as found.
    let loaded = file.load().map_err(|e| e.to_string());
    let bundle_settings = match &loaded {
        Ok(settings) => BundleSettings::Loaded(settings),
        Err(error) => {
            // The error may end in a full stop, so the note goes on a line
            // of its own.
            eprintln!("tucai-station: {error}");
            eprintln!(
                "tucai-station: the bundle records this error and the settings file as found"
            );
            BundleSettings::Invalid { path: &path, error }
        }
    };
    match tucai_core::diagnostics::write_bundle(
        to,
        bundle_settings,
        paths::log_dir().as_deref(),
        &tucai_core::diagnostics::camera_lines(),
    ) {
        Ok(bundle) => {
            println!(
                "wrote the settings, versions, {} log files and {} cameras to {}",
                bundle.log_files,
                bundle.cameras,
                bundle.folder.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail_with(e),
    }
}

/// Picks the profile of `check`: its own --profile, else the station's
/// --profile, else the profile in the settings file, else the default
/// profile when there is no settings file at the default place.
fn check_profile(cli: &Cli, own: Option<&str>) -> Result<String, ExitCode> {
    if let Some(name) = own.or(cli.profile.as_deref()) {
        return Ok(name.to_owned());
    }
    settings_file(cli.settings.clone())
        .and_then(|file| file.load())
        .map(|settings| settings.profile)
        .map_err(|e| fail_as(2, &e))
}

fn check(
    photo: &std::path::Path,
    profile: &str,
    json: bool,
    lang: Lang,
    render: Option<&std::path::Path>,
) -> ExitCode {
    if let Some(out) = render {
        let jpeg = out
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"));
        if !jpeg {
            return fail(
                2,
                format!(
                    "--render {}: the rendered photo is a JPEG, so the file name must end in .jpg \
                     or .jpeg",
                    out.display()
                ),
            );
        }
    }
    let profile = match Profile::named(profile) {
        Ok(p) => p,
        Err(e) => return fail_with(e),
    };
    let image = match decode::load_photo(photo) {
        Ok(image) => image,
        Err(e) => return fail_as(2, &e),
    };
    let models = match Models::load_bundled() {
        Ok(m) => m,
        Err(e) => return fail_as(3, &e),
    };
    let (report, analysis) = match checks::check_photo(&image, &models, &profile) {
        Ok((mut report, analysis)) => {
            // A single photo has no preview frames, so only the
            // single-frame recapture cues run.
            let assessment = recapture::assess(&image, &analysis, &[]);
            report.push(recapture::rule(&assessment));
            (report, analysis)
        }
        Err(e) => return fail_with(e),
    };

    if json {
        let text = match serde_json::to_string_pretty(&report) {
            Ok(text) => text,
            Err(e) => return fail(3, e),
        };
        if let Err(e) = writeln!(std::io::stdout().lock(), "{text}")
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            return fail(3, e);
        }
    } else if let Err(e) = print_report(photo, &report, lang) {
        // A closed pipe (such as `| head`) is not an error of the check.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(3, e);
        }
    }
    if let Some(out) = render {
        match &analysis.rendered {
            Some(rendered) => {
                if let Err(e) = std::fs::write(out, &rendered.jpeg) {
                    let folder = match out.parent() {
                        Some(parent) if !parent.as_os_str().is_empty() => parent,
                        _ => std::path::Path::new("."),
                    };
                    return fail_with(explain::unwritable_folder(folder, &e));
                }
            }
            None => {
                // The crop rule has failed, so the report already gives the reason.
                eprintln!(
                    "tucai-station: {} not written: no 480x640 crop of this photo meets the \
                     profile's bands (see the crop rule); retake it with the head inside \
                     the outline",
                    out.display()
                );
            }
        }
    }
    if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Environment variable with which WebKitGTK turns off its accelerated
/// compositing.
#[cfg(target_os = "linux")]
const NO_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Starts the station again with WebKitGTK's accelerated compositing off
/// when the machine has no GPU render node and the variable is not set.
///
/// Without a GPU (a virtual machine, a remote display, Xvfb) WebKitGTK
/// composites on the CPU, and the preview was measured at 3.3 frames a
/// second under Xvfb against 24 with compositing off (docs/benchmarks.md).
/// Setting the variable to any value leaves the choice to the person.
#[cfg(target_os = "linux")]
fn composite_on_the_cpu_only_with_a_gpu() {
    use std::os::unix::process::CommandExt;

    if std::env::var_os(NO_COMPOSITING).is_some() {
        return;
    }
    let has_gpu = std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    });
    if has_gpu {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    // exec returns only when it failed; the station then starts as it is.
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(NO_COMPOSITING, "1")
        .exec();
    tracing::warn!(%error, "cannot restart without accelerated compositing");
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
                unmeasured.push(pick(&rule.title));
                continue;
            }
            RuleStatus::NotAssessed => "n/a ",
        };
        let measured = rule.measured.as_deref().unwrap_or("-");
        writeln!(
            out,
            "  [{status}] {}  {measured}  ({})",
            pick(&rule.title),
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
        let separator = if lang == Lang::Zh { "、" } else { ", " };
        writeln!(out, "  [n/a ] {label}: {}", unmeasured.join(separator))?;
    }
    Ok(())
}

fn roster_import(store: &StoreArgs, file: &std::path::Path) -> ExitCode {
    let dir = match paths::data_dir(store.data_dir.clone()) {
        Ok(dir) => dir,
        Err(e) => return fail_as(2, &e),
    };
    let result = Store::open(&dir).and_then(|mut store| store.import_roster(file));
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
        Err(e) => fail_with(e),
    }
}

fn window(cli: &Cli) -> ExitCode {
    #[cfg(target_os = "linux")]
    composite_on_the_cpu_only_with_a_gpu();
    let data_dir = match paths::data_dir(cli.store.data_dir.clone()) {
        Ok(dir) => dir,
        Err(e) => return fail_as(2, &e),
    };
    let camera = match (&cli.replay, cli.camera) {
        (Some(path), _) => CameraChoice::Replay {
            path: path.clone(),
            fps: cli.replay_fps,
        },
        (None, Some(index)) => CameraChoice::Device(index),
        (None, None) => CameraChoice::Auto,
    };
    let settings_file = match settings_file(cli.settings.clone()) {
        Ok(file) => file,
        Err(e) => return fail_as(2, &e),
    };
    let mut settings = match settings_file.load() {
        Ok(settings) => settings,
        Err(e) => return fail_as(2, &e),
    };
    if let Some(limit) = cli.draft_limit {
        settings.draft_limit = limit;
    }
    let options = StationOptions {
        data_dir,
        profile: cli
            .profile
            .clone()
            .unwrap_or_else(|| settings.profile.clone()),
        camera,
        settings,
        settings_path: Some(settings_file.path),
        preview_trace: cli.preview_trace.clone(),
    };
    match crate::run_window(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail_with(e),
    }
}
