//! Typed views of the analytics conversation-detail records
//! (`AnalyticsConversation[WithoutAttributes]` in `openapi-subset.json`).
//!
//! Tolerant by design: unknown fields are ignored, enum-like values are kept
//! as strings (Genesys adds values over time), and every optional field is
//! `Option`/defaulted. The exact JSON Genesys sent is kept in
//! [`Conversation::raw`] for the lossless JSONL export.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub conversation_id: String,
    pub conversation_start: DateTime<Utc>,
    #[serde(default)]
    pub conversation_end: Option<DateTime<Utc>>,
    /// `inbound` | `outbound` (others tolerated).
    #[serde(default)]
    pub originating_direction: Option<String>,
    #[serde(default)]
    pub division_ids: Vec<String>,
    #[serde(default)]
    pub external_tag: Option<String>,
    #[serde(default)]
    pub participants: Vec<Participant>,
    /// The record exactly as Genesys sent it (one JSON object, no newline).
    #[serde(skip)]
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    #[serde(default)]
    pub participant_id: Option<String>,
    #[serde(default)]
    pub participant_name: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    /// customer, ivr, acd, agent, external, ... (others tolerated).
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub external_contact_id: Option<String>,
    /// Only in async-job results (`AnalyticsParticipant`).
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    #[serde(default)]
    pub session_id: Option<String>,
    /// voice, chat, email, message, callback, ... (others tolerated).
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub ani: Option<String>,
    #[serde(default)]
    pub dnis: Option<String>,
    #[serde(default)]
    pub session_dnis: Option<String>,
    #[serde(default)]
    pub address_from: Option<String>,
    #[serde(default)]
    pub address_to: Option<String>,
    #[serde(default)]
    pub remote: Option<String>,
    #[serde(default)]
    pub selected_agent_id: Option<String>,
    #[serde(default)]
    pub metrics: Vec<Metric>,
    #[serde(default)]
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    /// interact, hold, alert, wrapup, ivr, ... (others tolerated).
    #[serde(default)]
    pub segment_type: Option<String>,
    #[serde(default)]
    pub segment_start: Option<DateTime<Utc>>,
    #[serde(default)]
    pub segment_end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub queue_id: Option<String>,
    /// A wrap-up code id (resolve the name through the wrap-up code lookup).
    #[serde(default)]
    pub wrap_up_code: Option<String>,
    #[serde(default)]
    pub wrap_up_note: Option<String>,
    #[serde(default)]
    pub disconnect_type: Option<String>,
    #[serde(default)]
    pub conference: Option<bool>,
}

/// `AnalyticsSessionMetric`: `t*` are durations in milliseconds, `n*` are counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    pub name: String,
    pub value: i64,
    #[serde(default)]
    pub emit_date: Option<DateTime<Utc>>,
}

impl Conversation {
    /// Parse one record, keeping its exact JSON in `raw`.
    pub fn from_raw(raw: &serde_json::value::RawValue) -> serde_json::Result<Self> {
        let mut c: Conversation = serde_json::from_str(raw.get())?;
        c.raw = raw.get().to_string();
        Ok(c)
    }

    /// True while the conversation has no end (still in progress).
    pub fn is_ongoing(&self) -> bool {
        self.conversation_end.is_none()
    }
}
