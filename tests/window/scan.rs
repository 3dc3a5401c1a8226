//! Finding a student by the QR code on the collection slip: the replay
//! camera shows a slip with the student's collection code as a QR code,
//! and the identify screen's scan button reads it from the camera's frames.

use std::path::Path;

use anyhow::Result;
use fantoccini::Client;
use image::{Rgb, RgbImage};
use tucai_tests::window::{
    STEP, TestStation, click, displayed, one_window_at_a_time, shot, sign_in, text_of, wait_for,
    wait_until,
};

use crate::{STUDENT_CODE, STUDENT_NAME, SUPERVISOR, SUPERVISOR_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_code_finds_student() -> Result<()> {
    let _one = one_window_at_a_time().await;
    let station = TestStation::new("")?;
    station.import_sample_roster()?;
    station.add_staff(SUPERVISOR, "supervisor", SUPERVISOR_PASSWORD)?;
    let slip = station.data.path().join("slip.png");
    write_slip(&slip, STUDENT_CODE)?;

    let (_driver, client) = station
        .open(&["--replay", slip.to_str().expect("UTF-8 path")])
        .await?;
    let outcome = scan(&client).await;
    if outcome.is_err() {
        let _ = shot(&client, "failure-scan").await;
    }
    client.close().await?;
    outcome
}

async fn scan(client: &Client) -> Result<()> {
    sign_in(client, SUPERVISOR, SUPERVISOR_PASSWORD).await?;
    wait_for(client, "#scan-code").await?;
    click(client, "#scan-code").await?;
    wait_until("the scanned student's card", STEP, || async {
        Ok(displayed(client, "#student-card").await?
            && text_of(client, "#student-fields")
                .await?
                .contains(STUDENT_NAME))
    })
    .await?;
    assert!(
        text_of(client, "#student-fields")
            .await?
            .contains(STUDENT_CODE),
        "the card shows the code read from the slip"
    );
    shot(client, "identify-scanned").await
}

/// Draws a 1280x720 frame of a white slip on a grey desk with `code` as a
/// QR code of 8-pixel modules in its middle, as a slip held flat about
/// 30 cm from a camera appears.
fn write_slip(path: &Path, code: &str) -> Result<()> {
    let qr = qrcode::QrCode::new(code.as_bytes())?;
    let width = qr.width() as u32;
    let module = 8;
    let quiet = 4 * module;
    let mut frame = RgbImage::from_pixel(1280, 720, Rgb([120, 124, 130]));
    let side = width * module + 2 * quiet;
    let (left, top) = ((1280 - side) / 2, (720 - side) / 2);
    for y in 0..side {
        for x in 0..side {
            frame.put_pixel(left + x, top + y, Rgb([250, 250, 246]));
        }
    }
    for (i, colour) in qr.to_colors().iter().enumerate() {
        if *colour != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i as u32 % width, i as u32 / width);
        for dy in 0..module {
            for dx in 0..module {
                frame.put_pixel(
                    left + quiet + mx * module + dx,
                    top + quiet + my * module + dy,
                    Rgb([20, 20, 24]),
                );
            }
        }
    }
    frame.save(path)?;
    Ok(())
}
