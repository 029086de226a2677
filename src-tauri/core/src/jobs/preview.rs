//! Preview: the first rows of a profile's export and the estimated count,
//! without a full pull: a few small pages of the sync query.
use futures::StreamExt;
use serde::Serialize;
use ts_rs::TS;

use super::Context;
use super::{client_for_async, plan, RunSpec};
use crate::error::{Error, Result};
use crate::export::{self, Delimiter, Destination, Format};
use crate::genesys::plan::split;
use crate::genesys::{Conversation, DetailsPage, FetchMethod};

/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 20;

/// First pages asked for at once.
pub const PREVIEW_PARALLEL: usize = 8;

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
///
/// Fast at any latency: the range is cut into the API's longest intervals
/// (7 days) and the first small page of each is asked for at once (up to
/// [`PREVIEW_PARALLEL`] in flight): their `totalHits` add up to the estimate
/// and the earliest conversations are the rows. More pages are read only
/// when the first ones hold fewer than [`PREVIEW_ROWS`] conversations of the
/// range. No async job, no full window.
pub async fn preview(ctx: &Context, spec: &RunSpec) -> Result<PreviewResult> {
    let plan = plan(ctx, spec)?;
    let client = client_for_async(ctx, &plan.connection, spec.secret.clone()).await?;
    let cancel = tokio_util::sync::CancellationToken::new();
    let filters = &plan.profile.filters;
    let page_size = PREVIEW_ROWS as u32;
    let windows = split(
        plan.from,
        plan.to,
        client.config().max_interval,
        FetchMethod::Sync,
    );
    // Owned bounds, so the future stays `Send` for any caller (Tauri commands).
    let bounds: Vec<_> = windows.iter().map(|w| (w.start, w.end)).collect();
    let firsts: Vec<Result<DetailsPage>> = futures::stream::iter(bounds)
        .map(|(start, end)| client.details_page(start, end, filters, page_size, 1))
        .buffered(PREVIEW_PARALLEL)
        .collect()
        .await;
    let mut estimated_total = None;
    let mut first = Vec::new();
    for (w, page) in windows.iter().zip(firsts) {
        let mut page = page?;
        if let Some(hits) = page.total_hits {
            estimated_total = Some(estimated_total.unwrap_or(0) + hits);
        }
        let mut number = 1;
        while first.len() < PREVIEW_ROWS {
            let full = page.conversations.len() >= PREVIEW_ROWS;
            let mut kept: Vec<Conversation> = page
                .conversations
                .into_iter()
                .filter(|c| c.conversation_start >= w.start && c.conversation_start < w.end)
                .collect();
            kept.sort_by(|a, b| {
                (a.conversation_start, &a.conversation_id)
                    .cmp(&(b.conversation_start, &b.conversation_id))
            });
            first.extend(kept);
            if !full || first.len() >= PREVIEW_ROWS {
                break;
            }
            number += 1;
            page = client
                .details_page(w.start, w.end, filters, page_size, number)
                .await?;
        }
    }
    first.truncate(PREVIEW_ROWS);

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
