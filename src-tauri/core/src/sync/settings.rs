//! The sync settings the caller passes in, and the centre's address checked
//! once: HTTPS everywhere, plain HTTP only on the loopback interface.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;

use crate::{Error, Result};

/// The centre's base address, checked by [`CentreUrl::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentreUrl(Url);

impl CentreUrl {
    /// Parses and checks the centre's address.
    ///
    /// Fails with `Error::Invalid` for an address that is not a URL, that
    /// carries a user name, password, query or fragment, that uses a
    /// scheme other than `https` and `http`, or that uses `http` on a host
    /// other than `localhost`, 127.0.0.0/8 or `[::1]`.
    pub fn parse(text: &str) -> Result<CentreUrl> {
        let invalid = |why: &str| {
            Error::Invalid(format!(
                "invalid centre address {text:?}: {why}; \
                 use the https:// address the centre gave the school"
            ))
        };
        let mut url = Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("it contains a user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it contains a query or fragment"));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(Error::Invalid(format!(
                    "the centre address {text:?} uses plain http on a host that is not \
                     this computer, so photos would cross the network unencrypted; \
                     use https://{}",
                    &url[url::Position::BeforeHost..]
                )));
            }
            other => return Err(invalid(&format!("the scheme {other:?} is not https"))),
        }

        // Routes are joined onto the base, which needs a trailing slash to
        // keep its last path segment.
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(CentreUrl(url))
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Everything the sync worker needs from the station's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// The centre's base address, such as `https://photos.example.edu.cn/`.
    pub centre_url: String,
    /// The one-time token the centre issued to the school. Needed only
    /// until the station has enrolled at this centre.
    pub enrolment_token: Option<String>,
    /// A name staff at the centre recognise, such as the booth's room.
    pub station_name: String,
    /// Limit on each request, from connecting to the last byte of the answer.
    pub request_timeout: Duration,
    /// Pause between reads of the change feed while nothing else happens.
    pub poll_interval: Duration,
    /// First delay after a failure. Later delays double up to `backoff_max`.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

impl SyncSettings {
    /// Settings for `centre_url` with the default timings: 60 s per request
    /// (an original of 10 MB at 2 Mbit/s), a feed read every 30 s, and
    /// back-off from 2 s to 5 min.
    pub fn new(centre_url: impl Into<String>, enrolment_token: Option<String>) -> SyncSettings {
        SyncSettings {
            centre_url: centre_url.into(),
            enrolment_token,
            station_name: "tucai-station".to_string(),
            request_timeout: Duration::from_secs(60),
            poll_interval: Duration::from_secs(30),
            backoff_min: Duration::from_secs(2),
            backoff_max: Duration::from_secs(300),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_accepted() {
        let url = CentreUrl::parse("https://centre.example.cn/tucai").unwrap();

        assert_eq!(url.as_str(), "https://centre.example.cn/tucai/");
    }

    #[test]
    fn http_loopback_accepted() {
        for text in [
            "http://127.0.0.1:8787",
            "http://127.5.0.1/",
            "http://localhost:8787/",
            "http://[::1]:8787/",
        ] {
            assert!(CentreUrl::parse(text).is_ok(), "{text} was rejected");
        }
    }

    #[test]
    fn http_remote_rejected() {
        let error = CentreUrl::parse("http://10.0.0.5:8787/").unwrap_err();

        let message = error.to_string();
        assert!(message.contains("\"http://10.0.0.5:8787/\""), "{message}");
        assert!(message.contains("use https://10.0.0.5:8787/"), "{message}");
    }

    #[test]
    fn odd_addresses_rejected() {
        for text in [
            "ftp://127.0.0.1/",
            "centre.example.cn",
            "https://user:pw@centre.example.cn/",
            "https://centre.example.cn/?a=1",
            "http://127.0.0.1.example.cn/",
        ] {
            assert!(CentreUrl::parse(text).is_err(), "{text} was accepted");
        }
    }
}
