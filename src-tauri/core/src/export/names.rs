//! Names instead of GUIDs: queues, users (agents), wrap-up codes, divisions.
//!
//! The export asks a [`NameSource`] in bulk, once per batch of conversations,
//! only for ids it has not seen yet in this export ([`NameCache`]). Unknown ids
//! (deleted entities the lookup does not return) fall back to the id itself.
//!
//! Only entity ids (UUIDs) are ever looked up. Real records also carry wrap-up
//! codes that are not entities: `ININ-WRAP-UP-TIMEOUT`, which "Genesys Cloud
//! assigns" when an agent does not choose a code before after-call work times
//! out (Resource Center, help.mypurecloud.com/articles/configure-call-work-settings/),
//! and the `ININ-OUTBOUND-*` codes outbound dialing assigns (Resource Center,
//! help.mypurecloud.com/articles/wrap-up-codes-assigned-by-outbound-dialing/).
//! `/api/v2/routing/wrapupcodes` does not list them, so sending one as `id=`
//! could fail the whole chunk; they are shown with the labels of
//! [`SYSTEM_WRAP_UP_CODES`] (any other such code as itself).
use std::collections::{HashMap, HashSet};

use futures::future::BoxFuture;

pub use crate::genesys::lookup::{is_entity_id, EntityKind};
use crate::genesys::model::Conversation;
use crate::genesys::Client;
use crate::{ErrorKind, Result};

/// Resolves ids to names in bulk.
///
/// The Genesys client implements this with the listing endpoints
/// (`GET /api/v2/users?id=..&id=..&state=any`, ...). The result maps each id
/// it knows to its name; ids it does not know are simply absent.
/// The export passes at most [`MAX_IDS_PER_LOOKUP`] ids per call.
pub trait NameSource: Send + Sync {
    fn lookup<'a>(
        &'a self,
        kind: EntityKind,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<HashMap<String, String>>>;
}

/// The most ids the export puts in one [`NameSource::lookup`] call.
pub const MAX_IDS_PER_LOOKUP: usize = 100;

/// The export asks the Genesys client for names in bulk (see [`Client::lookup_names`]).
impl NameSource for Client {
    fn lookup<'a>(
        &'a self,
        kind: EntityKind,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<HashMap<String, String>>> {
        Box::pin(self.lookup_names(kind, ids))
    }
}

