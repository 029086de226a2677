//! Shared helpers for the export tests: the hand-made fixture conversations and their names.
#![allow(dead_code)]
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use futures::stream::{self, Stream};
use genesys_core::export::EntityKind;
use genesys_core::genesys::model::Conversation;
use genesys_core::Result;
use test_support::names::MapNames;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The raw fixture file (one conversation per line).
pub fn sample_jsonl() -> String {
    std::fs::read_to_string(fixtures().join("conversations/sample.jsonl")).expect("fixture")
}

/// The fixture conversations, parsed the way the client parses them (raw kept).
pub fn sample() -> Vec<Conversation> {
    sample_jsonl()
        .lines()
        .map(|line| {
            let raw: Box<serde_json::value::RawValue> =
                serde_json::from_str(line).expect("json line");
            Conversation::from_raw(&raw).expect("conversation")
        })
        .collect()
}

/// The names of the fixture's queues, users, wrap-up codes and divisions
/// (one user and one wrap-up code are deliberately missing: "deleted").
pub fn sample_names() -> MapNames {
    let text = std::fs::read_to_string(fixtures().join("conversations/names.json")).expect("names");
    let map: HashMap<String, Vec<(String, String)>> =
        serde_json::from_str(&text).expect("names json");
    let mut names = MapNames::new();
    for (key, kind) in [
        ("queues", EntityKind::Queue),
        ("users", EntityKind::User),
        ("wrapupcodes", EntityKind::WrapUpCode),
        ("divisions", EntityKind::Division),
    ] {
        names = names.with(kind, map.get(key).cloned().unwrap_or_default());
    }
    names
}

pub fn stream_of(items: Vec<Conversation>) -> impl Stream<Item = Result<Conversation>> {
    stream::iter(items.into_iter().map(Ok))
}

/// `n` conversations cycling through the fixtures, each with a unique id.
pub fn many(n: usize) -> impl Stream<Item = Result<Conversation>> {
    let base = sample();
    stream::iter((0..n).map(move |i| {
        let mut c = base[i % base.len()].clone();
        c.conversation_id = format!("{}-{i}", c.conversation_id);
        Ok(c)
    }))
}
