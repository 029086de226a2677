//! The Genesys Cloud client: regions, login, errors, retries, paging, fetch plan.
//!
//! Start with [`Client::new`] and a [`ClientConfig`]; then
//! [`Client::test_connection`], [`Client::fetch`] (a stream of
//! [`Conversation`]s with progress, cancel and checkpoints) and
//! [`Client::lookup_names`]. A person signs in with [`signin::sign_in`]
//! (authorization code + PKCE) and uses [`ClientConfig::signed_in`];
//! [`Client::who_am_i`] says who they are and what they can export.
pub mod access;
mod client;
pub mod config;
mod errors;
pub mod fetch;
pub mod filters;
mod http;
pub mod lookup;
pub mod model;
pub mod plan;
pub mod progress;
pub mod query;
pub mod region;
pub mod secret;
pub mod signin;
mod sorter;
mod store;

pub use access::{describe_access, Access, AccessLevel, AccessNotice, WhoAmI};
pub use client::{parse_datetime, Client, DetailsPage, CONNECTED};
pub use config::{ClientConfig, JobPolling, RetryPolicy};
pub use errors::DETAILS_PERMISSION;
pub use fetch::{Fetch, FetchOptions, FetchRequest, IdsFn};
pub use filters::{Filters, Strategy};
pub use lookup::{Entity, EntityKind, EntityList, PICKER_LIMIT, SEARCH_LIMIT};
pub use model::Conversation;
pub use plan::{Checkpoint, FetchMethod, Position, Window};
pub use progress::{FetchPhase, FetchProgress, ProgressFn, Wait, WaitReason};
pub use region::{regions, Environment, Region};
pub use secret::{Credentials, Secret, UserToken};
pub use signin::{sign_in, Browser, SignInConfig};
