//! Fixtures shared by the store's unit tests.

use std::error::Error;
use std::io::Cursor;
use std::path::Path;

use image::{ImageFormat, Rgb, RgbImage};
use tempfile::TempDir;

use super::{Draft, NewCapture, Store, Student};

pub(super) type TestResult = Result<(), Box<dyn Error>>;

/// Draft box size the tests use.
pub(super) const LIMIT: u32 = 6;

/// Opens a store in a temporary folder, imports the 40-student sample roster
/// and returns the first student (2023010001). Keep the folder alive as long
/// as the store.
pub(super) fn sample_store() -> Result<(TempDir, Store, Student), Box<dyn Error>> {
    let dir = TempDir::new()?;
    let mut store = Store::open(dir.path())?;
    store.import_roster(&crate::assets_dir().join("roster/sample-roster.csv"))?;
    let student = store.find_student("TC2026A0001")?;
    Ok((dir, store, student))
}

fn encode(format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(8, 8, |x, y| Rgb([x as u8 * 30, y as u8 * 30, 128]));
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .expect("encoding to memory cannot fail");
    bytes
}

pub(super) fn png_bytes() -> Vec<u8> {
    encode(ImageFormat::Png)
}

pub(super) fn jpeg_bytes() -> Vec<u8> {
    encode(ImageFormat::Jpeg)
}

/// Records a passing capture of `student_id` and returns its id.
pub(super) fn passing_capture(
    store: &mut Store,
    student_id: i64,
    demo: bool,
) -> crate::Result<String> {
    store.record_capture(&NewCapture {
        student_id,
        passed: true,
        demo,
        report_json: r#"{"passed":true}"#.to_string(),
        recapture: false,
        frame_width: 1280,
        frame_height: 720,
    })
}

/// Records a passing capture and saves it as a draft with the box size [`LIMIT`].
pub(super) fn save_passing_draft(
    store: &mut Store,
    student_id: i64,
    demo: bool,
) -> crate::Result<Draft> {
    let capture_id = passing_capture(store, student_id, demo)?;
    store.save_draft(
        &capture_id,
        student_id,
        demo,
        &png_bytes(),
        &jpeg_bytes(),
        LIMIT,
    )
}

/// Names of every file under `dir` and its subfolders.
pub(super) fn file_names(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            names.extend(file_names(&entry.path())?);
        } else {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(names)
}
