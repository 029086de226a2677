//! The column catalogue: stable ids, plain-English headers, one-sentence
//! definitions, the grains each column applies to and the defaults per grain.
//!
//! Column ids are stored in profiles and typed on the command line, so they
//! never change. Headers and definitions may be reworded; `docs/columns.md`
//! is generated from this table (see [`markdown`]) and a test keeps it in sync.
//!
//! Metric columns sum the session `metrics[]` Genesys computed (`tHandle`,
//! `tTalkComplete`, ...) over the row's scope; they are never recomputed from
//! segment timestamps.
use serde::Serialize;

use super::names::EntityKind;
use super::options::Grain;
use crate::{Error, Result};

/// Every column the export knows. The order here is the catalogue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnId {
    ConversationId,
    Start,
    End,
    Duration,
    Direction,
    InProgress,
    MediaType,
    Queues,
    QueueIds,
    Agents,
    AgentIds,
    WrapUp,
    WrapUpIds,
    WrapUpNote,
    HandleTime,
    TalkTime,
    HoldTime,
    Holds,
    AcwTime,
    TimeToAnswer,
    AlertTime,
    QueueTime,
    Abandoned,
    Transfers,
    Ani,
    Dnis,
    DisconnectType,
    Division,
    DivisionIds,
    ExternalTag,
    ParticipantId,
    Purpose,
    ParticipantName,
    User,
    UserId,
    SessionId,
    SessionDirection,
    SegmentType,
    SegmentStart,
    SegmentEnd,
    SegmentDuration,
}

/// What kind of value a column holds (how CSV and XLSX render it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    Text,
    Number,
    DateTime,
    Duration,
    Bool,
}

/// A column as the UI and CLI see it for one grain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnInfo {
    /// Stable id, stored in profiles (e.g. `handle_time`).
    pub id: String,
    /// Plain-English header written in the file (e.g. `Handle time`).
    pub header: String,
    /// One sentence saying exactly what the value is.
    pub definition: String,
    /// Part of the default column set for this grain.
    pub default: bool,
    /// Text, number, date-time, duration or yes/no.
    pub kind: ValueKind,
}

const ALL: &[Grain] = &[
    Grain::Conversation,
    Grain::Participant,
    Grain::Session,
    Grain::Segment,
];
const NOT_SEGMENT: &[Grain] = &[Grain::Conversation, Grain::Participant, Grain::Session];
const FROM_PARTICIPANT: &[Grain] = &[Grain::Participant, Grain::Session, Grain::Segment];
const FROM_SESSION: &[Grain] = &[Grain::Session, Grain::Segment];
const SEGMENT: &[Grain] = &[Grain::Segment];
const NONE: &[Grain] = &[];

/// One catalogue entry.
#[derive(Debug)]
pub struct ColumnDef {
    pub id: ColumnId,
    /// Stable id string.
    pub key: &'static str,
    pub header: &'static str,
    pub definition: &'static str,
    pub kind: ValueKind,
    /// Grains this column applies to.
    pub grains: &'static [Grain],
    /// Grains where this column is in the default set.
    pub defaults: &'static [Grain],
    /// For name columns: which entity the ids name, and the matching id column.
    pub names: Option<(EntityKind, ColumnId)>,
}

macro_rules! col {
    ($id:ident, $key:literal, $header:literal, $kind:ident, $grains:expr, $defaults:expr, $def:literal) => {
        ColumnDef {
            id: ColumnId::$id,
            key: $key,
            header: $header,
            definition: $def,
            kind: ValueKind::$kind,
            grains: $grains,
            defaults: $defaults,
            names: None,
        }
    };
    ($id:ident, $key:literal, $header:literal, $kind:ident, $grains:expr, $defaults:expr, $def:literal, names($ek:ident, $idcol:ident)) => {
        ColumnDef {
            id: ColumnId::$id,
            key: $key,
            header: $header,
            definition: $def,
            kind: ValueKind::$kind,
            grains: $grains,
            defaults: $defaults,
            names: Some((EntityKind::$ek, ColumnId::$idcol)),
        }
    };
}

