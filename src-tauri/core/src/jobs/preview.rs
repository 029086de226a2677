//! Preview: the first rows of a profile's export and the estimated count,
//! without a full pull (the fetch is dropped, which cancels it, once enough
//! conversations have arrived).
use futures::StreamExt;
use serde::Serialize;
use ts_rs::TS;

use super::run::{client_for, plan, RunSpec};
use super::Context;
use crate::error::{Error, Result};
use crate::export::{self, Delimiter, Destination, Format};
use crate::genesys::{FetchOptions, FetchRequest, Strategy};

/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 20;

/// What `preview` returns.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PreviewResult {
    /// Column headers.
    pub columns: Vec<String>,
    /// At most [`PREVIEW_ROWS`] rows, as the CSV export would show them.
    pub rows: Vec<Vec<String>>,
    /// From Genesys's `totalHits`, when known.
    #[ts(type = "number | null")]
    pub estimated_total: Option<u64>,
    /// The resolved range, RFC 3339 in the profile's zone.
    pub from: String,
    pub to: String,
}

/// Preview a run (usually `RunSpec::profile`).
pub async fn preview(ctx: &Context, spec: &RunSpec) -> Result<PreviewResult> {
    let plan = plan(ctx, spec)?;
    let client = client_for(ctx, &plan.connection, spec.secret.clone())?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let _stop = cancel.clone().drop_guard();
    let mut fetch = Box::pin(client.fetch(
        FetchRequest {
            from: plan.from,
            to: plan.to,
            filters: plan.profile.filters.clone(),
            // The sync query answers first pages fastest.
            strategy: Strategy::Sync,
        },
        FetchOptions {
            cancel: cancel.clone(),
            progress: None,
        },
    )?);
    let mut first = Vec::new();
    while first.len() < PREVIEW_ROWS {
        match fetch.next().await {
            Some(Ok(c)) => first.push(c),
            Some(Err(e)) => return Err(e),
            None => break,
        }
    }
    let estimated_total = fetch.progress().estimated_total;
    drop(fetch);

    // Render exactly as the CSV export would, into a temp file, and read it back.
    let dir = tempfile::tempdir().map_err(|e| Error::io("Cannot prepare the preview", &e))?;
    let path = dir.path().join("preview.csv");
    let mut opts = plan.profile.export.clone();
    opts.format = Format::Csv;
    opts.csv_bom = false;
    opts.csv_delimiter = Delimiter::Comma;
    export::write_export(
        futures::stream::iter(first.into_iter().map(Ok)),
        &client,
        &opts,
        &Destination::new(&path),
        cancel.clone(),
        |_| {},
    )
    .await?;
    let mut reader = csv::Reader::from_path(&path)
        .map_err(|e| Error::internal(format!("Cannot read the preview back: {e}")))?;
    let columns = reader
        .headers()
        .map_err(|e| Error::internal(format!("Cannot read the preview back: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records().take(PREVIEW_ROWS) {
        let record =
            record.map_err(|e| Error::internal(format!("Cannot read the preview back: {e}")))?;
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(PreviewResult {
        columns,
        rows,
        estimated_total,
        from: plan.from_local(),
        to: plan.to_local(),
    })
}
