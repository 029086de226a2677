//! The column catalogue: `docs/columns.md` matches it, and `columns(grain)` is what the UI shows.
use std::path::Path;

use genesys_core::export::{columns, default_columns, Grain};

#[test]
fn docs_columns_md_matches_the_catalogue() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/columns.md");
    let generated = genesys_core::export::columns::markdown();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("docs dir")).expect("mkdir");
        std::fs::write(&path, &generated).expect("write docs");
    }
    let on_disk = std::fs::read_to_string(&path).expect("docs/columns.md exists");
    assert_eq!(
        on_disk, generated,
        "docs/columns.md is out of date; regenerate with UPDATE_GOLDEN=1 cargo test -p genesys-core --test export_columns"
    );
    for c in columns(Grain::Segment) {
        assert!(on_disk.contains(&format!("| `{}` | {} |", c.id, c.header)));
    }
}

#[test]
fn every_grain_offers_the_right_columns_and_defaults() {
    let conv = columns(Grain::Conversation);
    let ids: Vec<&str> = conv.iter().map(|c| c.id.as_str()).collect();
    for id in [
        "conversation_id",
        "start",
        "end",
        "duration",
        "direction",
        "media_type",
        "queues",
        "agents",
        "wrap_up",
        "wrap_up_note",
        "handle_time",
        "talk_time",
        "hold_time",
        "holds",
        "acw_time",
        "time_to_answer",
        "abandoned",
        "transfers",
        "ani",
        "dnis",
        "disconnect_type",
        "division",
    ] {
        assert!(ids.contains(&id), "{id}");
        assert!(
            conv.iter().any(|c| c.id == id && c.default),
            "{id} is a conversation default"
        );
    }
    assert!(!ids.contains(&"segment_type"));
    assert!(!ids.contains(&"participant_id"));

    let seg: Vec<String> = columns(Grain::Segment).into_iter().map(|c| c.id).collect();
    assert!(seg.contains(&"segment_start".to_string()));
    assert!(
        !seg.contains(&"handle_time".to_string()),
        "metrics are per session, not per segment"
    );

    for grain in [
        Grain::Conversation,
        Grain::Participant,
        Grain::Session,
        Grain::Segment,
    ] {
        let all = columns(grain);
        let defaults = default_columns(grain);
        assert_eq!(
            defaults,
            all.iter()
                .filter(|c| c.default)
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
        );
        for c in &all {
            assert!(c.definition.ends_with('.'), "{}: one sentence", c.id);
            assert!(!c.header.is_empty());
        }
    }
    // Serialisable for the UI.
    let json = serde_json::to_value(&columns(Grain::Conversation)[0]).expect("json");
    assert_eq!(json["id"], "conversation_id");
    assert_eq!(json["header"], "Conversation ID");
    assert_eq!(json["default"], true);
    assert_eq!(json["kind"], "text");
}

#[test]
fn validate_returns_the_columns_or_a_field_error() {
    use genesys_core::export::{validate, ExportOptions};
    let opts = ExportOptions {
        columns: vec!["queues".into(), "start".into()],
        include_ids: true,
        ..Default::default()
    };
    assert_eq!(
        validate(&opts).expect("valid"),
        ["queues", "queue_ids", "start"]
    );
    let bad = ExportOptions {
        time_zone: "Europe/Atlantis".into(),
        ..Default::default()
    };
    assert_eq!(
        validate(&bad).unwrap_err().field.as_deref(),
        Some("timeZone")
    );
    // Defaults when no columns are chosen.
    assert_eq!(
        validate(&ExportOptions::default()).expect("valid"),
        default_columns(Grain::Conversation)
    );
}