/// Grains where a column is a default: conversation (C), participant (P), session (S), segment (G).
const C: &[Grain] = &[Grain::Conversation];
const CPS: &[Grain] = &[Grain::Conversation, Grain::Participant, Grain::Session];
const CPSG: &[Grain] = ALL;
const PSG: &[Grain] = FROM_PARTICIPANT;
const CP: &[Grain] = &[Grain::Conversation, Grain::Participant];
const SG: &[Grain] = FROM_SESSION;

/// The catalogue, in its default order.
pub static CATALOGUE: &[ColumnDef] = &[
    col!(ConversationId, "conversation_id", "Conversation ID", Text, ALL, CPSG,
        "The Genesys Cloud id of the conversation."),
    col!(Start, "start", "Start", DateTime, ALL, CPS,
        "When the conversation started, in the export's time zone."),
    col!(End, "end", "End", DateTime, ALL, C,
        "When the conversation ended, in the export's time zone; blank while it is still in progress."),
    col!(Duration, "duration", "Duration", Duration, ALL, C,
        "Time from the conversation's start to its end; blank while it is still in progress."),
    col!(Direction, "direction", "Direction", Text, ALL, C,
        "Whether the conversation was inbound or outbound when it began (originating direction); the Direction filter selects on this too. One of its sessions can differ (see Session direction)."),
    col!(InProgress, "in_progress", "In progress", Bool, ALL, NONE,
        "Yes when the conversation had not ended when the data was fetched."),
    col!(MediaType, "media_type", "Media type", Text, ALL, CPS,
        "The media (voice, chat, email, message, callback...) of the sessions in the row, distinct values joined with \"; \"."),
    col!(Queues, "queues", "Queue(s)", Text, ALL, CPSG,
        "Names of the queues the row's segments passed through, distinct, in order of appearance.",
        names(Queue, QueueIds)),
    col!(QueueIds, "queue_ids", "Queue ID(s)", Text, ALL, NONE,
        "Ids of the queues in Queue(s), in the same order."),
    col!(Agents, "agents", "Agent(s)", Text, ALL, C,
        "Names of the agents (agent participants' users) in the row, distinct, in order of appearance.",
        names(User, AgentIds)),
    col!(AgentIds, "agent_ids", "Agent ID(s)", Text, ALL, NONE,
        "User ids of the agents in Agent(s), in the same order."),
    col!(WrapUp, "wrap_up", "Wrap-up", Text, ALL, CPSG,
        "Names of the wrap-up codes in the row, distinct, in order of appearance; a code Genesys Cloud assigned itself is shown with its label (see System wrap-up codes below).",
        names(WrapUpCode, WrapUpIds)),
    col!(WrapUpIds, "wrap_up_ids", "Wrap-up ID(s)", Text, ALL, NONE,
        "Ids of the wrap-up codes in Wrap-up, in the same order; a system code as Genesys wrote it (e.g. ININ-WRAP-UP-TIMEOUT)."),
    col!(WrapUpNote, "wrap_up_note", "Wrap-up note", Text, ALL, CPSG,
        "The notes agents typed at wrap-up in the row, joined with \"; \"."),
    col!(HandleTime, "handle_time", "Handle time", Duration, NOT_SEGMENT, CPS,
        "Sum of the tHandle metric (talk + hold + after-call work) of the row's sessions; blank when Genesys reported none."),
    col!(TalkTime, "talk_time", "Talk time", Duration, NOT_SEGMENT, CPS,
        "Sum of the tTalkComplete metric (completed talk time) of the row's sessions; blank when Genesys reported none."),
    col!(HoldTime, "hold_time", "Hold time", Duration, NOT_SEGMENT, CPS,
        "Sum of the tHeldComplete metric (completed hold time) of the row's sessions; blank when Genesys reported none."),
    col!(Holds, "holds", "Holds", Number, NOT_SEGMENT, CPS,
        "How many times an agent put the other party on hold: the hold segments of the row's agent sessions (holds that also appear on the customer's session are not counted twice)."),
    col!(AcwTime, "acw_time", "After-call work", Duration, NOT_SEGMENT, CPS,
        "Sum of the tAcw metric (after-call work, wrap-up time) of the row's sessions; blank when Genesys reported none."),
    col!(TimeToAnswer, "time_to_answer", "Time to answer", Duration, NOT_SEGMENT, CPS,
        "Sum of the tAnswered metric (time in queue until an agent answered) of the row's sessions; blank when not answered."),
    col!(AlertTime, "alert_time", "Alert time", Duration, NOT_SEGMENT, NONE,
        "Sum of the tAlert metric (time an agent's phone or screen was ringing) of the row's sessions; blank when Genesys reported none."),
    col!(QueueTime, "queue_time", "Time in queue", Duration, NOT_SEGMENT, NONE,
        "Sum of the tAcd metric (time waiting in queue) of the row's sessions; blank when Genesys reported none."),
    col!(Abandoned, "abandoned", "Abandoned", Bool, NOT_SEGMENT, CPS,
        "Yes when a session in the row has a tAbandon metric (the customer hung up while waiting in queue)."),
    col!(Transfers, "transfers", "Transfers", Number, NOT_SEGMENT, CPS,
        "Sum of the nTransferred metric (blind and consult transfers) of the row's sessions."),
    col!(Ani, "ani", "ANI", Text, ALL, CP,
        "The calling number or address: the session's own, or for conversation and participant rows the first customer (else first) session that has one."),
    col!(Dnis, "dnis", "DNIS", Text, ALL, CP,
        "The number or address dialled: the session's own, or for conversation and participant rows the first customer (else first) session that has one."),
    col!(DisconnectType, "disconnect_type", "Disconnect type", Text, ALL, CPSG,
        "How the row ended (client, endpoint, peer, transfer...): the last segment with a disconnect type, for conversation rows the customer's."),
    col!(Division, "division", "Division", Text, ALL, C,
        "Names of the divisions the conversation belongs to, joined with \"; \".",
        names(Division, DivisionIds)),
    col!(DivisionIds, "division_ids", "Division ID(s)", Text, ALL, NONE,
        "Ids of the divisions in Division, in the same order."),
    col!(ExternalTag, "external_tag", "External tag", Text, ALL, NONE,
        "The external tag set on the conversation by an integration, if any."),
    col!(ParticipantId, "participant_id", "Participant ID", Text, FROM_PARTICIPANT, NONE,
        "The Genesys Cloud id of the participant."),
    col!(Purpose, "purpose", "Participant purpose", Text, FROM_PARTICIPANT, PSG,
        "The participant's role: customer, ivr, acd (queue), agent, external..."),
    col!(ParticipantName, "participant_name", "Participant name", Text, FROM_PARTICIPANT, PSG,
        "The participant's name as Genesys recorded it (a person, flow or queue name)."),
    col!(User, "user", "User", Text, FROM_PARTICIPANT, PSG,
        "Name of the Genesys Cloud user (agent) behind the participant, blank for customers, flows and queues.",
        names(User, UserId)),
    col!(UserId, "user_id", "User ID", Text, FROM_PARTICIPANT, NONE,
        "Id of the user in User."),
    col!(SessionId, "session_id", "Session ID", Text, FROM_SESSION, SG,
        "The Genesys Cloud id of the session."),
    col!(SessionDirection, "session_direction", "Session direction", Text, FROM_SESSION, NONE,
        "Whether this session was inbound or outbound for its participant; an inbound call an agent transferred to an outside number has an outbound session."),
    col!(SegmentType, "segment_type", "Segment type", Text, SEGMENT, SEGMENT,
        "What happened in the segment: alert, ivr, interact, hold, wrapup..."),
    col!(SegmentStart, "segment_start", "Segment start", DateTime, SEGMENT, SEGMENT,
        "When the segment started, in the export's time zone."),
    col!(SegmentEnd, "segment_end", "Segment end", DateTime, SEGMENT, SEGMENT,
        "When the segment ended, in the export's time zone; blank while it is still in progress."),
    col!(SegmentDuration, "segment_duration", "Segment duration", Duration, SEGMENT, SEGMENT,
        "Time from the segment's start to its end (the segment's own timestamps); blank while it is in progress."),
];

