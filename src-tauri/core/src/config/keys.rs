//! The settings file's keys, each with the type and values it takes, and
//! the check of a parsed file against them. Each problem names the key, the
//! value found, what is expected and the fix, in Chinese and English, in
//! place of serde's words ("invalid type: string, expected u32").

use crate::text::Text;

/// The values a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expected {
    /// A whole number from `min` to `max`.
    Whole { min: u32, max: u32 },
    /// `true` or `false`.
    Switch,
    /// Text in quotes, with the allowed values described in both languages.
    Text { zh: &'static str, en: &'static str },
}

/// Every key of the settings file, in the order of [`super::Settings`].
pub(super) const KEYS: &[(&str, Expected)] = &[
    (
        "profile",
        Expected::Text {
            zh: "assets/profiles 中的规格名称，如 \"chsi-diploma\"",
            en: "the name of a profile in assets/profiles, such as \"chsi-diploma\"",
        },
    ),
    (
        "language",
        Expected::Text {
            zh: "\"zh-CN\" 或 \"en\"",
            en: "\"zh-CN\" or \"en\"",
        },
    ),
    ("draft_limit", Expected::Whole { min: 1, max: 20 }),
    (
        "draft_delete_after_minutes",
        Expected::Whole {
            min: 0,
            max: 10_080,
        },
    ),
    ("lock_failures", Expected::Whole { min: 1, max: 100 }),
    ("lock_window_minutes", Expected::Whole { min: 1, max: 1440 }),
    ("lock_minutes", Expected::Whole { min: 1, max: 1440 }),
    ("recapture_lock_count", Expected::Whole { min: 1, max: 20 }),
    (
        "idle_sign_out_minutes",
        Expected::Whole { min: 1, max: 240 },
    ),
    ("auto_capture", Expected::Switch),
    (
        "auto_capture_hold_ms",
        Expected::Whole {
            min: 500,
            max: 10_000,
        },
    ),
    (
        "centre_url",
        Expected::Text {
            zh: "中心提供的 https:// 地址，本机可用 http://，留空表示离线",
            en: "the centre's https:// address (http:// on this computer), or \"\" to work offline",
        },
    ),
    (
        "station_name",
        Expected::Text {
            zh: "1 到 64 个字符",
            en: "1 to 64 characters",
        },
    ),
    ("sync_timeout_seconds", Expected::Whole { min: 5, max: 600 }),
    ("sync_poll_seconds", Expected::Whole { min: 5, max: 3600 }),
    (
        "sync_retry_min_seconds",
        Expected::Whole { min: 1, max: 600 },
    ),
    (
        "sync_retry_max_seconds",
        Expected::Whole {
            min: 1,
            max: 86_400,
        },
    ),
    ("retention_days", Expected::Whole { min: 1, max: 3650 }),
    ("kiosk", Expected::Switch),
    (
        "camera",
        Expected::Text {
            zh: "`tucai-station cameras` 列出的摄像头序号，如 \"2\"，留空表示自动选择",
            en: "a camera number that `tucai-station cameras` lists, such as \"2\", or \"\" to choose automatically",
        },
    ),
    ("allow_user_facing_camera", Expected::Switch),
    ("lock_exposure", Expected::Switch),
    ("lock_white_balance", Expected::Switch),
];

/// Similarity (Jaro, 0 to 1) above which an unknown key is taken for a
/// misspelling of a known one: the measure and threshold that clap 4 uses
/// for its own suggestions (clap_builder's `parser/features/suggestions.rs`).
const SUGGESTION_SIMILARITY: f64 = 0.7;

/// One problem in a settings file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line in the file, from 1, when the key could be found on one.
    pub line: Option<usize>,
    pub text: Text,
}

/// Checks each key of a parsed settings file against [`KEYS`]. Returns
/// every unknown key and every value of the wrong type or out of range, in
/// the order of their lines. `defaults` is the default settings as a table,
/// for the fix "delete the line to use the default".
pub(super) fn check_table(
    source: &str,
    table: &toml::Table,
    defaults: &toml::Table,
) -> Vec<Problem> {
    let mut problems: Vec<Problem> = table
        .iter()
        .filter_map(|(key, value)| {
            let text = match KEYS.iter().find(|(name, _)| name == key) {
                None => unknown_key(key),
                Some((name, expected)) => {
                    let default = defaults.get(*name).map(toml::Value::to_string);
                    check_value(name, *expected, value, default.as_deref().unwrap_or("\"\""))?
                }
            };
            Some(Problem {
                line: key_line(source, key),
                text,
            })
        })
        .collect();
    problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    problems
}

/// Returns the key of [`KEYS`] most like `unknown`, if any is close enough
/// to be a misspelling of it.
pub(super) fn suggest(unknown: &str) -> Option<&'static str> {
    KEYS.iter()
        .map(|(name, _)| (*name, strsim::jaro(unknown, name)))
        .filter(|(_, similarity)| *similarity > SUGGESTION_SIMILARITY)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(name, _)| name)
}

