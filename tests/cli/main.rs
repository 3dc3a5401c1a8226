//! The station's command line run as a person runs it: the built binary on
//! real photos and files, checked by exit code, output and error text.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::Result;
use tucai_tests::{repo_root, station_binary};

/// Runs the station with `args`, with the settings at `settings` so that
/// the machine's own settings file is never read.
fn station(settings: &Path, args: &[&str]) -> Result<Output> {
    Ok(Command::new(station_binary()?)
        .arg("--settings")
        .arg(settings)
        .args(args)
        .env("TUCAI_LOG", "warn")
        .output()?)
}

/// Writes an empty settings file, which means the defaults, into `dir`.
fn empty_settings(dir: &Path) -> Result<PathBuf> {
    let path = dir.join("settings.toml");
    std::fs::write(&path, "")?;
    Ok(path)
}

fn demo_frame() -> String {
    repo_root()
        .join("assets/demo-camera/frame-00.jpg")
        .display()
        .to_string()
}

fn report_profile(output: &Output) -> Result<String> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    Ok(report["profile"].as_str().unwrap_or_default().to_owned())
}

#[test]
fn check_renders_the_output_photo() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let out = dir.path().join("photo.jpg");

    let output = station(
        &settings,
        &[
            "check",
            &demo_frame(),
            "--json",
            "--render",
            &out.display().to_string(),
        ],
    )?;

    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let jpeg = std::fs::read(&out)?;
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let photo = image::load_from_memory(&jpeg)?;
    assert_eq!((photo.width(), photo.height()), (480, 640));
    Ok(())
}

#[test]
fn check_refuses_a_png_render_name() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let out = dir.path().join("photo.png");

    let output = station(
        &settings,
        &[
            "check",
            &demo_frame(),
            "--render",
            &out.display().to_string(),
        ],
    )?;

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(".jpg"), "{stderr}");
    assert!(!out.exists());
    Ok(())
}

#[test]
fn check_follows_the_settings_profile() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    std::fs::write(&settings, "profile = \"chsi-blue\"\n")?;

    let from_settings = station(&settings, &["check", &demo_frame(), "--json"])?;
    let from_station_flag = station(
        &settings,
        &[
            "--profile",
            "icao-passport",
            "check",
            &demo_frame(),
            "--json",
        ],
    )?;
    let from_own_flag = station(
        &settings,
        &[
            "--profile",
            "icao-passport",
            "check",
            &demo_frame(),
            "--json",
            "--profile",
            "chsi-diploma",
        ],
    )?;

    assert_eq!(report_profile(&from_settings)?, "chsi-blue");
    assert_eq!(report_profile(&from_station_flag)?, "icao-passport");
    assert_eq!(report_profile(&from_own_flag)?, "chsi-diploma");
    Ok(())
}

#[test]
fn check_names_an_empty_file() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let empty = dir.path().join("empty.jpg");
    std::fs::write(&empty, b"")?;

    let output = station(&settings, &["check", &empty.display().to_string()])?;

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("empty.jpg"), "{stderr}");
    assert!(stderr.contains("empty (0 bytes)"), "{stderr}");
    assert!(stderr.contains("文件是空的（0 字节）"), "{stderr}");

    let missing = dir.path().join("missing.jpg");
    let output = station(&settings, &["check", &missing.display().to_string()])?;

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.jpg"), "{stderr}");
    assert!(
        stderr.contains("文件不存在，请检查路径和文件名"),
        "{stderr}"
    );
    assert!(
        stderr.contains("check the path and the file name"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn roster_import_explains_a_semicolon_file() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "学号;姓名;身份证号;学校;学院;班级;采集码\nS1;李;11010519491231002X;U;C;K;CODE0001\n",
    )?;
    let data = dir.path().join("data");

    let output = station(
        &settings,
        &[
            "roster",
            "import",
            &roster.display().to_string(),
            "--data-dir",
            &data.display().to_string(),
        ],
    )?;

    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("';'"), "{stderr}");
    assert!(stderr.contains("CSV UTF-8"), "{stderr}");
    Ok(())
}

/// Imports the sample roster into a new store in `data`.
fn import_sample(settings: &Path, data: &Path) -> Result<()> {
    let roster = repo_root().join("assets/roster/sample-roster.csv");
    let output = station(
        settings,
        &[
            "roster",
            "import",
            &roster.display().to_string(),
            "--data-dir",
            &data.display().to_string(),
        ],
    )?;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    Ok(())
}