impl ColumnDef {
    /// Look a column up by its stable id.
    pub fn by_key(key: &str) -> Option<&'static ColumnDef> {
        CATALOGUE.iter().find(|c| c.key == key)
    }

    pub fn get(id: ColumnId) -> &'static ColumnDef {
        // Every ColumnId has exactly one entry (checked by a test).
        CATALOGUE
            .iter()
            .find(|c| c.id == id)
            .unwrap_or(&CATALOGUE[0])
    }

    pub fn applies_to(&self, grain: Grain) -> bool {
        self.grains.contains(&grain)
    }

    pub fn is_default(&self, grain: Grain) -> bool {
        self.defaults.contains(&grain)
    }
}

fn grain_name(grain: Grain) -> &'static str {
    match grain {
        Grain::Conversation => "conversation",
        Grain::Participant => "participant",
        Grain::Session => "session",
        Grain::Segment => "segment",
    }
}

/// The columns available at a grain, in catalogue order, with the defaults marked.
pub fn columns(grain: Grain) -> Vec<ColumnInfo> {
    CATALOGUE
        .iter()
        .filter(|c| c.applies_to(grain))
        .map(|c| ColumnInfo {
            id: c.key.to_string(),
            header: c.header.to_string(),
            definition: c.definition.to_string(),
            default: c.is_default(grain),
            kind: c.kind,
        })
        .collect()
}

