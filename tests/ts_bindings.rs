//! The TypeScript types of every IPC payload, generated from the Rust structs
//! with ts-rs into `ui/bindings/` (the UI imports them in JSDoc). This test
//! regenerates them into a temp folder and fails when the committed files
//! differ; `UPDATE_BINDINGS=1 cargo test --test ts_bindings` rewrites them.
use std::collections::BTreeMap;
use std::path::Path;

use ts_rs::{Config, TS};

fn generate(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    macro_rules! export {
        ($($t:ty),* $(,)?) => {
            $( <$t as TS>::export_all(&cfg).unwrap_or_else(|e| panic!("{}: {e}", stringify!($t))); )*
        };
    }
    export!(
        genesys_core::ErrorKind,
        genesys_core::Error,
        genesys_ops::AppInfo,
        genesys_core::genesys::Region,
        genesys_core::profiles::ConnectionView,
        genesys_ops::ConnectionInput,
        genesys_ops::ProfileView,
        genesys_ops::ProfilesExported,
        genesys_ops::ProfilesImported,
        genesys_core::profiles::QueryProfile,
        genesys_core::profiles::Settings,
        genesys_core::export::ColumnInfo,
        genesys_core::jobs::ExportEvent,
        genesys_core::jobs::RunResult,
        genesys_core::jobs::HistoryEntry,
        genesys_core::jobs::PreviewResult,
        genesys_core::genesys::Entity,
        genesys_ops::TestResult,
        genesys_ops::DemoResult,
    );
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(base, &p, files);
            } else if p.extension().is_some_and(|e| e == "ts") {
                let rel = p.strip_prefix(base).unwrap().display().to_string();
                files.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    walk(dir, dir, &mut files);
    files
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path());
    let fresh = read_tree(tmp.path());
    assert!(fresh.contains_key("ExportEvent.ts"), "{:?}", fresh.keys());
    assert!(fresh.contains_key("ErrorKind.ts"));

    let committed_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/bindings");
    if std::env::var("UPDATE_BINDINGS").as_deref() == Ok("1") {
        let _ = std::fs::remove_dir_all(&committed_dir);
        generate(&committed_dir);
        return;
    }
    let committed = read_tree(&committed_dir);
    let mut problems = Vec::new();
    for (name, text) in &fresh {
        match committed.get(name) {
            None => problems.push(format!("missing: ui/bindings/{name}")),
            Some(old) if old != text => problems.push(format!("stale: ui/bindings/{name}")),
            Some(_) => {}
        }
    }
    for name in committed.keys() {
        if !fresh.contains_key(name) {
            problems.push(format!("no longer generated: ui/bindings/{name}"));
        }
    }
    assert!(
        problems.is_empty(),
        "The TypeScript bindings are out of date; run `UPDATE_BINDINGS=1 cargo test --test ts_bindings` and commit ui/bindings/.\n{}",
        problems.join("\n")
    );
}
