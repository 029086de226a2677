//! Who is signed in, and what their export will contain (see
//! `docs/sign-in.md` §7).
//!
//! [`who_am_i`] reads `GET /api/v2/users/me?expand=authorization,organization`
//! (name, email, organization, the permissions of all roles) and
//! `GET /api/v2/authorization/divisionspermitted/paged/me` for
//! `analytics:conversationDetail:view` (the divisions it covers), plus the
//! organization's divisions to tell "some" from "all". [`access_from`] turns
//! those facts into an [`Access`], and [`describe_access`] into plain words:
//! full, partial ("You will only see conversations in the divisions Sales and
//! EMEA.") or impossible (which permission is missing, and what to ask for).
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::errors::{Purpose, DETAILS_PERMISSION};
use super::fetch::parse;
use super::http::{ApiRequest, Http};
use super::lookup::{self, EntityKind};
use super::progress::Reporter;
use crate::error::Result;

/// The agent's own-conversations permission (the details query accepts ANY
/// of it and [`DETAILS_PERMISSION`]).
pub const AGENT_DETAILS_PERMISSION: &str = "analytics:agentConversationDetail:view";

/// Stop paging `divisionspermitted` after this many pages of 100.
const MAX_PAGES: u32 = 50;

/// What a signed-in person can export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "divisions")]
pub enum Access {
    /// Conversation details in every division.
    Full,
    /// Conversation details in these divisions only (their names).
    Divisions(Vec<String>),
    /// Only conversations they took part in (agent permission only).
    OwnConversations,
    /// No conversation details at all.
    None,
}

/// How complete an export will be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AccessLevel {
    Full,
    Partial,
    Impossible,
}

/// [`describe_access`]'s answer: what to show before an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessNotice {
    pub level: AccessLevel,
    /// Plain words for a supervisor.
    pub message: String,
    /// The permission to ask for, when one is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_permission: Option<String>,
}

/// Who is signed in and what they can export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmI {
    pub name: String,
    pub email: Option<String>,
    pub organization: Option<String>,
    pub access: Access,
    pub notice: AccessNotice,
}

/// The facts [`access_from`] decides on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFacts {
    /// `authorization.permissions` of `users/me`.
    pub permissions: Vec<String>,
    /// Names of the divisions `divisionspermitted` lists for the details permission.
    pub permitted_divisions: Vec<String>,
    /// Its `allDivsPermitted`.
    pub all_divisions_permitted: bool,
    /// Names of all the organization's divisions (may be empty when unknown).
    pub all_divisions: Vec<String>,
}

/// Does permission string `held` grant `wanted`? `*` matches any part; parts
/// after the third (as some tools show division ids there) are ignored.
pub fn grants(held: &str, wanted: &str) -> bool {
    let held: Vec<&str> = held.trim().split(':').collect();
    let wanted: Vec<&str> = wanted.split(':').collect();
    if held == ["*"] {
        return true;
    }
    wanted.len() == 3
        && held.len() >= 3
        && held
            .iter()
            .zip(&wanted)
            .all(|(h, w)| *h == "*" || h.eq_ignore_ascii_case(w))
}

/// The rule: what the facts mean for an export.
pub fn access_from(f: &AccessFacts) -> Access {
    let listed = f.permissions.iter().any(|p| grants(p, DETAILS_PERMISSION));
    if f.all_divisions_permitted {
        return Access::Full;
    }
    if listed || !f.permitted_divisions.is_empty() {
        if f.permitted_divisions.is_empty() {
            // Held, but granted in no division: nothing to export.
            return Access::None;
        }
        let covers_all = !f.all_divisions.is_empty()
            && f.all_divisions
                .iter()
                .all(|d| f.permitted_divisions.contains(d));
        return if covers_all {
            Access::Full
        } else {
            Access::Divisions(f.permitted_divisions.clone())
        };
    }
    if f.permissions
        .iter()
        .any(|p| grants(p, AGENT_DETAILS_PERMISSION))
    {
        return Access::OwnConversations;
    }
    Access::None
}

