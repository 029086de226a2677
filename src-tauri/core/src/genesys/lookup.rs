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
/// Safety stop for listings (100 × 100 = 10,000 entities): the most a search reads.
const MAX_PAGES: u64 = 100;
/// The most entities a picker reads before anything is typed.
pub const PICKER_LIMIT: usize = 500;
/// The most entities a search (or the CLI's queue-name lookup) reads.
pub const SEARCH_LIMIT: usize = PAGE * MAX_PAGES as usize;

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

/// What each listing is for, and the permission Genesys documents for it
/// (`x-inin-requires-permissions` in `openapi-subset.json`, from the SDK docs,
/// e.g. `MyPureCloud/platform-client-sdk-javascript` `build/docs/UsersApi.md`):
/// users and divisions "require no permissions", so their errors name none.
fn purpose(kind: EntityKind) -> Purpose {
    match kind {
        EntityKind::Queue => Purpose {
            what: "reading queue names",
            permission: "routing:queue:view",
        },
        EntityKind::User => Purpose {
            what: "reading agent names",
            permission: "",
        },
        EntityKind::WrapUpCode => Purpose {
            what: "reading wrap-up code names",
            permission: "routing:wrapupCode:view",
        },
        EntityKind::Division => Purpose {
            what: "reading division names",
            permission: "",
        },
    }
}

/// A picker's list, and whether the listing had more than was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct EntityList {
    /// By name (case-insensitive), then id.
    pub entities: Vec<Entity>,
    /// Genesys has more than `limit`; only the first `limit` were read
    /// (the picker says so and asks the user to type a name).
    pub truncated: bool,
    /// How many were read at most.
    pub limit: u32,
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

/// Read every page of a listing (at most `max_pages`); `ids` (if any) are
/// sent as repeated `id=`. Also says whether pages were left unread.
async fn read_pages(
    http: &Http,
    kind: EntityKind,
    ids: &[String],
    max_pages: u64,
) -> Result<(Vec<Entity>, bool)> {
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
        if last || n == 0 {
            return Ok((out, false));
        }
        if page >= max_pages {
            return Ok((out, true));
        }
        page += 1;
    }
}

/// Every entity of a listing, up to the safety stop.
pub(crate) async fn read_all(http: &Http, kind: EntityKind, ids: &[String]) -> Result<Vec<Entity>> {
    Ok(read_pages(http, kind, ids, MAX_PAGES).await?.0)
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

/// The entities whose name contains `name_filter` (case-insensitive), by
/// name: from the first [`PICKER_LIMIT`] Genesys lists when nothing is typed,
/// from the first [`SEARCH_LIMIT`] when searching; `truncated` says when
/// there were more.
pub(crate) async fn list_entities(
    http: &Http,
    kind: EntityKind,
    name_filter: Option<&str>,
) -> Result<EntityList> {
    let needle = name_filter
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_default();
    let limit = if needle.is_empty() {
        PICKER_LIMIT
    } else {
        SEARCH_LIMIT
    };
    let (mut all, truncated) = read_pages(http, kind, &[], limit.div_ceil(PAGE) as u64).await?;
    all.retain(|e| needle.is_empty() || e.name.to_lowercase().contains(&needle));
    all.sort_by(|a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then(a.id.cmp(&b.id))
    });
    Ok(EntityList {
        entities: all,
        truncated,
        limit: u32::try_from(limit).unwrap_or(u32::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The permission each lookup's errors quote is the one Genesys documents
    /// for that listing, or none where it documents none.
    #[test]
    fn permissions_match_the_documented_ones() {
        let spec: serde_json::Value = serde_json::from_str(include_str!(
            "../../../../tests/fixtures/genesys/openapi-subset.json"
        ))
        .expect("spec");
        for kind in EntityKind::ALL {
            let documented: Vec<String> = spec["paths"][path(kind)]["get"]
                ["x-inin-requires-permissions"]["permissions"]
                .as_array()
                .expect("permissions listed")
                .iter()
                .map(|p| p.as_str().unwrap_or_default().to_string())
                .collect();
            let ours = purpose(kind).permission;
            match documented.as_slice() {
                [] => assert_eq!(ours, "", "{kind:?}: Genesys lists no permission"),
                [one] => assert_eq!(ours, one, "{kind:?}"),
                many => assert!(many.iter().any(|p| p == ours), "{kind:?}: {many:?}"),
            }
        }
    }
}