/// Wrap-up codes Genesys Cloud itself assigns, with a label for people.
///
/// Sources: `ININ-WRAP-UP-TIMEOUT`: help.mypurecloud.com/articles/configure-call-work-settings/
/// ("If agents do not assign a wrap-up code before the expiry of the specified time,
/// Genesys Cloud assigns the default ININ-WRAP-UP-TIMEOUT wrap up code"); the
/// outbound codes marked (RC) are listed with their reasons in
/// help.mypurecloud.com/articles/wrap-up-codes-assigned-by-outbound-dialing/; the
/// others are the codes seen in exports of real organizations published in public
/// repositories (labels read from the code's name). A code not listed here is
/// shown as itself.
pub const SYSTEM_WRAP_UP_CODES: &[(&str, &str)] = &[
    ("ININ-WRAP-UP-TIMEOUT", "Wrap-up timed out"),
    ("ININ-WRAP-UP-SKIPPED", "Wrap-up skipped"),
    ("ININ-WRAP-UP-DELETED", "Wrap-up code deleted"),
    // (RC) outbound dialing, with the reasons Genesys documents.
    (
        "ININ-OUTBOUND-PREVIEW-ERROR-PHONE-NUMBER",
        "Outbound: preview not dialled, invalid phone number",
    ),
    (
        "ININ-OUTBOUND-PREVIEW-SKIPPED",
        "Outbound: preview skipped by the agent",
    ),
    (
        "ININ-OUTBOUND-INVALID-PHONE-NUMBER",
        "Outbound: invalid phone number",
    ),
    (
        "ININ-OUTBOUND-ON-DO-NOT-CALL-LIST",
        "Outbound: number on a do-not-contact list",
    ),
    (
        "ININ-OUTBOUND-DNC-AUTHENTICATION-FAILED",
        "Outbound: do-not-contact list could not be checked",
    ),
    (
        "ININ-OUTBOUND-DNC-SKIPPED",
        "Outbound: skipped, number on a do-not-contact list",
    ),
    (
        "ININ-OUTBOUND-SIT-UNCALLABLE",
        "Outbound: network tone, number marked uncallable",
    ),
    // Outbound dialing, seen in real exports.
    (
        "ININ-OUTBOUND-SIT-CALLABLE",
        "Outbound: network tone, number still callable",
    ),
    ("ININ-OUTBOUND-NO-ANSWER", "Outbound: no answer"),
    ("ININ-OUTBOUND-BUSY", "Outbound: busy"),
    ("ININ-OUTBOUND-MACHINE", "Outbound: answering machine"),
    ("ININ-OUTBOUND-FAX", "Outbound: fax machine"),
    ("ININ-OUTBOUND-LIVE-VOICE", "Outbound: live voice"),
    ("ININ-OUTBOUND-DISCONNECT", "Outbound: disconnected"),
    ("ININ-OUTBOUND-AMBIGUOUS", "Outbound: result unclear"),
    (
        "ININ-OUTBOUND-CAMPAIGN-FORCED-OFF",
        "Outbound: campaign stopped",
    ),
    (
        "ININ-OUTBOUND-CAMPAIGN-RECYCLE-CANCELLED-RECALL",
        "Outbound: recall cancelled by a campaign recycle",
    ),
    (
        "ININ-OUTBOUND-FAILED-TO-REACH-AGENT",
        "Outbound: no agent reached",
    ),
    (
        "ININ-OUTBOUND-FAILED-TO-REACH-FLOW",
        "Outbound: flow not reached",
    ),
    (
        "ININ-OUTBOUND-TRANSFERRED-TO-QUEUE",
        "Outbound: transferred to a queue",
    ),
    (
        "ININ-OUTBOUND-TRANSFERRED-TO-FLOW",
        "Outbound: transferred to a flow",
    ),
    (
        "ININ-OUTBOUND-NUMBER-COULD-NOT-BE-DIALED",
        "Outbound: number could not be dialled",
    ),
    (
        "ININ-OUTBOUND-CONTACT-ATTEMPT-LIMIT-SKIPPED",
        "Outbound: skipped, contact attempt limit reached",
    ),
    (
        "ININ-OUTBOUND-NUMBER-ATTEMPT-LIMIT-SKIPPED",
        "Outbound: skipped, number attempt limit reached",
    ),
    (
        "ININ-OUTBOUND-NO-CALLABLE-NUMBERS-SKIPPED",
        "Outbound: skipped, no callable numbers",
    ),
    (
        "ININ-OUTBOUND-NUMBER-UNCALLABLE-SKIPPED",
        "Outbound: skipped, number uncallable",
    ),
    (
        "ININ-OUTBOUND-CONTACT-UNCALLABLE-SKIPPED",
        "Outbound: skipped, contact uncallable",
    ),
    (
        "ININ-OUTBOUND-ZONE-BLOCKED-SKIPPED",
        "Outbound: skipped, time zone blocked",
    ),
    (
        "ININ-OUTBOUND-INTERNAL-ERROR-SKIPPED",
        "Outbound: skipped, system error",
    ),
    (
        "ININ-OUTBOUND-EXTERNALLY-THROTTLED",
        "Outbound: throttled by the carrier",
    ),
];

/// The label of a system wrap-up code (letter case and `_`/`-` ignored).
pub fn system_wrap_up_label(code: &str) -> Option<&'static str> {
    if code.len() < 5 || !code[..5].eq_ignore_ascii_case("ININ-") {
        return None;
    }
    let same = |known: &str| {
        known.len() == code.len()
            && known
                .bytes()
                .zip(code.bytes())
                .all(|(k, c)| k == c.to_ascii_uppercase() || (k == b'-' && c == b'_'))
    };
    SYSTEM_WRAP_UP_CODES
        .iter()
        .find(|(known, _)| same(known))
        .map(|(_, label)| *label)
}

/// Names looked up during one export. Ids a lookup did not return are
/// remembered as unknown so they are not asked for again.
#[derive(Debug, Default)]
pub struct NameCache {
    known: HashMap<EntityKind, HashMap<String, Option<String>>>,
    /// Kinds whose lookup failed; shown as ids for the rest of the export.
    failed: HashSet<EntityKind>,
    /// Plain-language warnings for the summary.
    pub warnings: Vec<String>,
}