/// sysfs takes no new folders, even from root, the user that CI runs the
/// tests as.
#[cfg(target_os = "linux")]
#[test]
fn export_to_unwritable_folder_explains() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let data = dir.path().join("data");
    import_sample(&settings, &data)?;

    let output = station(
        &settings,
        &[
            "export",
            "--to",
            "/sys",
            "--data-dir",
            &data.display().to_string(),
        ],
    )?;

    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("无法写入文件夹 /sys"), "{stderr}");
    assert!(
        stderr.contains("cannot write into the folder /sys"),
        "{stderr}"
    );
    assert!(stderr.contains("Choose another folder"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
    Ok(())
}

#[test]
fn export_to_missing_folder_explains() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let data = dir.path().join("data");
    import_sample(&settings, &data)?;
    let missing = dir.path().join("no-usb-here");

    let output = station(
        &settings,
        &[
            "export",
            "--to",
            &missing.display().to_string(),
            "--data-dir",
            &data.display().to_string(),
        ],
    )?;

    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no-usb-here is not an existing folder"),
        "{stderr}"
    );
    assert!(stderr.contains("Plug in the drive"), "{stderr}");
    Ok(())
}

#[test]
fn staff_add_taken_username_exits_2() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let data = dir.path().join("data").display().to_string();
    let add = |username: &str, role: &str| -> Result<Output> {
        Ok(Command::new(station_binary()?)
            .args(["--settings", &settings.display().to_string()])
            .args([
                "staff",
                "add",
                username,
                "--role",
                role,
                "--data-dir",
                &data,
            ])
            .env("TUCAI_PASSWORD", "correct horse")
            .env("TUCAI_LOG", "warn")
            .output()?)
    };

    let operator_first = add("zhao.op", "operator")?;
    let first = add("wang.li", "supervisor")?;
    let again = add("WANG.LI", "operator")?;

    assert_eq!(operator_first.status.code(), Some(2), "{operator_first:?}");
    let stderr = String::from_utf8_lossy(&operator_first.stderr);
    assert!(stderr.contains("no supervisor yet"), "{stderr}");
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("已被账户 \"wang.li\" 占用"), "{stderr}");
    assert!(
        stderr.contains("the username \"WANG.LI\" is already taken"),
        "{stderr}"
    );
    assert!(stderr.contains("Choose another username"), "{stderr}");
    Ok(())
}

#[test]
fn roster_import_missing_file_explains() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let data = dir.path().join("data");

    for name in ["roster.csv", "roster.xlsx"] {
        let missing = dir.path().join(name);
        let output = station(
            &settings,
            &[
                "roster",
                "import",
                &missing.display().to_string(),
                "--data-dir",
                &data.display().to_string(),
            ],
        )?;

        assert_eq!(output.status.code(), Some(2), "{name}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("找不到名单文件 {}", missing.display())),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("roster file {} not found", missing.display())),
            "{stderr}"
        );
        assert!(!stderr.contains("os error"), "{stderr}");
    }
    Ok(())
}

#[test]
fn help_lists_exit_codes() -> Result<()> {
    let output = Command::new(station_binary()?).arg("--help").output()?;

    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("Exit codes: 0 success"), "{help}");
    assert!(help.contains("a username already taken"), "{help}");
    Ok(())
}

#[test]
fn damaged_store_names_file_and_recovery() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let data = dir.path().join("data");
    std::fs::create_dir(&data)?;
    let db = data.join("tucai.sqlite3");
    std::fs::write(&db, b"not a database, only text")?;

    let output = station(
        &settings,
        &["audit", "verify", "--data-dir", &data.display().to_string()],
    )?;

    assert_eq!(output.status.code(), Some(3), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let path = db.display().to_string();
    assert!(
        stderr.contains(&format!("数据库文件 {path} 已损坏")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("database {path} is damaged")),
        "{stderr}"
    );
    assert!(
        stderr.contains("copy those files back from the backup"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db)?, b"not a database, only text");
    Ok(())
}

#[test]
fn missing_named_settings_file_exits_2() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let missing = dir.path().join("settngs.toml");

    let output = station(&missing, &["check", &demo_frame()])?;

    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let path = missing.display().to_string();
    assert!(
        stderr.contains(&format!("找不到由 --settings 指定的设置文件 {path}")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "the settings file {path}, named by --settings, does not exist"
        )),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn settings_type_error_names_key_and_fix() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = dir.path().join("settings.toml");
    std::fs::write(&settings, "draft_limit = \"abc\"\ndraft_limt = 5\n")?;

    let output = station(&settings, &["check", &demo_frame()])?;

    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("invalid type"), "{stderr}");
    assert!(
        stderr.contains(
            "line 1: draft_limit is \"abc\", text, but it must be a whole number from 1 to 20"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 2: draft_limt is not a setting. Did you mean draft_limit?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("第 1 行：draft_limit 的值 \"abc\" 是文本"),
        "{stderr}"
    );
    Ok(())
}

/// Runs `sync enrol` with `token`.
fn enrol(settings: &Path, data: &str, token: &str) -> Result<Output> {
    Ok(Command::new(station_binary()?)
        .arg("--settings")
        .arg(settings)
        .args(["sync", "enrol", "--data-dir", data])
        .env("TUCAI_LOG", "warn")
        .env("TUCAI_ENROL_TOKEN", token)
        .output()?)
}

