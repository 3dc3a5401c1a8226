//! Spec profiles: every number of the photo rules, read from a TOML file
//! and validated once, so nothing downstream re-checks them.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::validate;
use crate::text::Text;
use crate::{Error, Result};

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "chsi-diploma";

/// An inclusive range `[min, max]` written as a two-element array.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(from = "[f32; 2]")]
pub struct Band {
    pub min: f32,
    pub max: f32,
}

impl From<[f32; 2]> for Band {
    fn from([min, max]: [f32; 2]) -> Self {
        Self { min, max }
    }
}

impl Band {
    pub fn contains(&self, value: f32) -> bool {
        value >= self.min && value <= self.max
    }

    pub fn middle(&self) -> f32 {
        (self.min + self.max) / 2.0
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub output: Output,
    pub geometry: Geometry,
    pub pose: Pose,
    pub expression: Expression,
    pub exposure: Exposure,
    pub lighting: Lighting,
    pub sharpness: Sharpness,
    pub colour: Colour,
    pub glasses: Glasses,
    pub background: Background,
    pub clothing: Clothing,
}

/// An 8-bit sRGB colour written as `[r, g, b]`.
pub type Rgb = [u8; 3];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub width: u32,
    pub height: u32,
    pub dpi: u16,
    pub min_jpeg_quality: u8,
    /// File size window of the rendered JPEG in KB (1 KB = 1024 bytes).
    pub size_kb: Band,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Geometry {
    pub top_of_head_px: Band,
    pub eye_line_px: Band,
    pub face_width_px: Band,
    pub target_face_width_px: f32,
    /// Crown-to-chin height band, for profiles that frame by head height.
    #[serde(default)]
    pub head_height_px: Option<Band>,
    /// Largest left-right offset of the face centre from the photo centre.
    pub max_centre_offset_px: f32,
    /// Inter-eye distance under which the rule fails.
    pub min_inter_eye_px: f32,
    /// Inter-eye distance under which the rule warns.
    pub preferred_inter_eye_px: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pose {
    pub max_roll_deg: f32,
    pub preferred_roll_deg: f32,
    pub max_yaw_deg: f32,
    pub max_pitch_deg: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expression {
    /// Minimum eye opening (lid distance over eye width) that counts as open.
    pub min_eye_opening: f32,
    /// Minimum contrast inside each eye (brightest quarter minus darkest
    /// quarter, over the brightest) that counts as open.
    pub min_eye_contrast: f32,
    /// Most mouth opening (lip distance over mouth width) that counts as
    /// closed.
    pub max_mouth_opening: f32,
    /// Largest offset of the pupil from the eye's centre, over the eye's
    /// width, that counts as looking at the lens.
    pub max_gaze_offset: f32,
    /// Largest height of the head above the forehead landmark, over the
    /// forehead-to-chin height, before the head counts as covered.
    pub max_crown_ratio: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    pub max_clipped_highlights_pct: f32,
    pub max_clipped_shadows_pct: f32,
    /// Minimum number of distinct 8-bit grey levels in the face.
    pub min_grey_levels: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lighting {
    /// Largest difference between the mean luma of the face's two halves,
    /// over the brighter half's mean.
    pub max_left_right_imbalance: f32,
    /// Largest share (0-100 %) of face pixels in hot spots.
    pub max_hot_spot_pct: f32,
    /// Largest darkening (0-1) of the background beside the head compared
    /// with the background further out: a shadow behind the head.
    pub max_background_shadow: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharpness {
    pub min_sharpness: f32,
    /// Largest blockiness (luma steps across 8x8 block edges over steps
    /// inside blocks) before compression artefacts count as visible.
    pub max_blockiness: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colour {
    /// Allowed CIELAB a* (green-red) of the mean skin colour.
    pub skin_a: Band,
    /// Allowed CIELAB b* (blue-yellow) of the mean skin colour.
    pub skin_b: Band,
    /// Largest share (0-100 %) of the pupils' pixels that are red.
    pub max_red_eye_pct: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Glasses {
    /// Largest share (0-100 %) of the lens areas that is glare.
    pub max_glare_pct: f32,
    /// Smallest luma of the lens areas over the cheeks' luma; tinted lenses
    /// darken the skin around the eyes.
    pub min_lens_brightness: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Background {
    pub max_luma_stddev: f32,
    pub max_cell_range: f32,
    /// Background colours the profile allows.
    pub colours: Vec<Rgb>,
    /// Largest CIELAB distance (ΔE 1976) from an allowed colour.
    pub max_colour_delta_e: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clothing {
    /// Smallest CIELAB distance between the clothes and the background.
    pub min_background_delta_e: f32,
    /// Colours of clothes the profile rejects.
    pub banned_colours: Vec<Rgb>,
    /// CIELAB distance within which clothes count as a banned colour.
    pub banned_delta_e: f32,
}

impl Profile {
    /// Parses and validates a profile; `path` only names the source in
    /// errors, which give the line of the offending key.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let invalid = |reason: String| Error::Profile {
            path: path.to_owned(),
            reason,
        };
        let profile: Profile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if let Err((key, reason)) = validate::validate(&profile) {
            let reason = match validate::line_of(text, key) {
                Some(line) => format!("line {line}: {key}: {reason}"),
                None => format!("{key}: {reason}"),
            };
            return Err(invalid(reason));
        }
        Ok(profile)
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Profile {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    /// Loads a profile by name from the bundled profiles folder, or from a
    /// path when `name` ends in `.toml`.
    pub fn named(name: &str) -> Result<Self> {
        if name.ends_with(".toml") {
            return Self::load(Path::new(name));
        }
        if !profiles_dir().is_dir() {
            return Err(Error::Internal(format!(
                "the station's assets folder {} has no profiles: reinstall the station, or set TUCAI_ASSETS to its assets folder",
                crate::assets_dir().display()
            )));
        }
        let path = profiles_dir().join(format!("{name}.toml"));
        if !path.exists() {
            let known = list_profiles().join(", ");
            return Err(Error::Invalid(format!(
                "unknown profile {name:?}: choose one of {known}, or give the path of a .toml file"
            )));
        }
        Self::load(&path)
    }

    pub fn title(&self) -> Text {
        Text::new(&self.title_zh, &self.title_en)
    }
}

pub fn profiles_dir() -> PathBuf {
    crate::assets_dir().join("profiles")
}

/// Names of the bundled profiles, sorted.
pub fn list_profiles() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(profiles_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_text() -> String {
        std::fs::read_to_string(profiles_dir().join("chsi-diploma.toml")).unwrap()
    }

    #[test]
    fn default_profile_loads() {
        let profile = Profile::named(DEFAULT_PROFILE).unwrap();
        assert_eq!(
            profile.geometry.eye_line_px,
            Band {
                min: 200.0,
                max: 300.0
            }
        );
    }

    #[test]
    fn shipped_profiles_load() {
        let names = list_profiles();
        for name in ["chsi-diploma", "chsi-blue", "icao-passport"] {
            assert!(
                names.iter().any(|n| n == name),
                "{name} missing from {names:?}"
            );
            let profile = Profile::named(name).unwrap();
            assert_eq!(profile.id, name);
        }
    }

    fn line_of_text(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.starts_with(needle)).unwrap() + 1
    }

    #[test]
    fn inverted_band_is_rejected_with_line() {
        let text = default_text().replace("eye_line_px = [200, 300]", "eye_line_px = [300, 200]");
        let err = Profile::parse(&text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        let line = line_of_text(&text, "eye_line_px");
        assert!(err.contains("geometry.eye_line_px"), "{err}");
        assert!(err.contains(&format!("line {line}:")), "{err}");
        assert!(err.contains("must not exceed the maximum"), "{err}");
    }

    #[test]
    fn unreachable_size_window_is_rejected() {
        let text = default_text().replace("size_kb = [20, 40]", "size_kb = [2000, 4000]");
        let err = Profile::parse(&text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        let line = line_of_text(&text, "size_kb");
        assert!(
            err.contains(&format!("line {line}: output.size_kb")),
            "{err}"
        );
        assert!(err.contains("cannot be reached"), "{err}");
    }

    #[test]
    fn impossible_head_proportions_are_rejected() {
        let text = default_text().replace("eye_line_px = [200, 300]", "eye_line_px = [560, 600]");
        let err = Profile::parse(&text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        let line = line_of_text(&text, "eye_line_px");
        assert!(
            err.contains(&format!("line {line}: geometry.eye_line_px")),
            "{err}"
        );
        assert!(err.contains("no head fits"), "{err}");
    }

    #[test]
    fn tiny_size_window_is_rejected() {
        let text = default_text().replace("size_kb = [20, 40]", "size_kb = [0.1, 0.5]");
        let err = Profile::parse(&text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot be reached"), "{err}");
    }

    #[test]
    fn empty_background_colours_are_rejected() {
        let text = default_text().replace(
            "colours = [[100, 197, 255], [255, 255, 255], [240, 240, 240]]",
            "colours = []",
        );
        let err = Profile::parse(&text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("background.colours"), "{err}");
    }

    #[test]
    fn unknown_section_is_rejected_with_line() {
        let text = default_text() + "\n[jewellery]\nmax_earrings = 0\n";
        let err = Profile::parse(&text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("jewellery"), "{err}");
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn line_of_finds_key_in_section() {
        let text = "id = 1\n[a]\nmax = 1\n[b]\nmax = 2\n";
        assert_eq!(validate::line_of(text, "b.max"), Some(5));
        assert_eq!(validate::line_of(text, "a.max"), Some(3));
        assert_eq!(validate::line_of(text, "id"), Some(1));
    }

    #[test]
    fn unknown_key_is_rejected_with_line() {
        let text = default_text().replace("[pose]", "[pose]\nmax_yaw = 3");
        let err = Profile::parse(&text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("max_yaw"), "{err}");
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn nan_threshold_is_rejected() {
        let text = default_text().replace("min_sharpness = 40.0", "min_sharpness = nan");
        let err = Profile::parse(&text, Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("sharpness.min_sharpness"), "{err}");
    }

    #[test]
    fn percent_over_100_is_rejected() {
        let text = default_text().replace(
            "max_clipped_highlights_pct = 2.0",
            "max_clipped_highlights_pct = 200.0",
        );
        let err = Profile::parse(&text, Path::new("x.toml")).unwrap_err();
        assert!(
            err.to_string().contains("max_clipped_highlights_pct"),
            "{err}"
        );
    }

    #[test]
    fn unknown_profile_lists_known_ones() {
        let err = Profile::named("nope").unwrap_err().to_string();
        assert!(err.contains("chsi-diploma"), "{err}");
    }
}
