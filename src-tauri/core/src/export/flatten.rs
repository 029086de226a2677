//! Flatten a nested conversation into rows of typed cells at a grain.
//!
//! A row has a *scope*: the whole conversation, one participant (with its
//! sessions), one session, or one segment. Columns that summarise (queues,
//! metrics, ...) look only inside the row's scope.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::columns::{ColumnDef, ColumnId};
use super::names::{EntityKind, NameCache};
use super::options::Grain;
use crate::genesys::model::{Conversation, Participant, Segment, Session};

/// One typed value. Times stay in UTC here; writers convert to the export's zone.
/// Serialisable for the XLSX row journal of resumable exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Bool(bool),
    DateTime(DateTime<Utc>),
    /// A duration in milliseconds.
    Duration(i64),
}

impl Cell {
    fn text(s: &Option<String>) -> Cell {
        match s {
            Some(s) if !s.is_empty() => Cell::Text(s.clone()),
            _ => Cell::Empty,
        }
    }

    fn joined(values: Vec<&str>) -> Cell {
        if values.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(values.join("; "))
        }
    }

    fn opt_time(t: Option<DateTime<Utc>>) -> Cell {
        t.map(Cell::DateTime).unwrap_or(Cell::Empty)
    }

    fn span(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> Cell {
        match (start, end) {
            (Some(s), Some(e)) => Cell::Duration((e - s).num_milliseconds().max(0)),
            _ => Cell::Empty,
        }
    }
}

/// What one row covers.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub conversation: &'a Conversation,
    pub participant: Option<&'a Participant>,
    pub session: Option<&'a Session>,
    pub segment: Option<&'a Segment>,
}

impl<'a> Scope<'a> {
    fn participants(&self) -> impl Iterator<Item = &'a Participant> + 'a {
        let single = self.participant;
        let all = if single.is_some() {
            &[][..]
        } else {
            &self.conversation.participants[..]
        };
        single.into_iter().chain(all.iter())
    }

    /// The sessions in scope with their participant (no allocation).
    fn sessions(&self) -> impl Iterator<Item = (&'a Participant, &'a Session)> + 'a {
        let single = match (self.participant, self.session) {
            (Some(p), Some(s)) => Some((p, s)),
            _ => None,
        };
        let many = if single.is_some() {
            None
        } else {
            Some(
                self.participants()
                    .flat_map(|p| p.sessions.iter().map(move |s| (p, s))),
            )
        };
        single.into_iter().chain(many.into_iter().flatten())
    }

    /// The segments in scope.
    fn segments(&self) -> impl Iterator<Item = &'a Segment> + 'a {
        let single = self.segment;
        let many = if single.is_some() {
            None
        } else {
            Some(self.sessions().flat_map(|(_, s)| s.segments.iter()))
        };
        single.into_iter().chain(many.into_iter().flatten())
    }

    /// Sum of a metric over the scope's sessions; `None` when no session reported it.
    fn metric_sum(&self, name: &str) -> Option<i64> {
        let mut total: Option<i64> = None;
        for (_, s) in self.sessions() {
            for m in s.metrics.iter().filter(|m| m.name == name) {
                total = Some(total.unwrap_or(0).saturating_add(m.value));
            }
        }
        total
    }
}

/// Calls `emit` with every row scope of a conversation at a grain.
pub fn for_each_row<'a>(
    conversation: &'a Conversation,
    grain: Grain,
    mut emit: impl FnMut(Scope<'a>),
) {
    let base = Scope {
        conversation,
        participant: None,
        session: None,
        segment: None,
    };
    match grain {
        Grain::Conversation => emit(base),
        Grain::Participant => {
            for p in &conversation.participants {
                emit(Scope {
                    participant: Some(p),
                    ..base
                });
            }
        }
        Grain::Session => {
            for p in &conversation.participants {
                for s in &p.sessions {
                    emit(Scope {
                        participant: Some(p),
                        session: Some(s),
                        ..base
                    });
                }
            }
        }
        Grain::Segment => {
            for p in &conversation.participants {
                for s in &p.sessions {
                    for seg in &s.segments {
                        emit(Scope {
                            participant: Some(p),
                            session: Some(s),
                            segment: Some(seg),
                            ..base
                        });
                    }
                }
            }
        }
    }
}

fn push_distinct<'a>(out: &mut Vec<&'a str>, v: &'a str) {
    if !v.is_empty() && !out.contains(&v) {
        out.push(v);
    }
}

fn is_customer(p: &Participant) -> bool {
    matches!(p.purpose.as_deref(), Some("customer") | Some("external"))
}

