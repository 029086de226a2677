//! Where a Genesys Cloud org lives: one of the 18 regions, or an explicit base
//! URL (the emulator on loopback, private deployments).
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One row of `data/regions.json` (copied from `shared/genesys/regions.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// SDK key, e.g. `us_east_1`.
    pub key: String,
    /// AWS region, e.g. `us-east-1`.
    pub aws_region: String,
    /// e.g. `mypurecloud.com`.
    pub domain: String,
    /// A friendly name for people, e.g. "Americas (US East)".
    #[serde(default)]
    pub name: String,
}

#[derive(Deserialize)]
struct RegionsFile {
    regions: Vec<Region>,
}

/// People's names for the regions. Genesys's sign-in page names a region by
/// area and the city of its AWS region ("EMEA (Dublin)" for eu-west-1; see the
/// "Region in Genesys Cloud login" column in `andrewappleton/rjv-blueprint`
/// `00-export/env-vars.sh`). `ap_southeast_1` is AWS ap-southeast-1, which is
/// Singapore (Jakarta is ap-southeast-3), so it is "Asia Pacific (Singapore)".
fn friendly_name(key: &str) -> &'static str {
    match key {
        "us_east_1" => "Americas (US East)",
        "us_east_2" => "Americas (US East 2, FedRAMP)",
        "us_west_2" => "Americas (US West)",
        "ca_central_1" => "Americas (Canada)",
        "sa_east_1" => "Americas (São Paulo)",
        "mx_central_1" => "Americas (Mexico)",
        "eu_west_1" => "EMEA (Dublin)",
        "eu_west_2" => "EMEA (London)",
        "eu_central_1" => "EMEA (Frankfurt)",
        "eu_central_2" => "EMEA (Zurich)",
        "me_central_1" => "EMEA (UAE)",
        "eusc_de_east_1" => "EMEA (EU Sovereign Cloud, Germany)",
        "ap_south_1" => "Asia Pacific (Mumbai)",
        "ap_southeast_1" => "Asia Pacific (Singapore)",
        "ap_southeast_2" => "Asia Pacific (Sydney)",
        "ap_northeast_1" => "Asia Pacific (Tokyo)",
        "ap_northeast_2" => "Asia Pacific (Seoul)",
        "ap_northeast_3" => "Asia Pacific (Osaka)",
        _ => "",
    }
}

/// All 18 regions, with friendly names.
pub fn regions() -> Vec<Region> {
    let file: RegionsFile = serde_json::from_str(include_str!("../../data/regions.json"))
        .expect("data/regions.json is valid (checked by a test)");
    file.regions
        .into_iter()
        .map(|mut r| {
            r.name = friendly_name(&r.key).to_string();
            r
        })
        .collect()
}

/// Where to send requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// `https://api.<domain>` or the explicit base URL (no trailing slash).
    pub api_base: String,
    /// `https://login.<domain>/oauth/token` or `{base}/oauth/token`.
    pub token_url: String,
    /// The region, when one was chosen.
    pub region: Option<Region>,
}

