//! Spec profiles: every number of the photo rules, read from a TOML file
//! and validated once, so nothing downstream re-checks them.

use std::path::{Path, PathBuf};

use serde::Deserialize;

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
    pub sharpness: Sharpness,
    pub background: Background,
}

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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pose {
    pub max_roll_deg: f32,
    pub preferred_roll_deg: f32,
    pub max_yaw_deg: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expression {
    /// Minimum eye opening (lid distance over eye width) that counts as open.
    pub min_eye_opening: f32,
    /// Most mouth opening (lip distance over mouth width) that counts as
    /// closed.
    pub max_mouth_opening: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exposure {
    pub max_clipped_highlights_pct: f32,
    pub max_clipped_shadows_pct: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sharpness {
    pub min_sharpness: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Background {
    pub max_luma_stddev: f32,
    pub max_cell_range: f32,
}

impl Profile {
    /// Parses and validates a profile; `path` only names the source in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let invalid = |reason: String| Error::Profile {
            path: path.to_owned(),
            reason,
        };
        let profile: Profile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        profile.validate().map_err(invalid)?;
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

    fn validate(&self) -> std::result::Result<(), String> {
        let bands = [
            ("output.size_kb", self.output.size_kb),
            ("geometry.top_of_head_px", self.geometry.top_of_head_px),
            ("geometry.eye_line_px", self.geometry.eye_line_px),
            ("geometry.face_width_px", self.geometry.face_width_px),
        ];
        for (key, band) in bands {
            // A NaN bound fails both comparisons and is rejected too.
            let ordered = band.min.partial_cmp(&band.max).is_some_and(|o| o.is_le());
            if !ordered || band.min < 0.0 {
                return Err(format!(
                    "{key} = [{}, {}]: the minimum must be 0 or more and not exceed the maximum",
                    band.min, band.max
                ));
            }
        }
        let geometry = &self.geometry;
        if !geometry
            .face_width_px
            .contains(geometry.target_face_width_px)
        {
            return Err(format!(
                "geometry.target_face_width_px = {}: must lie inside face_width_px",
                geometry.target_face_width_px
            ));
        }
        if geometry.eye_line_px.max > self.output.height as f32
            || geometry.top_of_head_px.max > geometry.eye_line_px.min
        {
            return Err(
                "geometry: the head top band must lie above the eye-line band, inside the photo"
                    .into(),
            );
        }
        if self.output.width == 0 || self.output.height == 0 {
            return Err("output: width and height must be positive".into());
        }
        if !(1..=100).contains(&self.output.min_jpeg_quality) {
            return Err(format!(
                "output.min_jpeg_quality = {}: must be 1 to 100",
                self.output.min_jpeg_quality
            ));
        }
        let limits = [
            ("pose.max_roll_deg", self.pose.max_roll_deg, 90.0),
            (
                "pose.preferred_roll_deg",
                self.pose.preferred_roll_deg,
                90.0,
            ),
            (
                "exposure.max_clipped_highlights_pct",
                self.exposure.max_clipped_highlights_pct,
                100.0,
            ),
            (
                "exposure.max_clipped_shadows_pct",
                self.exposure.max_clipped_shadows_pct,
                100.0,
            ),
            (
                "sharpness.min_sharpness",
                self.sharpness.min_sharpness,
                f32::MAX,
            ),
            (
                "background.max_luma_stddev",
                self.background.max_luma_stddev,
                255.0,
            ),
            (
                "background.max_cell_range",
                self.background.max_cell_range,
                255.0,
            ),
        ];
        for (key, value, max) in limits {
            if !(value.is_finite() && (0.0..=max).contains(&value)) {
                return Err(format!("{key} = {value}: must be a number from 0 to {max}"));
            }
        }
        if self.pose.preferred_roll_deg > self.pose.max_roll_deg {
            return Err("pose.preferred_roll_deg must not exceed pose.max_roll_deg".into());
        }
        Ok(())
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
    fn inverted_band_is_rejected() {
        let text = default_text().replace("eye_line_px = [200, 300]", "eye_line_px = [300, 200]");
        let err = Profile::parse(&text, Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("geometry.eye_line_px"), "{err}");
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
