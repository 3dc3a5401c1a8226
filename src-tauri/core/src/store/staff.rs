//! Staff accounts: operators run the queue, supervisors also unlock, reset,
//! delete drafts early, import rosters and change settings. Passwords are
//! kept only as argon2id hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Store, audit, now_rfc3339};
use crate::{Error, ErrorKind, Result};

/// Shortest password accepted for a staff account.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Role of a staff member, which decides what they may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Operator,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
        }
    }

    fn parse(text: &str) -> Result<Role> {
        match text {
            "operator" => Ok(Role::Operator),
            "supervisor" => Ok(Role::Supervisor),
            other => Err(Error::Store(format!("unknown staff role {other:?}"))),
        }
    }
}

/// A staff account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StaffMember {
    #[ts(type = "number")]
    pub id: i64,
    pub username: String,
    pub role: Role,
}

fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Internal(format!("cannot hash the password: {e}")))
}

fn check_username(username: &str) -> Result<()> {
    let ok = (2..=32).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::explained(
            ErrorKind::InvalidInput,
            format!(
                "用户名 \"{username}\" 不可用：请用 2 到 32 个字母、数字、\".\"、\"-\" 或 \"_\"，不含空格。"
            ),
            format!(
                "the username \"{username}\" cannot be used: use 2 to 32 letters, digits, \
                 '.', '-' or '_', without spaces"
            ),
        ))
    }
}

/// Explains that `username` matches the existing account `existing`,
/// which may differ from it in case only.
fn username_taken(username: &str, existing: &str) -> Error {
    Error::explained(
        ErrorKind::Conflict,
        format!(
            "用户名 \"{username}\" 已被账户 \"{existing}\" 占用（用户名不区分大小写）。\
             请换一个用户名；如果该账户就是此人的，请直接用它登录。"
        ),
        format!(
            "the username \"{username}\" is already taken by the account \"{existing}\" \
             (usernames ignore case). Choose another username; if that account is this \
             person's, sign in with it."
        ),
    )
}

/// Explains that an operator cannot be the first account: imports,
/// unlocks, exports and settings need a supervisor.
fn no_supervisor_yet(username: &str) -> Error {
    Error::explained(
        ErrorKind::Conflict,
        format!(
            "本机还没有主管，不能先添加操作员 \"{username}\"：导入名单、解锁、导出和设置都需要主管。\
             请先添加一名主管（--role supervisor）。"
        ),
        format!(
            "the station has no supervisor yet, so the operator \"{username}\" cannot be \
             added first: imports, unlocks, exports and settings need a supervisor. Add a \
             supervisor first (--role supervisor)."
        ),
    )
}

