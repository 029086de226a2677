//! Turning Genesys answers into plain-language [`Error`]s.
//!
//! Every message is complete on its own and, when Genesys said something,
//! ends with Genesys's own message, code and correlation id.
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Deserialize;

use crate::error::{Error, ErrorKind, GenesysDetail, SIGN_IN};

/// The permission every analytics call needs.
pub const DETAILS_PERMISSION: &str = "analytics:conversationDetail:view";

/// `ErrorBody` (and the OAuth error shape), all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    message: Option<String>,
    code: Option<String>,
    status: Option<u16>,
    error: Option<String>,
    #[serde(rename = "error_description")]
    error_description: Option<String>,
    description: Option<String>,
}

/// What Genesys said, read from a failed response.
pub(crate) fn detail_from(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> GenesysDetail {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    let message = parsed
        .message
        .or(parsed.error_description)
        .or(parsed.description)
        .or_else(|| {
            let t = text.trim();
            // A short plain-text body is worth showing; HTML pages are not.
            (!t.is_empty() && t.len() <= 300 && !t.starts_with('<')).then(|| t.to_string())
        });
    GenesysDetail {
        status: Some(parsed.status.unwrap_or(status.as_u16())),
        code: parsed.code.or(parsed.error),
        message,
        correlation_id: correlation_id(headers),
    }
}

/// `ININ-Correlation-Id`, when present.
pub(crate) fn correlation_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("inin-correlation-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// " Genesys said: "…" (HTTP 403, code x, correlation id y)."
pub(crate) fn said(d: &GenesysDetail) -> String {
    let mut parts = Vec::new();
    if let Some(s) = d.status {
        parts.push(format!("HTTP {s}"));
    }
    if let Some(c) = &d.code {
        parts.push(format!("code {c}"));
    }
    if let Some(c) = &d.correlation_id {
        parts.push(format!("correlation id {c}"));
    }
    let meta = if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    };
    match &d.message {
        Some(m) => format!(" Genesys said: \"{m}\"{meta}."),
        None if !meta.is_empty() => format!(" Genesys gave no message{meta}."),
        None => String::new(),
    }
}

fn with_detail(kind: ErrorKind, text: String, d: GenesysDetail) -> Error {
    let mut e = Error::new(kind, format!("{text}{}", said(&d)));
    e.genesys = Some(Box::new(d));
    e
}

/// What a request was for, in words, and the permission it needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Purpose {
    /// e.g. "reading conversation details".
    pub what: &'static str,
    /// e.g. `analytics:conversationDetail:view`.
    pub permission: &'static str,
}

/// A final (non-retried) HTTP failure from the API.
pub(crate) fn classify(status: StatusCode, d: GenesysDetail, p: Purpose) -> Error {
    let what = p.what;
    match status.as_u16() {
        400 => with_detail(
            ErrorKind::BadRequest,
            format!("Genesys Cloud rejected the request while {what}."),
            d,
        ),
        401 => with_detail(
            ErrorKind::Auth,
            "Genesys Cloud no longer accepts this client's login (the token was refused even after logging in again). Check that the OAuth client still exists and is enabled.".to_string(),
            d,
        ),
        403 if p.permission.is_empty() => with_detail(
            ErrorKind::Permission,
            format!(
                "This OAuth client is not allowed to do this ({what}). Genesys Cloud documents no permission for it, so ask your Genesys Cloud admin to check the client's roles and the divisions they cover."
            ),
            d,
        ),
        403 => with_detail(
            ErrorKind::Permission,
            format!(
                "This OAuth client is not allowed to do this ({what}). Ask your Genesys Cloud admin to give the client's role the permission {}.",
                p.permission
            ),
            d,
        ),
        404 => with_detail(
            ErrorKind::NotFound,
            format!("Genesys Cloud could not find what we asked for while {what}."),
            d,
        ),
        429 => rate_limited_exhausted(d),
        s if s >= 500 => with_detail(
            ErrorKind::Server,
            format!("Genesys Cloud had a problem (HTTP {s}) while {what} and kept failing after several tries. Try again later."),
            d,
        ),
        s => with_detail(
            ErrorKind::Internal,
            format!("Genesys Cloud answered with an unexpected HTTP {s} while {what}."),
            d,
        ),
    }
}

