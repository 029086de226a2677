//! Queues named the way people type them (the CLI's `--queue`): names
//! (case-insensitive) or ids, looked up in the org.
use genesys_core::genesys::{Client, Entity, EntityKind};
use genesys_core::{Error, Result};

fn looks_like_id(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// Queue names or ids → ids, against the org's queues.
pub async fn resolve_queues(client: &Client, wanted: &[String]) -> Result<Vec<String>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    // Each name is searched: a search reads up to `SEARCH_LIMIT` queues, while
    // an unfiltered list stops at the picker's `PICKER_LIMIT` (issue #13.12).
    let mut all: Vec<Entity> = Vec::new();
    let mut stopped_at = None;
    for w in wanted.iter().filter(|w| !looks_like_id(w)) {
        let found = client.list_entities(EntityKind::Queue, Some(w)).await?;
        if found.truncated {
            stopped_at = Some(found.limit);
        }
        for e in found.entities {
            if !all.iter().any(|a| a.id == e.id) {
                all.push(e);
            }
        }
    }
    match_queues(&all, wanted).map_err(|mut e| {
        if let Some(limit) = stopped_at {
            e.message
                .push_str(&format!(" (Only the first {limit} queues were searched.)"));
        }
        e
    })
}

/// The rule: an exact id, else a name (any case), else anything shaped like
/// an id as is; an unknown name is an error suggesting similar names.
pub fn match_queues(all: &[Entity], wanted: &[String]) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for w in wanted {
        let found = all
            .iter()
            .find(|q| q.id == *w)
            .or_else(|| all.iter().find(|q| q.name.eq_ignore_ascii_case(w)));
        match found {
            Some(q) => ids.push(q.id.clone()),
            None if looks_like_id(w) => ids.push(w.clone()),
            None => {
                let lower = w.to_lowercase();
                let similar: Vec<&str> = all
                    .iter()
                    .filter(|q| q.name.to_lowercase().contains(&lower))
                    .map(|q| q.name.as_str())
                    .take(5)
                    .collect();
                let hint = if similar.is_empty() {
                    "Check the spelling, or give the queue's id.".to_string()
                } else {
                    format!("Did you mean: {}?", similar.join(", "))
                };
                return Err(Error::invalid(
                    "queue",
                    format!("There is no queue named \"{w}\". {hint}"),
                ));
            }
        }
    }
    ids.dedup();
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, name: &str) -> Entity {
        Entity {
            id: id.into(),
            name: name.into(),
        }
    }

    #[test]
    fn names_and_ids_become_ids() {
        let id = "3f1c2b7a-0d2e-4b8e-9c1a-22aa55bb0001";
        let all = [
            q("q-1", "Sales"),
            q("q-2", "Sales Outbound"),
            q("q-3", "Support"),
        ];
        type Case<'a> = (&'a [&'a str], Result<Vec<&'a str>, &'a str>);
        let cases: &[Case] = &[
            (&["sales"], Ok(vec!["q-1"])),
            (&["q-3", "SUPPORT"], Ok(vec!["q-3"])),
            (&[id], Ok(vec![id])),
            (&["Sal"], Err("Did you mean: Sales, Sales Outbound?")),
            (&["Billing"], Err("Check the spelling")),
        ];
        for (wanted, expected) in cases {
            let wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
            let got = match_queues(&all, &wanted);
            match expected {
                Ok(ids) => assert_eq!(got.unwrap(), *ids, "{wanted:?}"),
                Err(part) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.field.as_deref(), Some("queue"));
                    assert!(e.message.contains(part), "{wanted:?}: {}", e.message);
                }
            }
        }
    }
}
