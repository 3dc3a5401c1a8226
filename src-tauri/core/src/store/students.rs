//! Students of the roster: the record, look-ups by collection code or student
//! number, and the masking of ID numbers for display and logs.

use std::fmt;

use rusqlite::{OptionalExtension, Row};

use super::Store;
use crate::{Error, ErrorKind, Result};

/// One row of the `students` table.
///
/// `Debug` masks the ID number, so a student can be logged with `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Student {
    pub id: i64,
    pub student_number: String,
    pub name: String,
    /// The 18-character resident ID number, uppercase. Show or log it only
    /// through [`mask_id`].
    pub id_number: String,
    pub school: String,
    pub college: String,
    pub class_name: String,
    /// Code printed on the student's collection slip, uppercase.
    pub collection_code: String,
    /// Time of the first import, RFC 3339 with offset.
    pub imported_at: String,
    /// Time of the last import that changed the row, RFC 3339 with offset.
    pub updated_at: String,
}

impl fmt::Debug for Student {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Student")
            .field("id", &self.id)
            .field("student_number", &self.student_number)
            .field("name", &self.name)
            .field("id_number", &mask_id(&self.id_number))
            .field("school", &self.school)
            .field("college", &self.college)
            .field("class_name", &self.class_name)
            .field("collection_code", &self.collection_code)
            .field("imported_at", &self.imported_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// Hides all but the first 3 and the last 4 characters of an ID number
/// behind one `*` each, such as `110***********1234`. A value of 7
/// characters or fewer is hidden completely, because showing 7 of them
/// would show it all.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }

    let hidden = chars.len() - 7;
    let mut masked: String = chars[..3].iter().collect();
    masked.push_str(&"*".repeat(hidden));
    masked.extend(&chars[chars.len() - 4..]);
    masked
}

const STUDENT_COLUMNS: &str = "id, student_number, name, id_number, school, college, \
                               class_name, collection_code, imported_at, updated_at";

fn student_from_row(row: &Row<'_>) -> rusqlite::Result<Student> {
    Ok(Student {
        id: row.get(0)?,
        student_number: row.get(1)?,
        name: row.get(2)?,
        id_number: row.get(3)?,
        school: row.get(4)?,
        college: row.get(5)?,
        class_name: row.get(6)?,
        collection_code: row.get(7)?,
        imported_at: row.get(8)?,
        updated_at: row.get(9)?,
    })
}

impl Store {
    /// Finds the student whose collection code (compared case-insensitively)
    /// or student number (compared exactly) equals the trimmed query. A
    /// collection code match wins when the query matches both.
    ///
    /// Fails with an `InvalidInput` error for an empty query and `Error::NotFound`
    /// naming the query when no student matches.
    pub fn find_student(&self, query: &str) -> Result<Student> {
        let query = query.trim();
        if query.is_empty() {
            return Err(Error::explained(
                ErrorKind::InvalidInput,
                "搜索框是空的：请输入采集码或学号。",
                "empty search: enter a collection code or a student number",
            ));
        }

        let by_code = format!("SELECT {STUDENT_COLUMNS} FROM students WHERE collection_code = ?1");
        let code = query.to_ascii_uppercase();
        if let Some(student) = self
            .conn
            .query_row(&by_code, [&code], student_from_row)
            .optional()?
        {
            return Ok(student);
        }

        let by_number = format!("SELECT {STUDENT_COLUMNS} FROM students WHERE student_number = ?1");
        self.conn
            .query_row(&by_number, [query], student_from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "student",
                value: query.to_string(),
            })
    }

    /// Finds students by name and the last digits of the ID number, for a
    /// student who has neither the collection code nor the student number
    /// at hand. `last_digits` is 4 to 6 characters, an `x` counting as X.
    ///
    /// Fails with an `InvalidInput` error for a blank name or a digit count out of
    /// range, and `Error::NotFound` when no student matches.
    pub fn find_by_name(&self, name: &str, last_digits: &str) -> Result<Vec<Student>> {
        let name = name.trim();
        let digits = last_digits.trim().to_ascii_uppercase();
        if name.is_empty() {
            return Err(Error::explained(
                ErrorKind::InvalidInput,
                "请输入学生姓名。",
                "enter the student's name",
            ));
        }
        if !(4..=6).contains(&digits.len())
            || !digits.chars().all(|c| c.is_ascii_digit() || c == 'X')
        {
            return Err(Error::explained(
                ErrorKind::InvalidInput,
                format!(
                    "\"{last_digits}\" 不是身份证号的末 4 到 6 位：请输入末 4 到 6 位数字，\
                     最后一位可以是 X。"
                ),
                format!(
                    "\"{last_digits}\" is not the last 4 to 6 characters of an ID number: \
                     enter 4 to 6 digits, the last of which may be X"
                ),
            ));
        }
        let sql = format!("SELECT {STUDENT_COLUMNS} FROM students WHERE name = ?1");
        let mut statement = self.conn.prepare_cached(&sql)?;
        let found: Vec<Student> = statement
            .query_map([name], student_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|s| s.id_number.ends_with(&digits))
            .collect();
        if found.is_empty() {
            return Err(Error::NotFound {
                what: "student",
                value: format!("{name} …{digits}"),
            });
        }
        Ok(found)
    }

