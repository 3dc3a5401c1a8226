//! Roster spreadsheets: reads the first sheet of an XLSX, XLS or ODS file
//! with calamine into text lines for the roster validation.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use super::roster::{Column, RosterError, RosterErrors, RosterRow, TextLine, parse_lines};
use crate::text::Text;

/// Significant digits a spreadsheet keeps of a number: Excel stores numbers
/// as doubles and keeps 15 digits, setting any further ones to 0, so an
/// 18-digit ID number typed into a number cell has already lost its last 3.
const KEPT_DIGITS: usize = 15;

/// Smallest whole number with more than [`KEPT_DIGITS`] digits.
const EXACT_DIGITS_LIMIT: f64 = 1e15;

/// Parses and validates the first sheet of a roster spreadsheet, with the
/// same rules as [`super::parse_roster`]. Line numbers are the sheet's row
/// numbers, as the spreadsheet program shows them.
pub fn parse_roster_sheet(path: &Path) -> Result<Vec<RosterRow>, RosterErrors> {
    let whole_file = |reason: Text| RosterErrors {
        errors: vec![RosterError::line(1, reason)],
    };
    let mut workbook = open_workbook_auto(path).map_err(|e| {
        whole_file(Text::new(
            format!("无法读取电子表格（{e}），请把它另存为 .xlsx 或“CSV UTF-8”"),
            format!("cannot read the spreadsheet: {e}; save it again as .xlsx or as CSV UTF-8"),
        ))
    })?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| {
            whole_file(Text::new(
                "电子表格中没有工作表，请把名单放在第一个工作表",
                "the spreadsheet has no sheet; put the roster on the first sheet",
            ))
        })?
        .map_err(|e| {
            whole_file(Text::new(
                format!("无法读取第一个工作表（{e}），请把它另存为 .xlsx 或“CSV UTF-8”"),
                format!("cannot read the first sheet: {e}; save it again as .xlsx or as CSV UTF-8"),
            ))
        })?;

    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    // The header's columns, so that a damaged number can be named as an ID
    // number; the validation parses the header again from the text lines.
    let columns: Vec<Option<Column>> = range
        .rows()
        .next()
        .unwrap_or_default()
        .iter()
        .map(|cell| match cell {
            Data::String(text) => Column::from_header(text.trim_start_matches('\u{feff}').trim()),
            _ => None,
        })
        .collect();
    let lines = range.rows().enumerate().map(|(i, cells)| {
        let line = u64::from(first_row) + i as u64 + 1;
        let fields = cells
            .iter()
            .enumerate()
            .map(|(j, cell)| {
                let column = columns.get(j).copied().flatten();
                cell_text(cell, line, first_col as usize + j, column)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TextLine { line, fields })
    });
    parse_lines(lines.collect::<Vec<_>>())
}

/// The text of one cell as the spreadsheet shows it, or the reason it
/// cannot be trusted. `column` is the roster column that the header names
/// for the cell's sheet column, if any.
fn cell_text(
    cell: &Data,
    line: u64,
    sheet_column: usize,
    column: Option<Column>,
) -> Result<String, RosterError> {
    let letters = column_letters(sheet_column);
    let cell_name = format!("{letters}{line}");
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(text) => Ok(text.clone()),
        Data::Int(n) => Ok(n.to_string()),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < EXACT_DIGITS_LIMIT => Ok(format!("{x:.0}")),
        Data::Float(x) if x.fract() == 0.0 => Err(RosterError::line(
            line,
            lost_digits(*x, &cell_name, &letters, column),
        )),
        Data::Error(e) => Err(RosterError::line(
            line,
            Text::new(
                format!("单元格 {cell_name} 显示错误 {e}，请改正该单元格"),
                format!("cell {cell_name} shows the error {e}; correct the cell"),
            ),
        )),
        other => Ok(other.to_string()),
    }
}

/// Explains a whole number of more than 15 digits in cell `cell_name` of
/// column `letters`. The spreadsheet stored it as a number and lost the
/// digits past the 15th, so the text shows what was read, the digits lost,
/// and how to type the value again.
fn lost_digits(x: f64, cell_name: &str, letters: &str, column: Option<Column>) -> Text {
    let read = as_kept(x);
    let lost = read.len().saturating_sub(KEPT_DIGITS);
    let (what_zh, what_en) = match column {
        Some(column) => (column.chinese(), column.english()),
        None => ("该值", "the value"),
    };
    Text::new(
        format!(
            "单元格 {cell_name} 中的{what_zh}被电子表格存成了数字，只保留了前 {KEPT_DIGITS} 位，\
             读到的是 {read}，最后 {lost} 位已经丢失，不是原来输入的数字。\
             请把 {letters} 列设为文本格式，重新完整输入该单元格，保存后再导入"
        ),
        format!(
            "cell {cell_name}: the spreadsheet stored the {what_en} as a number and kept only its \
             first {KEPT_DIGITS} digits, so it reads {read}, and its last {lost} digits are lost, \
             not the ones typed. Format column {letters} as text, type the cell again in full, \
             save, and import again"
        ),
    )
}

