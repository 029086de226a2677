//! Name sources for exports that run without a Genesys organization.
use std::collections::HashMap;

use futures::future::BoxFuture;
use genesys_core::export::{EntityKind, NameSource};
use genesys_core::Result;

/// No names: every id is shown as itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl NameSource for NoNames {
    fn lookup<'a>(
        &'a self,
        _kind: EntityKind,
        _ids: &'a [String],
    ) -> BoxFuture<'a, Result<HashMap<String, String>>> {
        Box::pin(async { Ok(HashMap::new()) })
    }
}

/// Names from an in-memory table.
#[derive(Debug, Clone, Default)]
pub struct MapNames {
    names: HashMap<(EntityKind, String), String>,
}

impl MapNames {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `(id, name)` pairs of one kind.
    pub fn with(
        mut self,
        kind: EntityKind,
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        for (id, name) in pairs {
            self.names.insert((kind, id), name);
        }
        self
    }
}

impl NameSource for MapNames {
    fn lookup<'a>(
        &'a self,
        kind: EntityKind,
        ids: &'a [String],
    ) -> BoxFuture<'a, Result<HashMap<String, String>>> {
        Box::pin(async move {
            Ok(ids
                .iter()
                .filter_map(|id| {
                    self.names
                        .get(&(kind, id.clone()))
                        .map(|n| (id.clone(), n.clone()))
                })
                .collect())
        })
    }
}