/// "A", "A and B", "A, B and C"; names are quoted when one holds a comma or
/// " and " (so "Sales, EMEA" stays one name).
fn list_names(names: &[String]) -> String {
    let quote = names.iter().any(|n| n.contains(',') || n.contains(" and "));
    let shown: Vec<String> = names
        .iter()
        .map(|n| {
            if quote {
                format!("\u{201c}{n}\u{201d}")
            } else {
                n.clone()
            }
        })
        .collect();
    match shown.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What to ask an admin for.
const ASK_FOR_DETAILS: &str = "Ask your Genesys Cloud admin for a role with the permission analytics:conversationDetail:view (Analytics > Conversation Detail > View)";

/// The plain words for an [`Access`].
pub fn describe_access(access: &Access) -> AccessNotice {
    match access {
        Access::Full => AccessNotice {
            level: AccessLevel::Full,
            message: "You can export conversations from all divisions.".into(),
            missing_permission: None,
        },
        Access::Divisions(names) => AccessNotice {
            level: AccessLevel::Partial,
            message: format!(
                "You will only see conversations in the {} {}. {ASK_FOR_DETAILS} in the other divisions if you need them.",
                if names.len() == 1 { "division" } else { "divisions" },
                list_names(names)
            ),
            missing_permission: None,
        },
        Access::OwnConversations => AccessNotice {
            level: AccessLevel::Partial,
            message: format!(
                "You will only see conversations you took part in yourself: your role has {AGENT_DETAILS_PERMISSION} but not {DETAILS_PERMISSION}. To export your team's conversations, {}.",
                lowercase_first(ASK_FOR_DETAILS)
            ),
            missing_permission: Some(DETAILS_PERMISSION.into()),
        },
        Access::None => AccessNotice {
            level: AccessLevel::Impossible,
            message: format!(
                "You cannot export conversations: your Genesys Cloud account lacks the permission {DETAILS_PERMISSION}. {ASK_FOR_DETAILS} in the divisions you supervise."
            ),
            missing_permission: Some(DETAILS_PERMISSION.into()),
        },
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Authorization {
    permissions: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UserMe {
    name: Option<String>,
    email: Option<String>,
    username: Option<String>,
    organization: Option<Named>,
    authorization: Option<Authorization>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Permitted {
    entities: Vec<Named>,
    all_divs_permitted: Option<bool>,
    page_count: Option<u32>,
}

const WHO: Purpose = Purpose {
    what: "reading who you are",
    permission: "",
};

const DIVISIONS: Purpose = Purpose {
    what: "reading the divisions you may see",
    permission: "",
};

/// Read who is signed in and what they can export (a user token's client).
pub(crate) async fn who_am_i(http: &Http) -> Result<WhoAmI> {
    let rep = Reporter::silent();
    let me = http
        .send(
            &ApiRequest::new(Method::GET, "/api/v2/users/me", WHO)
                .query("expand", "authorization,organization"),
            &rep,
        )
        .await?;
    let me: UserMe = parse(&me.body, "your user")?;

    let mut facts = AccessFacts {
        permissions: me.authorization.map(|a| a.permissions).unwrap_or_default(),
        ..AccessFacts::default()
    };
    for page in 1..=MAX_PAGES {
        let body = http
            .send(
                &ApiRequest::new(
                    Method::GET,
                    "/api/v2/authorization/divisionspermitted/paged/me",
                    DIVISIONS,
                )
                .query("permission", DETAILS_PERMISSION)
                .query("pageSize", "100")
                .query("pageNumber", page.to_string()),
                &rep,
            )
            .await?;
        let p: Permitted = parse(&body.body, "your divisions")?;
        facts.all_divisions_permitted |= p.all_divs_permitted.unwrap_or(false);
        facts
            .permitted_divisions
            .extend(p.entities.into_iter().filter_map(|d| d.name));
        if p.page_count.is_none_or(|c| page >= c) {
            break;
        }
    }
    if !facts.all_divisions_permitted && !facts.permitted_divisions.is_empty() {
        // Every division (up to the listings' safety stop), not a picker's first page.
        facts.all_divisions = lookup::read_all(http, EntityKind::Division, &[])
            .await?
            .into_iter()
            .map(|d| d.name)
            .collect();
    }
    let access = access_from(&facts);
    Ok(WhoAmI {
        name: me
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "(no name)".into()),
        email: me.email.or(me.username).filter(|e| !e.trim().is_empty()),
        organization: me.organization.and_then(|o| o.name),
        notice: describe_access(&access),
        access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn the_rule_table() {
        let all = s(&["Home", "Sales", "EMEA"]);
        let d = DETAILS_PERMISSION;
        let a = AGENT_DETAILS_PERMISSION;
        let cases: Vec<(&str, AccessFacts, Access)> = vec![
            (
                "all divisions permitted",
                AccessFacts {
                    permissions: s(&[d]),
                    all_divisions_permitted: true,
                    ..Default::default()
                },
                Access::Full,
            ),
            (
                "every division listed",
                AccessFacts {
                    permissions: s(&[d]),
                    permitted_divisions: all.clone(),
                    all_divisions: all.clone(),
                    ..Default::default()
                },
                Access::Full,
            ),
            (
                "two of three",
                AccessFacts {
                    permissions: s(&[d]),
                    permitted_divisions: s(&["Sales", "EMEA"]),
                    all_divisions: all.clone(),
                    ..Default::default()
                },
                Access::Divisions(s(&["Sales", "EMEA"])),
            ),
            (
                "wildcard permission",
                AccessFacts {
                    permissions: s(&["analytics:*:*"]),
                    permitted_divisions: s(&["Sales"]),
                    all_divisions: all.clone(),
                    ..Default::default()
                },
                Access::Divisions(s(&["Sales"])),
            ),
            (
                "listed divisions without the flat permission",
                AccessFacts {
                    permitted_divisions: s(&["Sales"]),
                    all_divisions: vec![],
                    ..Default::default()
                },
                Access::Divisions(s(&["Sales"])),
            ),
            (
                "held in no division",
                AccessFacts {
                    permissions: s(&[d]),
                    ..Default::default()
                },
                Access::None,
            ),
            (
                "agent permission only",
                AccessFacts {
                    permissions: s(&[a, "routing:queue:view"]),
                    ..Default::default()
                },
                Access::OwnConversations,
            ),
            (
                "both: the supervisor one wins",
                AccessFacts {
                    permissions: s(&[a, d]),
                    all_divisions_permitted: true,
                    ..Default::default()
                },
                Access::Full,
            ),
            (
                "neither",
                AccessFacts {
                    permissions: s(&["routing:queue:view", "analytics:conversationAggregate:view"]),
                    ..Default::default()
                },
                Access::None,
            ),
        ];
        for (name, facts, want) in cases {
            assert_eq!(access_from(&facts), want, "{name}");
        }
    }

    #[test]
    fn plain_words_table() {
        let cases: Vec<(Access, AccessLevel, &str, Option<&str>)> = vec![
            (
                Access::Full,
                AccessLevel::Full,
                "You can export conversations from all divisions.",
                None,
            ),
            (
                Access::Divisions(s(&["Sales", "EMEA"])),
                AccessLevel::Partial,
                "You will only see conversations in the divisions Sales and EMEA.",
                None,
            ),
            (
                Access::Divisions(s(&["Sales"])),
                AccessLevel::Partial,
                "You will only see conversations in the division Sales.",
                None,
            ),
            (
                Access::Divisions(s(&["Home", "Sales, EMEA", "Support"])),
                AccessLevel::Partial,
                "You will only see conversations in the divisions \u{201c}Home\u{201d}, \u{201c}Sales, EMEA\u{201d} and \u{201c}Support\u{201d}.",
                None,
            ),
            (
                Access::OwnConversations,
                AccessLevel::Partial,
                "You will only see conversations you took part in yourself",
                Some(DETAILS_PERMISSION),
            ),
            (
                Access::None,
                AccessLevel::Impossible,
                "You cannot export conversations: your Genesys Cloud account lacks the permission analytics:conversationDetail:view. Ask your Genesys Cloud admin for a role with the permission analytics:conversationDetail:view",
                Some(DETAILS_PERMISSION),
            ),
        ];
        for (access, level, starts, missing) in cases {
            let n = describe_access(&access);
            assert_eq!(n.level, level, "{access:?}");
            assert!(n.message.starts_with(starts), "{access:?}: {}", n.message);
            assert_eq!(n.missing_permission.as_deref(), missing, "{access:?}");
        }
    }

    #[test]
    fn permission_wildcards() {
        let d = DETAILS_PERMISSION;
        for (held, want) in [
            ("analytics:conversationDetail:view", true),
            ("Analytics:ConversationDetail:View", true),
            ("analytics:*:*", true),
            ("analytics:conversationDetail:*", true),
            ("*", true),
            ("analytics:conversationDetail:view:div-1,div-2", true),
            ("analytics:agentConversationDetail:view", false),
            ("analytics:conversationDetail", false),
            ("routing:*:*", false),
        ] {
            assert_eq!(grants(held, d), want, "{held}");
        }
    }
}