impl Environment {
    /// Parse what a user typed: a region domain (`mypurecloud.ie`), a key
    /// (`eu_west_1` or `eu-west-1`), a friendly name, or a base URL. A URL must
    /// be HTTPS unless it points at loopback.
    pub fn parse(input: &str) -> Result<Self> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Error::invalid(
                "environment",
                "Choose the region of your Genesys Cloud org.",
            ));
        }
        if s.contains("://") {
            return Self::from_base_url(s);
        }
        let wanted = s.to_ascii_lowercase();
        let domain = wanted
            .trim_start_matches("api.")
            .trim_start_matches("login.")
            .trim_start_matches("apps.");
        regions()
            .into_iter()
            .find(|r| {
                r.domain == domain
                    || r.key == wanted
                    || r.aws_region == wanted
                    || r.name.to_ascii_lowercase() == wanted
            })
            .map(|r| Environment {
                api_base: format!("https://api.{}", r.domain),
                token_url: format!("https://login.{}/oauth/token", r.domain),
                region: Some(r),
            })
            .ok_or_else(|| {
                Error::invalid(
                    "environment",
                    format!(
                        "\"{s}\" is not a Genesys Cloud region. Use a region such as mypurecloud.com or eu-west-1, or a full https:// address."
                    ),
                )
            })
    }

    /// An address. The SDKs log in at `login.<domain>` and call `api.<domain>`
    /// (PureCloudPlatformClientV2 `api_client.py` `get_conf_url` rewrites
    /// `//api.` to `//login.`; the JS SDK's `ApiClient.js` uses
    /// `https://login.${environment}/oauth/token`). So `https://api.X`,
    /// `https://apps.X` (the address in the browser) and `https://login.X` all
    /// mean the org at `X`, a region when `X` is a region's domain. Only
    /// loopback (the emulator) serves both at `{base}` (`{base}/oauth/token`).
    /// User-info, a query, a fragment or a path are refused: they are not part
    /// of an org's address, and a password in one must not be stored.
    fn from_base_url(s: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "environment",
                "That is not a valid address. Use e.g. https://api.mypurecloud.com, or choose your region from the list.",
            )
        };
        let url = reqwest::Url::parse(s).map_err(|_| bad())?;
        let host = url.host_str().ok_or_else(bad)?.to_ascii_lowercase();
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid(
                "environment",
                "Leave the user name and password out of the address; Genesys Cloud addresses look like https://api.mypurecloud.com.",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() || !matches!(url.path(), "" | "/") {
            let origin = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
            return Err(Error::invalid(
                "environment",
                format!("Use only the start of the address, up to the domain (for example {origin}), without anything after it."),
            ));
        }
        let loopback = host == "localhost"
            || host
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<std::net::IpAddr>()
                .map(|ip| ip.is_loopback())
                .unwrap_or(false);
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(Error::invalid(
                    "environment",
                    format!("\"{s}\" is not secure. Genesys Cloud addresses must start with https:// (plain http is only allowed for this computer)."),
                ))
            }
            _ => return Err(bad()),
        }
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        if loopback {
            let base = format!("{}://{host}{port}", url.scheme());
            return Ok(Environment {
                token_url: format!("{base}/oauth/token"),
                api_base: base,
                region: None,
            });
        }
        let Some(domain) = ["api.", "apps.", "login."]
            .iter()
            .find_map(|prefix| host.strip_prefix(prefix))
        else {
            return Err(Error::invalid(
                "environment",
                format!("\"{host}\" is not a Genesys Cloud address. Use the address that starts with https://api., https://apps. or https://login. (e.g. https://api.mypurecloud.com), or choose your region from the list."),
            ));
        };
        let region = (port.is_empty())
            .then(|| regions().into_iter().find(|r| r.domain == domain))
            .flatten();
        Ok(Environment {
            api_base: format!("https://api.{domain}{port}"),
            token_url: format!("https://login.{domain}{port}/oauth/token"),
            region,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a pasted address means: (input, API base, token URL, region key).
    #[test]
    fn addresses_log_in_at_the_login_host() {
        let cases: &[(&str, &str, &str, Option<&str>)] = &[
            // The API, browser and login addresses of one region are that region.
            (
                "https://api.mypurecloud.ie",
                "https://api.mypurecloud.ie",
                "https://login.mypurecloud.ie/oauth/token",
                Some("eu_west_1"),
            ),
            (
                "https://apps.mypurecloud.ie/",
                "https://api.mypurecloud.ie",
                "https://login.mypurecloud.ie/oauth/token",
                Some("eu_west_1"),
            ),
            (
                "https://login.mypurecloud.ie",
                "https://api.mypurecloud.ie",
                "https://login.mypurecloud.ie/oauth/token",
                Some("eu_west_1"),
            ),
            (
                "HTTPS://API.MyPureCloud.IE/",
                "https://api.mypurecloud.ie",
                "https://login.mypurecloud.ie/oauth/token",
                Some("eu_west_1"),
            ),
            (
                "mypurecloud.ie",
                "https://api.mypurecloud.ie",
                "https://login.mypurecloud.ie/oauth/token",
                Some("eu_west_1"),
            ),
            // Another api. host logs in at its login. twin.
            (
                "https://api.example.com/",
                "https://api.example.com",
                "https://login.example.com/oauth/token",
                None,
            ),
            (
                "https://login.example.com:8443",
                "https://api.example.com:8443",
                "https://login.example.com:8443/oauth/token",
                None,
            ),
            // Only loopback keeps {base}/oauth/token.
            (
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080/oauth/token",
                None,
            ),
            (
                "https://localhost:9000",
                "https://localhost:9000",
                "https://localhost:9000/oauth/token",
                None,
            ),
            (
                "http://[::1]:9000",
                "http://[::1]:9000",
                "http://[::1]:9000/oauth/token",
                None,
            ),
        ];
        for (input, api, token, key) in cases {
            let env = Environment::parse(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(env.api_base, *api, "{input}");
            assert_eq!(env.token_url, *token, "{input}");
            assert_eq!(env.region.as_ref().map(|r| r.key.as_str()), *key, "{input}");
        }
    }

    #[test]
    fn addresses_with_more_than_a_host_are_refused() {
        for input in [
            "https://user:pw@api.mypurecloud.ie",
            "https://api.mypurecloud.ie/?x=1",
            "https://apps.mypurecloud.ie/directory/#/engage/admin",
            "https://api.mypurecloud.ie/api/v2",
            "https://genesys.example.com",
            "http://api.mypurecloud.ie",
            "ftp://api.mypurecloud.ie",
        ] {
            let e = Environment::parse(input).expect_err(input);
            assert_eq!(e.field.as_deref(), Some("environment"), "{input}");
            assert!(!e.message.contains("pw"), "{input}: {}", e.message);
        }
    }

    #[test]
    fn region_names_follow_genesys() {
        let name = |key: &str| {
            regions()
                .into_iter()
                .find(|r| r.key == key)
                .map(|r| r.name)
                .unwrap_or_default()
        };
        // ap-southeast-1 is Singapore (AWS); Jakarta is ap-southeast-3.
        assert_eq!(name("ap_southeast_1"), "Asia Pacific (Singapore)");
        assert_eq!(name("eu_west_1"), "EMEA (Dublin)");
        assert!(regions().iter().all(|r| !r.name.is_empty()));
    }
}
