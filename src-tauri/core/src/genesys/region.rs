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
        "ap_southeast_1" => "Asia Pacific (Jakarta)",
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

    fn from_base_url(s: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "environment",
                format!("\"{s}\" is not a valid address. Use e.g. https://api.mypurecloud.com."),
            )
        };
        let url = reqwest::Url::parse(s).map_err(|_| bad())?;
        let host = url.host_str().ok_or_else(bad)?.to_string();
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
        let base = s.trim_end_matches('/').to_string();
        Ok(Environment {
            token_url: format!("{base}/oauth/token"),
            api_base: base,
            region: None,
        })
    }
}
