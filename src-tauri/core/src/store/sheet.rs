//! Roster spreadsheets: reads the first sheet of an XLSX, XLS or ODS file
//! with calamine into text lines for the roster validation.

use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use super::roster::{RosterError, RosterErrors, RosterRow, TextLine, parse_lines};
use crate::text::Text;

/// Largest whole number a spreadsheet cell keeps exactly: spreadsheets store
/// numbers as doubles and show 15 significant digits, so an 18-digit ID
/// number typed into a number cell has already lost its last digits.
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
    let lines = range.rows().enumerate().map(|(i, cells)| {
        let line = u64::from(first_row) + i as u64 + 1;
        let fields = cells
            .iter()
            .enumerate()
            .map(|(j, cell)| cell_text(cell, line, first_col as usize + j))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TextLine { line, fields })
    });
    parse_lines(lines.collect::<Vec<_>>())
}

/// The text of one cell as the spreadsheet shows it, or the reason it
/// cannot be trusted.
fn cell_text(cell: &Data, line: u64, column: usize) -> Result<String, RosterError> {
    let cell_name = format!("{}{line}", column_letters(column));
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(text) => Ok(text.clone()),
        Data::Int(n) => Ok(n.to_string()),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < EXACT_DIGITS_LIMIT => Ok(format!("{x:.0}")),
        Data::Float(x) if x.fract() == 0.0 => Err(RosterError::line(
            line,
            Text::new(
                format!(
                    "单元格 {cell_name} 中的数字 {x:.0} 已被电子表格舍入为 15 位；\
                     请把该列设为文本格式并重新输入"
                ),
                format!(
                    "cell {cell_name} holds the number {x:.0}, which the spreadsheet has rounded \
                     to 15 digits; format the column as text and type the value again"
                ),
            ),
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
        let text = errors.to_string();
        assert!(text.contains("cell C2"), "{text}");
        assert!(text.contains("format the column as text"), "{text}");
        Ok(())
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