impl NameCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The name for an id, the label of a system wrap-up code, or the id itself when unknown.
    pub fn name<'a>(&'a self, kind: EntityKind, id: &'a str) -> &'a str {
        match self.known.get(&kind).and_then(|m| m.get(id)) {
            Some(Some(name)) => name,
            _ if kind == EntityKind::WrapUpCode => system_wrap_up_label(id).unwrap_or(id),
            _ => id,
        }
    }

    /// Ask the source for the ids of `kinds` in `conversations` that are not cached yet.
    /// The kinds are looked up at the same time (one round trip of latency,
    /// not one per kind); the chunks of one kind one after the other.
    ///
    /// A failing lookup is not fatal: the export continues with ids for that
    /// kind and the summary says why. Cancellation is passed on.
    pub async fn resolve(
        &mut self,
        source: &dyn NameSource,
        kinds: &[EntityKind],
        conversations: &[Conversation],
    ) -> Result<()> {
        let mut wanted: Vec<(EntityKind, Vec<String>)> = Vec::new();
        for &kind in kinds {
            if self.failed.contains(&kind) {
                continue;
            }
            let cached = self.known.entry(kind).or_default();
            let mut missing: Vec<String> = Vec::new();
            let mut seen: HashSet<&str> = HashSet::new();
            for conversation in conversations {
                for_each_id(conversation, kind, |id| {
                    if cached.contains_key(id) {
                        return;
                    }
                    if !is_entity_id(id) {
                        // Not an entity (e.g. ININ-WRAP-UP-TIMEOUT): never sent.
                        cached.insert(id.to_string(), None);
                    } else if seen.insert(id) {
                        missing.push(id.to_string());
                    }
                });
            }
            if !missing.is_empty() {
                wanted.push((kind, missing));
            }
        }
        // Per kind: the names found, how many of `missing` were answered
        // (whole chunks, in order), and the error that stopped it, if any.
        let answers = futures::future::join_all(wanted.iter().map(|(kind, missing)| async move {
            let mut found = HashMap::new();
            let mut answered = 0;
            for chunk in missing.chunks(MAX_IDS_PER_LOOKUP) {
                match source.lookup(*kind, chunk).await {
                    Ok(names) => {
                        found.extend(names);
                        answered += chunk.len();
                    }
                    Err(e) => return (found, answered, Some(e)),
                }
            }
            (found, answered, None)
        }))
        .await;
        for ((kind, missing), (mut found, answered, error)) in wanted.into_iter().zip(answers) {
            if let Some(e) = error.as_ref().filter(|e| e.kind == ErrorKind::Cancelled) {
                return Err(e.clone());
            }
            // What was answered before a failure is kept.
            let cached = self.known.entry(kind).or_default();
            for id in missing.into_iter().take(answered) {
                let name = found.remove(&id).filter(|n| !n.trim().is_empty());
                cached.insert(id, name);
            }
            if let Some(e) = error {
                self.failed.insert(kind);
                self.warnings.push(format!(
                    "The {} names could not be looked up, so their ids are shown instead ({}).",
                    kind.plural(),
                    e.message.trim_end_matches('.')
                ));
            }
        }
        Ok(())
    }
}

