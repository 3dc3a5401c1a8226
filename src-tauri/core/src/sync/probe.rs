//! Asking the centre whether it answers the station, for the command
//! line's status. The probe reads one change of the feed with the
//! station's credential, so it tests the network, the address and the
//! enrolment together, and changes nothing at the centre or in the store.

use std::time::{Duration, Instant};

use super::client::{CentreClient, ClientError};
use super::settings::SyncSettings;
use super::worker::explain_client_error;
use crate::store::Enrolment;
use crate::text::Text;

/// The longest wait for the centre's answer: a status is asked for by a
/// person at a terminal.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the centre answered a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// From sending the request to reading the whole answer.
    pub elapsed: Duration,
    /// The feed holds changes the station has not applied yet.
    pub news: bool,
}

/// The reason a probe got no answer, or got a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    /// The reason and the fix in both languages.
    pub text: Text,
    /// The centre responded, with an error or a refusal.
    pub answered: bool,
}

impl From<ClientError> for Unanswered {
    fn from(e: ClientError) -> Self {
        let text = match &e {
            ClientError::Unreachable { url, reason } => Text::new(
                format!(
                    "无法连接省中心 {url}：{reason}。请检查网络、省中心是否在运行，以及设置中的 centre_url。"
                ),
                format!(
                    "cannot reach the centre at {url}: {reason}; check the network, that the \
                     centre is running, and centre_url in the settings"
                ),
            ),
            ClientError::Server { status, message } => Text::new(
                format!("省中心出错（{status}）：{message}。请稍后再查。"),
                format!("the centre failed ({status}): {message}; ask again later"),
            ),
            other => explain_client_error(other).0,
        };
        let answered = !matches!(e, ClientError::Unreachable { .. });
        Unanswered { text, answered }
    }
}

fn local(zh: String, en: String) -> Unanswered {
    Unanswered {
        text: Text::new(zh, en),
        answered: false,
    }
}

/// Sends one authenticated read to the centre of `settings` as the
/// station of `enrolment`, waiting at most the settings' request time-out
/// and never more than 10 s.
///
/// Fails with the reason and the fix in both languages when the centre
/// cannot be reached, fails, or refuses the station's credential.
pub fn probe(settings: &SyncSettings, enrolment: &Enrolment) -> Result<Answer, Unanswered> {
    let timeout = settings.request_timeout.min(PROBE_TIMEOUT);
    let client = CentreClient::new(settings.centre.clone(), timeout)?;
    // A thread of its own keeps this runtime apart from any runtime the
    // caller runs on.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| {
                        local(
                            format!("无法启动网络请求：{e}"),
                            format!("cannot start a runtime for the request: {e}"),
                        )
                    })?;
                let started = Instant::now();
                let page = runtime.block_on(client.changes(
                    &enrolment.credential,
                    &enrolment.feed_cursor,
                    1,
                ))?;
                Ok(Answer {
                    elapsed: started.elapsed(),
                    news: !page.changes.is_empty(),
                })
            })
            .join()
            .unwrap_or_else(|_| {
                Err(local(
                    "询问省中心的线程意外退出。".to_owned(),
                    "the thread asking the centre panicked".to_owned(),
                ))
            })
    })
}