    /// Returns the student with the row id `id`, or `Error::NotFound`.
    pub fn student(&self, id: i64) -> Result<Student> {
        let sql = format!("SELECT {STUDENT_COLUMNS} FROM students WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], student_from_row)
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "student",
                value: id.to_string(),
            })
    }

    pub fn student_count(&self) -> Result<u32> {
        let count = self
            .conn
            .query_row("SELECT count(*) FROM students", [], |row| row.get(0))?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ErrorKind;
    use crate::store::test_support::{TestResult, sample_store};

    #[test]
    fn find_by_code() -> TestResult {
        let (_dir, store, _first) = sample_store()?;

        let student = store.find_student("TC2026A0001")?;

        assert_eq!(student.student_number, "2023010001");
        Ok(())
    }

    #[test]
    fn find_by_lowercase_code() -> TestResult {
        let (_dir, store, _first) = sample_store()?;

        let student = store.find_student("  tc2026a0001 ")?;

        assert_eq!(student.student_number, "2023010001");
        Ok(())
    }

    #[test]
    fn find_by_number() -> TestResult {
        let (_dir, store, _first) = sample_store()?;

        let student = store.find_student("2023010001")?;

        assert_eq!(student.collection_code, "TC2026A0001");
        assert_eq!(student.school, "示例大学");
        Ok(())
    }

    #[test]
    fn find_unknown_names_query() -> TestResult {
        let (_dir, store, _first) = sample_store()?;

        let error = store.find_student(" NOPE123 ").unwrap_err();

        assert_eq!(error.kind(), ErrorKind::NotFound);
        assert_eq!(error.to_string(), r#"student not found: "NOPE123""#);
        Ok(())
    }

    #[test]
    fn find_empty_invalid() -> TestResult {
        let (_dir, store, _first) = sample_store()?;

        let error = store.find_student("   ").unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        Ok(())
    }

    #[test]
    fn find_by_name_and_last_digits() -> TestResult {
        let (_dir, store, first) = sample_store()?;
        let tail = &first.id_number[first.id_number.len() - 4..];

        let found = store.find_by_name(&first.name, &tail.to_ascii_lowercase())?;
        let wrong = store.find_by_name(&first.name, "0000").unwrap_err();
        let short = store.find_by_name(&first.name, "12").unwrap_err();

        assert_eq!(found, vec![first]);
        assert_eq!(wrong.kind(), ErrorKind::NotFound);
        assert_eq!(short.kind(), ErrorKind::InvalidInput);
        Ok(())
    }

    #[test]
    fn student_by_id() -> TestResult {
        let (_dir, store, _first) = sample_store()?;
        let found = store.find_student("2023010002")?;

        let student = store.student(found.id)?;

        assert_eq!(student, found);
        assert_eq!(store.student(-1).unwrap_err().kind(), ErrorKind::NotFound);
        Ok(())
    }

    #[test]
    fn student_count_sample() -> TestResult {
        let (_dir, store, _first) = sample_store()?;

        assert_eq!(store.student_count()?, 40);
        Ok(())
    }

    #[test]
    fn mask_id_cases() {
        let cases = [
            ("110105200101011234", "110***********1234"),
            ("11010519491231002X", "110***********002X"),
            ("12345678", "123*5678"),
            ("1234567", "*******"),
            ("", ""),
        ];
        for (id, expected) in cases {
            assert_eq!(mask_id(id), expected, "mask_id({id:?})");
        }
    }

    #[test]
    fn debug_masks_id() -> TestResult {
        let (_dir, store, _first) = sample_store()?;
        let student = store.find_student("TC2026A0001")?;

        let text = format!("{student:?}");

        assert!(!text.contains(&student.id_number), "{text}");
        assert!(text.contains(&mask_id(&student.id_number)), "{text}");
        Ok(())
    }
}
