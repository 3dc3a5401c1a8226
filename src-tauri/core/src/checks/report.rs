//! The check report: one entry per rule with its status, measured value,
//! allowed range, reason and advice.

use serde::Serialize;
use ts_rs::TS;

use crate::text::Text;

/// Outcome of one rule. Only `Fail` stops a capture from becoming a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RuleStatus {
    Pass,
    Fail,
    /// Measured, but not reliably enough to reject: shown as a warning.
    Advisory,
    /// Not measured on this photo; the reason gives the cause.
    NotAssessed,
}

/// One rule's result as staff, students and scripts see it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RuleResult {
    /// Stable rule name, in ISO/IEC 29794-5 vocabulary where it has one.
    pub rule: String,
    pub title: Text,
    pub status: RuleStatus,
    /// The measured value with its unit, when there is one.
    pub measured: Option<String>,
    /// The allowed range with its unit, from the profile.
    pub allowed: Text,
    pub reason: Text,
    /// Advice for passing, when the rule did not pass.
    pub advice: Option<Text>,
}

/// Position of the 480x640 output crop in the camera frame, and the
/// geometry rules' measurements inside it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CropPlan {
    /// Crop rectangle in camera pixels.
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// Measured in output pixels of the 480x640 photo.
    pub top_of_head: f32,
    pub eye_line: f32,
    pub face_width: f32,
}

/// The full report on one photo.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Report {
    /// True when no rule failed.
    pub passed: bool,
    pub profile: String,
    pub frame_width: u32,
    pub frame_height: u32,
    pub rules: Vec<RuleResult>,
    pub crop: Option<CropPlan>,
}

impl Report {
    pub fn new(profile: &str, width: u32, height: u32, rules: Vec<RuleResult>) -> Self {
        let passed = rules.iter().all(|r| r.status != RuleStatus::Fail);
        Self {
            passed,
            profile: profile.to_owned(),
            frame_width: width,
            frame_height: height,
            rules,
            crop: None,
        }
    }

    /// Appends a rule's result, and clears `passed` when it failed.
    pub fn push(&mut self, result: RuleResult) {
        self.passed &= result.status != RuleStatus::Fail;
        self.rules.push(result);
    }

    /// Puts `result` in the place of the result of the same rule, or at the
    /// end when the report has none, and judges the report again.
    pub fn replace(&mut self, result: RuleResult) {
        match self.rules.iter_mut().find(|r| r.rule == result.rule) {
            Some(slot) => *slot = result,
            None => self.rules.push(result),
        }
        self.passed = self.rules.iter().all(|r| r.status != RuleStatus::Fail);
    }

    pub fn rule(&self, name: &str) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.rule == name)
    }

    pub fn failed(&self) -> impl Iterator<Item = &RuleResult> {
        self.rules.iter().filter(|r| r.status == RuleStatus::Fail)
    }
}
