//! Enrolling the station at a centre with the one-time token the centre
//! issued to the school.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::client::{CentreClient, ClientError};
use super::key::load_or_create_key;
use super::protocol::EnrolRequest;
use super::settings::SyncSettings;
use crate::store::Enrolment;
use crate::{Error, ErrorKind, Result};

/// Enrols the station at the centre of `settings` with `token`, sending the
/// public half of the station's key (created in `data_dir` on first use).
/// Blocks until the centre responds or the request times out. The caller
/// saves the returned enrolment in the store.
///
/// Fails with an `InvalidInput` error when the centre rejects the token, with
/// a `Network` error when the centre cannot be reached or fails, and with
/// the key file's errors from [`load_or_create_key`].
pub fn enrol(data_dir: &Path, settings: &SyncSettings, token: &str) -> Result<Enrolment> {
    let token = token.trim();
    if token.is_empty() {
        return Err(Error::explained(
            ErrorKind::InvalidInput,
            "注册码是空的：请输入省中心发给学校的注册码。",
            "the enrolment token is empty: enter the token the centre issued to the school",
        ));
    }
    let key = load_or_create_key(data_dir)?;
    let request = EnrolRequest {
        token: token.to_string(),
        public_key: BASE64.encode(key.verifying_key().to_bytes()),
        station_name: settings.station_name.clone(),
    };
    let client = CentreClient::new(settings.centre.clone(), settings.request_timeout)
        .map_err(|e| Error::Internal(e.to_string()))?;

    // A thread of its own keeps this runtime apart from any runtime the
    // caller runs on, such as the window's.
    let response = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Error::Internal(format!("cannot start a runtime: {e}")))?;
                runtime
                    .block_on(client.enrol(&request))
                    .map_err(|e| enrol_error(settings.centre.as_str(), e))
            })
            .join()
            .map_err(|_| Error::Internal("the enrolment thread panicked".into()))?
    })?;

    tracing::info!(
        centre = settings.centre.as_str(),
        station_id = %response.station_id,
        school = %response.school,
        "station enrolled"
    );
    Ok(Enrolment {
        centre_url: settings.centre.as_str().to_string(),
        station_id: response.station_id,
        credential: response.credential,
        school: response.school,
        feed_cursor: "0".to_string(),
    })
}

fn enrol_error(centre: &str, e: ClientError) -> Error {
    match e {
        // A response that is not the centre's JSON comes from another
        // server at that address, or from a wrong path, so the centre never
        // read the token.
        ClientError::Rejected { status, code, .. } if code == "unknown" => Error::explained(
            ErrorKind::InvalidInput,
            format!(
                "{centre} 没有省中心的注册服务（HTTP {status}）：请核对设置中的 centre_url \
                 与省中心给学校的地址是否一致。注册码尚未使用。"
            ),
            format!(
                "{centre} offers no centre enrolment (HTTP {status}): check that centre_url in \
                 the settings is the address the centre gave the school. The token was not used."
            ),
        ),
        ClientError::Unauthorized { message, .. } | ClientError::Rejected { message, .. } => {
            Error::explained(
                ErrorKind::InvalidInput,
                format!("省中心拒绝了这次注册（{message}）：请向省中心申请新的注册码。"),
                format!(
                    "the centre rejected the enrolment: {message}; ask the centre for a new token"
                ),
            )
        }
        other => Error::explained(
            ErrorKind::Network,
            format!("注册未完成（{other}）：请检查网络和设置中的省中心地址，然后再试。"),
            format!(
                "enrolment failed: {other}; check the network and the centre address, then try again"
            ),
        ),
    }
}
