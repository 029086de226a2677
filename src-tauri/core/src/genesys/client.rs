//! [`Client`]: the entry point of the Genesys Cloud client.
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Method;

use super::config::ClientConfig;
use super::fetch::{self, Fetch, FetchOptions, FetchRequest, DETAILS, DETAILS_QUERY};
use super::filters::Filters;
use super::http::{ApiRequest, Http};
use super::lookup::{self, EntityKind, EntityList};
use super::model::Conversation;
use super::plan::Checkpoint;
use super::progress::Reporter;
use super::query;
use crate::error::{Error, Result};

/// A Genesys Cloud client. Cheap to clone; clones share the token cache and
/// the rate-limit pacing.
#[derive(Clone)]
pub struct Client {
    http: Arc<Http>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_base", &self.http.cfg.environment.api_base)
            .field("client_id", &self.http.cfg.credentials.client_id)
            .finish()
    }
}

/// The answer of a successful [`Client::test_connection`].
pub const CONNECTED: &str = "Connected. This client can read conversation details.";

impl Client {
    /// Check the settings and build the client. Sends nothing.
    pub fn new(config: ClientConfig) -> Result<Self> {
        config.validate()?;
        Ok(Client {
            http: Arc::new(Http::new(config)?),
        })
    }

    /// The settings this client uses.
    pub fn config(&self) -> &ClientConfig {
        &self.http.cfg
    }

    /// Log in and run a one-result details query. `Ok` is [`CONNECTED`];
    /// errors say in plain words what is wrong (secret wrong: `auth`; missing
    /// `analytics:conversationDetail:view`: `permission`; …).
    pub async fn test_connection(&self) -> Result<String> {
        let to = Utc::now();
        let from = to - chrono::Duration::hours(1);
        let body = query::sync_query(from, to, &Default::default(), 1, 1);
        self.http
            .send(
                &ApiRequest::new(Method::POST, DETAILS_QUERY, DETAILS).body(&body),
                &Reporter::silent(),
            )
            .await?;
        Ok(CONNECTED.to_string())
    }

    /// Genesys's `dataAvailabilityDate`: async jobs see data before it.
    /// `None` when Genesys gives none (then fetches use no async jobs).
    pub async fn data_availability(&self) -> Result<Option<DateTime<Utc>>> {
        fetch::availability(&self.http, &Reporter::silent()).await
    }

    /// Start fetching the conversations that started in `[from, to)`.
    /// Validates first and sends nothing when the request is invalid.
    /// Must be called inside a Tokio runtime.
    pub fn fetch(&self, request: FetchRequest, options: FetchOptions) -> Result<Fetch> {
        fetch::start(self.http.clone(), request, None, options)
    }

    /// Continue an interrupted fetch: yields exactly what the checkpoint's
    /// fetch had not yielded yet.
    pub fn resume(&self, checkpoint: Checkpoint, options: FetchOptions) -> Result<Fetch> {
        let request = FetchRequest {
            from: checkpoint.from,
            to: checkpoint.to,
            filters: checkpoint.filters.clone(),
            strategy: checkpoint.strategy,
        };
        fetch::start(self.http.clone(), request, Some(checkpoint), options)
    }

    /// One page of the sync details query over `[from, to)` (at most the
    /// API's longest interval), ordered by conversation start, with the
    /// query's `totalHits`. For previews: a full pull uses [`Client::fetch`].
    pub async fn details_page(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        filters: &Filters,
        page_size: u32,
        page_number: u32,
    ) -> Result<DetailsPage> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page<'a> {
            #[serde(borrow, default)]
            conversations: Option<Vec<&'a serde_json::value::RawValue>>,
            #[serde(default)]
            total_hits: Option<u64>,
        }
        fetch::validate(&FetchRequest {
            from,
            to,
            filters: filters.clone(),
            strategy: Default::default(),
        })?;
        let silent = Reporter::silent();
        let body = fetch::query_page(
            &self.http,
            &silent,
            from,
            to,
            filters,
            page_size,
            page_number,
        )
        .await?;
        let page: Page = fetch::parse(&body, "details query")?;
        let mut conversations = Vec::new();
        for raw in page.conversations.unwrap_or_default() {
            conversations.push(Conversation::from_raw(raw).map_err(|e| {
                Error::new(
                    crate::error::ErrorKind::Server,
                    format!("Genesys Cloud sent a conversation we could not read: {e}."),
                )
            })?);
        }
        Ok(DetailsPage {
            conversations,
            total_hits: page.total_hits,
        })
    }

    /// Who is signed in (name, email, organization) and what they can export
    /// (see [`super::access`]). Only for a signed-in person: an OAuth client
    /// (client credentials) is not a person, and Genesys refuses it there.
    pub async fn who_am_i(&self) -> Result<super::access::WhoAmI> {
        if self.http.cfg.user_token.is_none() {
            return Err(Error::invalid(
                "connection",
                "This connection uses an OAuth client (client credentials), which is not a person: there is nobody signed in to show. Use a sign-in connection.",
            ));
        }
        super::access::who_am_i(&self.http).await
    }

    /// The signed-in person's tokens as they are now (a renewed access
    /// token included), to keep in the keychain after a run. `None` with
    /// client credentials.
    pub async fn user_token(&self) -> Option<super::secret::UserToken> {
        self.http.user_token().await
    }

    /// Names for ids, in bulk (users include inactive and deleted ones).
    /// Unknown ids are absent from the map.
    pub async fn lookup_names(
        &self,
        kind: EntityKind,
        ids: &[String],
    ) -> Result<HashMap<String, String>> {
        lookup::lookup_names(&self.http, kind, ids).await
    }

    /// Entities for a picker, sorted by name, optionally filtered by a
    /// case-insensitive part of the name.
    pub async fn list_entities(
        &self,
        kind: EntityKind,
        name_filter: Option<&str>,
    ) -> Result<EntityList> {
        lookup::list_entities(&self.http, kind, name_filter).await
    }
}

/// One page of the sync details query (see [`Client::details_page`]).
#[derive(Debug, Clone)]
pub struct DetailsPage {
    /// As Genesys sent them (may include conversations that started before
    /// the interval but touch it).
    pub conversations: Vec<Conversation>,
    pub total_hits: Option<u64>,
}

/// Parse a date-time a user typed (RFC 3339, e.g. `2024-05-01T00:00:00Z`).
pub fn parse_datetime(field: &str, input: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(input.trim())
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            Error::invalid(
                field,
                format!("\"{input}\" is not a date and time; use e.g. 2024-05-01T00:00:00Z."),
            )
        })
}
