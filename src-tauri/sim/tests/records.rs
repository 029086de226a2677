//! Record sizes and older copies of the generated conversations.
use chrono::{Duration, TimeZone, Utc};
use genesys_sim::{Dataset, SimConfig};

fn cfg(large: f64) -> SimConfig {
    SimConfig {
        conversations: 2_000,
        start: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        days: 2,
        now: Some(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()),
        large_records: large,
        ..SimConfig::default()
    }
}

fn sizes(ds: &Dataset) -> Vec<usize> {
    (0..ds.len())
        .map(|i| serde_json::to_vec(&ds.conversation(i)).unwrap().len())
        .collect()
}

/// Real detail records are 10–20 KB each; by default a share of the
/// emulator's are, the rest compact; all of them when asked.
#[test]
fn records_are_a_realistic_mix_of_sizes() {
    let all_large = sizes(&Dataset::new(&cfg(1.0)));
    let (min, max) = (
        *all_large.iter().min().unwrap(),
        *all_large.iter().max().unwrap(),
    );
    assert!(min >= 9_500 && max <= 21_000, "{min}..{max} bytes");

    let mixed = sizes(&Dataset::new(&SimConfig {
        large_records: SimConfig::default().large_records,
        ..cfg(0.0)
    }));
    let large = mixed.iter().filter(|&&s| s >= 10_000).count() as f64 / mixed.len() as f64;
    assert!((0.1..0.35).contains(&large), "{large} of records are large");
    let compact = sizes(&Dataset::new(&cfg(0.0)));
    assert!(compact.iter().all(|&s| s < 10_000));
}

/// An older copy (as of midway through the conversation) is unfinished:
/// no end, fewer segments; the copy as of now is complete.
#[test]
fn older_copies_are_unfinished() {
    let ds = Dataset::new(&cfg(0.0));
    let segments = |v: &serde_json::Value| v.to_string().matches("segmentStart").count();
    for i in (0..ds.len()).step_by(97) {
        let now = ds.conversation(i);
        let mid = ds.midway(i);
        let old = ds.conversation_at(i, true, mid);
        assert!(now.get("conversationEnd").is_some());
        assert!(old.get("conversationEnd").is_none(), "{i}");
        assert!(segments(&old) <= segments(&now));
        assert_eq!(ds.conversation_at(i, true, mid + Duration::days(30)), now);
    }
}