fn is_agent(p: &Participant) -> bool {
    matches!(p.purpose.as_deref(), Some("agent") | Some("user"))
}

/// The first session of a customer in scope with `field`, else the first session with it.
fn first_address<'a>(scope: &Scope<'a>, field: impl Fn(&'a Session) -> Option<&'a String>) -> Cell {
    let pick = scope
        .sessions()
        .filter(|(p, _)| is_customer(p))
        .chain(scope.sessions())
        .find_map(|(_, s)| field(s).filter(|v| !v.is_empty()));
    match pick {
        Some(v) => Cell::Text(v.clone()),
        None => Cell::Empty,
    }
}

fn disconnect_type(scope: &Scope<'_>) -> Cell {
    if let Some(seg) = scope.segment {
        return Cell::text(&seg.disconnect_type);
    }
    let last_of = |customer_only: bool| {
        scope
            .sessions()
            .filter(|(p, _)| !customer_only || is_customer(p))
            .flat_map(|(_, s)| s.segments.iter())
            .filter_map(|seg| seg.disconnect_type.as_ref())
            .last()
    };
    let found = if scope.participant.is_none() {
        last_of(true).or_else(|| last_of(false))
    } else {
        last_of(false)
    };
    Cell::text(&found.cloned())
}

/// The value of one column for one row. Names come from `names` (or the id when unknown).
pub fn cell(column: ColumnId, scope: &Scope<'_>, names: &NameCache) -> Cell {
    let c = scope.conversation;
    let duration = |metric: &str| {
        scope
            .metric_sum(metric)
            .map(Cell::Duration)
            .unwrap_or(Cell::Empty)
    };
    match column {
        ColumnId::ConversationId => Cell::Text(c.conversation_id.clone()),
        ColumnId::Start => Cell::DateTime(c.conversation_start),
        ColumnId::End => Cell::opt_time(c.conversation_end),
        ColumnId::Duration => Cell::span(Some(c.conversation_start), c.conversation_end),
        ColumnId::Direction => Cell::text(&c.originating_direction),
        ColumnId::InProgress => Cell::Bool(c.is_ongoing()),
        ColumnId::ExternalTag => Cell::text(&c.external_tag),
        ColumnId::MediaType => {
            let mut out = Vec::new();
            for (_, s) in scope.sessions() {
                if let Some(m) = &s.media_type {
                    push_distinct(&mut out, m);
                }
            }
            Cell::joined(out)
        }
        ColumnId::Queues | ColumnId::QueueIds | ColumnId::WrapUp | ColumnId::WrapUpIds => {
            let (kind, named) = match column {
                ColumnId::Queues => (EntityKind::Queue, true),
                ColumnId::QueueIds => (EntityKind::Queue, false),
                ColumnId::WrapUp => (EntityKind::WrapUpCode, true),
                _ => (EntityKind::WrapUpCode, false),
            };
            let mut out = Vec::new();
            for seg in scope.segments() {
                let id = if kind == EntityKind::Queue {
                    &seg.queue_id
                } else {
                    &seg.wrap_up_code
                };
                if let Some(id) = id {
                    push_distinct(&mut out, if named { names.name(kind, id) } else { id });
                }
            }
            Cell::joined(out)
        }
        ColumnId::Agents | ColumnId::AgentIds => {
            let mut out = Vec::new();
            for p in scope.participants().filter(|p| is_agent(p)) {
                if let Some(id) = &p.user_id {
                    let v = if column == ColumnId::Agents {
                        names.name(EntityKind::User, id)
                    } else {
                        id.as_str()
                    };
                    push_distinct(&mut out, v);
                }
            }
            Cell::joined(out)
        }
        ColumnId::WrapUpNote => {
            let notes: Vec<&str> = scope
                .segments()
                .filter_map(|s| s.wrap_up_note.as_deref())
                .filter(|n| !n.is_empty())
                .collect();
            Cell::joined(notes)
        }
        ColumnId::HandleTime => duration("tHandle"),
        ColumnId::TalkTime => duration("tTalkComplete"),
        ColumnId::HoldTime => duration("tHeldComplete"),
        ColumnId::AcwTime => duration("tAcw"),
        ColumnId::TimeToAnswer => duration("tAnswered"),
        ColumnId::AlertTime => duration("tAlert"),
        ColumnId::QueueTime => duration("tAcd"),
        // Holds are an agent's action: "When the agent places the customer on
        // hold, the agent's segment row shows the hold" (Resource Center, "View
        // an interaction's timeline", help.mypurecloud.com/articles/view-interactions-timeline/).
        // Hold segments on other sessions (a customer's, an external party's)
        // would count the same hold twice.
        ColumnId::Holds => Cell::Int(
            scope
                .sessions()
                .filter(|(p, _)| is_agent(p))
                .flat_map(|(_, s)| s.segments.iter())
                .filter(|s| s.segment_type.as_deref() == Some("hold"))
                .count() as i64,
        ),
        ColumnId::Abandoned => Cell::Bool(scope.metric_sum("tAbandon").is_some()),
        ColumnId::Transfers => Cell::Int(scope.metric_sum("nTransferred").unwrap_or(0)),
        ColumnId::Ani => first_address(scope, |s| s.ani.as_ref()),
        ColumnId::Dnis => first_address(scope, |s| s.dnis.as_ref()),
        ColumnId::DisconnectType => disconnect_type(scope),
        ColumnId::Division | ColumnId::DivisionIds => {
            let mut out = Vec::new();
            for id in &c.division_ids {
                let v = if column == ColumnId::Division {
                    names.name(EntityKind::Division, id)
                } else {
                    id.as_str()
                };
                push_distinct(&mut out, v);
            }
            Cell::joined(out)
        }
        ColumnId::ParticipantId => scope
            .participant
            .map(|p| Cell::text(&p.participant_id))
            .unwrap_or(Cell::Empty),
        ColumnId::Purpose => scope
            .participant
            .map(|p| Cell::text(&p.purpose))
            .unwrap_or(Cell::Empty),
        ColumnId::ParticipantName => scope
            .participant
            .map(|p| Cell::text(&p.participant_name))
            .unwrap_or(Cell::Empty),
        ColumnId::User => match scope.participant.and_then(|p| p.user_id.as_deref()) {
            Some(id) => Cell::Text(names.name(EntityKind::User, id).to_string()),
            None => Cell::Empty,
        },
        ColumnId::UserId => scope
            .participant
            .map(|p| Cell::text(&p.user_id))
            .unwrap_or(Cell::Empty),
        ColumnId::SessionId => scope
            .session
            .map(|s| Cell::text(&s.session_id))
            .unwrap_or(Cell::Empty),
        ColumnId::SessionDirection => scope
            .session
            .map(|s| Cell::text(&s.direction))
            .unwrap_or(Cell::Empty),
        ColumnId::SegmentType => scope
            .segment
            .map(|s| Cell::text(&s.segment_type))
            .unwrap_or(Cell::Empty),
        ColumnId::SegmentStart => Cell::opt_time(scope.segment.and_then(|s| s.segment_start)),
        ColumnId::SegmentEnd => Cell::opt_time(scope.segment.and_then(|s| s.segment_end)),
        ColumnId::SegmentDuration => match scope.segment {
            Some(s) => Cell::span(s.segment_start, s.segment_end),
            None => Cell::Empty,
        },
    }
}

