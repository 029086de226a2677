//! Who a request is, and what that person may see: the emulated sign-in user
//! (authorization code + PKCE) and the division scoping of their results.
//!
//! Genesys Cloud grants a role *in divisions*; a user whose role with
//! `analytics:conversationDetail:view` covers division X sees only
//! conversations in X (`divisionIds`), in the sync query and in async jobs;
//! lookups of division-aware objects (queues, wrap-up codes) show only those
//! divisions. `analytics:agentConversationDetail:view` alone is taken to mean
//! "only conversations I took part in" (see `docs/sign-in.md`: not verified).
//! A client-credentials token is not a person: it sees everything its
//! (emulated) role allows, which is everything.
use std::collections::HashSet;

use crate::dataset::Dataset;

/// The permission a supervisor's export needs.
pub const DETAILS: &str = "analytics:conversationDetail:view";
/// The agent's own-conversations permission.
pub const AGENT_DETAILS: &str = "analytics:agentConversationDetail:view";

/// The person who signs in through `/oauth/authorize`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Permission strings, as `authorization.permissions` lists them
    /// (`domain:entity:action`, `*` allowed per part).
    pub permissions: Vec<String>,
    /// Names (or ids) of the divisions the user's roles are granted in;
    /// `None` = all divisions.
    pub divisions: Option<Vec<String>>,
}

impl SimUser {
    /// The demo organization's sign-in user: a supervisor whose role covers
    /// two of the three divisions, so the app's "partial" notice shows.
    pub fn demo() -> SimUser {
        SimUser {
            id: "5b1e7f3a-2c4d-4e8f-9a0b-1c2d3e4f5a6b".into(),
            name: "Sam Rivera".into(),
            email: "sam.rivera@example.com".into(),
            permissions: vec![
                DETAILS.into(),
                "routing:queue:view".into(),
                "routing:wrapupCode:view".into(),
            ],
            divisions: Some(vec!["Home".into(), "Sales, EMEA".into()]),
        }
    }

    /// True when one of the user's permission strings grants `wanted`
    /// (`*` matches any part; extra parts after the third are ignored).
    pub fn has(&self, wanted: &str) -> bool {
        self.permissions.iter().any(|p| grants(p, wanted))
    }
}

/// Does permission string `held` grant `wanted`?
pub fn grants(held: &str, wanted: &str) -> bool {
    let held: Vec<&str> = held.split(':').collect();
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

/// What a signed-in user's analytics results are limited to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Division ids the conversation must be in; `None` = any division.
    pub divisions: Option<HashSet<String>>,
    /// Only conversations this user took part in (agent permission only).
    pub own_user: Option<String>,
}

impl Scope {
    /// Everything (a client-credentials token).
    pub fn all() -> Scope {
        Scope {
            divisions: None,
            own_user: None,
        }
    }

    /// True when nothing limits it.
    pub fn is_all(&self) -> bool {
        self.divisions.is_none() && self.own_user.is_none()
    }

    /// Is conversation `index` visible?
    pub fn sees(&self, ds: &Dataset, index: u64) -> bool {
        if let Some(d) = &self.divisions {
            if !d.contains(ds.division_of(index)) {
                return false;
            }
        }
        match &self.own_user {
            Some(u) => ds.participant_user_ids(index).iter().any(|id| id == u),
            None => true,
        }
    }

    /// Is an object of division `division` visible in lookups?
    pub fn sees_division(&self, division: &str) -> bool {
        self.divisions.as_ref().is_none_or(|d| d.contains(division))
    }

    /// A stable text for cache keys.
    pub fn key(&self) -> String {
        let mut d: Vec<&String> = self.divisions.iter().flatten().collect();
        d.sort();
        format!("{d:?}|{:?}", self.own_user)
    }
}

/// Division ids for names or ids; `Err` names the first unknown one.
pub fn division_ids(ds: &Dataset, names: &[String]) -> Result<HashSet<String>, String> {
    names
        .iter()
        .map(|n| {
            ds.division_entities()
                .iter()
                .find(|d| d.id == *n || d.name.eq_ignore_ascii_case(n.trim()))
                .map(|d| d.id.clone())
                .ok_or_else(|| {
                    let known: Vec<&str> = ds
                        .division_entities()
                        .iter()
                        .map(|d| d.name.as_str())
                        .collect();
                    format!("no division named \"{n}\" (the divisions are {known:?})")
                })
        })
        .collect()
}

/// The scope of `user`'s analytics results, or `None` when the user may not
/// read conversation details at all (Genesys answers 403).
pub fn user_scope(ds: &Dataset, user: &SimUser) -> Result<Option<Scope>, String> {
    let divisions = match &user.divisions {
        None => None,
        Some(names) => Some(division_ids(ds, names)?),
    };
    Ok(if user.has(DETAILS) {
        Some(Scope {
            divisions,
            own_user: None,
        })
    } else if user.has(AGENT_DETAILS) {
        Some(Scope {
            divisions,
            own_user: Some(user.id.clone()),
        })
    } else {
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_wildcards() {
        let cases = [
            ("analytics:conversationDetail:view", DETAILS, true),
            ("analytics:*:*", DETAILS, true),
            ("analytics:conversationDetail:*", DETAILS, true),
            ("*", DETAILS, true),
            ("analytics:conversationDetail:view:div-1", DETAILS, true),
            ("analytics:agentConversationDetail:view", DETAILS, false),
            ("analytics:conversationAggregate:view", DETAILS, false),
            ("routing:*:*", DETAILS, false),
            ("analytics", DETAILS, false),
        ];
        for (held, wanted, want) in cases {
            assert_eq!(grants(held, wanted), want, "{held} grants {wanted}?");
        }
    }
}
