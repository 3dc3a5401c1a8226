//! Asking the centre whether it answers the station, for the command
//! line's status. The probe reads one change of the feed with the
//! station's credential, so it tests the network, the address and the
//! enrolment together, and changes nothing at the centre or in the store.

use std::time::{Duration, Instant};

use super::client::CentreClient;
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

/// Sends one authenticated read to the centre of `settings` as the
/// station of `enrolment`, waiting at most the settings' request time-out
/// and never more than 10 s.
///
/// Fails with the reason and the fix in both languages when the centre
/// cannot be reached, fails, or refuses the station's credential.
pub fn probe(settings: &SyncSettings, enrolment: &Enrolment) -> Result<Answer, Text> {
    let timeout = settings.request_timeout.min(PROBE_TIMEOUT);
    let client = CentreClient::new(settings.centre.clone(), timeout)
        .map_err(|e| explain_client_error(&e).0)?;
    // A thread of its own keeps this runtime apart from any runtime the
    // caller runs on.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| {
                        Text::new(
                            format!("无法启动网络请求：{e}"),
                            format!("cannot start a runtime for the request: {e}"),
                        )
                    })?;
                let started = Instant::now();
                let page = runtime
                    .block_on(client.changes(&enrolment.credential, &enrolment.feed_cursor, 1))
                    .map_err(|e| explain_client_error(&e).0)?;
                Ok(Answer {
                    elapsed: started.elapsed(),
                    news: !page.changes.is_empty(),
                })
            })
            .join()
            .unwrap_or_else(|_| {
                Err(Text::new(
                    "询问省中心的线程意外退出。",
                    "the thread asking the centre panicked",
                ))
            })
    })
}
