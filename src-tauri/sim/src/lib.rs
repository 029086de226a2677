//! A Genesys Cloud emulator on loopback (see `API-NOTES.md` in `shared/genesys`).
pub mod cli;