fn check_password(password: &str) -> Result<()> {
    if !password.is_empty() && password.trim().is_empty() {
        return Err(Error::explained(
            ErrorKind::InvalidInput,
            "密码只有空格：请用字母、数字或符号。",
            "the password is only spaces; use letters, digits or symbols",
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        let count = password.chars().count();
        return Err(Error::explained(
            ErrorKind::InvalidInput,
            format!("密码只有 {count} 个字符，请至少用 {MIN_PASSWORD_CHARS} 个。"),
            format!("the password has {count} characters; use at least {MIN_PASSWORD_CHARS}"),
        ));
    }
    Ok(())
}

impl Store {
    /// Counts the staff accounts that can sign in.
    pub fn staff_count(&self) -> Result<u32> {
        let count =
            self.conn
                .query_row("SELECT count(*) FROM staff WHERE disabled = 0", [], |row| {
                    row.get(0)
                })?;
        Ok(count)
    }

    /// Creates a staff account. `actor` is the supervisor who creates it,
    /// or `station` for the first supervisor.
    ///
    /// Fails with an `InvalidInput` error for a malformed username or a short
    /// password, and with an explained `Conflict` error naming the existing
    /// account when the username is taken.
    pub fn create_staff(
        &mut self,
        actor: &str,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<StaffMember> {
        let username = username.trim();
        check_username(username)?;
        check_password(password)?;
        let hash = hash_password(password)?;

        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let taken: Option<String> = tx
            .query_row(
                "SELECT username FROM staff WHERE username = ?1",
                [username],
                |row| row.get(0),
            )
            .optional()?;
        if let Some(existing) = taken {
            return Err(username_taken(username, &existing));
        }
        if role == Role::Operator {
            let supervisors: i64 = tx.query_row(
                "SELECT COUNT(*) FROM staff WHERE role = 'supervisor' AND disabled = 0",
                [],
                |row| row.get(0),
            )?;
            if supervisors == 0 {
                return Err(no_supervisor_yet(username));
            }
        }
        tx.execute(
            "INSERT INTO staff (username, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![username, role.as_str(), hash, now_rfc3339()],
        )?;
        let id = tx.last_insert_rowid();
        audit::append(
            &tx,
            actor,
            "staff_create",
            username,
            &serde_json::json!({ "role": role.as_str() }),
        )?;
        tx.commit()?;
        Ok(StaffMember {
            id,
            username: username.to_owned(),
            role,
        })
    }

    /// Creates the first supervisor of a new station. Fails with
    /// `Error::Conflict` once any account exists, so the web side cannot
    /// use it to add a supervisor later.
    pub fn create_first_supervisor(
        &mut self,
        username: &str,
        password: &str,
    ) -> Result<StaffMember> {
        if self.staff_count()? > 0 {
            return Err(Error::Conflict(
                "the station already has staff; a supervisor adds further accounts".into(),
            ));
        }
        self.create_staff("station", username, password, Role::Supervisor)
    }

    /// Checks a username and password.
    ///
    /// Fails with a `Denied` error and the same message whether the username
    /// or the password is wrong, so the message does not reveal which
    /// usernames exist.
    pub fn verify_staff(&self, username: &str, password: &str) -> Result<StaffMember> {
        let row: Option<(i64, String, String, String)> = self
            .conn
            .query_row(
                "SELECT id, username, role, password_hash FROM staff
                 WHERE username = ?1 AND disabled = 0",
                [username.trim()],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let denied = || {
            Error::explained(
                ErrorKind::Denied,
                "用户名或密码错误，请检查后重试。",
                "wrong username or password; check both and try again",
            )
        };
        let Some((id, username, role, stored)) = row else {
            // Hash anyway, so a wrong username takes as long as a wrong password.
            let _ = hash_password(password);
            return Err(denied());
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| Error::Store(format!("stored password hash is malformed: {e}")))?;
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .map_err(|_| denied())?;
        Ok(StaffMember {
            id,
            username,
            role: Role::parse(&role)?,
        })
    }

    /// Lists every account that can sign in, by username.
    pub fn staff(&self) -> Result<Vec<StaffMember>> {
        let mut statement = self
            .conn
            .prepare("SELECT id, username, role FROM staff WHERE disabled = 0 ORDER BY username")?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, username, role)| {
                Ok(StaffMember {
                    id,
                    username,
                    role: Role::parse(&role)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::store::test_support::{TestResult, sample_store};

    #[test]
    fn first_supervisor_then_sign_in() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;

        let created = store.create_first_supervisor("wang.li", "correct horse")?;
        let signed_in = store.verify_staff("WANG.LI", "correct horse")?;

        assert_eq!(created.role, Role::Supervisor);
        assert_eq!(signed_in, created);
        assert_eq!(store.audit_entries(1)?[0].action, "staff_create");
        Ok(())
    }

    #[test]
    fn taken_username_names_account_and_fix() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        store.create_staff("station", "wang.li", "correct horse", Role::Supervisor)?;

        let error = store
            .create_staff("station", "Wang.Li", "password123", Role::Operator)
            .unwrap_err();

        let text = error.text().expect("bilingual text");
        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert!(text.en.contains("\"Wang.Li\""), "{}", text.en);
        assert!(text.en.contains("account \"wang.li\""), "{}", text.en);
        assert!(text.en.contains("Choose another username"), "{}", text.en);
        assert!(text.zh.contains("已被账户 \"wang.li\" 占用"), "{}", text.zh);
        Ok(())
    }

    #[test]
    fn second_first_supervisor_refused() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        store.create_first_supervisor("wang.li", "correct horse")?;

        let error = store
            .create_first_supervisor("eve", "password123")
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        Ok(())
    }

    #[test]
    fn wrong_password_and_unknown_user_look_alike() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        store.create_first_supervisor("wang.li", "correct horse")?;

        let wrong = store.verify_staff("wang.li", "wrong horse").unwrap_err();
        let unknown = store.verify_staff("nobody", "correct horse").unwrap_err();

        assert_eq!(wrong.kind(), ErrorKind::Denied);
        assert_eq!(wrong.to_string(), unknown.to_string());
        Ok(())
    }

    #[test]
    fn hash_is_argon2id_not_password() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        store.create_first_supervisor("wang.li", "correct horse")?;

        let stored: String = store
            .conn
            .query_row("SELECT password_hash FROM staff", [], |r| r.get(0))?;

        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("correct horse"));
        Ok(())
    }

    #[test]
    fn short_password_and_bad_username_refused() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;

        let short = store
            .create_first_supervisor("wang.li", "short")
            .unwrap_err();
        let bad = store
            .create_staff("station", "a b", "long enough", Role::Operator)
            .unwrap_err();

        assert!(short.to_string().contains("at least 8"), "{short}");
        assert!(bad.to_string().contains("username"), "{bad}");
        Ok(())
    }

    #[test]
    fn operator_cannot_be_the_first_account() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;

        let error = store
            .create_staff("station", "zhao.op", "operator pass", Role::Operator)
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        let text = error.text().expect("bilingual text");
        assert!(text.en.contains("no supervisor yet"), "{}", text.en);
        assert!(text.en.contains("--role supervisor"), "{}", text.en);
        assert!(text.zh.contains("本机还没有主管"), "{}", text.zh);
        assert!(store.staff()?.is_empty());

        store.create_first_supervisor("wang.li", "correct horse")?;
        store.create_staff("wang.li", "zhao.op", "operator pass", Role::Operator)?;
        assert_eq!(store.staff()?.len(), 2);
        Ok(())
    }

    #[test]
    fn password_of_spaces_refused() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;

        let error = store
            .create_first_supervisor("wang.li", "        ")
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.to_string().contains("only spaces"), "{error}");
        Ok(())
    }

    #[test]
    fn duplicate_username_refused() -> TestResult {
        let (_dir, mut store, _) = sample_store()?;
        store.create_first_supervisor("wang.li", "correct horse")?;

        let error = store
            .create_staff("wang.li", "Wang.Li", "another one", Role::Operator)
            .unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Conflict);
        assert_eq!(store.staff()?.len(), 1);
        Ok(())
    }
}
