//! Roster files: parses and validates the CSV file a school exports.
//!
//! Nothing here touches the database, so a spreadsheet reader can reuse the
//! validation later. `import.rs` writes the rows.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::io::Read;

use chrono::NaiveDate;
use csv::{ByteRecord, ReaderBuilder};

use super::mask_id;
use crate::text::Text;

/// A column of the roster, known by an English and a Chinese header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    StudentNumber,
    Name,
    IdNumber,
    School,
    College,
    Class,
    CollectionCode,
}

impl Column {
    /// Every column in declaration order, so `column as usize` indexes the
    /// arrays built from this list.
    pub const ALL: [Column; 7] = [
        Column::StudentNumber,
        Column::Name,
        Column::IdNumber,
        Column::School,
        Column::College,
        Column::Class,
        Column::CollectionCode,
    ];

    /// English header, which English error messages also use.
    pub fn english(self) -> &'static str {
        match self {
            Column::StudentNumber => "student_number",
            Column::Name => "name",
            Column::IdNumber => "id_number",
            Column::School => "school",
            Column::College => "college",
            Column::Class => "class",
            Column::CollectionCode => "collection_code",
        }
    }

    /// Chinese header, which Chinese error messages also use.
    pub fn chinese(self) -> &'static str {
        match self {
            Column::StudentNumber => "学号",
            Column::Name => "姓名",
            Column::IdNumber => "身份证号",
            Column::School => "学校",
            Column::College => "学院",
            Column::Class => "班级",
            Column::CollectionCode => "采集码",
        }
    }

    /// Matches a trimmed header: Chinese exactly, English ignoring ASCII case.
    pub(super) fn from_header(header: &str) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| c.chinese() == header || c.english().eq_ignore_ascii_case(header))
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.english())
    }
}

/// One valid roster row: values trimmed, the ID number's `x` and the
/// collection code uppercased.
///
/// `Debug` masks the ID number.
#[derive(Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// Line of the row in the file, the header being line 1.
    pub line: u64,
    pub student_number: String,
    pub name: String,
    pub id_number: String,
    pub school: String,
    pub college: String,
    pub class_name: String,
    pub collection_code: String,
}

impl fmt::Debug for RosterRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RosterRow")
            .field("line", &self.line)
            .field("student_number", &self.student_number)
            .field("name", &self.name)
            .field("id_number", &mask_id(&self.id_number))
            .field("school", &self.school)
            .field("college", &self.college)
            .field("class_name", &self.class_name)
            .field("collection_code", &self.collection_code)
            .finish()
    }
}

/// One problem found in a roster file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterError {
    /// Line in the file, the header being line 1, as a spreadsheet numbers
    /// its rows (unless a quoted value spans several lines).
    pub line: u64,
    /// The column at fault, or `None` for a problem with the whole line.
    pub column: Option<Column>,
    /// The value as written in the file, when one value is at fault.
    pub value: Option<String>,
    /// The problem and its fix, in Chinese and English.
    pub reason: Text,
}

impl RosterError {
    pub(super) fn field(line: u64, column: Column, value: &str, reason: Text) -> Self {
        RosterError {
            line,
            column: Some(column),
            value: Some(value.to_string()),
            reason,
        }
    }

    pub(super) fn line(line: u64, reason: Text) -> Self {
        RosterError {
            line,
            column: None,
            value: None,
            reason,
        }
    }

    /// Formats the problem in Chinese, such as
    /// `第 7 行，身份证号 "11010519491231002Y"：校验码应为 X`.
    pub fn chinese(&self) -> String {
        let mut text = format!("第 {} 行", self.line);
        if let Some(column) = self.column {
            text.push_str(&format!("，{}", column.chinese()));
        }
        if let Some(value) = &self.value {
            text.push_str(&format!(" {value:?}"));
        }
        text.push_str(&format!("：{}", self.reason.zh));
        text
    }
}