/// Enrols at the reference centre on loopback after two mistakes that
/// must not use up the token, then reads the status while the centre
/// serves and again after it stopped.
#[test]
fn sync_enrol_and_status_against_the_centre() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("station");
    let data_arg = data.display().to_string();
    let runtime = tokio::runtime::Runtime::new()?;
    let centre = tucai_center::Centre::open(&dir.path().join("centre"), "cli-test-staff-key")?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))?;
    let addr = listener.local_addr()?;
    runtime.spawn(centre.clone().serve(listener, std::future::pending()));
    let token = centre.issue_token("示范大学")?;
    let settings = dir.path().join("settings.toml");

    // A mistyped data folder contains no store.
    std::fs::write(&settings, format!("centre_url = \"http://{addr}/\"\n"))?;
    let no_store = enrol(&settings, &data_arg, &token)?;
    let text = String::from_utf8_lossy(&no_store.stderr);
    assert_eq!(no_store.status.code(), Some(2), "{no_store:?}");
    assert!(text.contains("no station store in"), "{text}");
    assert!(!data.exists(), "no store was made on the spot");
    import_sample(&settings, &data)?;

    // A wrong path in the centre's address reaches no enrolment service.
    std::fs::write(&settings, format!("centre_url = \"http://{addr}/typo/\"\n"))?;
    let typo = enrol(&settings, &data_arg, &token)?;
    let text = String::from_utf8_lossy(&typo.stderr);
    assert_eq!(typo.status.code(), Some(2), "{typo:?}");
    assert!(text.contains("没有省中心的注册服务（HTTP 404"), "{text}");
    assert!(text.contains("The token was not used"), "{text}");

    std::fs::write(&settings, format!("centre_url = \"http://{addr}/\"\n"))?;
    let enrolled = enrol(&settings, &data_arg, &token)?;
    assert_eq!(enrolled.status.code(), Some(0), "{enrolled:?}");

    let online = station(&settings, &["sync", "status", "--data-dir", &data_arg])?;
    let text = String::from_utf8_lossy(&online.stdout);
    assert_eq!(online.status.code(), Some(0), "{online:?}");
    assert!(text.contains("of 示范大学"), "{text}");
    assert!(text.contains("reached: yes, in "), "{text}");
    assert!(text.contains("waiting in the outbox: 0"), "{text}");

    runtime.shutdown_timeout(std::time::Duration::from_secs(10));
    let offline = station(&settings, &["sync", "status", "--data-dir", &data_arg])?;
    let text = String::from_utf8_lossy(&offline.stdout);
    assert_eq!(offline.status.code(), Some(1), "{offline:?}");
    assert!(text.contains("reached: no"), "{text}");
    assert!(
        text.contains(&format!("无法连接省中心 http://{addr}：")),
        "{text}"
    );
    assert!(text.contains("centre_url in the settings"), "{text}");
    assert!(
        !text.contains("error sending request"),
        "the reason is the cause alone: {text}"
    );
    Ok(())
}

/// Finds a cut at the end of the audit log with the last hash of an
/// earlier check, and an emptied log by the store's other rows.
#[test]
fn audit_verify_finds_a_cut_log() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = empty_settings(dir.path())?;
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    import_sample(&settings, &data)?;
    let verify = |extra: &[&str]| -> Result<Output> {
        let mut args = vec!["audit", "verify", "--data-dir", &data_arg];
        args.extend_from_slice(extra);
        station(&settings, &args)
    };

    let supervisor = Command::new(station_binary()?)
        .arg("--settings")
        .arg(&settings)
        .args([
            "staff",
            "add",
            "wang.li",
            "--role",
            "supervisor",
            "--data-dir",
            &data_arg,
        ])
        .env("TUCAI_PASSWORD", "correct horse")
        .env("TUCAI_LOG", "warn")
        .output()?;
    assert_eq!(supervisor.status.code(), Some(0), "{supervisor:?}");

    let first = verify(&[])?;
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let line = String::from_utf8_lossy(&first.stdout).into_owned();
    let hash = line
        .split("last hash ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the check prints the last hash")
        .to_owned();
    let intact = verify(&["--last-hash", &hash])?;
    assert_eq!(intact.status.code(), Some(0), "{intact:?}");

    // Someone with the database file removes the newest entry.
    let conn = rusqlite::Connection::open(data.join("tucai.sqlite3"))?;
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_delete;
         DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log);",
    )?;
    let cut = verify(&["--last-hash", &hash])?;
    let stderr = String::from_utf8_lossy(&cut.stderr);
    assert_eq!(cut.status.code(), Some(1), "{cut:?}");
    assert!(
        stderr.contains(&format!(
            "no longer contains the entry with the hash {hash}"
        )),
        "{stderr}"
    );

    conn.execute_batch("DELETE FROM audit_log;")?;
    let emptied = verify(&[])?;
    let stderr = String::from_utf8_lossy(&emptied.stderr);
    assert_eq!(emptied.status.code(), Some(1), "{emptied:?}");
    assert!(
        stderr.contains("it has no entries, but the store holds 40 students and 1 staff"),
        "{stderr}"
    );
    Ok(())
}
