//! The Genesys Cloud client: regions, login, errors, retries, paging, fetch plan.
pub mod filters;
pub mod model;
pub mod region;

pub use filters::{Filters, Strategy};
pub use model::Conversation;
pub use region::{regions, Environment, Region};
