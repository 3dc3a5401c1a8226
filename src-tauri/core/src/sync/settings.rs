//! The centre's address checked once (HTTPS everywhere, plain HTTP only on
//! the loopback interface) and the sync timings taken from the station's
//! settings.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;

use crate::config::Settings;
use crate::{Error, Result};

/// The centre's base address, checked by [`CentreUrl::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentreUrl(Url);

impl CentreUrl {
    /// Parses and checks the centre's address.
    ///
    /// Fails with `Error::Invalid` for an address that is not a URL or that
    /// carries a user name, password, query or fragment. It also fails for
    /// a scheme other than `https` and `http`, and for `http` on a host
    /// other than `localhost`, 127.0.0.0/8 or `[::1]`.
    pub fn parse(text: &str) -> Result<CentreUrl> {
        CentreUrl::check(text)
            .map_err(|reason| Error::Invalid(format!("invalid centre address {text:?}: {reason}")))
    }

    /// Checks the centre's address as [`CentreUrl::parse`] does, returning
    /// the reason and the fix on failure.
    pub fn check(text: &str) -> std::result::Result<CentreUrl, String> {
        let invalid =
            |why: &str| format!("{why}; use the https:// address the centre gave the school");
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
                return Err(format!(
                    "{text:?} uses plain http to another computer, so photos would cross \
                     the network unencrypted; use https://{}",
                    &url[url::Position::BeforeHost..]
                ));
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

/// The sync worker's settings, taken from the station's [`Settings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    pub centre: CentreUrl,
    /// A name staff at the centre recognise, such as the booth's room.
    pub station_name: String,
    /// Limit on each request, from connecting to the last byte of the response.
    pub request_timeout: Duration,
    /// Pause between reads of the change feed while nothing else happens.
    pub poll_interval: Duration,
    /// First delay after a failure. Later delays double up to `backoff_max`.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

impl SyncSettings {
    /// Settings for `centre` with the default timings of [`Settings`].
    pub fn new(centre: CentreUrl) -> SyncSettings {
        SyncSettings::with_timings(centre, &Settings::default())
    }

    /// Takes the sync settings from the station's settings. Returns `None`
    /// while no centre address is set, as the station then works offline.
    ///
    /// Fails with `Error::Invalid` for an address [`CentreUrl::parse`]
    /// rejects.
    pub fn from_settings(settings: &Settings) -> Result<Option<SyncSettings>> {
        if settings.centre_url.trim().is_empty() {
            return Ok(None);
        }
        let centre = CentreUrl::parse(&settings.centre_url)?;
        Ok(Some(SyncSettings::with_timings(centre, settings)))
    }

    fn with_timings(centre: CentreUrl, settings: &Settings) -> SyncSettings {
        let seconds = |value: u32| Duration::from_secs(u64::from(value));
        SyncSettings {
            centre,
            station_name: settings.station_name.clone(),
            request_timeout: seconds(settings.sync_timeout_seconds),
            poll_interval: seconds(settings.sync_poll_seconds),
            backoff_min: seconds(settings.sync_retry_min_seconds),
            backoff_max: seconds(settings.sync_retry_max_seconds),
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
        assert_eq!(error.kind(), crate::ErrorKind::InvalidInput);
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

    #[test]
    fn settings_without_centre_offline() {
        let settings = Settings::default();

        assert_eq!(SyncSettings::from_settings(&settings).unwrap(), None);
    }

    #[test]
    fn settings_timings_in_seconds() {
        let settings = Settings {
            centre_url: "https://centre.example.cn".into(),
            sync_timeout_seconds: 20,
            sync_retry_min_seconds: 3,
            ..Settings::default()
        };

        let sync = SyncSettings::from_settings(&settings).unwrap().unwrap();

        assert_eq!(sync.centre.as_str(), "https://centre.example.cn/");
        assert_eq!(sync.request_timeout, Duration::from_secs(20));
        assert_eq!(sync.backoff_min, Duration::from_secs(3));
        assert_eq!(sync.poll_interval, Duration::from_secs(30));
    }
}
