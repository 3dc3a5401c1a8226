//! The `recapture` rule of the report, built from an assessment.

use super::Assessment;
use crate::checks::{RuleResult, RuleStatus};
use crate::text::Text;

/// Name of the rule in the report.
pub const RULE: &str = "recapture";

/// Turns an assessment into the report's `recapture` rule: `Fail` when a
/// recapture is suspected, `NotAssessed` when no cue could be measured,
/// else `Pass`. The measured value lists the cues that fired, or every
/// measured cue when none fired.
pub fn rule(assessment: &Assessment) -> RuleResult {
    let title = Text::new(
        "翻拍检测（照片、屏幕、视频）",
        "Recapture (print, screen, replay)",
    );
    let allowed = Text::new(
        "无强线索，且辅助线索少于 2 条",
        "no strong cue, and fewer than 2 supporting cues",
    );
    let measured: Vec<String> = assessment
        .cues
        .iter()
        .filter(|c| c.value.is_some())
        .map(|c| c.describe())
        .collect();
    if measured.is_empty() {
        return RuleResult {
            rule: RULE.to_owned(),
            title,
            status: RuleStatus::NotAssessed,
            measured: None,
            allowed,
            reason: Text::new(
                "未检测到唯一人脸，无法判断是否翻拍。",
                "not measured: there is no single face",
            ),
            advice: None,
        };
    }
    if !assessment.suspected {
        return RuleResult {
            rule: RULE.to_owned(),
            title,
            status: RuleStatus::Pass,
            measured: Some(measured.join("; ")),
            allowed,
            reason: Text::new(
                "未发现照片、屏幕或视频翻拍的迹象。",
                "no sign of a print, a screen or a replayed video",
            ),
            advice: None,
        };
    }
    let fired: Vec<_> = assessment.fired().collect();
    let zh: Vec<&str> = fired.iter().map(|c| c.title.zh.as_str()).collect();
    let en: Vec<&str> = fired.iter().map(|c| c.title.en.as_str()).collect();
    RuleResult {
        rule: RULE.to_owned(),
        title,
        status: RuleStatus::Fail,
        measured: Some(
            fired
                .iter()
                .map(|c| c.describe())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        allowed,
        reason: Text::new(
            format!("疑似翻拍照片或屏幕：{}。", zh.join("、")),
            format!(
                "this looks like a photo of a print or a screen: {}",
                en.join(", ").to_lowercase()
            ),
        ),
        advice: Some(Text::new(
            "请本人站在镜头前拍摄，不要使用照片、手机或平板。若确为本人，请避开反光、移开身后带直边的物品后重拍，或联系工作人员。",
            "the student must stand before the camera in person, with no photo, phone or tablet; if this is the student, avoid reflections, move objects with straight edges out from behind, retake, or call a staff member",
        )),
    }
}