/// Calls `f` with every id of `kind` a conversation refers to.
pub fn for_each_id<'c>(
    conversation: &'c Conversation,
    kind: EntityKind,
    mut f: impl FnMut(&'c str),
) {
    match kind {
        EntityKind::Division => conversation.division_ids.iter().for_each(|d| f(d)),
        EntityKind::User => {
            for p in &conversation.participants {
                if let Some(u) = &p.user_id {
                    f(u);
                }
            }
        }
        EntityKind::Queue | EntityKind::WrapUpCode => {
            for p in &conversation.participants {
                for s in &p.sessions {
                    for seg in &s.segments {
                        let id = if kind == EntityKind::Queue {
                            &seg.queue_id
                        } else {
                            &seg.wrap_up_code
                        };
                        if let Some(id) = id {
                            f(id);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers the first user lookup, fails the second.
    struct SecondUserChunkFails(AtomicUsize);

    impl NameSource for SecondUserChunkFails {
        fn lookup<'a>(
            &'a self,
            kind: EntityKind,
            ids: &'a [String],
        ) -> BoxFuture<'a, Result<HashMap<String, String>>> {
            Box::pin(async move {
                if kind == EntityKind::User && self.0.fetch_add(1, Ordering::SeqCst) == 1 {
                    return Err(crate::Error::new(
                        ErrorKind::Server,
                        "Genesys had a hiccup.",
                    ));
                }
                Ok(ids
                    .iter()
                    .map(|id| (id.clone(), format!("Agent {id}")))
                    .collect())
            })
        }
    }

    fn conversation(user: &str) -> Conversation {
        serde_json::from_value(serde_json::json!({
            "conversationId": format!("c-{user}"),
            "conversationStart": "2026-03-01T10:00:00Z",
            "participants": [{"purpose": "agent", "userId": user}]
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn names_found_before_a_failed_chunk_are_kept() {
        let n = MAX_IDS_PER_LOOKUP + 20;
        let id = |i: usize| format!("00000000-0000-4000-8000-{i:012}");
        let convs: Vec<Conversation> = (0..n).map(|i| conversation(&id(i))).collect();
        let mut cache = NameCache::new();
        let source = SecondUserChunkFails(AtomicUsize::new(0));
        cache
            .resolve(&source, &[EntityKind::User], &convs)
            .await
            .unwrap();
        // The first chunk's names are used; the failed chunk's ids are shown as ids.
        assert_eq!(
            cache.name(EntityKind::User, &id(0)),
            format!("Agent {}", id(0))
        );
        let last_answered = id(MAX_IDS_PER_LOOKUP - 1);
        assert_eq!(
            cache.name(EntityKind::User, &last_answered),
            format!("Agent {last_answered}")
        );
        let first_failed = id(MAX_IDS_PER_LOOKUP);
        assert_eq!(cache.name(EntityKind::User, &first_failed), first_failed);
        assert_eq!(cache.warnings.len(), 1, "{:?}", cache.warnings);
        assert!(cache.warnings[0].contains("Genesys had a hiccup"));
    }

    /// Like Genesys (and the emulator), refuses a whole request when one id is
    /// not an entity id; names every entity it is asked for.
    struct RefusesNonUuids;

    impl NameSource for RefusesNonUuids {
        fn lookup<'a>(
            &'a self,
            _kind: EntityKind,
            ids: &'a [String],
        ) -> BoxFuture<'a, Result<HashMap<String, String>>> {
            Box::pin(async move {
                if let Some(bad) = ids.iter().find(|id| !is_entity_id(id)) {
                    return Err(crate::Error::new(
                        ErrorKind::BadRequest,
                        format!("Genesys Cloud rejected the request: invalid id {bad}."),
                    ));
                }
                Ok(ids
                    .iter()
                    .map(|id| (id.clone(), format!("Code {}", &id[..8])))
                    .collect())
            })
        }
    }

    #[tokio::test]
    async fn system_wrap_up_codes_are_labelled_and_never_looked_up() {
        let code = "1c5a0a52-7e3a-4c1b-9f57-0b0d7c1e2a11";
        let conv: Conversation = serde_json::from_value(serde_json::json!({
            "conversationId": "c-1",
            "conversationStart": "2026-03-01T10:00:00Z",
            "participants": [{"purpose": "agent", "userId": "u", "sessions": [{"segments": [
                {"segmentType": "wrapup", "wrapUpCode": "ININ-WRAP-UP-TIMEOUT"},
                {"segmentType": "wrapup", "wrapUpCode": code},
                {"segmentType": "wrapup", "wrapUpCode": "inin-outbound-number_could_not_be_dialed"},
                {"segmentType": "wrapup", "wrapUpCode": "ININ-OUTBOUND-SOMETHING-NEW"}
            ]}]}]
        }))
        .unwrap();
        let mut cache = NameCache::new();
        cache
            .resolve(&RefusesNonUuids, &[EntityKind::WrapUpCode], &[conv])
            .await
            .unwrap();
        assert!(cache.warnings.is_empty(), "{:?}", cache.warnings);
        assert_eq!(cache.name(EntityKind::WrapUpCode, code), "Code 1c5a0a52");
        assert_eq!(
            cache.name(EntityKind::WrapUpCode, "ININ-WRAP-UP-TIMEOUT"),
            "Wrap-up timed out"
        );
        assert_eq!(
            cache.name(
                EntityKind::WrapUpCode,
                "inin-outbound-number_could_not_be_dialed"
            ),
            "Outbound: number could not be dialled"
        );
        // A system code we do not know is shown as itself, not as a failure.
        assert_eq!(
            cache.name(EntityKind::WrapUpCode, "ININ-OUTBOUND-SOMETHING-NEW"),
            "ININ-OUTBOUND-SOMETHING-NEW"
        );
        // Only wrap-up codes get labels.
        assert_eq!(
            cache.name(EntityKind::Queue, "ININ-WRAP-UP-TIMEOUT"),
            "ININ-WRAP-UP-TIMEOUT"
        );
    }
}