fn unknown_key(key: &str) -> Text {
    match suggest(key) {
        Some(known) => Text::new(
            format!("{key} 不是本站的设置项。您是不是要写 {known}？请改正名称，或删除这一行。"),
            format!(
                "{key} is not a setting. Did you mean {known}? Correct the name, or delete the line."
            ),
        ),
        None => {
            let names: Vec<&str> = KEYS.iter().map(|(name, _)| *name).collect();
            Text::new(
                format!(
                    "{key} 不是本站的设置项。请改为以下名称之一，或删除这一行：{}。",
                    names.join("、")
                ),
                format!(
                    "{key} is not a setting. Correct the name to one of {}, or delete the line.",
                    names.join(", ")
                ),
            )
        }
    }
}

/// Returns the type of a TOML value in both languages, with an article in
/// English.
fn type_name(value: &toml::Value) -> (&'static str, &'static str) {
    match value {
        toml::Value::String(_) => ("文本", "text"),
        toml::Value::Integer(_) => ("整数", "a whole number"),
        toml::Value::Float(_) => ("小数", "a decimal number"),
        toml::Value::Boolean(_) => ("真假值", "true or false"),
        toml::Value::Datetime(_) => ("日期时间", "a date"),
        toml::Value::Array(_) => ("列表", "a list"),
        toml::Value::Table(_) => ("表", "a table"),
    }
}

/// Checks one value against what its key expects. Returns `None` when it
/// fits, and leaves the finer rules (a known language, a valid address) to
/// [`super::Settings::validate`].
fn check_value(key: &str, expected: Expected, value: &toml::Value, default: &str) -> Option<Text> {
    let found = value.to_string();
    let (type_zh, type_en) = type_name(value);
    let delete_zh = format!("或删除这一行以使用默认值 {default}");
    let delete_en = format!("or delete the line to use the default, {default}");
    match (expected, value) {
        (Expected::Whole { min, max }, toml::Value::Integer(n)) => {
            if (i64::from(min)..=i64::from(max)).contains(n) {
                return None;
            }
            Some(Text::new(
                format!(
                    "{key} 的值 {n} 超出允许范围 {min} 到 {max}。请填写 {min} 到 {max} 之间的整数，{delete_zh}。"
                ),
                format!(
                    "{key} is {n}, outside the allowed {min} to {max}. Write a whole number from {min} to {max}, {delete_en}."
                ),
            ))
        }
        (Expected::Whole { min, max }, toml::Value::String(text))
            if text.trim().parse::<i64>().is_ok() =>
        {
            let number = text.trim();
            Some(Text::new(
                format!(
                    "{key} 的值 {found} 是带引号的文本，应为 {min} 到 {max} 之间的整数。请去掉引号，写成 {key} = {number}。"
                ),
                format!(
                    "{key} is {found}, text in quotes, but it must be a whole number from {min} to {max}. Remove the quotes: {key} = {number}."
                ),
            ))
        }
        (Expected::Whole { min, max }, _) => Some(Text::new(
            format!(
                "{key} 的值 {found} 是{type_zh}，应为 {min} 到 {max} 之间的整数（不带引号），例如 {key} = {default}；{delete_zh}。"
            ),
            format!(
                "{key} is {found}, {type_en}, but it must be a whole number from {min} to {max}, without quotes, such as {key} = {default}. Correct it, {delete_en}."
            ),
        )),
        (Expected::Switch, toml::Value::Boolean(_)) => None,
        (Expected::Switch, toml::Value::String(text))
            if matches!(text.trim(), "true" | "false") =>
        {
            let word = text.trim();
            Some(Text::new(
                format!(
                    "{key} 的值 {found} 是带引号的文本，应为 true 或 false。请去掉引号，写成 {key} = {word}。"
                ),
                format!(
                    "{key} is {found}, text in quotes, but it must be true or false. Remove the quotes: {key} = {word}."
                ),
            ))
        }
        (Expected::Switch, _) => Some(Text::new(
            format!(
                "{key} 的值 {found} 是{type_zh}，应为 true 或 false（不带引号）。请写成 {key} = true 或 {key} = false，{delete_zh}。"
            ),
            format!(
                "{key} is {found}, {type_en}, but it must be true or false, without quotes. Write {key} = true or {key} = false, {delete_en}."
            ),
        )),
        (Expected::Text { .. }, toml::Value::String(_)) => None,
        (Expected::Text { zh, en }, _) => Some(Text::new(
            format!(
                "{key} 的值 {found} 是{type_zh}，应为带双引号的文本：{zh}。例如 {key} = {default}；{delete_zh}。"
            ),
            format!(
                "{key} is {found}, {type_en}, but it must be text in double quotes: {en}. Write it such as {key} = {default}, {delete_en}."
            ),
        )),
    }
}

/// Line (from 1) on which `key` is set, or on which its table `[key]` opens.
pub(super) fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            let assigned = line
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='));
            let table = line
                .strip_prefix('[')
                .and_then(|rest| rest.trim_start().strip_prefix(key))
                .is_some_and(|rest| rest.trim_start().starts_with(']'));
            assigned || table
        })
        .map(|i| i + 1)
}