/// The default column ids for a grain, in order.
pub fn default_columns(grain: Grain) -> Vec<&'static str> {
    CATALOGUE
        .iter()
        .filter(|c| c.applies_to(grain) && c.is_default(grain))
        .map(|c| c.key)
        .collect()
}

/// Resolve the user's column list (empty = defaults) to catalogue entries,
/// adding the id column after each name column when `include_ids` is set.
///
/// Unknown ids, ids that do not apply to the grain and duplicates are
/// `InvalidInput` on the field `columns`.
pub fn resolve(grain: Grain, ids: &[String], include_ids: bool) -> Result<Vec<&'static ColumnDef>> {
    let mut picked: Vec<&'static ColumnDef> = Vec::new();
    if ids.is_empty() {
        picked.extend(
            CATALOGUE
                .iter()
                .filter(|c| c.applies_to(grain) && c.is_default(grain)),
        );
    } else {
        for id in ids {
            let key = id.trim();
            let Some(def) = ColumnDef::by_key(key) else {
                return Err(Error::invalid(
                    "columns",
                    format!("\"{key}\" is not a known column. Choose columns from the list for this row type."),
                ));
            };
            if !def.applies_to(grain) {
                return Err(Error::invalid(
                    "columns",
                    format!(
                        "The column \"{}\" is not available with one row per {}.",
                        def.header,
                        grain_name(grain)
                    ),
                ));
            }
            if picked.iter().any(|p| p.id == def.id) {
                return Err(Error::invalid(
                    "columns",
                    format!("The column \"{}\" is listed twice.", def.header),
                ));
            }
            picked.push(def);
        }
    }
    if include_ids {
        let mut with_ids = Vec::with_capacity(picked.len() * 2);
        for def in &picked {
            with_ids.push(*def);
            if let Some((_, id_col)) = def.names {
                if !picked.iter().any(|p| p.id == id_col) {
                    with_ids.push(ColumnDef::get(id_col));
                }
            }
        }
        picked = with_ids;
    }
    Ok(picked)
}

