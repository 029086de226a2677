//! The window may only do what the UI needs: the capability grants the main
//! window no core plugin command beyond what `ui/` calls (it calls none: the
//! app's own commands and progress channels need no permission; dialogs and
//! opening files happen in Rust commands), and the CSP allows no remote
//! content, no `<base>` and no form submission.
use serde_json::Value;

fn config() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tauri.conf.json"))
        .expect("tauri.conf.json at the repository root");
    serde_json::from_str(&text).expect("tauri.conf.json is JSON")
}

/// `directive -> sources` from a CSP string.
fn csp_directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut parts = d.split_whitespace().map(str::to_string);
            let name = parts.next().unwrap_or_default();
            (name, parts.collect())
        })
        .collect()
}

/// Core plugin permissions the UI needs, each with the `ui/` call that needs
/// it. The UI only invokes the app's own commands (`ui/api.js`) and passes
/// `Channel`s, whose data fetch Tauri exempts from the ACL.
const UI_NEEDS: &[(&str, &str)] = &[];

/// Every `plugin:` command the UI's scripts name (none today).
fn plugin_calls_in_ui() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/ui");
    let mut found = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "js" || x == "html") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, _) in text.match_indices("plugin:") {
                    found.push(format!(
                        "{}: {}",
                        p.display(),
                        &text[i..(i + 40).min(text.len())]
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn capabilities_grant_the_main_window_only_what_the_ui_calls() {
    let cfg = config();
    let security = &cfg["app"]["security"];
    let caps = security["capabilities"]
        .as_array()
        .expect("capabilities are inline in tauri.conf.json");
    assert_eq!(caps.len(), 1, "one capability: {caps:?}");
    let cap = &caps[0];
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    let granted: Vec<&str> = cap["permissions"]
        .as_array()
        .expect("a permission list")
        .iter()
        .map(|p| p.as_str().expect("plain permission names, no scopes"))
        .collect();
    let needed: Vec<&str> = UI_NEEDS.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        granted, needed,
        "the window gets exactly the core permissions the UI calls (not core:default): dialogs and the opener run in Rust"
    );
    assert_eq!(
        plugin_calls_in_ui(),
        Vec::<String>::new(),
        "the UI calls a plugin command: grant only its permission (and list it in UI_NEEDS)"
    );
    assert!(
        cap.get("remote").is_none(),
        "no remote origin may call the IPC"
    );
    assert!(cap.get("webviews").is_none());
    assert!(cap.get("platforms").is_none());
    // No separate capability files that tauri-build would also load.
    assert!(!std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities")).exists());
    // The window the capability names is the app's only window.
    let windows = cfg["app"]["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 1);
    assert_eq!(windows[0]["label"], "main");
}

#[test]
fn csp_forbids_remote_content() {
    let cfg = config();
    let security = &cfg["app"]["security"];
    let csp = security["csp"].as_str().expect("a CSP is set (not null)");
    assert!(
        security.get("devCsp").is_none(),
        "no looser CSP in dev builds"
    );
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none(),
        "Tauri must keep adding its hashes"
    );
    let dirs = csp_directives(csp);
    let get = |name: &str| {
        dirs.iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("CSP has no {name}: {csp}"))
    };
    assert_eq!(get("default-src"), vec!["'self'"]);
    assert_eq!(get("script-src"), vec!["'self'"]);
    // Neither falls back to default-src: without them an injected <base> or
    // <form> could redirect relative URLs or submit data elsewhere.
    assert_eq!(get("base-uri"), vec!["'none'"]);
    assert_eq!(get("form-action"), vec!["'none'"]);
    let connect = get("connect-src");
    for src in &connect {
        assert!(
            src == "ipc:" || src == "http://ipc.localhost",
            "connect-src allows only Tauri's IPC, found {src}"
        );
    }
    for (name, sources) in &dirs {
        for src in sources {
            let remote = (src.starts_with("http://") && src != "http://ipc.localhost")
                || src.starts_with("https://")
                || src.starts_with("ws")
                || src.contains('*')
                || src == "http:"
                || src == "https:";
            assert!(!remote, "{name} allows remote content: {src}");
            assert_ne!(src, "'unsafe-eval'", "{name} allows eval");
            if name == "script-src" || name == "default-src" {
                assert_ne!(src, "'unsafe-inline'", "{name} allows inline scripts");
            }
        }
    }
}

#[test]
fn csp_parser_catches_a_remote_source() {
    // The checks above must be able to fail: a CSP with a remote origin is caught.
    let dirs = csp_directives("default-src 'self'; img-src 'self' https://cdn.example.com");
    let remote = dirs
        .iter()
        .flat_map(|(_, s)| s)
        .any(|s| s.starts_with("https://"));
    assert!(remote);
}