/// Formats as `line 7, id_number "11010519491231002Y": check digit should be X`.
impl fmt::Display for RosterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(column) = self.column {
            write!(f, ", {column}")?;
        }
        if let Some(value) = &self.value {
            write!(f, " {value:?}")?;
        }
        write!(f, ": {}", self.reason.en)
    }
}

/// Every problem found in a roster file, in line order, one per line of the
/// message.
///
/// NOTE: the message quotes invalid ID numbers in full so that the operator
/// can find them, so log only [`RosterErrors::lines`], never the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterErrors {
    pub errors: Vec<RosterError>,
}

impl RosterErrors {
    /// Formats every problem in Chinese, one per line, as the `Display`
    /// form does in English.
    pub fn chinese(&self) -> String {
        self.errors
            .iter()
            .map(RosterError::chinese)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Lines with at least one problem, ascending and without repeats.
    pub fn lines(&self) -> Vec<u64> {
        let mut lines: Vec<u64> = self.errors.iter().map(|e| e.line).collect();
        lines.sort_unstable();
        lines.dedup();
        lines
    }
}

impl fmt::Display for RosterErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RosterErrors {}

/// Maximum length of a student number, which also names a folder of
/// originals.
const STUDENT_NUMBER_MAX_LEN: usize = 32;
const COLLECTION_CODE_LEN: std::ops::RangeInclusive<usize> = 6..=32;

/// Weights of the first 17 digits of a resident ID number (GB 11643-1999).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each value of the weighted sum modulo 11.
const ID_CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Parses and validates a roster in CSV form.
///
/// The header names each column in English or Chinese, in any order, and
/// may start with a UTF-8 byte order mark. Other columns are ignored, and
/// so are rows whose values are all blank. Fails with every problem in the
/// file: a missing or repeated column, an empty or malformed value, a wrong
/// ID check digit, or a student number or collection code repeated in the
/// file.
pub fn parse_roster<R: Read>(reader: R) -> Result<Vec<RosterRow>, RosterErrors> {
    let mut csv = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = ByteRecord::new();
    let mut lines = Vec::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line());
                lines.push(Err(RosterError::line(
                    line,
                    Text::new(
                        format!("无法读取文件（{e}），请把名单另存为“CSV UTF-8”后重新导入"),
                        format!("cannot read the file ({e}), save the roster as \"CSV UTF-8\" and import it again"),
                    ),
                )));
                break;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let fields = record
            .iter()
            .map(|raw| std::str::from_utf8(raw).map(str::to_owned))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| not_utf8(line));
        lines.push(fields.map(|fields| TextLine { line, fields }));
    }
    parse_lines(lines)
}

/// One line of a roster file as text values, whatever the file's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TextLine {
    /// Line in the file, or row in the sheet, counting from 1.
    pub line: u64,
    pub fields: Vec<String>,
}

/// Validates the lines of a roster file, the first being the header.
pub(super) fn parse_lines(
    lines: impl IntoIterator<Item = Result<TextLine, RosterError>>,
) -> Result<Vec<RosterRow>, RosterErrors> {
    let mut lines = lines.into_iter();
    let header = match lines.next() {
        Some(Ok(first)) => parse_header(&first),
        Some(Err(e)) => Err(vec![e]),
        None => Err(vec![RosterError::line(
            1,
            Text::new(
                "文件是空的，第一行应为列名",
                "the file is empty, expected a header line",
            ),
        )]),
    };
    let header = header.map_err(|errors| RosterErrors { errors })?;

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for line in lines {
        match line.map(|line| parse_row(&line, &header)) {
            Ok(Ok(Some(row))) => rows.push(row),
            Ok(Ok(None)) => {}
            Ok(Err(row_errors)) => errors.extend(row_errors),
            Err(e) => errors.push(e),
        }
    }

    errors.extend(find_repeats(&rows));
    if errors.is_empty() && rows.is_empty() {
        errors.push(RosterError::line(
            2,
            Text::new(
                "名单只有列名，没有学生，请在列名下面每行填写一名学生",
                "the roster has a header but no students, add one line per student under the header",
            ),
        ));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(RosterErrors { errors })
    }
}

