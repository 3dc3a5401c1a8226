//! The `recapture` rule of the report, built from an assessment.

use super::{Assessment, Cue};
use crate::checks::{RuleResult, RuleStatus};
use crate::text::Text;

/// Name of the rule in the report. The lock policy counts captures whose
/// rule of this name failed.
pub const RULE: &str = "recapture";

/// Turns an assessment into the report's `recapture` rule: `Fail` when a
/// recapture is suspected, `NotAssessed` when no cue could be measured,
/// else `Pass`. The measured value lists the cues that fired, or every
/// measured cue when none fired. A failure's reason names the cues that
/// fired, and its advice says what to change for each of them.
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
    let (status, measured, reason, advice) = if measured.is_empty() {
        let reason = Text::new(
            "未检测到唯一人脸，无法判断是否翻拍。",
            "not measured: there is no single face",
        );
        (RuleStatus::NotAssessed, None, reason, None)
    } else if !assessment.suspected {
        let reason = Text::new(
            "未发现照片、屏幕或视频翻拍的迹象。",
            "no sign of a print, a screen or a replayed video",
        );
        (RuleStatus::Pass, Some(measured.join("; ")), reason, None)
    } else {
        let fired: Vec<&Cue> = assessment.fired().collect();
        let described: Vec<String> = fired.iter().map(|c| c.describe()).collect();
        (
            RuleStatus::Fail,
            Some(described.join("; ")),
            suspected_reason(&fired),
            Some(suspected_advice(&fired)),
        )
    };
    RuleResult {
        rule: RULE.to_owned(),
        title,
        status,
        measured,
        allowed,
        reason,
        advice,
    }
}

fn suspected_reason(fired: &[&Cue]) -> Text {
    let zh: Vec<&str> = fired.iter().map(|c| c.title.zh.as_str()).collect();
    let en: Vec<String> = fired.iter().map(|c| c.title.en.to_lowercase()).collect();
    Text::new(
        format!("疑似翻拍（照片、屏幕或视频）：{}。", zh.join("、")),
        format!(
            "this looks like a photo of a print, a screen or a replayed video: {}",
            en.join(", ")
        ),
    )
}

/// Builds the advice: the student in person first, then what to change
/// for each cue that fired when it is the student, then staff.
fn suspected_advice(fired: &[&Cue]) -> Text {
    let mut zh = vec!["请本人站在镜头前拍摄，不要举着照片、手机或平板".to_owned()];
    let mut en = vec![
        "the student must stand before the camera in person, with no photo, phone or tablet"
            .to_owned(),
    ];
    let mut seen = Vec::new();
    for cue in fired {
        let Some(advice) = cue_advice(cue.name) else {
            continue;
        };
        if !seen.contains(&advice) {
            zh.push(format!("若确为本人，{}", advice.zh));
            en.push(format!("if this is the student, {}", advice.en));
            seen.push(advice);
        }
    }
    zh.push("仍不通过请联系工作人员".to_owned());
    en.push("if it still fails, call a staff member".to_owned());
    Text::new(format!("{}。", zh.join("；")), en.join("; "))
}

/// Returns what a real student can change when the cue `name` fired.
fn cue_advice(name: &str) -> Option<Text> {
    let (zh, en) = match name {
        "spectral_peak" => (
            "请取下脸前的网纱或细密图案的饰物，并确认镜头前没有屏幕",
            "take off any veil or fine mesh in front of the face, and make sure no screen is before the lens",
        ),
        "straight_border" => (
            "请移开头部两侧和上方带直边的物品（门框、画框、展板）",
            "move objects with straight edges (door frames, picture frames, boards) away from beside and above the head",
        ),
        "planar_motion" => (
            "请固定好相机，本人站在背景布前稍作停留再拍",
            "fix the camera on its stand, and have the student stand still before the backdrop for a moment",
        ),
        "specular_glare" => (
            "请调整灯光角度，避免脸上出现反光",
            "turn the lamps so that they do not reflect off the face",
        ),
        "black_level" | "skin_tone" => (
            "请打开照相灯，使用接近日光的均匀光线",
            "switch on the booth's lamps and use even light close to daylight",
        ),
        "focus_contrast" => ("请将相机对焦在面部", "focus the camera on the face"),
        _ => return None,
    };
    Some(Text::new(zh, en))
}