/// A final failure while a signed-in person's token is in use: 401 means
/// "sign in again" ([`Error::sign_in_expired`]); 403 asks for a role for the
/// person, not for an OAuth client.
pub(crate) fn classify_user(status: StatusCode, d: GenesysDetail, p: Purpose) -> Error {
    match status.as_u16() {
        401 => {
            let mut e = Error::sign_in_expired();
            e.genesys = Some(Box::new(d));
            e
        }
        403 => with_detail(
            ErrorKind::Permission,
            format!(
                "Your Genesys Cloud account is not allowed to do this ({}). Ask your Genesys Cloud admin for a role with the permission {} in the divisions you need.",
                p.what, p.permission
            ),
            d,
        ),
        _ => classify(status, d, p),
    }
}

/// The token endpoint refused an authorization code (sign-in with PKCE).
pub(crate) fn code_refused(client_id: &str, status: StatusCode, d: GenesysDetail) -> Error {
    let text = match d.code.as_deref() {
        Some("invalid_grant") => "Genesys Cloud did not accept the sign-in code: it was already used, has expired, or belongs to a different sign-in attempt. Sign in again.".to_string(),
        Some("invalid_client" | "unauthorized_client" | "unsupported_grant_type") => format!(
            "Genesys Cloud does not let the OAuth client {client_id} sign people in. Ask your Genesys Cloud admin to check that this client id exists in this region and uses the grant type \"Code Authorization / PKCE\"."
        ),
        _ => format!("Genesys Cloud refused the sign-in (HTTP {}).", status.as_u16()),
    };
    with_detail(ErrorKind::Auth, text, d).with_field(SIGN_IN)
}

/// 429s kept coming after all retries.
pub(crate) fn rate_limited_exhausted(d: GenesysDetail) -> Error {
    with_detail(
        ErrorKind::RateLimited,
        "Genesys Cloud kept refusing requests because of its rate limit, even after waiting as it asked. Try again later, or when fewer tools use this OAuth client.".to_string(),
        d,
    )
}

/// A 429 asked for a wait longer than we are willing to wait.
pub(crate) fn rate_limited_past_cap(seconds: u64, cap_seconds: u64, d: GenesysDetail) -> Error {
    with_detail(
        ErrorKind::RateLimited,
        format!("Genesys Cloud's rate limit is used up: it asked us to wait {seconds} s, longer than the {cap_seconds} s we wait at most. This usually means a daily limit was reached; try again later."),
        d,
    )
}

/// The token endpoint refused the client id/secret.
pub(crate) fn login_refused(client_id: &str, status: StatusCode, d: GenesysDetail) -> Error {
    let text = match status.as_u16() {
        400 | 401 | 403 => format!("Genesys Cloud refused to log in with client id {client_id}: the client secret is wrong, or this client id does not exist in this region (or may not use client credentials). Check the secret and the region."),
        s => format!("Genesys Cloud's login service answered with HTTP {s}."),
    };
    with_detail(ErrorKind::Auth, text, d)
}

