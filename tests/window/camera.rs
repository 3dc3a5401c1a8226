//! The camera in the window. A camera that sends buffers the station
//! cannot read: the replay camera plays recorded YUYV buffers that are too
//! short for their frame size, and the window shows the format problem in a
//! banner with the byte counts. The settings screen's camera line: the
//! measured frame rate, and only the switches the camera supports.

use std::path::Path;

use anyhow::Result;
use fantoccini::{Client, Locator};
use tucai_tests::window::{
    STEP, TestStation, attr, click, displayed, one_window_at_a_time, shot, sign_in, text_of,
    wait_for, wait_until,
};

use crate::{SUPERVISOR, SUPERVISOR_PASSWORD};

/// Bytes in each recorded buffer: far fewer than a 720x960 YUYV frame.
const BAD_LENGTH: usize = 1000;
/// Bytes of a 720x960 YUYV frame without row padding.
const YUYV_LENGTH: usize = 720 * 960 * 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_buffers_show_format_banner() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let station = TestStation::new("")?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;
    let frames = station.data.path().join("bad-buffers");
    write_bad_buffers(&frames)?;

    let (_driver, client) = station
        .open(&["--replay", frames.to_str().expect("UTF-8 path")])
        .await?;
    let outcome = format_banner(&client).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-camera-format").await;
    }
    client.close().await?;
    outcome
}

async fn format_banner(client: &Client) -> Result<()> {
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    wait_for(client, "#query").await?;
    wait_until("the camera format banner", STEP, || {
        displayed(client, "#camera-format-banner")
    })
    .await?;
    let message = text_of(client, "#camera-format-message").await?;
    assert!(
        message.contains("YUYV"),
        "the banner names the format: {message}"
    );
    assert!(
        message.contains(&format!("{BAD_LENGTH} ")),
        "the banner gives the bytes received: {message}"
    );
    assert!(
        message.contains(&YUYV_LENGTH.to_string()),
        "the banner gives the bytes expected: {message}"
    );
    assert!(
        !displayed(client, "#camera-banner").await?,
        "a camera that sends bad buffers is not lost"
    );
    shot(client, "camera-format-problem").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn camera_settings_show_measured_rate() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let station = TestStation::new("")?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;

    // No camera here: the station runs the demo camera at 25 fps.
    let (_driver, client) = station.open(&[]).await?;
    let outcome = camera_settings(&client).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-camera-settings").await;
    }
    client.close().await?;
    outcome
}

async fn camera_settings(client: &Client) -> Result<()> {
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    wait_for(client, "#open-staff").await?;
    click(client, "#open-staff").await?;
    click(client, "#tab-settings").await?;
    wait_until("the measured frame rate", STEP, || {
        displayed(client, "#setting-camera-rate")
    })
    .await?;
    let rate = text_of(client, "#setting-camera-rate").await?;
    assert!(rate.contains("fps"), "the line names the unit: {rate}");
    assert!(
        rate.contains("25"),
        "the demo camera opens at 25 fps: {rate}"
    );
    assert!(
        displayed(client, "#setting-allow_user_facing_camera").await?,
        "the user-facing camera switch is shown"
    );
    for absent in ["#setting-lock_exposure", "#setting-lock_white_balance"] {
        let found = client.find_all(Locator::Css(absent)).await?;
        assert!(
            found.is_empty(),
            "the demo camera lists no {absent} control, so no switch"
        );
    }
    let facing = client
        .find_all(Locator::Css("#setting-camera-facing"))
        .await?;
    assert!(facing.is_empty(), "the demo camera faces no direction");
    shot(client, "staff-settings-camera").await?;
    choose_camera(client).await
}

/// Detects cameras again, then saves a camera number that no computer
/// lists and reads the reason in the camera line.
async fn choose_camera(client: &Client) -> Result<()> {
    // This machine lists no camera, so the choice offers only automatic.
    wait_until("the camera choice", STEP, || async {
        Ok(client
            .find_all(Locator::Css("#setting-camera option"))
            .await?
            .len()
            == 1)
    })
    .await?;
    let automatic = attr(client, "#setting-camera option", "value").await?;
    assert_eq!(
        automatic.as_deref(),
        Some(""),
        "the only choice is automatic"
    );

    click(client, "#camera-detect").await?;
    wait_until("the detection", STEP, || async {
        Ok(attr(client, "#camera-detect", "disabled").await?.is_none()
            && displayed(client, "#setting-camera-rate").await?)
    })
    .await?;
    assert!(
        !displayed(client, "#error").await?,
        "detecting without a camera is no error: {}",
        text_of(client, "#error").await.unwrap_or_default()
    );

    // A camera in the settings file that is not plugged in stays a choice.
    client
        .execute(
            "const select = document.querySelector('#setting-camera');\n\
             select.append(new Option('4000', '4000'));\n\
             select.value = '4000';",
            vec![],
        )
        .await?;
    click(client, "#settings-save").await?;
    wait_until("the reason in the camera line", STEP, || async {
        Ok(text_of(client, "[data-key=\"camera-in-use\"]")
            .await?
            .contains("4000"))
    })
    .await?;
    let line = text_of(client, "[data-key=\"camera-in-use\"]").await?;
    assert!(
        line.contains("未找到设置中的摄像头 4000"),
        "camera line: {line}"
    );
    shot(client, "staff-settings-camera-missing").await
}

/// Writes a folder of raw buffers for 720x960 YUYV frames whose buffers
/// hold only `BAD_LENGTH` bytes.
fn write_bad_buffers(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("raw.toml"), "width = 720\nheight = 960\n")?;
    for i in 0..3 {
        std::fs::write(
            dir.join(format!("frame-{i:03}.yuyv")),
            vec![0x80; BAD_LENGTH],
        )?;
    }
    Ok(())
}
