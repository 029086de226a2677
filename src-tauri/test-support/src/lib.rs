//! Helpers shared by the tests (and the examples that benchmark the same
//! paths) of every crate in the workspace. A dev-dependency only: nothing here
//! is part of the app, the CLI or the emulator.
pub mod cli;
pub mod csv;
pub mod files;
pub mod names;
pub mod xlsx;