/// A network failure after all retries.
pub(crate) fn network(what: &str, err: &reqwest::Error, host: &str) -> Error {
    let why = if err.is_timeout() {
        "the request timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "the connection failed"
    };
    Error::new(
        ErrorKind::Network,
        format!("Could not reach Genesys Cloud at {host} while {what}: {why}, even after several tries. Check the internet connection and the region."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("ININ-Correlation-Id", "corr-123".parse().unwrap());
        h
    }

    #[test]
    fn forbidden_names_the_permission_and_keeps_genesys_words() {
        let body = br#"{"message":"You are missing the following permission(s): analytics:conversationDetail:view","code":"missing.permissions","status":403}"#;
        let d = detail_from(StatusCode::FORBIDDEN, &headers(), body);
        let e = classify(
            StatusCode::FORBIDDEN,
            d,
            Purpose {
                what: "reading conversation details",
                permission: DETAILS_PERMISSION,
            },
        );
        assert_eq!(e.kind, ErrorKind::Permission);
        assert!(e.message.contains("analytics:conversationDetail:view"));
        assert!(e.message.contains("missing.permissions"));
        assert!(e.message.contains("corr-123"));
        assert!(e.message.contains("You are missing"));
    }

    #[test]
    fn forbidden_without_a_documented_permission_names_none() {
        let d = detail_from(
            StatusCode::FORBIDDEN,
            &headers(),
            br#"{"message":"no","status":403}"#,
        );
        let e = classify(
            StatusCode::FORBIDDEN,
            d,
            Purpose {
                what: "reading agent names",
                permission: "",
            },
        );
        assert_eq!(e.kind, ErrorKind::Permission);
        assert!(
            e.message.contains("documents no permission"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("the permission ."), "{}", e.message);
    }

    #[test]
    fn oauth_error_shape_is_understood() {
        let body = br#"{"error":"invalid_client","description":"invalid client credentials","error_description":"invalid client credentials"}"#;
        let d = detail_from(StatusCode::UNAUTHORIZED, &HeaderMap::new(), body);
        let e = login_refused("abc", StatusCode::UNAUTHORIZED, d);
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(e.message.contains("secret is wrong"));
        assert!(e.message.contains("invalid_client"));
        assert!(e.message.contains("invalid client credentials"));
    }

    #[test]
    fn a_refused_code_says_sign_in_again_with_genesys_words() {
        let body = br#"{"error":"invalid_grant","description":"code_verifier does not match","error_description":"code_verifier does not match"}"#;
        let d = detail_from(StatusCode::BAD_REQUEST, &HeaderMap::new(), body);
        let e = code_refused("pkce-client", StatusCode::BAD_REQUEST, d);
        assert_eq!(e.kind, ErrorKind::Auth);
        assert_eq!(e.field.as_deref(), Some(SIGN_IN));
        assert!(
            e.message.contains("did not accept the sign-in code"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("code_verifier does not match"),
            "{}",
            e.message
        );

        let body =
            br#"{"error":"unauthorized_client","error_description":"client is not authorized"}"#;
        let d = detail_from(StatusCode::BAD_REQUEST, &HeaderMap::new(), body);
        let e = code_refused("pkce-client", StatusCode::BAD_REQUEST, d);
        assert!(
            e.message.contains("pkce-client") && e.message.contains("PKCE"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_signed_in_person_gets_sign_in_again_on_401_and_role_words_on_403() {
        let p = Purpose {
            what: "reading conversation details",
            permission: DETAILS_PERMISSION,
        };
        let d = detail_from(StatusCode::UNAUTHORIZED, &headers(), b"{}");
        let e = classify_user(StatusCode::UNAUTHORIZED, d, p);
        assert!(e.is_sign_in_expired());
        assert_eq!(
            e.message,
            "Your sign-in has expired. Sign in again to continue."
        );
        assert_eq!(
            e.genesys.unwrap().correlation_id.as_deref(),
            Some("corr-123")
        );
        let d = detail_from(StatusCode::FORBIDDEN, &headers(), b"{}");
        let e = classify_user(StatusCode::FORBIDDEN, d, p);
        assert_eq!(e.kind, ErrorKind::Permission);
        assert!(
            e.message.starts_with("Your Genesys Cloud account"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("OAuth client"), "{}", e.message);
    }

    #[test]
    fn html_bodies_are_not_shown() {
        let d = detail_from(
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            b"<html>bad</html>",
        );
        assert_eq!(d.message, None);
        assert_eq!(d.status, Some(502));
    }
}
