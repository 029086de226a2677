//! Name lookups: entity-listing shape, paging, `id=` repeated, users `state`.
mod common;

use std::collections::BTreeSet;

use common::*;
use genesys_sim::Sim;
use serde_json::Value;

const PATHS: [(&str, &str); 4] = [
    ("/api/v2/routing/queues", "QueueEntityListing"),
    ("/api/v2/users", "UserEntityListing"),
    ("/api/v2/routing/wrapupcodes", "WrapupCodeEntityListing"),
    (
        "/api/v2/authorization/divisions",
        "AuthzDivisionEntityListing",
    ),
];

async fn page_all(sim: &Sim, t: &str, path: &str, query: &str) -> Vec<Value> {
    let def = PATHS.iter().find(|(p, _)| *p == path).unwrap().1;
    assert_eq!(documented_schema(path, "get", 200), def);
    let mut out = Vec::new();
    let mut next = Some(format!("{path}?pageSize=7{query}"));
    let mut pages = 0;
    while let Some(uri) = next {
        let (s, h, v) = get(sim, t, &uri).await;
        assert_eq!(s, 200, "{v}");
        assert_genesys_headers(&h);
        assert_response_valid(def, &v);
        for k in [
            "pageSize",
            "pageNumber",
            "total",
            "pageCount",
            "firstUri",
            "selfUri",
            "lastUri",
        ] {
            assert!(v.get(k).is_some(), "{k} missing in {v}");
        }
        out.extend(v["entities"].as_array().unwrap().iter().cloned());
        next = v["nextUri"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages < 100);
    }
    out
}

fn names(e: &[Value]) -> BTreeSet<String> {
    e.iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn listings_page_and_validate() {
    let sim = Sim::start(small_config(10)).await.unwrap();
    let t = token(&sim).await;
    let ds = sim.dataset();
    let queues = page_all(&sim, &t, PATHS[0].0, "").await;
    assert_eq!(
        names(&queues),
        ds.queues().into_iter().map(|x| x.0).collect()
    );
    assert!(queues
        .iter()
        .any(|q| q["name"] == "Support, \"Tier 2\" – Zürich"));
    let wrapups = page_all(&sim, &t, PATHS[2].0, "").await;
    assert_eq!(wrapups.len(), 30);
    let divisions = page_all(&sim, &t, PATHS[3].0, "").await;
    assert_eq!(divisions.len(), 3);

    // Repeated id= and name wildcards.
    let want: Vec<String> = ds.queues().into_iter().take(3).map(|x| x.0).collect();
    let q: String = want.iter().map(|i| format!("&id={i}")).collect();
    let got = page_all(&sim, &t, PATHS[0].0, &q).await;
    assert_eq!(names(&got), want.iter().cloned().collect());
    let got = page_all(&sim, &t, PATHS[0].0, "&name=Support*").await;
    assert_eq!(got.len(), 1);

    // An id that is not an entity id (a system wrap-up code) is refused, not
    // read as a name.
    let one = ds.wrapup_codes()[0].0.clone();
    assert_error(
        &get(
            &sim,
            &t,
            &format!("/api/v2/routing/wrapupcodes?id={one}&id=ININ-WRAP-UP-TIMEOUT"),
        )
        .await,
        PATHS[2].0,
        "get",
        400,
        "bad.request",
    );

    // Past the last page: empty entities, no nextUri; bad paging is a 400.
    let (s, _, v) = get(&sim, &t, "/api/v2/routing/queues?pageSize=25&pageNumber=9").await;
    assert_eq!(s, 200);
    assert_eq!(v["entities"].as_array().unwrap().len(), 0);
    assert!(v.get("nextUri").is_none());
    assert_error(
        &get(&sim, &t, "/api/v2/routing/queues?pageSize=0").await,
        PATHS[0].0,
        "get",
        400,
        "bad.request",
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn users_honour_state_and_id() {
    let sim = Sim::start(small_config(10)).await.unwrap();
    let t = token(&sim).await;
    let ds = sim.dataset();
    let all = ds.user_entities();
    let active = page_all(&sim, &t, PATHS[1].0, "").await;
    assert_eq!(
        active.len(),
        all.iter().filter(|u| u.state == "active").count()
    );
    assert!(active.iter().all(|u| u["state"] == "active"));
    let any = page_all(&sim, &t, PATHS[1].0, "&state=any").await;
    assert_eq!(any.len(), 200);
    let deleted = page_all(&sim, &t, PATHS[1].0, "&state=deleted").await;
    assert!(!deleted.is_empty() && deleted.iter().all(|u| u["state"] == "deleted"));

    // A departed agent by id: not found with the default state, found with state=any.
    let gone = all.iter().find(|u| u.state == "deleted").unwrap();
    let inactive = all.iter().find(|u| u.state == "inactive").unwrap();
    let here = all.iter().find(|u| u.state == "active").unwrap();
    let q = format!("&id={}&id={}&id={}", gone.id, inactive.id, here.id);
    let default = page_all(&sim, &t, PATHS[1].0, &q).await;
    assert_eq!(names(&default), [here.id.clone()].into_iter().collect());
    let with_any = page_all(&sim, &t, PATHS[1].0, &format!("{q}&state=any")).await;
    assert_eq!(
        names(&with_any),
        [gone.id.clone(), inactive.id.clone(), here.id.clone()]
            .into_iter()
            .collect()
    );
    assert!(
        any.iter().any(|u| u["name"] == "José Álvarez"),
        "accented names are served"
    );
    assert_error(
        &get(&sim, &t, "/api/v2/users?state=gone").await,
        PATHS[1].0,
        "get",
        400,
        "bad.request",
    );
    sim.shutdown().await;
}
