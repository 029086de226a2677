//! Exit codes of `genesys-export-cli`, derived from [`genesys_core::ErrorKind`].
//!
//! They are part of the command line's contract (documented in `--help` and
//! the README) so scripts and schedulers can branch on them.
use genesys_core::ErrorKind;

/// The export finished and the file is in place.
pub const OK: u8 = 0;
/// Something unexpected (a bug); the message says so.
pub const INTERNAL: u8 = 1;
/// Bad input: a flag, a date, a region, a profile name, a settings file.
pub const BAD_INPUT: u8 = 2;
/// Authentication or permission: wrong client id/secret, missing role, keychain refused.
pub const AUTH: u8 = 3;
/// Genesys kept failing after retries (rate limit past the cap, 5xx, network, rejected query).
pub const GENESYS: u8 = 4;
/// The output file could not be written.
pub const OUTPUT: u8 = 5;
/// Cancelled (Ctrl-C / SIGINT).
pub const CANCELLED: u8 = 130;

/// The exit code for an error of this kind.
pub fn code_for(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::InvalidInput | ErrorKind::Storage => BAD_INPUT,
        ErrorKind::Auth | ErrorKind::Permission | ErrorKind::Keychain => AUTH,
        ErrorKind::RateLimited
        | ErrorKind::BadRequest
        | ErrorKind::NotFound
        | ErrorKind::Server
        | ErrorKind::Network => GENESYS,
        ErrorKind::Io => OUTPUT,
        ErrorKind::Cancelled => CANCELLED,
        ErrorKind::Internal => INTERNAL,
    }
}

/// The table printed at the end of `--help`.
pub const HELP: &str = "\
EXIT CODES:
    0    the export finished and the file is in place
    1    unexpected internal error (please report it)
    2    bad input: a flag, date, region, time zone, profile or queue name, or a damaged settings file
    3    authentication or permission: wrong client id or secret, the OAuth client lacks a permission
         (analytics:conversationDetail:view), or the OS keychain refused access
    4    Genesys Cloud kept failing after retries: rate limited past the cap, server errors,
         network errors, or it rejected the query
    5    the output file cannot be written (folder missing, no permission, disk full, file exists
         without --replace)
    130  cancelled with Ctrl-C (nothing is left behind; an open async job is deleted)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_documented_code() {
        let kinds = [
            ErrorKind::Auth,
            ErrorKind::Permission,
            ErrorKind::RateLimited,
            ErrorKind::BadRequest,
            ErrorKind::NotFound,
            ErrorKind::Server,
            ErrorKind::Network,
            ErrorKind::Cancelled,
            ErrorKind::InvalidInput,
            ErrorKind::Io,
            ErrorKind::Keychain,
            ErrorKind::Storage,
            ErrorKind::Internal,
        ];
        for kind in kinds {
            let code = code_for(kind);
            assert!(
                HELP.contains(&format!("\n    {code} ")),
                "code {code} for {kind} is not documented"
            );
        }
        assert_eq!(code_for(ErrorKind::Auth), 3);
        assert_eq!(code_for(ErrorKind::Permission), 3);
        assert_eq!(code_for(ErrorKind::Server), 4);
        assert_eq!(code_for(ErrorKind::Io), 5);
        assert_eq!(code_for(ErrorKind::Cancelled), 130);
        assert_eq!(code_for(ErrorKind::InvalidInput), 2);
    }
}