/// Writes a whole number as a spreadsheet keeps it: its first
/// [`KEPT_DIGITS`] significant digits, then zeros.
fn as_kept(x: f64) -> String {
    // 14 decimals in scientific notation round to 15 significant digits,
    // such as "1.10105194912310e17".
    let scientific = format!("{:.*e}", KEPT_DIGITS - 1, x.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let length = exponent.parse::<usize>().unwrap_or(0) + 1;
    let mut kept: String = digits.chars().take(length).collect();
    while kept.len() < length {
        kept.push('0');
    }
    kept
}

/// Spreadsheet column name of a zero-based column index: A, B, ..., Z, AA.
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    use rust_xlsxwriter::{Format, Workbook};
    use tempfile::TempDir;

    use crate::store::test_support::TestResult;

    const ZH_HEADER: [&str; 7] = ["学号", "姓名", "身份证号", "学校", "学院", "班级", "采集码"];

    fn write_sheet(
        dir: &TempDir,
        rows: &[Vec<Data>],
    ) -> Result<std::path::PathBuf, Box<dyn std::error::Error>> {
        let path = dir.path().join("roster.xlsx");
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let text = Format::new().set_num_format("@");
        for (c, header) in ZH_HEADER.iter().enumerate() {
            sheet.write_string(0, c as u16, *header)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Data::String(s) => {
                        sheet.write_string_with_format(r, c, s, &text)?;
                    }
                    Data::Float(x) => {
                        sheet.write_number(r, c, *x)?;
                    }
                    _ => {}
                }
            }
        }
        book.save(&path)?;
        Ok(path)
    }

    fn s(text: &str) -> Data {
        Data::String(text.into())
    }

    /// Valid ID numbers, one per person of a test sheet.
    const IDS: [&str; 3] = [
        "11010519491231002X",
        "110105194912310038",
        "110105194912310011",
    ];

    fn valid_row(number: &str, id: &str, code: &str) -> Vec<Data> {
        vec![
            s(number),
            s("张三"),
            s(id),
            s("示例大学"),
            s("计算机学院"),
            s("计科2201"),
            s(code),
        ]
    }

    #[test]
    fn xlsx_chinese_headers() -> TestResult {
        let dir = TempDir::new()?;
        let path = write_sheet(
            &dir,
            &[
                valid_row("2023019001", IDS[0], "TCX0001"),
                valid_row("2023019002", IDS[1], "TCX0002"),
            ],
        )?;

        let rows = parse_roster_sheet(&path)?;

        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].collection_code, "TCX0002");
        Ok(())
    }

    #[test]
    fn number_cell_student_number() -> TestResult {
        let dir = TempDir::new()?;
        let mut row = valid_row("", IDS[0], "TCX0001");
        row[0] = Data::Float(2023019001.0);
        let path = write_sheet(&dir, &[row])?;

        let rows = parse_roster_sheet(&path)?;

        assert_eq!(rows[0].student_number, "2023019001");
        Ok(())
    }

    #[test]
    fn rounded_id_number_rejected() -> TestResult {
        let dir = TempDir::new()?;
        let mut row = valid_row("2023019001", IDS[0], "TCX0001");
        row[2] = Data::Float(110105194912310016.0);
        let path = write_sheet(&dir, &[row])?;

        let errors = parse_roster_sheet(&path).expect_err("a rounded ID must be refused");

        assert_eq!(errors.lines(), vec![2]);
        let reason = &errors.errors[0].reason;
        assert_eq!(
            reason.en,
            "cell C2: the spreadsheet stored the id_number as a number and kept only its first \
             15 digits, so it reads 110105194912310000, and its last 3 digits are lost, not the \
             ones typed. Format column C as text, type the cell again in full, save, and import \
             again"
        );
        assert_eq!(
            reason.zh,
            "单元格 C2 中的身份证号被电子表格存成了数字，只保留了前 15 位，读到的是 \
             110105194912310000，最后 3 位已经丢失，不是原来输入的数字。请把 C 列设为文本格式，\
             重新完整输入该单元格，保存后再导入"
        );
        assert!(!reason.en.contains("110105194912310016"), "{}", reason.en);
        Ok(())
    }

    #[test]
    fn kept_digits_of_long_numbers() {
        assert_eq!(as_kept(110105194912310016.0), "110105194912310000");
        assert_eq!(as_kept(1101051949123100.0), "1101051949123100");
        assert_eq!(as_kept(999999999999999999.0), "1000000000000000000");
    }

    #[test]
    fn bad_rows_listed_by_sheet_row() -> TestResult {
        let dir = TempDir::new()?;
        let mut bad_id = valid_row("2023019002", IDS[1], "TCX0002");
        bad_id[2] = s("110105194912310021");
        let repeat = valid_row("2023019001", IDS[2], "TCX0003");
        let path = write_sheet(
            &dir,
            &[valid_row("2023019001", IDS[0], "TCX0001"), bad_id, repeat],
        )?;

        let errors = parse_roster_sheet(&path).expect_err("invalid rows");

        assert_eq!(errors.lines(), vec![3, 4]);
        Ok(())
    }

    #[test]
    fn not_a_spreadsheet() -> TestResult {
        let dir = TempDir::new()?;
        let path = dir.path().join("roster.xlsx");
        std::fs::write(&path, b"this is not a zip file")?;

        let errors = parse_roster_sheet(&path).expect_err("garbage");

        assert!(
            errors.to_string().contains("cannot read the spreadsheet"),
            "{errors}"
        );
        Ok(())
    }

    #[test]
    fn column_names() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