/// The catalogue as a Markdown page (the content of `docs/columns.md`).
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str("# Export columns\n\n");
    out.push_str(
        "Generated from `src-tauri/core/src/export/columns.rs` (a test keeps this page in sync).\n\n\
         Each export has one row per conversation, participant, session or segment (the *grain*).\n\
         A row's *scope* is what it covers: the whole conversation, one participant with its sessions,\n\
         one session, or one segment. Names replace ids for queues, agents, wrap-up codes and divisions\n\
         (the id is shown when a name is unknown); the \"ID\" columns are added with *include ids*.\n\
         Metric columns add up the metrics Genesys Cloud computed for each session (`metrics[]`);\n\
         they are never recomputed from segment timestamps, so they match Genesys Cloud's own views.\n\
         Times are shown in the export's time zone (daylight saving time included) or UTC;\n\
         durations as whole seconds or h:mm:ss.\n\n",
    );
    out.push_str("Grains: C = conversation, P = participant, S = session, G = segment. ");
    out.push_str("Bold grain letters mark the default columns for that grain.\n\n");
    out.push_str("| Id | Header | Kind | Grains | Definition |\n|---|---|---|---|---|\n");
    for c in CATALOGUE {
        let grains: Vec<String> = ALL
            .iter()
            .filter(|g| c.applies_to(**g))
            .map(|g| {
                let letter = match g {
                    Grain::Conversation => "C",
                    Grain::Participant => "P",
                    Grain::Session => "S",
                    Grain::Segment => "G",
                };
                if c.is_default(*g) {
                    format!("**{letter}**")
                } else {
                    letter.to_string()
                }
            })
            .collect();
        let kind = match c.kind {
            ValueKind::Text => "text",
            ValueKind::Number => "number",
            ValueKind::DateTime => "date-time",
            ValueKind::Duration => "duration",
            ValueKind::Bool => "yes/no",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            c.key,
            c.header,
            kind,
            grains.join(" "),
            c.definition.replace('|', "\\|")
        ));
    }
    out.push_str(
        "\n## System wrap-up codes\n\n\
         Genesys Cloud assigns some wrap-up codes itself. They are not wrap-up code entities\n\
         (`/api/v2/routing/wrapupcodes` does not list them), so they are never looked up; *Wrap-up*\n\
         shows the label below and *Wrap-up ID(s)* the code. A code not in this list is shown as itself.\n\
         Sources: the Resource Center articles \"Configure after call work settings\"\n\
         (<https://help.mypurecloud.com/articles/configure-call-work-settings/>: *Genesys Cloud assigns the\n\
         default ININ-WRAP-UP-TIMEOUT wrap up code* when an agent does not pick one in time) and\n\
         \"Wrap-up codes assigned by outbound dialing\"\n\
         (<https://help.mypurecloud.com/articles/wrap-up-codes-assigned-by-outbound-dialing/>), and the codes\n\
         seen in real organizations' exports published in public repositories.\n\n\
         | Code | Shown as |\n|---|---|\n",
    );
    for (code, label) in super::names::SYSTEM_WRAP_UP_CODES {
        out.push_str(&format!("| `{code}` | {label} |\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_variant_is_catalogued() {
        for (i, a) in CATALOGUE.iter().enumerate() {
            for b in &CATALOGUE[i + 1..] {
                assert_ne!(a.key, b.key);
                assert_ne!(a.id, b.id);
            }
            assert_eq!(ColumnDef::get(a.id).key, a.key);
            for d in a.defaults {
                assert!(
                    a.applies_to(*d),
                    "{} default where it does not apply",
                    a.key
                );
            }
            if let Some((_, id_col)) = a.names {
                let id_def = ColumnDef::get(id_col);
                assert_eq!(id_def.grains, a.grains, "{}", a.key);
            }
        }
        assert_eq!(CATALOGUE.len(), 41);
    }

    #[test]
    fn every_grain_has_defaults() {
        for g in ALL {
            assert!(default_columns(*g).len() >= 8, "{g:?}");
            assert_eq!(default_columns(*g)[0], "conversation_id");
        }
    }
}
