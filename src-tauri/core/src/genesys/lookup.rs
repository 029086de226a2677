//! Names for ids (queues, users, wrap-up codes, divisions), in bulk, and
//! listings for pickers.
use std::collections::{BTreeSet, HashMap};

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::errors::Purpose;
use super::fetch::parse;
use super::http::{ApiRequest, Http};
use super::progress::Reporter;
use crate::error::Result;

/// Ids per lookup request (keeps URLs short).
const CHUNK: usize = 100;
/// Page size of listings.
const PAGE: usize = 100;
/// Safety stop for listings (100 × 100 = 10,000 entities).
const MAX_PAGES: u64 = 100;

/// The kinds of entity named in conversations (and listed for pickers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Queue,
    /// Users, including inactive and deleted ones (agents).
    User,
    WrapUpCode,
    Division,
}

impl EntityKind {
    pub const ALL: [EntityKind; 4] = [
        EntityKind::Queue,
        EntityKind::User,
        EntityKind::WrapUpCode,
        EntityKind::Division,
    ];

    /// Plural noun for messages ("queue names could not be looked up").
    pub fn plural(self) -> &'static str {
        match self {
            EntityKind::Queue => "queue",
            EntityKind::User => "agent",
            EntityKind::WrapUpCode => "wrap-up code",
            EntityKind::Division => "division",
        }
    }
}

/// True for an entity id as Genesys writes them: a hyphenated UUID. Only these
/// are sent to the listing endpoints.
pub fn is_entity_id(id: &str) -> bool {
    id.len() == 36 && uuid::Uuid::try_parse(id).is_ok()
}

fn path(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Queue => "/api/v2/routing/queues",
        EntityKind::User => "/api/v2/users",
        EntityKind::WrapUpCode => "/api/v2/routing/wrapupcodes",
        EntityKind::Division => "/api/v2/authorization/divisions",
    }
}

fn purpose(kind: EntityKind) -> Purpose {
    match kind {
        EntityKind::Queue => Purpose {
            what: "reading queue names",
            permission: "routing:queue:view",
        },
        EntityKind::User => Purpose {
            what: "reading agent names",
            permission: "directory:user:view",
        },
        EntityKind::WrapUpCode => Purpose {
            what: "reading wrap-up code names",
            permission: "routing:wrapupCode:view",
        },
        EntityKind::Division => Purpose {
            what: "reading division names",
            permission: "authorization:division:view",
        },
    }
}

/// An id and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    pub id: String,
    pub name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    #[serde(default)]
    entities: Vec<Row>,
    #[serde(default)]
    page_count: Option<u64>,
}

#[derive(Deserialize)]
struct Row {
    id: Option<String>,
    name: Option<String>,
}

/// Read every page of a listing; `ids` (if any) are sent as repeated `id=`.
async fn read_all(http: &Http, kind: EntityKind, ids: &[String]) -> Result<Vec<Entity>> {
    let rep = Reporter::silent();
    let mut out = Vec::new();
    let mut page: u64 = 1;
    loop {
        let mut req = ApiRequest::new(Method::GET, path(kind), purpose(kind))
            .query("pageSize", PAGE.max(ids.len()).to_string())
            .query("pageNumber", page.to_string());
        if kind == EntityKind::User && !ids.is_empty() {
            // Agents who left are still named in old conversations.
            req = req.query("state", "any");
        }
        for id in ids {
            req = req.query("id", id.clone());
        }
        let resp = http.send(&req, &rep).await?;
        let listing: Listing = parse(&resp.body, "name listing")?;
        let n = listing.entities.len();
        out.extend(listing.entities.into_iter().filter_map(|r| {
            Some(Entity {
                id: r.id?,
                name: r.name.unwrap_or_default(),
            })
        }));
        let last = match listing.page_count {
            Some(count) => page >= count,
            None => n == 0,
        };
        if last || n == 0 || page >= MAX_PAGES {
            break;
        }
        page += 1;
    }
    Ok(out)
}

/// Bulk id → name; unknown ids are left out. Only entity ids (UUIDs) are
/// sent: a system wrap-up code such as `ININ-WRAP-UP-TIMEOUT` is not an entity,
/// and one such id must not fail the request for the others
/// (see [`is_entity_id`]).
pub(crate) async fn lookup_names(
    http: &Http,
    kind: EntityKind,
    ids: &[String],
) -> Result<HashMap<String, String>> {
    let unique: Vec<String> = ids
        .iter()
        .filter(|s| is_entity_id(s))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut names = HashMap::with_capacity(unique.len());
    for chunk in unique.chunks(CHUNK) {
        for e in read_all(http, kind, chunk).await? {
            if chunk.contains(&e.id) {
                names.insert(e.id, e.name);
            }
        }
    }
    Ok(names)
}

/// Every entity whose name contains `name_filter` (case-insensitive), by name.
pub(crate) async fn list_entities(
    http: &Http,
    kind: EntityKind,
    name_filter: Option<&str>,
) -> Result<Vec<Entity>> {
    let needle = name_filter
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    let mut all = read_all(http, kind, &[]).await?;
    all.retain(|e| needle.is_empty() || e.name.to_lowercase().contains(&needle));
    all.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok(all)
}
