//! Staff at the station: one signed-in staff member runs the queue, signed
//! out after the idle time in the settings. Supervisor acts need a signed-in
//! supervisor or a supervisor's approval typed in for that one act.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Station;
use crate::store::{Role, StaffMember};
use crate::{Error, ErrorKind, Result};

/// The staff member signed in, and when the station last saw input.
#[derive(Debug, Clone)]
pub(super) struct SignedIn {
    pub member: StaffMember,
    pub last_active: Instant,
}

/// A supervisor's username and password, typed in to approve one act while
/// an operator is signed in.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct Approval {
    pub username: String,
    pub password: String,
}

/// Session state as the window shows it: the signed-in member, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SessionView {
    /// No staff account exists yet: the window asks for the first supervisor.
    pub needs_first_supervisor: bool,
    pub staff: Option<StaffMember>,
    /// Minutes without input before the station signs out.
    pub idle_minutes: u32,
}

impl Station {
    fn idle_limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.settings().idle_sign_out_minutes) * 60)
    }

    /// Returns the signed-in staff member, after signing out one who was idle too long.
    fn current_staff(&self) -> Option<StaffMember> {
        let mut signed_in = self.signed_in.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(session) = signed_in.as_ref()
            && session.last_active.elapsed() > self.idle_limit()
        {
            tracing::info!(staff = %session.member.username, "signed out after idle time");
            *signed_in = None;
        }
        signed_in.as_ref().map(|s| s.member.clone())
    }

    pub fn session(&self) -> Result<SessionView> {
        Ok(SessionView {
            needs_first_supervisor: self.store().staff_count()? == 0,
            staff: self.current_staff(),
            idle_minutes: self.settings().idle_sign_out_minutes,
        })
    }

    /// Requires a signed-in staff member and counts this call as input.
    ///
    /// Fails with a `Denied` error when nobody is signed in or the session
    /// ran past the idle time.
    pub fn require_staff(&self) -> Result<StaffMember> {
        let member = self.current_staff().ok_or_else(|| {
            Error::explained(
                ErrorKind::Denied,
                "请工作人员先登录，再使用本机。",
                "staff must sign in before the station can be used",
            )
        })?;
        if let Some(session) = self
            .signed_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            session.last_active = Instant::now();
        }
        Ok(member)
    }

    /// Names the supervisor who approves an act: the signed-in staff member
    /// when a supervisor, otherwise the one whose `approval` is given.
    ///
    /// Fails with `Error::Denied` when neither is a supervisor.
    pub fn require_supervisor(&self, approval: Option<&Approval>) -> Result<String> {
        let member = self.require_staff()?;
        if member.role == Role::Supervisor {
            return Ok(member.username);
        }
        let approval = approval.ok_or_else(|| {
            Error::explained(
                ErrorKind::Denied,
                "此操作需要主管：请主管输入自己的用户名和密码批准。",
                "this needs a supervisor: ask one to approve with their password",
            )
        })?;
        let approver = self
            .store()
            .verify_staff(&approval.username, &approval.password)?;
        if approver.role != Role::Supervisor {
            let name = approver.username;
            return Err(Error::explained(
                ErrorKind::Denied,
                format!("{name} 是操作员，不能批准：此操作需要主管的用户名和密码。"),
                format!("{name} is an operator; this needs a supervisor"),
            ));
        }
        Ok(approver.username)
    }

    pub fn sign_in(&self, username: &str, password: &str) -> Result<SessionView> {
        let member = self.store().verify_staff(username, password)?;
        tracing::info!(staff = %member.username, role = member.role.as_str(), "signed in");
        *self.signed_in.lock().unwrap_or_else(|e| e.into_inner()) = Some(SignedIn {
            member,
            last_active: Instant::now(),
        });
        self.session()
    }

    pub fn sign_out(&self) -> Result<SessionView> {
        if let Some(session) = self
            .signed_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            tracing::info!(staff = %session.member.username, "signed out");
        }
        self.session()
    }

    /// Creates the first supervisor of a new station and signs them in.
    pub fn create_first_supervisor(&self, username: &str, password: &str) -> Result<SessionView> {
        self.store().create_first_supervisor(username, password)?;
        self.sign_in(username, password)
    }

    /// Adds a staff account; needs a supervisor.
    pub fn add_staff(
        &self,
        username: &str,
        password: &str,
        role: Role,
        approval: Option<&Approval>,
    ) -> Result<StaffMember> {
        let actor = self.require_supervisor(approval)?;
        self.store().create_staff(&actor, username, password, role)
    }

    /// Test hook: moves the last input back by `ago`, as if the station had
    /// been idle that long.
    #[cfg(test)]
    pub(super) fn pretend_idle(&self, ago: Duration) {
        if let Some(session) = self
            .signed_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            session.last_active = Instant::now() - ago;
        }
    }
}
