//! A probe of the centre for the command line's status. The probe reads
//! one change of the feed with the station's credential, so it tests the
//! network, the address and the enrolment together. It changes nothing at
//! the centre or in the store.

use std::time::{Duration, Instant};

use super::client::{CentreClient, ClientError};
use super::settings::SyncSettings;
use super::worker::explain_client_error;
use crate::store::Enrolment;
use crate::text::Text;

/// The maximum wait for the centre's response, because a person at a
/// terminal is waiting for the status.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The centre's response to a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResponse {
    /// Time from sending the request to reading the whole response.
    pub elapsed: Duration,
    /// True when the feed contains changes the station has not applied yet.
    pub news: bool,
}

/// The reason a probe failed: no response, or an error or rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFailure {
    /// The reason and the fix in both languages.
    pub text: Text,
    /// True when the centre responded, with an error or a rejection.
    pub responded: bool,
}

impl From<ClientError> for ProbeFailure {
    fn from(e: ClientError) -> Self {
        // The worker's text promises retries, which a one-off status does
        // not make, so the two failures that retries cover get their own.
        let (worker_text, responded) = explain_client_error(&e);
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
            _ => worker_text,
        };
        ProbeFailure { text, responded }
    }
}

fn local(zh: String, en: String) -> ProbeFailure {
    ProbeFailure {
        text: Text::new(zh, en),
        responded: false,
    }
}

/// Sends one authenticated read to the centre of `settings` as the
/// station of `enrolment`, waiting at most the settings' request time-out
/// and never more than 10 s.
///
/// Fails with the reason and the fix in both languages when the centre
/// cannot be reached, fails, or rejects the station's credential.
pub fn probe(
    settings: &SyncSettings,
    enrolment: &Enrolment,
) -> Result<ProbeResponse, ProbeFailure> {
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
                Ok(ProbeResponse {
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
