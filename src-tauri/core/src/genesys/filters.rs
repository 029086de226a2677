//! What a user filters on, in their words, independent of the API's shape.
//! [`Filters`] becomes `segmentFilters` (queue, media type, agent, wrap-up
//! code) and `conversationFilters` (originating direction, division) in the query body.
use serde::{Deserialize, Serialize};

/// Each list is OR-ed within itself; the lists are AND-ed together. Empty = no filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Filters {
    /// Queue ids.
    pub queue_ids: Vec<String>,
    /// voice, chat, email, message, callback, ...
    pub media_types: Vec<String>,
    /// inbound, outbound: how the conversation began (`originatingDirection`).
    pub directions: Vec<String>,
    /// Agent (user) ids.
    pub user_ids: Vec<String>,
    /// Wrap-up code ids.
    pub wrap_up_codes: Vec<String>,
    /// Division ids (conversation level).
    pub division_ids: Vec<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.queue_ids.is_empty()
            && self.media_types.is_empty()
            && self.directions.is_empty()
            && self.user_ids.is_empty()
            && self.wrap_up_codes.is_empty()
            && self.division_ids.is_empty()
    }
}

/// How to fetch: the synchronous details query (page numbers), async details
/// jobs (cursor), or let the client choose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    #[default]
    Auto,
    Sync,
    Async,
}
