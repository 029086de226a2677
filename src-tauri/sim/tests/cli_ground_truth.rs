//! `genesys-sim … ground-truth`: the ids tests outside Rust compare exports with.
use std::collections::HashSet;

use clap::Parser;
use genesys_sim::cli::{ground_truth, Args, Command};
use genesys_sim::Dataset;

const DATA: [&str; 9] = [
    "genesys-sim",
    "--conversations",
    "800",
    "--seed",
    "5",
    "--start",
    "2026-10-01",
    "--days",
    "4",
];

fn parse(rest: &[&str]) -> (Args, String, String, Option<String>) {
    let args = Args::parse_from(DATA.iter().chain(rest));
    let Some(Command::GroundTruth {
        from,
        to,
        query_json,
        ..
    }) = &args.command
    else {
        panic!("ground-truth subcommand not parsed");
    };
    let (f, t, q) = (from.clone(), to.clone(), query_json.clone());
    (args, f, t, q)
}

#[test]
fn ids_are_the_conversations_started_in_the_range() {
    let (args, from, to, query) = parse(&[
        "ground-truth",
        "--from",
        "2026-10-02T06:00:00Z",
        "--to",
        "2026-10-03",
    ]);
    let cfg = args.config().unwrap();
    let ids = ground_truth(&cfg, &from, &to, query.as_deref()).unwrap();

    // Brute force over every conversation of the dataset, by its JSON.
    let data = Dataset::new(&cfg);
    let expected: HashSet<String> = (0..data.len())
        .map(|i| data.conversation(i))
        .filter(|c| {
            let start = c["conversationStart"].as_str().unwrap();
            ("2026-10-02T06:00:00.000Z"..="2026-10-02T23:59:59.999Z").contains(&start)
        })
        .map(|c| c["conversationId"].as_str().unwrap().to_string())
        .collect();
    assert!(expected.len() > 50, "the range holds conversations");
    let got: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(got.len(), ids.len(), "no duplicates");
    assert_eq!(got, expected);
}

#[test]
fn query_filters_narrow_the_ids() {
    let all = {
        let (args, from, to, q) =
            parse(&["ground-truth", "--from", "2026-10-01", "--to", "2026-10-05"]);
        ground_truth(&args.config().unwrap(), &from, &to, q.as_deref()).unwrap()
    };
    let (args, from, to, q) = parse(&[
        "ground-truth",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-05",
        "--query-json",
        r#"{"segmentFilters":[{"type":"and","predicates":[{"dimension":"mediaType","value":"email"}]}]}"#,
    ]);
    let cfg = args.config().unwrap();
    let emails = ground_truth(&cfg, &from, &to, q.as_deref()).unwrap();
    assert_eq!(all.len(), 800, "the whole dataset is in range");
    assert!(!emails.is_empty() && emails.len() < all.len());
    let data = Dataset::new(&cfg);
    let email_ids: HashSet<String> = (0..data.len())
        .map(|i| data.conversation(i))
        .filter(|c| c.to_string().contains(r#""mediaType":"email""#))
        .map(|c| c["conversationId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(emails.iter().cloned().collect::<HashSet<_>>(), email_ids);
}

#[test]
fn bad_ranges_and_queries_are_refused() {
    let cfg = Args::parse_from(DATA).config().unwrap();
    let err = |from: &str, to: &str, q: Option<&str>| ground_truth(&cfg, from, to, q).unwrap_err();
    assert!(err("2026-10-03", "2026-10-02", None).contains("after"));
    assert!(err("soon", "2026-10-02", None).contains("not a date"));
    assert!(err("2026-10-01", "2026-10-02", Some("{")).contains("not JSON"));
    let unknown =
        r#"{"segmentFilters":[{"type":"and","predicates":[{"dimension":"nope","value":"x"}]}]}"#;
    assert!(err("2026-10-01", "2026-10-02", Some(unknown)).starts_with("--query-json"));
}

#[test]
fn as_the_sign_in_user_only_their_divisions() {
    let args = Args::parse_from(DATA.iter().chain(&[
        "--sign-in-division",
        "Sales, EMEA",
        "ground-truth",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-05",
        "--as-sign-in-user",
    ]));
    let Some(Command::GroundTruth {
        from,
        to,
        query_json,
        as_sign_in_user,
    }) = &args.command
    else {
        panic!("ground-truth subcommand not parsed");
    };
    assert!(*as_sign_in_user);
    let cfg = args.config().unwrap();
    let mine =
        genesys_sim::cli::ground_truth_as(&cfg, from, to, query_json.as_deref(), true).unwrap();
    let all = ground_truth(&cfg, from, to, None).unwrap();

    // Brute force: the conversations of that division, by their JSON.
    let data = Dataset::new(&cfg);
    let sales = data
        .division_entities()
        .iter()
        .find(|d| d.name == "Sales, EMEA")
        .unwrap()
        .id
        .clone();
    let in_sales: HashSet<String> = (0..data.len())
        .map(|i| data.conversation(i))
        .filter(|c| c["divisionIds"][0] == sales.as_str())
        .map(|c| c["conversationId"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = all
        .iter()
        .filter(|id| in_sales.contains(*id))
        .cloned()
        .collect();
    assert!(!expected.is_empty() && expected.len() < all.len());
    assert_eq!(mine, expected);

    // An unknown division is refused with the names that exist.
    let e = Args::parse_from(DATA.iter().chain(&["--sign-in-division", "Nope"]))
        .config()
        .unwrap_err();
    assert!(e.contains("Nope") && e.contains("Sales, EMEA"), "{e}");
}