/// Fill `row` with the cells of `columns` for one scope (reusing its allocation).
pub fn fill_row(row: &mut Vec<Cell>, columns: &[&ColumnDef], scope: &Scope<'_>, names: &NameCache) {
    row.clear();
    row.extend(columns.iter().map(|c| cell(c.id, scope, names)));
}

/// Which entity kinds the chosen columns need names for.
pub fn kinds_needed(columns: &[&ColumnDef]) -> Vec<EntityKind> {
    let mut kinds = Vec::new();
    for c in columns {
        if let Some((kind, _)) = c.names {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hold as real records can carry it: on the agent's session and on the
    /// customer's. It is one hold, counted on the agent's session only.
    #[test]
    fn holds_count_agent_sessions_only() {
        let c: Conversation = serde_json::from_value(serde_json::json!({
            "conversationId": "c",
            "conversationStart": "2026-03-01T10:00:00Z",
            "participants": [
                {"purpose": "customer", "sessions": [{"segments": [
                    {"segmentType": "interact"}, {"segmentType": "hold"}, {"segmentType": "interact"}
                ]}]},
                {"purpose": "agent", "userId": "u", "sessions": [{"segments": [
                    {"segmentType": "interact"}, {"segmentType": "hold"}, {"segmentType": "interact"},
                    {"segmentType": "wrapup"}
                ]}]}
            ]
        }))
        .unwrap();
        let names = NameCache::new();
        let mut counts = Vec::new();
        for grain in [Grain::Conversation, Grain::Participant, Grain::Session] {
            for_each_row(&c, grain, |scope| {
                counts.push(cell(ColumnId::Holds, &scope, &names))
            });
        }
        let n = Cell::Int;
        // Conversation; participants (customer, agent); sessions (customer, agent).
        assert_eq!(counts, [n(1), n(0), n(1), n(0), n(1)]);
    }
}
