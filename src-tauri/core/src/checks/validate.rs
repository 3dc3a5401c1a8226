//! Validation of a parsed profile: every band ordered, every limit inside
//! its range, and a file-size window that a JPEG of the output size can
//! reach. Errors name the key so that the caller can give its line.

use image::{Rgb, RgbImage};

use super::profile::{Band, Profile};
use super::render::encode;

/// An invalid key of a profile and the reason.
pub type Invalid = (&'static str, String);

/// Returns the 1-based line of `key` ("section.name", or "name" at the top
/// level) in the profile's text, when the key is written there.
pub fn line_of(text: &str, key: &str) -> Option<usize> {
    let (section, name) = key.rsplit_once('.').unwrap_or(("", key));
    let mut current = String::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = header.trim().to_owned();
            continue;
        }
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if current == section && rest.trim_start().starts_with('=') {
            return Some(index + 1);
        }
    }
    None
}

pub fn validate(p: &Profile) -> Result<(), Invalid> {
    bands(p)?;
    geometry(p)?;
    proportions(p)?;
    output(p)?;
    limits(p)?;
    colours(p)?;
    size_window(p)
}

fn bands(p: &Profile) -> Result<(), Invalid> {
    let g = &p.geometry;
    let mut sized = vec![
        ("output.size_kb", p.output.size_kb),
        ("geometry.top_of_head_px", g.top_of_head_px),
        ("geometry.eye_line_px", g.eye_line_px),
        ("geometry.face_width_px", g.face_width_px),
    ];
    if let Some(band) = g.head_height_px {
        sized.push(("geometry.head_height_px", band));
    }
    for (key, band) in sized {
        ordered(key, band)?;
        if band.min < 0.0 {
            return Err((key, must_be(band, "the minimum must be 0 or more")));
        }
    }
    // CIELAB a* and b* may be negative.
    ordered("colour.skin_a", p.colour.skin_a)?;
    ordered("colour.skin_b", p.colour.skin_b)
}

fn ordered(key: &'static str, band: Band) -> Result<(), Invalid> {
    // A NaN bound fails the comparison and is rejected too.
    let ordered = band.min.partial_cmp(&band.max).is_some_and(|o| o.is_le());
    if ordered {
        Ok(())
    } else {
        Err((
            key,
            must_be(band, "the minimum must not exceed the maximum"),
        ))
    }
}

fn must_be(band: Band, rule: &str) -> String {
    format!("[{}, {}] is invalid: {rule}", band.min, band.max)
}

fn geometry(p: &Profile) -> Result<(), Invalid> {
    let g = &p.geometry;
    if !g.face_width_px.contains(g.target_face_width_px) {
        return Err((
            "geometry.target_face_width_px",
            format!(
                "{} is outside face_width_px [{}, {}]",
                g.target_face_width_px, g.face_width_px.min, g.face_width_px.max
            ),
        ));
    }
    if g.eye_line_px.max > p.output.height as f32 {
        return Err((
            "geometry.eye_line_px",
            format!(
                "the maximum {} lies below the {} px high photo",
                g.eye_line_px.max, p.output.height
            ),
        ));
    }
    if g.top_of_head_px.max > g.eye_line_px.min {
        return Err((
            "geometry.top_of_head_px",
            "the band must lie above the eye-line band".to_owned(),
        ));
    }
    if g.preferred_inter_eye_px < g.min_inter_eye_px {
        return Err((
            "geometry.preferred_inter_eye_px",
            format!(
                "{} is less than min_inter_eye_px {}",
                g.preferred_inter_eye_px, g.min_inter_eye_px
            ),
        ));
    }
    Ok(())
}

/// Range of the crown-to-eye distance over the cheek-to-cheek face width
/// of real heads, hair included.
/// NOTE: an estimate: the bundled frontal photos measure 0.87 to 0.92,
/// and the range is widened for flat and tall hair.
const CROWN_TO_EYE_PER_FACE_WIDTH: [f32; 2] = [0.6, 1.2];

/// Checks that some head of human proportions meets the top-of-head,
/// eye-line and face-width bands together.
fn proportions(p: &Profile) -> Result<(), Invalid> {
    let g = &p.geometry;
    let shortest = g.eye_line_px.min - g.top_of_head_px.max;
    let longest = g.eye_line_px.max - g.top_of_head_px.min;
    let [low, high] = CROWN_TO_EYE_PER_FACE_WIDTH;
    if longest < low * g.face_width_px.min || shortest > high * g.face_width_px.max {
        return Err((
            "geometry.eye_line_px",
            format!(
                "no head fits: the bands put the eyes {shortest}-{longest} px below the crown, \
                 but a face {}-{} px wide has them {:.0}-{:.0} px below",
                g.face_width_px.min,
                g.face_width_px.max,
                low * g.face_width_px.min,
                high * g.face_width_px.max
            ),
        ));
    }
    Ok(())
}

fn output(p: &Profile) -> Result<(), Invalid> {
    let o = &p.output;
    if !(16..=4096).contains(&o.width) {
        return Err(("output.width", format!("{} must be 16 to 4096", o.width)));
    }
    if !(16..=4096).contains(&o.height) {
        return Err(("output.height", format!("{} must be 16 to 4096", o.height)));
    }
    if o.dpi == 0 {
        return Err(("output.dpi", "0 must be a positive number".to_owned()));
    }
    if !(1..=100).contains(&o.min_jpeg_quality) {
        return Err((
            "output.min_jpeg_quality",
            format!("{} must be 1 to 100", o.min_jpeg_quality),
        ));
    }
    Ok(())
}