/// Position of each column in the file, and the number of fields a line has.
struct Header {
    index: [usize; 7],
    width: usize,
}

fn parse_header(first: &TextLine) -> Result<Header, Vec<RosterError>> {
    let mut found: HashMap<Column, usize> = HashMap::new();
    let mut errors = Vec::new();

    for (i, raw) in first.fields.iter().enumerate() {
        let text = raw.trim_start_matches('\u{feff}').trim();
        let Some(column) = Column::from_header(text) else {
            continue;
        };
        if found.insert(column, i).is_some() {
            errors.push(RosterError::field(
                first.line,
                column,
                text,
                Text::new(
                    "该列出现了两次，请删除其中一列",
                    "column appears twice, delete one of them",
                ),
            ));
        }
    }

    if found.is_empty() {
        // One error for the whole header reads better than seven missing
        // columns, and a file split by another character is a common cause.
        let joined = first.fields.join(",");
        let reason = match [';', '\t', '|'].into_iter().find(|c| joined.contains(*c)) {
            Some(separator) => Text::new(
                format!(
                    "第一行没有可识别的列名：各列以 {separator:?} 而不是逗号分隔。\
                     请把名单另存为“CSV UTF-8（逗号分隔）”或 .xlsx"
                ),
                format!(
                    "no known column in the header, which is separated by {separator:?} rather \
                     than commas; save the roster as \"CSV UTF-8 (comma delimited)\" or as .xlsx"
                ),
            ),
            None => Text::new(
                format!(
                    "第一行没有可识别的列名；第一行应写明各列的名称，如 {}",
                    Column::ALL
                        .map(|c| format!("{}或 {}", c.chinese(), c.english()))
                        .join("、")
                ),
                format!(
                    "no known column in the header; the first line must name the columns, such \
                     as {}",
                    Column::ALL
                        .map(|c| format!("{} or {}", c.chinese(), c.english()))
                        .join(", ")
                ),
            ),
        };
        return Err(vec![RosterError::line(first.line, reason)]);
    }
    for column in Column::ALL {
        if !found.contains_key(&column) {
            let reason = Text::new(
                format!(
                    "缺少该列，请添加列名 {:?}（或 {:?}）",
                    column.chinese(),
                    column.english()
                ),
                format!(
                    "column is missing, add a {:?} (or {:?}) header",
                    column.chinese(),
                    column.english()
                ),
            );
            errors.push(RosterError {
                line: first.line,
                column: Some(column),
                value: None,
                reason,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let index = Column::ALL.map(|c| found[&c]);
    Ok(Header {
        index,
        width: first.fields.len(),
    })
}

fn not_utf8(line: u64) -> RosterError {
    RosterError::line(
        line,
        Text::new(
            "不是有效的 UTF-8 文本，请把名单另存为“CSV UTF-8”后重新导入",
            "is not valid UTF-8 text, save the roster as \"CSV UTF-8\" and import it again",
        ),
    )
}

/// Validates one line. Returns `Ok(None)` for a line whose values are all
/// blank, which spreadsheets write for empty rows.
fn parse_row(text: &TextLine, header: &Header) -> Result<Option<RosterRow>, Vec<RosterError>> {
    let line = text.line;
    let fields = &text.fields;
    if fields.iter().all(|f| f.trim().is_empty()) {
        return Ok(None);
    }
    // Spreadsheets may write empty cells past the last column; those count
    // as missing values, not as extra ones.
    let extra = fields
        .get(header.width..)
        .is_some_and(|rest| rest.iter().any(|f| !f.trim().is_empty()));
    if fields.len() < header.width || extra {
        let reason = Text::new(
            format!(
                "有 {} 个值，但列名有 {} 个；含逗号的值请加上英文双引号",
                fields.len(),
                header.width
            ),
            format!(
                "has {} values but the header has {}, put quotes around values that contain \
                 commas",
                fields.len(),
                header.width
            ),
        );
        return Err(vec![RosterError::line(line, reason)]);
    }

    let values = header.index.map(|i| fields[i].trim());
    let mut errors = Vec::new();
    for column in Column::ALL {
        let value = values[column as usize];
        if let Err(reason) = check_value(column, value) {
            errors.push(RosterError::field(line, column, value, reason));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    Ok(Some(RosterRow {
        line,
        student_number: values[Column::StudentNumber as usize].to_string(),
        name: values[Column::Name as usize].to_string(),
        id_number: values[Column::IdNumber as usize].to_ascii_uppercase(),
        school: values[Column::School as usize].to_string(),
        college: values[Column::College as usize].to_string(),
        class_name: values[Column::Class as usize].to_string(),
        collection_code: values[Column::CollectionCode as usize].to_ascii_uppercase(),
    }))
}

/// Checks one trimmed value and returns the reason it is invalid.
fn check_value(column: Column, value: &str) -> Result<(), Text> {
    if value.is_empty() {
        return Err(Text::new("为空，请填写", "is empty"));
    }
    match column {
        Column::StudentNumber => check_student_number(value),
        Column::IdNumber => check_id_number(value),
        Column::CollectionCode => check_collection_code(value),
        Column::Name => check_text(value, NAME_MAX_CHARS),
        Column::School | Column::College | Column::Class => check_text(value, UNIT_MAX_CHARS),
    }
}

/// The maximum length of a name in characters. Long minority names written
/// in Chinese with "·" run to about 20 characters (an estimate).
const NAME_MAX_CHARS: usize = 50;

/// The maximum length of a school, college or class in characters.
const UNIT_MAX_CHARS: usize = 100;

/// Refuses control characters, such as a tab or a terminal's colour code
/// pasted in with the value, and values too long for a card or a file.
fn check_text(value: &str, max: usize) -> Result<(), Text> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        let code = format!("U+{:04X}", u32::from(c));
        return Err(Text::new(
            format!("含有不可见的控制字符 {code}，请删除后重新导入"),
            format!("contains the invisible control character {code}; delete it"),
        ));
    }
    let count = value.chars().count();
    if count > max {
        return Err(Text::new(
            format!("有 {count} 个字符，最多 {max} 个"),
            format!("has {count} characters, at most {max}"),
        ));
    }
    Ok(())
}

/// Student numbers name a folder of originals, so only characters that are
/// safe in a file name on every system are allowed.
fn check_student_number(value: &str) -> Result<(), Text> {
    if value.len() > STUDENT_NUMBER_MAX_LEN {
        return Err(Text::new(
            format!("超过 {STUDENT_NUMBER_MAX_LEN} 个字符"),
            format!("is longer than {STUDENT_NUMBER_MAX_LEN} characters"),
        ));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Text::new(
            "只能包含字母、数字、“-”和“_”",
            "must contain only letters, digits, \"-\" and \"_\"",
        ));
    }
    Ok(())
}

fn check_collection_code(value: &str) -> Result<(), Text> {
    if !value.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Text::new(
            "只能包含字母 A-Z 和数字",
            "must contain only letters A-Z and digits",
        ));
    }
    if !COLLECTION_CODE_LEN.contains(&value.len()) {
        let (min, max) = (COLLECTION_CODE_LEN.start(), COLLECTION_CODE_LEN.end());
        return Err(Text::new(
            format!("长度应为 {min} 到 {max} 个字符，实际为 {}", value.len()),
            format!(
                "must be {min} to {max} characters long, found {}",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// Checks an 18-character resident ID number (GB 11643-1999): 6 digits of
/// area code, the birth date as YYYYMMDD, 3 digits of sequence and a check
/// character, a digit or X, which may be written as a lowercase `x`.
fn check_id_number(value: &str) -> Result<(), Text> {
    // A spreadsheet that took the ID numbers for numbers saves them in
    // scientific notation, such as 5.10107E+17, when it writes a CSV.
    if value.to_ascii_uppercase().contains("E+") && value.parse::<f64>().is_ok() {
        return Err(Text::new(
            "被电子表格当成了数字，写成了科学计数法，后几位已经丢失。\
             请在 Excel 中把这一列设为“文本”格式，重新填入身份证号后再保存",
            "was taken for a number by a spreadsheet and written in scientific notation, \
             losing its last digits. In Excel, set the column's format to Text, enter the ID \
             numbers again, then save",
        ));
    }
    let chars: Vec<char> = value.chars().collect();
    if chars.len() != 18 {
        return Err(Text::new(
            format!("应为 18 位，实际为 {} 位", chars.len()),
            format!("must be 18 characters, found {}", chars.len()),
        ));
    }
    if !chars[..17].iter().all(char::is_ascii_digit) {
        return Err(Text::new(
            "前 17 位必须是数字",
            "the first 17 characters must be digits",
        ));
    }

    let birth = &value[6..14];
    if NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
        return Err(Text::new(
            format!("出生日期 {birth} 不是有效日期"),
            format!("birth date {birth} is not a valid date"),
        ));
    }

    // A last character that is neither a digit nor X, such as Y, also gets
    // this message, because it names the correct character.
    let expected = id_check_char(&value[..17]);
    if chars[17].to_ascii_uppercase() != expected {
        return Err(Text::new(
            format!("校验码应为 {expected}"),
            format!("check digit should be {expected}"),
        ));
    }
    Ok(())
}

/// Computes the check character for the first 17 digits of an ID number:
/// the digits weighted by [`ID_WEIGHTS`], summed modulo 11, index
/// "10X98765432". `first17` must be 17 ASCII digits.
pub fn id_check_char(first17: &str) -> char {
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    ID_CHECK_CHARS[(sum % 11) as usize]
}

/// Reports each student number, ID number or collection code that an
/// earlier line of the file already has: two records of one person would
/// let a photo land on the wrong one.
fn find_repeats(rows: &[RosterRow]) -> Vec<RosterError> {
    let mut numbers: HashMap<&str, u64> = HashMap::new();
    let mut ids: HashMap<&str, u64> = HashMap::new();
    let mut codes: HashMap<&str, u64> = HashMap::new();
    let mut errors = Vec::new();

    for row in rows {
        if let Some(first) = earlier_line(&mut numbers, &row.student_number, row.line) {
            let reason = Text::new(
                format!("与第 {first} 行的学号重复"),
                format!("repeats the student number of line {first}"),
            );
            errors.push(RosterError::field(
                row.line,
                Column::StudentNumber,
                &row.student_number,
                reason,
            ));
        }
        if let Some(first) = earlier_line(&mut ids, &row.id_number, row.line) {
            let reason = Text::new(
                format!("与第 {first} 行的身份证号重复；每人只保留一条记录"),
                format!("repeats the ID number of line {first}; keep one record per person"),
            );
            errors.push(RosterError::field(
                row.line,
                Column::IdNumber,
                &row.id_number,
                reason,
            ));
        }
        if let Some(first) = earlier_line(&mut codes, &row.collection_code, row.line) {
            let reason = Text::new(
                format!("与第 {first} 行的采集码重复"),
                format!("repeats the collection code of line {first}"),
            );
            errors.push(RosterError::field(
                row.line,
                Column::CollectionCode,
                &row.collection_code,
                reason,
            ));
        }
    }
    errors
}

/// Returns the line where `key` was first seen, or records `line` for it.
fn earlier_line<'a>(seen: &mut HashMap<&'a str, u64>, key: &'a str, line: u64) -> Option<u64> {
    match seen.entry(key) {
        Entry::Occupied(first) => Some(*first.get()),
        Entry::Vacant(slot) => {
            slot.insert(line);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::fs::File;
    use std::path::PathBuf;

    use crate::store::test_support::TestResult;

    const HEADER: &str = "student_number,name,id_number,school,college,class,collection_code\n";
    /// A well-known sample ID number, whose check character is X.
    const VALID_ID: &str = "11010519491231002X";
    /// A second valid ID number, for files of two people.
    const OTHER_ID: &str = "110105194912310038";

    fn parse(text: &str) -> Result<Vec<RosterRow>, RosterErrors> {
        parse_roster(text.as_bytes())
    }

    fn roster_path(name: &str) -> PathBuf {
        crate::assets_dir().join("roster").join(name)
    }

    fn only_error(text: &str) -> RosterError {
        let errors = parse(text).expect_err("roster should be invalid").errors;
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn check_char_example() {
        assert_eq!(id_check_char("11010519491231002"), 'X');
    }

    #[test]
    fn sample_file_valid() -> TestResult {
        let rows = parse_roster(File::open(roster_path("sample-roster.csv"))?)?;

        assert_eq!(rows.len(), 40);
        assert_eq!(rows[0].student_number, "2023010001");
        assert_eq!(rows[0].collection_code, "TC2026A0001");
        assert_eq!(rows[0].line, 2);
        Ok(())
    }

    #[test]
    fn error_file_lines() -> TestResult {
        let errors = parse_roster(File::open(roster_path("sample-roster-with-errors.csv"))?)
            .expect_err("the file has 3 invalid rows");

        assert_eq!(errors.lines(), [3, 5, 7]);
        assert_eq!(errors.errors.len(), 3);
        assert_eq!(errors.errors[0].column, Some(Column::IdNumber));
        assert_eq!(errors.errors[0].reason.en, "check digit should be 3");
        assert_eq!(errors.errors[0].reason.zh, "校验码应为 3");
        assert_eq!(errors.errors[1].column, Some(Column::Name));
        assert_eq!(errors.errors[1].reason.en, "is empty");
        assert_eq!(errors.errors[2].column, Some(Column::CollectionCode));
        assert_eq!(
            errors.errors[2].reason.en,
            "repeats the collection code of line 2"
        );
        assert_eq!(errors.errors[2].reason.zh, "与第 2 行的采集码重复");
        Ok(())
    }

    #[test]
    fn check_digit_message() {
        let text = format!("{HEADER}S1,Li,11010519491231002Y,U,C,K,CODE0001\n");

        let error = only_error(&text);

        assert_eq!(
            error.to_string(),
            r#"line 2, id_number "11010519491231002Y": check digit should be X"#
        );
    }

    #[test]
    fn check_digit_message_in_chinese() {
        let text = format!("{HEADER}S1,Li,11010519491231002Y,U,C,K,CODE0001\n");

        let error = only_error(&text);

        assert_eq!(
            error.chinese(),
            r#"第 2 行，身份证号 "11010519491231002Y"：校验码应为 X"#
        );
    }

    #[test]
    fn every_reason_has_chinese() {
        let text = format!(
            "{HEADER}S1,Li,{VALID_ID},U,C,K,CODE0001\n\
             ../x,Wu,1101051949123100,U,C,K,AB12\n\
             S1,Wu,{VALID_ID},U,C,K,CODE0001\n\
             S4,Li,{OTHER_ID},U,C\n\
             S5,,{OTHER_ID},U,C,K,CODE0005\n"
        );

        let errors = parse(&text).expect_err("lines 3 to 6 are invalid");

        assert_eq!(errors.errors.len(), 8, "{errors}");
        for error in &errors.errors {
            assert!(
                error
                    .reason
                    .zh
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{error}: {}",
                error.reason.zh
            );
        }
        assert_eq!(errors.chinese().lines().count(), errors.errors.len());
    }

    #[test]
    fn control_characters_and_long_names_refused() {
        let long = "长".repeat(51);
        let text = format!(
            "{HEADER}S1,赵\u{7}\u{1b}[31m红,{VALID_ID},U,C,K,CODE0001\n\
             S2,{long},{VALID_ID},U,C,K,CODE0002\n"
        );

        let errors = parse(&text).expect_err("two bad names");

        assert_eq!(errors.lines(), [2, 3]);
        assert_eq!(errors.errors[0].column, Some(Column::Name));
        assert!(errors.errors[0].reason.en.contains("U+0007"), "{}", errors);
        assert!(
            errors.errors[0].reason.zh.contains("控制字符"),
            "{}",
            errors
        );
        assert_eq!(errors.errors[1].reason.en, "has 51 characters, at most 50");
    }

    #[test]
    fn scientific_notation_explained() {
        let text = format!("{HEADER}S1,Li,5.10107E+17,U,C,K,CODE0001\n");

        let errors = parse(&text).expect_err("a number, not an ID number");

        assert!(
            errors.errors[0].reason.en.contains("scientific notation"),
            "{errors}"
        );
        assert!(
            errors.errors[0].reason.zh.contains("科学计数法"),
            "{errors}"
        );
    }

    #[test]
    fn lowercase_x_uppercased() -> TestResult {
        let text = format!("{HEADER}S1,Li,11010519491231002x,U,C,K,code0001\n");

        let rows = parse(&text)?;

        assert_eq!(rows[0].id_number, VALID_ID);
        assert_eq!(rows[0].collection_code, "CODE0001");
        Ok(())
    }

    #[test]
    fn chinese_header_any_order() -> TestResult {
        let text = format!(
            "\u{feff}采集码,姓名,学号,身份证号,班级,学院,学校\r\n\
             code0001 , 李示例 ,S1,{VALID_ID},K,C,U\r\n"
        );

        let rows = parse(&text)?;

        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "李示例");
        assert_eq!(rows[0].student_number, "S1");
        assert_eq!(rows[0].collection_code, "CODE0001");
        assert_eq!(rows[0].class_name, "K");
        assert_eq!(rows[0].school, "U");
        Ok(())
    }

    #[test]
    fn semicolon_file_gets_one_separator_error() {
        let text =
            format!("学号;姓名;身份证号;学校;学院;班级;采集码\nS1;李;{VALID_ID};U;C;K;CODE0001\n");

        let errors = parse(&text).expect_err("semicolons are not commas").errors;

        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].reason.en.contains("';'"),
            "{}",
            errors[0].reason.en
        );
        assert!(
            errors[0].reason.zh.contains("';'"),
            "{}",
            errors[0].reason.zh
        );
    }

    #[test]
    fn header_only_file_is_rejected() {
        let text = "学号,姓名,身份证号,学校,学院,班级,采集码\n";

        let errors = parse(text).expect_err("no students").errors;

        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].reason.en.contains("no students"),
            "{}",
            errors[0].reason.en
        );
    }

    #[test]
    fn english_header_case_ignored() -> TestResult {
        let text = format!(
            "Student_Number,NAME,Id_Number,School,College,Class,Collection_Code,Phone\n\
             S1,Li,{VALID_ID},U,C,K,CODE0001,123\n"
        );

        let rows = parse(&text)?;

        assert_eq!(rows.len(), 1);
        Ok(())
    }

    #[test]
    fn missing_column_listed() {
        let errors = parse("学号,姓名,学校,学院,班级,采集码\n")
            .expect_err("id column missing")
            .errors;

        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 1);
        assert_eq!(errors[0].column, Some(Column::IdNumber));
    }

    #[test]
    fn repeated_column_rejected() {
        let text = "student_number,name,id_number,school,college,class,collection_code,学号\n";

        let error = only_error(text);

        assert_eq!(error.column, Some(Column::StudentNumber));
        assert_eq!(error.reason.en, "column appears twice, delete one of them");
    }

    #[test]
    fn empty_file_rejected() {
        let error = only_error("");

        assert_eq!(error.line, 1);
    }

    #[test]
    fn blank_rows_skipped() -> TestResult {
        let text = format!("{HEADER}\n,,,,,,\nS1,Li,{VALID_ID},U,C,K,CODE0001\n , ,,,,,\n");

        let rows = parse(&text)?;

        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 4);
        Ok(())
    }

    #[test]
    fn every_bad_row_listed() {
        let text = format!(
            "{HEADER}S1,,{VALID_ID},U,C,K,CODE0001\n\
             S2,Li,{OTHER_ID},U,C,K,CODE0002\n\
             S3,Wu,123,U,,K,CODE0003\n"
        );

        let errors = parse(&text).expect_err("two rows are invalid");

        assert_eq!(errors.lines(), [2, 4]);
        assert_eq!(errors.errors.len(), 3, "{errors}");
    }

    #[test]
    fn id_number_rules() {
        let cases = [
            ("1101051949123100", "must be 18 characters, found 16"),
            (
                "1101051949123100AX",
                "the first 17 characters must be digits",
            ),
            ("11010519491231002Z", "check digit should be X"),
            (
                "110105194902300025",
                "birth date 19490230 is not a valid date",
            ),
            ("110105194912310021", "check digit should be X"),
        ];
        for (id, reason) in cases {
            let error = only_error(&format!("{HEADER}S1,Li,{id},U,C,K,CODE0001\n"));

            assert_eq!(error.reason.en, reason, "id {id}");
        }
    }

    #[test]
    fn collection_code_rules() {
        let too_long = "A".repeat(33);
        let cases = [
            ("AB12", "must be 6 to 32 characters long, found 4"),
            (
                too_long.as_str(),
                "must be 6 to 32 characters long, found 33",
            ),
            ("CODE-0001", "must contain only letters A-Z and digits"),
            ("采集码0001", "must contain only letters A-Z and digits"),
        ];
        for (code, reason) in cases {
            let error = only_error(&format!("{HEADER}S1,Li,{VALID_ID},U,C,K,{code}\n"));

            assert_eq!(error.reason.en, reason, "code {code}");
        }
    }

    #[test]
    fn student_number_path_safe() {
        let error = only_error(&format!("{HEADER}../x,Li,{VALID_ID},U,C,K,CODE0001\n"));

        assert_eq!(error.column, Some(Column::StudentNumber));
    }

    #[test]
    fn repeated_number_rejected() {
        let text =
            format!("{HEADER}S1,Li,{VALID_ID},U,C,K,CODE0001\nS1,Wu,{OTHER_ID},U,C,K,CODE0002\n");

        let error = only_error(&text);

        assert_eq!(
            error.to_string(),
            r#"line 3, student_number "S1": repeats the student number of line 2"#
        );
    }

    #[test]
    fn repeated_id_number_rejected() {
        let text =
            format!("{HEADER}S1,Li,{VALID_ID},U,C,K,CODE0001\nS2,Wu,{VALID_ID},U,C,K,CODE0002\n");

        let error = only_error(&text);

        assert_eq!(error.line, 3);
        assert_eq!(error.column, Some(Column::IdNumber));
        assert!(
            error
                .to_string()
                .contains("repeats the ID number of line 2"),
            "{error}"
        );
    }

    #[test]
    fn wrong_value_count() {
        let text = format!("{HEADER}S1,Li,{VALID_ID},U,C,K,CODE0001,extra\n");

        let error = only_error(&text);

        assert_eq!(error.line, 2);
        assert_eq!(error.column, None);
    }

    #[test]
    fn gbk_file_rejected() {
        // "学号" in GBK, the legacy code page of Chinese Windows.
        let bytes = b"\xd1\xa7\xba\xc5,name\n".to_vec();

        let errors = parse_roster(bytes.as_slice()).expect_err("GBK is not UTF-8");

        assert!(errors.to_string().contains("UTF-8"), "{errors}");
    }
}
