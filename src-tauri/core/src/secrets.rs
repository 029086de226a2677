//! Client secrets in the OS keychain.