fn limits(p: &Profile) -> Result<(), Invalid> {
    let half_width = p.output.width as f32 / 2.0;
    let limits = [
        ("pose.max_roll_deg", p.pose.max_roll_deg, 90.0),
        ("pose.preferred_roll_deg", p.pose.preferred_roll_deg, 90.0),
        ("pose.max_yaw_deg", p.pose.max_yaw_deg, 90.0),
        ("pose.max_pitch_deg", p.pose.max_pitch_deg, 90.0),
        (
            "geometry.max_centre_offset_px",
            p.geometry.max_centre_offset_px,
            half_width,
        ),
        (
            "geometry.min_inter_eye_px",
            p.geometry.min_inter_eye_px,
            p.output.width as f32,
        ),
        (
            "expression.min_eye_opening",
            p.expression.min_eye_opening,
            1.0,
        ),
        (
            "expression.min_eye_contrast",
            p.expression.min_eye_contrast,
            1.0,
        ),
        (
            "expression.max_mouth_opening",
            p.expression.max_mouth_opening,
            1.0,
        ),
        (
            "expression.max_gaze_offset",
            p.expression.max_gaze_offset,
            0.5,
        ),
        (
            "expression.max_crown_ratio",
            p.expression.max_crown_ratio,
            5.0,
        ),
        (
            "exposure.max_clipped_highlights_pct",
            p.exposure.max_clipped_highlights_pct,
            100.0,
        ),
        (
            "exposure.max_clipped_shadows_pct",
            p.exposure.max_clipped_shadows_pct,
            100.0,
        ),
        (
            "exposure.min_grey_levels",
            p.exposure.min_grey_levels as f32,
            256.0,
        ),
        (
            "lighting.max_left_right_imbalance",
            p.lighting.max_left_right_imbalance,
            1.0,
        ),
        (
            "lighting.max_hot_spot_pct",
            p.lighting.max_hot_spot_pct,
            100.0,
        ),
        (
            "lighting.max_background_shadow",
            p.lighting.max_background_shadow,
            1.0,
        ),
        (
            "sharpness.min_sharpness",
            p.sharpness.min_sharpness,
            f32::MAX,
        ),
        (
            "sharpness.max_blockiness",
            p.sharpness.max_blockiness,
            100.0,
        ),
        ("colour.max_red_eye_pct", p.colour.max_red_eye_pct, 100.0),
        ("glasses.max_glare_pct", p.glasses.max_glare_pct, 100.0),
        (
            "glasses.min_lens_brightness",
            p.glasses.min_lens_brightness,
            1.0,
        ),
        (
            "background.max_luma_stddev",
            p.background.max_luma_stddev,
            255.0,
        ),
        (
            "background.max_cell_range",
            p.background.max_cell_range,
            255.0,
        ),
        (
            "background.max_colour_delta_e",
            p.background.max_colour_delta_e,
            400.0,
        ),
        (
            "clothing.min_background_delta_e",
            p.clothing.min_background_delta_e,
            400.0,
        ),
        ("clothing.banned_delta_e", p.clothing.banned_delta_e, 400.0),
    ];
    for (key, value, max) in limits {
        if !(value.is_finite() && (0.0..=max).contains(&value)) {
            return Err((key, format!("{value} must be a number from 0 to {max}")));
        }
    }
    if p.pose.preferred_roll_deg > p.pose.max_roll_deg {
        return Err((
            "pose.preferred_roll_deg",
            format!(
                "{} exceeds max_roll_deg {}",
                p.pose.preferred_roll_deg, p.pose.max_roll_deg
            ),
        ));
    }
    Ok(())
}

fn colours(p: &Profile) -> Result<(), Invalid> {
    if p.background.colours.is_empty() {
        return Err((
            "background.colours",
            "the list is empty: allow at least one background colour".to_owned(),
        ));
    }
    Ok(())
}

/// Sizes in bytes of the smallest and largest JPEG the renderer can make
/// at the output size: a flat grey photo at the minimum quality, and
/// random noise at quality 100. Every photo's size lies between the two.
pub fn jpeg_size_limits(p: &Profile) -> (usize, usize) {
    let (w, h) = (p.output.width, p.output.height);
    let flat = RgbImage::from_pixel(w, h, Rgb([128, 128, 128]));
    // A fixed linear congruential sequence: noise without a seed to manage.
    let mut state = 0x2545_f491_u32;
    let noise = RgbImage::from_fn(w, h, |_, _| {
        Rgb(std::array::from_fn(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        }))
    });
    let size = |image: &RgbImage, quality| {
        encode(image, quality, p.output.dpi).map_or(0, |jpeg| jpeg.len())
    };
    (size(&flat, p.output.min_jpeg_quality), size(&noise, 100))
}

fn size_window(p: &Profile) -> Result<(), Invalid> {
    let (smallest, largest) = jpeg_size_limits(p);
    let window = p.output.size_kb;
    let kb = |bytes: usize| bytes as f32 / 1024.0;
    if window.max < kb(smallest) || window.min > kb(largest) {
        return Err((
            "output.size_kb",
            format!(
                "[{}, {}] cannot be reached: a {}x{} JPEG at quality {} or more takes {:.1} to {:.0} KB",
                window.min,
                window.max,
                p.output.width,
                p.output.height,
                p.output.min_jpeg_quality,
                kb(smallest),
                kb(largest)
            ),
        ));
    }
    Ok(())
}
