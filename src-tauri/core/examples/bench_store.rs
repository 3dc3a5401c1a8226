//! Measures the store at batch-day scale: a roster of STUDENTS students,
//! DRAFTS drafts in all (spread evenly, at most 6 each), then the time to
//! look a student up by code, number or name (p50, p99), to list a draft box, to open the store
//! with its start-up check, and the size of the store.
//!
//! Run with `cargo run -p tucai-core --example bench_store
//! [STUDENTS] [DRAFTS]` (defaults 10000 and 60000); the figures go on
//! docs/benchmarks.md. Each draft is saved through the same path as at the
//! station (temporary file, fsync, rename, commit) with a real 480x640
//! rendered JPEG; the originals are small PNGs, because an original's size
//! does not change lookup, listing or start-up.

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use image::{ImageFormat, Rgb, RgbImage};
use tucai_core::store::{NewCapture, Store, id_check_char};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn folder_size(dir: &std::path::Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            folder_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let students: u32 = args.next().map_or(Ok(10_000), |n| n.parse())?;
    let drafts: u32 = args.next().map_or(Ok(60_000), |n| n.parse())?;
    // A third argument keeps the store in that folder, and a later run with
    // the same folder measures it again without filling it anew.
    let kept = args.next().map(std::path::PathBuf::from);
    let temp = tempfile::tempdir()?;
    let dir = kept.as_deref().unwrap_or(temp.path());
    std::fs::create_dir_all(dir)?;
    let data = dir.join("station");
    if !data.join("tucai.sqlite3").exists() {
        fill(dir, &data, students, drafts)?;
    }
    measure(&data, students, drafts)
}

/// Imports the roster and saves the drafts.
fn fill(
    dir: &std::path::Path,
    data: &std::path::Path,
    students: u32,
    drafts: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    // A roster of valid, fictitious students.
    let roster = dir.join("roster.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&roster)?);
    writeln!(file, "学号,姓名,身份证号,学校,学院,班级,采集码")?;
    for i in 0..students {
        let first17 = format!(
            "110105200{}{:02}{:02}{:03}",
            i % 10,
            1 + i % 12,
            1 + i % 28,
            i % 1000
        );
        let id = format!("{first17}{}", id_check_char(&first17));
        writeln!(
            file,
            "S{i:08},学生{i},{id},示例大学,学院{},班{},TC{i:08}",
            i % 20,
            i % 300
        )?;
    }
    file.flush()?;
    drop(file);

    let rendered = {
        let frame =
            image::open(tucai_core::camera::demo_frames_dir().join("frame-00.jpg"))?.to_rgb8();
        let photo =
            image::imageops::resize(&frame, 480, 640, image::imageops::FilterType::Triangle);
        let mut bytes = Vec::new();
        photo.write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)?;
        bytes
    };
    let original = {
        let mut bytes = Vec::new();
        RgbImage::from_pixel(16, 16, Rgb([90, 120, 200]))
            .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)?;
        bytes
    };

    let mut store = Store::open(data)?;
    let started = Instant::now();
    store.import_roster(&roster)?;
    println!(
        "imported {students} students in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    for n in 0..drafts {
        let student = store.find_student(&format!("TC{:08}", n % students))?;
        let capture = store.record_capture(&NewCapture {
            student_id: student.id,
            passed: true,
            demo: false,
            recapture: false,
            report_json: "{\"passed\":true}".into(),
            frame_width: 1280,
            frame_height: 960,
        })?;
        store.save_draft(&capture, student.id, false, &original, &rendered, 6)?;
    }
    println!(
        "saved {drafts} drafts ({} KB rendered each) in {:.1} s",
        rendered.len() / 1024,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Opens the filled store and times start-up, lookups and listings.
fn measure(
    data: &std::path::Path,
    students: u32,
    drafts: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let store = Store::open(data)?;
    let recovery = store.recover()?;
    let startup = started.elapsed();
    assert!(recovery.is_clean());

    let mut lookups = Vec::new();
    let mut listings = Vec::new();
    let mut by_name = Vec::new();
    for n in 0..2_000u32 {
        let i = n.wrapping_mul(2_654_435_761) % students;
        let query = if n % 2 == 0 {
            format!("TC{i:08}")
        } else {
            format!("S{i:08}")
        };
        let t = Instant::now();
        let student = store.find_student(&query)?;
        lookups.push(t.elapsed());
        let t = Instant::now();
        let found = store.find_by_name(&student.name, &student.id_number[14..])?;
        by_name.push(t.elapsed());
        assert!(found.iter().any(|s| s.id == student.id));
        let t = Instant::now();
        let box_ = store.drafts(student.id)?;
        listings.push(t.elapsed());
        assert!(!box_.is_empty() || drafts < students);
    }
    lookups.sort();
    listings.sort();
    by_name.sort();
    let db = std::fs::metadata(store.db_path())?.len();
    let wal = std::fs::metadata(data.join("tucai.sqlite3-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    let all = folder_size(data)?;

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "start-up (open, migrate, start-up check): {:.1} ms",
        ms(startup)
    );
    println!(
        "lookup by code or number: p50 {:.3} ms, p99 {:.3} ms",
        ms(percentile(&lookups, 0.5)),
        ms(percentile(&lookups, 0.99))
    );
    println!(
        "lookup by name and last 4 ID digits: p50 {:.3} ms, p99 {:.3} ms",
        ms(percentile(&by_name, 0.5)),
        ms(percentile(&by_name, 0.99))
    );
    println!(
        "draft box listing (with rendered photos): p50 {:.3} ms, p99 {:.3} ms",
        ms(percentile(&listings, 0.5)),
        ms(percentile(&listings, 0.99))
    );
    println!(
        "store: database {:.1} MB (+ WAL {:.1} MB), folder in all {:.1} MB",
        db as f64 / 1e6,
        wal as f64 / 1e6,
        all as f64 / 1e6
    );
    Ok(())
}
