//! Fetching conversations: plan → windows (sync pages or async jobs, several
//! at once, the pages of one sync window at once too) → kept to
//! `conversationStart ∈ [from, to)`, de-duplicated, ordered by (start, id) in
//! bounded memory ([`super::sorter`]) → a [`Fetch`] stream, with progress,
//! cancellation and checkpoints.
//!
//! Windows are read in any order, up to `parallelism` at a time, their
//! requests sharing `max_in_flight` slots (`super::http`); they are delivered
//! in plan order. With a store ([`FetchOptions::store`]) every page read is
//! kept on disk as it arrives, so a fetch of the same plan started again
//! (a resume) asks Genesys only for what is not there (`super::store`).
use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use futures::stream::FuturesUnordered;
use futures::{Stream, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot, watch, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::errors::{Purpose, DETAILS_PERMISSION};
use super::filters::{Filters, Strategy};
use super::http::{ApiRequest, Cause, Http};
use super::lookup::EntityKind;
use super::model::Conversation;
use super::plan::{self, Checkpoint, FetchMethod, Position, Window};
use super::progress::{FetchPhase, ProgressFn, Reporter, WaitReason};
use super::query;
use super::sorter::{self, Finished, Loaded, PageTag, Pushed, RunHome, StoredPages, WindowSorter};
use super::store;
use crate::error::{Error, ErrorKind, Result};

pub(crate) const DETAILS_QUERY: &str = "/api/v2/analytics/conversations/details/query";
pub(crate) const JOBS: &str = "/api/v2/analytics/conversations/details/jobs";
pub(crate) const AVAILABILITY: &str = "/api/v2/analytics/conversations/details/jobs/availability";

pub(crate) const DETAILS: Purpose = Purpose {
    what: "reading conversation details",
    permission: DETAILS_PERMISSION,
};

/// What to fetch: conversations that **started** in `[from, to)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchRequest {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub filters: Filters,
    pub strategy: Strategy,
}

/// Receives entity ids as pages arrive (see [`FetchOptions::on_ids`]).
pub type IdsFn = Arc<dyn Fn(EntityKind, &[String]) + Send + Sync>;

/// How to run a fetch.
#[derive(Clone, Default)]
pub struct FetchOptions {
    /// Cancel to stop: no new requests, in-flight ones aborted, open async jobs deleted.
    pub cancel: CancellationToken,
    /// Receives progress snapshots.
    pub progress: Option<ProgressFn>,
    /// Keep every page read in this folder (one run's store: private files,
    /// one folder per window), so that a fetch of the same plan started again
    /// (a resume, [`super::Client::resume`]) reads there what it holds instead
    /// of asking Genesys. The caller removes the folder when the run ends.
    /// `None`: windows are ordered in memory and temporary files only.
    pub store: Option<PathBuf>,
    /// Receives the entity ids (queues, agents, wrap-up codes, divisions) of
    /// the conversations of each page as it arrives, long before they are
    /// delivered in order: e.g. to start name lookups early. Called inline
    /// from the fetch's tasks: keep it quick.
    pub on_ids: Option<IdsFn>,
}

enum Msg {
    Plan(Vec<Window>),
    Item(Box<Conversation>),
    WindowDone(usize),
    Done,
    Failed(Error),
}

/// A running fetch: a stream of conversations in (start, id) order, each
/// exactly once. Ends after the last one, or after one `Err` (cancelled or
/// failed). Dropping it cancels the fetch.
pub struct Fetch {
    rx: mpsc::Receiver<Msg>,
    checkpoint: Checkpoint,
    planned: bool,
    finished: bool,
    reporter: Reporter,
    /// The run's store, if any (see [`FetchOptions::store`]).
    store: Option<PathBuf>,
    /// Windows read in full (and, with a store, kept there).
    fetched: Arc<Mutex<BTreeSet<usize>>>,
    /// `completed_windows` of the checkpoint handed out last.
    handed_out: AtomicUsize,
    /// Windows before this one were removed from the store.
    dropped: AtomicUsize,
    _stop: DropGuard,
}

impl Fetch {
    /// The checkpoint as of the last conversation this stream yielded
    /// (`None` until the plan is known), with the windows read ahead that the
    /// store holds. Save it once those rows are written.
    ///
    /// Each call is taken as a durable point: the windows delivered before
    /// the previous call's checkpoint are in a saved checkpoint by now, so
    /// their folders leave the store.
    pub fn checkpoint(&self) -> Option<Checkpoint> {
        if !self.planned {
            return None;
        }
        let mut cp = self.checkpoint.clone();
        if self.store.is_some() {
            if let Ok(f) = self.fetched.lock() {
                cp.fetched_windows = f.range(cp.completed_windows..).copied().collect::<Vec<_>>();
            }
        }
        let before = self.handed_out.swap(cp.completed_windows, Ordering::SeqCst);
        if let Some(store) = &self.store {
            let from = self.dropped.load(Ordering::SeqCst);
            for w in cp.windows.iter().take(before).skip(from) {
                store::remove_window(store, w);
            }
            self.dropped.fetch_max(before, Ordering::SeqCst);
        }
        Some(cp)
    }

    /// The latest progress snapshot.
    pub fn progress(&self) -> super::progress::FetchProgress {
        self.reporter.snapshot()
    }
}

impl Stream for Fetch {
    type Item = Result<Conversation>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            let Some(msg) = futures::ready!(this.rx.poll_recv(cx)) else {
                this.finished = true;
                return Poll::Ready(Some(Err(Error::internal(
                    "The download stopped unexpectedly (internal error).",
                ))));
            };
            match msg {
                Msg::Plan(windows) => {
                    this.checkpoint.windows = windows;
                    this.planned = true;
                }
                Msg::Item(c) => {
                    this.checkpoint.last_emitted = Some(position(&c));
                    this.checkpoint.delivered += 1;
                    return Poll::Ready(Some(Ok(*c)));
                }
                Msg::WindowDone(i) => {
                    this.checkpoint.completed_windows = i + 1;
                    this.checkpoint.last_emitted = None;
                }
                Msg::Done => {
                    this.finished = true;
                    return Poll::Ready(None);
                }
                Msg::Failed(e) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

fn position(c: &Conversation) -> Position {
    Position {
        conversation_start: c.conversation_start,
        conversation_id: c.conversation_id.clone(),
    }
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = std::result::Result<T, tokio::task::JoinError>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// Shared by every task of one fetch.
struct Ctx {
    http: Arc<Http>,
    filters: Filters,
    rep: Reporter,
    stop: CancellationToken,
    /// One permit per async job open at a time (`max_concurrent_jobs`).
    jobs: Semaphore,
    /// Where jobs must stop (availability minus the margin), once asked;
    /// `None` inside = Genesys gave no availability date: no jobs.
    async_until: tokio::sync::OnceCell<Option<DateTime<Utc>>>,
    store: Option<PathBuf>,
    on_ids: Option<IdsFn>,
    /// Windows read in full (shared with [`Fetch`] for its checkpoints).
    fetched: Arc<Mutex<BTreeSet<usize>>>,
    work: Work,
}

/// Check a request without sending anything.
pub(crate) fn validate(req: &FetchRequest) -> Result<()> {
    if req.to <= req.from {
        return Err(Error::invalid(
            "to",
            "The end of the date range must be after its start.",
        ));
    }
    query::validate_filters(&req.filters)
}

/// Start a fetch (or resume one from `resume`). Needs a Tokio runtime.
pub(crate) fn start(
    http: Arc<Http>,
    req: FetchRequest,
    resume: Option<Checkpoint>,
    opts: FetchOptions,
) -> Result<Fetch> {
    validate(&req)?;
    if let Some(cp) = &resume {
        check_checkpoint(cp)?;
    }
    let handle = tokio::runtime::Handle::try_current().map_err(|_| {
        Error::internal("The Genesys client must run inside the Tokio runtime (internal error).")
    })?;
    if let Some(dir) = &opts.store {
        crate::private_fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("Cannot create the folder {}", dir.display()), &e))?;
    }
    let stop = opts.cancel.child_token();
    let rep = Reporter::new(opts.progress.clone());
    // Parsed conversations waiting for the writer: a few batches' worth.
    let (tx, rx) = mpsc::channel(256);
    let checkpoint = resume.clone().unwrap_or(Checkpoint {
        version: 1,
        from: req.from,
        to: req.to,
        filters: req.filters.clone(),
        strategy: req.strategy,
        windows: Vec::new(),
        completed_windows: 0,
        last_emitted: None,
        delivered: 0,
        fetched_windows: Vec::new(),
    });
    let fetched = Arc::new(Mutex::new(BTreeSet::new()));
    let ctx = Arc::new(Ctx {
        filters: req.filters.clone(),
        rep: rep.clone(),
        stop: stop.clone(),
        jobs: Semaphore::new(http.cfg.max_concurrent_jobs.max(1)),
        async_until: tokio::sync::OnceCell::new(),
        store: opts.store.clone(),
        on_ids: opts.on_ids.clone(),
        fetched: fetched.clone(),
        work: Work::default(),
        http,
    });
    handle.spawn(engine(ctx, req, resume, tx));
    let first = checkpoint.completed_windows;
    Ok(Fetch {
        rx,
        planned: checkpoint.version == 1 && !checkpoint.windows.is_empty(),
        checkpoint,
        finished: false,
        reporter: rep,
        store: opts.store,
        fetched,
        handed_out: AtomicUsize::new(first),
        dropped: AtomicUsize::new(first),
        _stop: stop.drop_guard(),
    })
}

fn check_checkpoint(cp: &Checkpoint) -> Result<()> {
    let bad = |why: &str| {
        Error::new(
            ErrorKind::Storage,
            format!(
                "The saved progress of this export cannot be used ({why}); start the export again."
            ),
        )
    };
    if cp.version != 1 {
        return Err(bad("it was written by another version"));
    }
    if cp.windows.is_empty() || cp.completed_windows > cp.windows.len() {
        return Err(bad("its plan is incomplete"));
    }
    let contiguous = cp.windows.windows(2).all(|p| p[0].end == p[1].start);
    if !contiguous
        || cp.windows[0].start != cp.from
        || cp.windows[cp.windows.len() - 1].end != cp.to
    {
        return Err(bad("its plan does not cover the date range"));
    }
    Ok(())
}

async fn engine(
    ctx: Arc<Ctx>,
    req: FetchRequest,
    resume: Option<Checkpoint>,
    tx: mpsc::Sender<Msg>,
) {
    let stop = ctx.stop.clone();
    let outcome = tokio::select! {
        biased;
        _ = stop.cancelled() => Err(Error::cancelled()),
        r = drive(&ctx, &req, resume, &tx) => r,
    };
    ctx.http.set_work_left(0);
    match outcome {
        Ok(()) => {
            ctx.rep.update(|p| {
                p.phase = FetchPhase::Done;
                p.waiting = None;
                p.message = format!("Done: {} conversations.", p.conversations);
            });
            let _ = tx.send(Msg::Done).await;
        }
        Err(e) => {
            let cancelled = e.kind == ErrorKind::Cancelled;
            ctx.rep.update(|p| {
                p.phase = if cancelled {
                    FetchPhase::Cancelled
                } else {
                    FetchPhase::Failed
                };
                p.waiting = None;
                p.message = e.message.clone();
            });
            let _ = tx.send(Msg::Failed(e)).await;
        }
    }
}

async fn drive(
    ctx: &Arc<Ctx>,
    req: &FetchRequest,
    resume: Option<Checkpoint>,
    tx: &mpsc::Sender<Msg>,
) -> Result<()> {
    let (windows, first, skip_until, mut delivered, mut schedule) = match resume {
        Some(cp) => {
            ctx.work.plan(&ctx.http, &cp.windows, cp.completed_windows);
            let schedule = Schedule::start(ctx, &cp.windows, cp.completed_windows);
            (
                cp.windows,
                cp.completed_windows,
                cp.last_emitted,
                cp.delivered,
                schedule,
            )
        }
        None => {
            let (windows, schedule) = plan_and_start(ctx, req).await?;
            (windows, 0, None, 0, schedule)
        }
    };
    if let Some(store) = &ctx.store {
        // What an earlier plan left, and windows already written.
        store::keep_only(store, &windows[first..]);
    }
    let gone = || Error::cancelled();
    tx.send(Msg::Plan(windows.clone()))
        .await
        .map_err(|_| gone())?;
    ctx.rep.update(|p| {
        p.phase = FetchPhase::Fetching;
        p.window_count = windows.len();
        p.window_index = first;
        p.conversations = delivered;
        p.message = format!(
            "Reading conversations (the date range in {} parts).",
            windows.len()
        );
    });
    for i in first..windows.len() {
        let ready = schedule.wait(i).await?;
        for c in ready.window.sorted()? {
            let c = c?;
            if i == first {
                if let Some(after) = &skip_until {
                    if &position(&c) <= after {
                        continue;
                    }
                }
            }
            tx.send(Msg::Item(Box::new(c))).await.map_err(|_| gone())?;
            delivered += 1;
        }
        drop(ready.read_ahead);
        tx.send(Msg::WindowDone(i)).await.map_err(|_| gone())?;
        ctx.rep.update(|p| {
            p.window_index = i + 1;
            p.conversations = delivered;
            p.waiting = None;
            // The count is shown beside this line (and counts what was
            // written too), so the line says only where in the range we are.
            p.message = format!(
                "Read {} of {} parts of the date range.",
                i + 1,
                windows.len()
            );
        });
    }
    Ok(())
}

/// Decide the plan and start reading it. The `auto` strategy on a long range
/// asks for the size (one `pageSize: 1` query per 7 days) to choose between
/// the sync query and async jobs; meanwhile the sync plan is already being
/// read, so a small pull (the usual case) loses no time to the estimate, and
/// a bulk one drops the few sync pages read meanwhile and switches to jobs.
/// A forced strategy, or a range shorter than `auto_async_min_span`, asks
/// for no estimate at all.
async fn plan_and_start(ctx: &Arc<Ctx>, req: &FetchRequest) -> Result<(Vec<Window>, Schedule)> {
    let cfg = &ctx.http.cfg;
    let sync_plan = || {
        plan::build(
            req.from,
            req.to,
            cfg.effective_window(),
            cfg.async_window,
            None,
        )
    };
    let start = |windows: Vec<Window>| {
        ctx.work.plan(&ctx.http, &windows, 0);
        let schedule = Schedule::start(ctx, &windows, 0);
        log_plan(&windows);
        (windows, schedule)
    };
    match req.strategy {
        Strategy::Sync => Ok(start(sync_plan())),
        Strategy::Auto if req.to - req.from < cfg.auto_async_min_span => Ok(start(sync_plan())),
        Strategy::Async => {
            let windows = async_plan(ctx, req).await?;
            Ok(start(windows))
        }
        Strategy::Auto => {
            let (windows, schedule) = start(sync_plan());
            ctx.rep
                .update(|p| p.message = "Estimating the size of the export…".into());
            let estimate = estimate_count(ctx, req).await?;
            let bulk = estimate > cfg.auto_sync_max_conversations;
            tracing::info!(estimate, bulk, "auto strategy");
            if !bulk {
                return Ok((windows, schedule));
            }
            // Async jobs wait for Genesys's datalake (minutes in a real org):
            // only worth it for bulk.
            schedule.close().await;
            ctx.rep.reset_hits();
            let windows = async_plan(ctx, req).await?;
            Ok(start(windows))
        }
    }
}

/// The plan with async jobs up to where Genesys has the data ready.
async fn async_plan(ctx: &Ctx, req: &FetchRequest) -> Result<Vec<Window>> {
    let cfg = &ctx.http.cfg;
    ctx.rep
        .update(|p| p.message = "Checking which data Genesys has ready for bulk export…".into());
    let until = async_until(ctx).await?;
    if until.is_none() {
        tracing::warn!(
            "Genesys gave no dataAvailabilityDate: reading everything with the sync query"
        );
    }
    Ok(plan::build(
        req.from,
        req.to,
        cfg.effective_window(),
        cfg.async_window,
        until,
    ))
}

fn log_plan(windows: &[Window]) {
    tracing::info!(
        windows = windows.len(),
        async_windows = windows
            .iter()
            .filter(|w| w.method == FetchMethod::Async)
            .count(),
        "fetch plan"
    );
}

/// How many conversations the sync query reports for `[from, to)`: one
/// `pageSize: 1` query per interval Genesys accepts, several at once.
async fn estimate_count(ctx: &Ctx, req: &FetchRequest) -> Result<u64> {
    let cfg = &ctx.http.cfg;
    let chunks = plan::split(req.from, req.to, cfg.max_interval, FetchMethod::Sync);
    let counts: Vec<u64> = futures::stream::iter(chunks)
        .map(|w| async move {
            let body = query_page(&ctx.http, &ctx.rep, w.start, w.end, &ctx.filters, 1, 1).await?;
            let page: SyncPage = parse(&body, "details query")?;
            Ok::<u64, Error>(page.total_hits.unwrap_or(0))
        })
        .buffer_unordered(cfg.max_in_flight)
        .try_collect()
        .await?;
    Ok(counts.iter().sum())
}

/// Windows read ahead of the one being delivered, at most (they wait on
/// disk or in temporary files, not in memory).
fn read_ahead(parallelism: usize) -> usize {
    parallelism.max(1) * 2
}

/// A fetched window waiting to be delivered.
struct Ready {
    window: Finished,
    /// Its place among the windows read ahead (released once delivered).
    read_ahead: OwnedSemaphorePermit,
}

/// Reads the windows of a plan, up to `parallelism` at a time and at most
/// [`read_ahead`] ahead of delivery, in any order; hands them out in order.
/// Dropping it stops its tasks.
struct Schedule {
    first: usize,
    results: Vec<Option<oneshot::Receiver<Result<Ready>>>>,
    /// The first window that failed, to stop at once rather than when its turn comes.
    failed: watch::Receiver<Option<Error>>,
    stop: CancellationToken,
    launcher: Option<AbortOnDrop<()>>,
}

impl Schedule {
    fn start(ctx: &Arc<Ctx>, windows: &[Window], first: usize) -> Schedule {
        let stop = ctx.stop.child_token();
        let parallelism = ctx.http.cfg.parallelism.max(1);
        let open = Arc::new(Semaphore::new(parallelism));
        let ahead = Arc::new(Semaphore::new(read_ahead(parallelism)));
        let (failed_tx, failed) = watch::channel(None);
        let failed_tx = Arc::new(failed_tx);
        let mut senders = Vec::new();
        let mut results = Vec::new();
        for _ in first..windows.len() {
            let (tx, rx) = oneshot::channel();
            senders.push(tx);
            results.push(Some(rx));
        }
        let ctx = ctx.clone();
        let windows = windows.to_vec();
        let halt = stop.clone();
        let launcher = tokio::spawn(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for (k, tx) in senders.into_iter().enumerate() {
                let i = first + k;
                let permits = tokio::select! {
                    biased;
                    _ = halt.cancelled() => break,
                    p = async {
                        let a = ahead.clone().acquire_owned().await;
                        let o = open.clone().acquire_owned().await;
                        (a, o)
                    } => p,
                };
                let (Ok(read_ahead), Ok(opened)) = permits else {
                    break;
                };
                let ctx = ctx.clone();
                let w = windows[i].clone();
                let halt = halt.clone();
                let failed_tx = failed_tx.clone();
                tasks.spawn(async move {
                    let r = tokio::select! {
                        biased;
                        _ = halt.cancelled() => Err(Error::cancelled()),
                        r = fetch_window(&ctx, i, &w) => r,
                    };
                    drop(opened);
                    if let Err(e) = &r {
                        failed_tx.send_if_modified(|f| {
                            let first = f.is_none();
                            if first {
                                *f = Some(e.clone());
                            }
                            first
                        });
                    }
                    let _ = tx.send(r.map(|window| Ready { window, read_ahead }));
                });
            }
            tokio::select! {
                _ = halt.cancelled() => tasks.shutdown().await,
                _ = async { while tasks.join_next().await.is_some() {} } => {}
            }
        });
        Schedule {
            first,
            results,
            failed,
            stop,
            launcher: Some(AbortOnDrop(launcher)),
        }
    }

    /// Window `i`, once read in full; fails as soon as any window failed.
    async fn wait(&mut self, i: usize) -> Result<Ready> {
        let slot = i
            .checked_sub(self.first)
            .and_then(|k| self.results.get_mut(k))
            .and_then(Option::take);
        let Some(rx) = slot else {
            return Err(Error::internal(
                "A window was asked for twice (internal error).",
            ));
        };
        let mut failed = self.failed.clone();
        let first_failure = async move {
            let seen = failed.wait_for(Option::is_some).await.map(|e| (*e).clone());
            match seen {
                Ok(e) => e.unwrap_or_else(Error::cancelled),
                Err(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            r = rx => r.unwrap_or_else(|_| Err(Error::internal(
                "A download task stopped unexpectedly (internal error).",
            ))),
            e = first_failure => Err(e),
        }
    }

    /// Stop reading and wait until every task has stopped (nothing of this
    /// schedule writes to the store afterwards).
    async fn close(mut self) {
        self.stop.cancel();
        if let Some(launcher) = self.launcher.take() {
            let _ = launcher.await;
        }
    }
}

impl Drop for Schedule {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// What a fetch still expects to ask, window by window: the pacer spreads
/// the rate-limit budget only when this is more than the budget left
/// (`Http::set_work_left`). An estimate that grows as pages answer:
/// - a sync window whose first page answered: the pages its `totalHits`
///   needs (`⌈hits / pageSize⌉`, one more when that divides evenly: the
///   empty page that shows the end), less those read;
/// - a sync window not started yet: the average of the windows whose
///   `totalHits` is known, or 1 while none is;
/// - an async window: 3 (submit, one status check, one results page);
/// - name lookups are not counted (a few per export).
#[derive(Default)]
struct Work {
    state: Mutex<WorkState>,
}

#[derive(Default)]
struct WorkState {
    /// Per plan window (`None`: delivered or not part of this fetch).
    left: Vec<Option<WindowWork>>,
}

#[derive(Debug, Clone, Copy)]
enum WindowWork {
    Unknown(FetchMethod),
    /// Pages still to read, of the pages the window needs in all.
    Pages {
        left: u64,
        total: u64,
    },
    Done,
}

impl Work {
    fn plan(&self, http: &Http, windows: &[Window], first: usize) {
        if let Ok(mut s) = self.state.lock() {
            s.left = windows
                .iter()
                .enumerate()
                .map(|(i, w)| (i >= first).then_some(WindowWork::Unknown(w.method)))
                .collect();
        }
        self.publish(http);
    }

    fn set(&self, http: &Http, i: usize, work: WindowWork) {
        if let Ok(mut s) = self.state.lock() {
            if let Some(slot) = s.left.get_mut(i) {
                *slot = Some(work);
            }
        }
        self.publish(http);
    }

    fn publish(&self, http: &Http) {
        let Ok(s) = self.state.lock() else {
            return;
        };
        let totals: Vec<u64> = s
            .left
            .iter()
            .filter_map(|w| match w {
                Some(WindowWork::Pages { total, .. }) => Some(*total),
                _ => None,
            })
            .collect();
        let average = if totals.is_empty() {
            1
        } else {
            (totals.iter().sum::<u64>() as f64 / totals.len() as f64).ceil() as u64
        };
        let left: u64 = s
            .left
            .iter()
            .map(|w| match w {
                Some(WindowWork::Unknown(FetchMethod::Sync)) => average,
                Some(WindowWork::Unknown(FetchMethod::Async)) => 3,
                Some(WindowWork::Pages { left, .. }) => *left,
                Some(WindowWork::Done) | None => 0,
            })
            .sum();
        http.set_work_left(left);
    }
}

/// Pages a sync window with `hits` results needs (see [`Work`]).
fn pages_needed(hits: u64, page_size: u32) -> u64 {
    let ps = u64::from(page_size.max(1));
    (hits.div_ceil(ps) + u64::from(hits > 0 && hits.is_multiple_of(ps))).max(1)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Availability {
    data_availability_date: Option<DateTime<Utc>>,
}

/// `GET …/jobs/availability`: "Date and time before which data is
/// guaranteed to be available in the datalake" (`DataAvailabilityResponse`,
/// PureCloudPlatformClientV2). `None` when Genesys gives no date: then no
/// async job is used at all (we cannot tell what a job would miss).
pub(crate) async fn availability(http: &Http, rep: &Reporter) -> Result<Option<DateTime<Utc>>> {
    let resp = http
        .send(&ApiRequest::new(Method::GET, AVAILABILITY, DETAILS), rep)
        .await?;
    let a: Availability = parse(&resp.body, "data availability")?;
    Ok(a.data_availability_date)
}

/// Where async jobs must stop for this fetch: the availability date minus
/// `availability_margin` (asked once per fetch). Conversations still running
/// when the datalake snapshot was taken come back from jobs without end,
/// wrap-up or handle time; the margin keeps jobs clear of them and the sync
/// query (which has their final state) reads the rest.
async fn async_until(ctx: &Ctx) -> Result<Option<DateTime<Utc>>> {
    let margin = ctx.http.cfg.availability_margin;
    ctx.async_until
        .get_or_try_init(|| async {
            Ok::<_, Error>(
                availability(&ctx.http, &ctx.rep)
                    .await?
                    .map(|a| a.checked_sub_signed(margin).unwrap_or(a)),
            )
        })
        .await
        .copied()
}

/// `POST …/details/query`: one page of `[start, end)`; the response body.
pub(crate) async fn query_page(
    http: &Http,
    rep: &Reporter,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    filters: &Filters,
    page_size: u32,
    page_number: u32,
) -> Result<Vec<u8>> {
    let body = query::sync_query(start, end, filters, page_size, page_number);
    let req = ApiRequest::new(Method::POST, DETAILS_QUERY, DETAILS).body(&body);
    Ok(http.send(&req, rep).await?.body)
}

pub(crate) fn parse<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        Error::new(
            ErrorKind::Server,
            format!("Genesys Cloud sent an answer we could not read ({what}: {e})."),
        )
    })
}

/// Put one page's records into the window as page `ordinal` (see
/// [`sorter::seq`]); with `open`, note the kept ones without a
/// `conversationEnd`. Hands the page's entity ids to [`FetchOptions::on_ids`].
/// Returns the number kept (in the window).
fn push_page(
    ctx: &Ctx,
    out: &mut WindowSorter,
    list: &[&RawValue],
    ordinal: u32,
    mut open: Option<&mut Vec<Position>>,
) -> Result<u64> {
    let mut kept = 0;
    let mut ids: HashMap<EntityKind, HashSet<String>> = HashMap::new();
    let mut note = |kind: EntityKind, id: &str| {
        let set = ids.entry(kind).or_default();
        if !set.contains(id) {
            set.insert(id.to_string());
        }
    };
    for (n, raw) in list.iter().enumerate() {
        let seq = sorter::seq(ordinal, n);
        let pushed = match &ctx.on_ids {
            Some(_) => out.push(raw, seq, Some(&mut note))?,
            None => out.push(raw, seq, None)?,
        };
        if let Pushed::Kept { key, ended } = pushed {
            kept += 1;
            if let (Some(open), false) = (open.as_deref_mut(), ended) {
                open.push(key);
            }
        }
    }
    if let Some(f) = &ctx.on_ids {
        for (kind, set) in ids {
            let list: Vec<String> = set.into_iter().collect();
            f(kind, &list);
        }
    }
    Ok(kept)
}

/// A page that is not one of the window's own numbered pages.
fn push_other_page(
    ctx: &Ctx,
    out: &mut WindowSorter,
    list: &[&RawValue],
    open: Option<&mut Vec<Position>>,
) -> Result<u64> {
    let ordinal = out.next_ordinal();
    let kept = push_page(ctx, out, list, ordinal, open)?;
    out.end_page(None)?;
    Ok(kept)
}

/// One window: fetch (or take from the store what it holds), keep
/// `[start, end)`, de-duplicate, order.
async fn fetch_window(ctx: &Ctx, index: usize, w: &Window) -> Result<Finished> {
    let cfg = &ctx.http.cfg;
    let (mut out, stored) = match &ctx.store {
        Some(store) => {
            let dir = store::window_dir(store, w);
            match WindowSorter::open_store(w.start, w.end, cfg.sort_memory, &dir)? {
                Loaded::Complete(finished) => {
                    tracing::debug!(window = index, "window read from the store");
                    if let Some(hits) = finished.hits() {
                        ctx.rep.window_hits(index, hits);
                    }
                    window_read(ctx, index);
                    return Ok(finished);
                }
                Loaded::Partial(sorter, stored) => (sorter, stored),
            }
        }
        None => (
            WindowSorter::new(
                w.start,
                w.end,
                cfg.sort_memory,
                RunHome::Temp(cfg.spill_dir.clone()),
            ),
            StoredPages::default(),
        ),
    };
    match w.method {
        FetchMethod::Sync => sync_window(ctx, &mut out, index, w, stored).await?,
        FetchMethod::Async => async_range(ctx, &mut out, w.start, w.end).await?,
    }
    if out.spills() > 0 {
        tracing::debug!(
            window = index,
            runs = out.spills(),
            open_runs = out.spilled_runs(),
            "window sorted through files"
        );
    }
    let finished = out.finish()?;
    window_read(ctx, index);
    Ok(finished)
}

/// Window `index` is read in full (and in the store, when there is one).
fn window_read(ctx: &Ctx, index: usize) {
    ctx.work.set(&ctx.http, index, WindowWork::Done);
    if let Ok(mut f) = ctx.fetched.lock() {
        f.insert(index);
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SyncPage<'a> {
    #[serde(borrow, default)]
    conversations: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    total_hits: Option<u64>,
}

type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A sync window: page 1 says how many results there are (`totalHits`);
/// the other pages are then asked for all at once (each waits for a place
/// among the requests in flight, in page order). `totalHits` is
/// approximate and changes while you page ([BLOG-ADQ]), so pages that come
/// back short or empty are fine, and while the last page read was full the
/// next one is asked for, one at a time. Pages the store already holds
/// (`stored`, from an interrupted run) are not asked again. Each page goes
/// to the window's store as it arrives. A window over the paging cap is
/// split (see [`over_cap`]).
async fn sync_window(
    ctx: &Ctx,
    out: &mut WindowSorter,
    index: usize,
    w: &Window,
    stored: StoredPages,
) -> Result<()> {
    let cfg = &ctx.http.cfg;
    let ps = cfg.sync_page_size;
    let mut pages = stored.pages;
    let read = |p: u32| query_page(&ctx.http, &ctx.rep, w.start, w.end, &ctx.filters, ps, p);
    let hits = match stored.hits.filter(|_| pages.contains_key(&1)) {
        Some(hits) => hits,
        None => {
            let body = read(1).await?;
            let parsed: SyncPage = parse(&body, "details query")?;
            ctx.rep.page_read();
            let hits = parsed.total_hits.unwrap_or(0);
            if hits > cfg.paging_cap {
                ctx.rep.window_hits(index, hits);
                return over_cap(ctx, out, index, w.start, w.end, 0, hits, None).await;
            }
            let list = parsed.conversations.unwrap_or_default();
            pages.insert(1, own_page(ctx, out, &list, 1, Some(hits))?);
            hits
        }
    };
    ctx.rep.window_hits(index, hits);
    let total = pages_needed(hits, ps);
    let expected = u32::try_from(hits.div_ceil(u64::from(ps.max(1))).max(1)).unwrap_or(u32::MAX);
    let set_left = |pages: &std::collections::BTreeMap<u32, u32>| {
        let read = pages.len() as u64;
        ctx.work.set(
            &ctx.http,
            index,
            WindowWork::Pages {
                left: total.saturating_sub(read),
                total,
            },
        );
    };
    set_left(&pages);
    let mut pending: FuturesUnordered<_> = (2..=expected)
        .filter(|p| !pages.contains_key(p))
        .map(|p| async move { (p, read(p).await) })
        .collect();
    while let Some((p, body)) = pending.next().await {
        let body = body?;
        let parsed: SyncPage = parse(&body, "details query")?;
        ctx.rep.page_read();
        let list = parsed.conversations.unwrap_or_default();
        pages.insert(p, own_page(ctx, out, &list, p, None)?);
        set_left(&pages);
    }
    // The end: while the last page read was full, there may be more.
    while let Some((&last, &sent)) = pages.last_key_value() {
        if sent < ps {
            break;
        }
        if u64::from(last) * u64::from(ps) >= cfg.paging_cap {
            // totalHits was low but the pages keep coming: split anyway
            // (what was read already is de-duplicated by the sorter).
            return over_cap(ctx, out, index, w.start, w.end, 0, cfg.paging_cap + 1, None).await;
        }
        let p = last + 1;
        let body = read(p).await?;
        let parsed: SyncPage = parse(&body, "details query")?;
        ctx.rep.page_read();
        let list = parsed.conversations.unwrap_or_default();
        pages.insert(p, own_page(ctx, out, &list, p, None)?);
    }
    Ok(())
}

/// One of the window's own numbered pages, read in full: its records, then
/// the page itself is recorded (in a store: on disk at once). Returns how
/// many records Genesys sent on it.
fn own_page(
    ctx: &Ctx,
    out: &mut WindowSorter,
    list: &[&RawValue],
    page: u32,
    hits: Option<u64>,
) -> Result<u32> {
    ctx.rep.records_read(push_page(ctx, out, list, page, None)?);
    let sent = u32::try_from(list.len()).unwrap_or(u32::MAX);
    out.end_page(Some(PageTag { page, sent, hits }))?;
    Ok(sent)
}

/// Sync query over a part of a window (a half of one over the paging cap),
/// page by page; halves the range while its `totalHits` is over the cap.
fn sync_range<'a>(
    ctx: &'a Ctx,
    out: &'a mut WindowSorter,
    index: usize,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    depth: u32,
    parent_hits: Option<u64>,
) -> BoxFut<'a, Result<()>> {
    Box::pin(async move {
        let cfg = &ctx.http.cfg;
        let page_size = cfg.sync_page_size;
        let mut page: u32 = 1;
        loop {
            let body = query_page(
                &ctx.http,
                &ctx.rep,
                start,
                end,
                &ctx.filters,
                page_size,
                page,
            )
            .await?;
            let parsed: SyncPage = parse(&body, "details query")?;
            ctx.rep.page_read();
            if page == 1 {
                let hits = parsed.total_hits.unwrap_or(0);
                if hits > cfg.paging_cap {
                    return over_cap(ctx, out, index, start, end, depth, hits, parent_hits).await;
                }
            }
            let Some(list) = parsed.conversations.filter(|l| !l.is_empty()) else {
                break;
            };
            let full = list.len() as u64 >= u64::from(page_size);
            ctx.rep
                .records_read(push_other_page(ctx, out, &list, None)?);
            if full && u64::from(page) * u64::from(page_size) >= cfg.paging_cap {
                // totalHits was low but the pages keep coming: split anyway
                // (what was read already is de-duplicated by the sorter).
                return over_cap(
                    ctx,
                    out,
                    index,
                    start,
                    end,
                    depth,
                    cfg.paging_cap + 1,
                    parent_hits,
                )
                .await;
            }
            page += 1;
        }
        Ok(())
    })
}

/// A sync range has more results than paging can reach.
#[allow(clippy::too_many_arguments)]
async fn over_cap(
    ctx: &Ctx,
    out: &mut WindowSorter,
    index: usize,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    depth: u32,
    hits: u64,
    parent_hits: Option<u64>,
) -> Result<()> {
    let shrinking = parent_hits.is_none_or(|p| hits < p);
    if end - start > Duration::minutes(1) && shrinking {
        tracing::info!(%start, %end, hits, "splitting a window over the paging cap");
        let (a, mid, b) = plan::halve(start, end);
        sync_range(ctx, out, index, a, mid, depth + 1, Some(hits)).await?;
        sync_range(ctx, out, index, mid, b, depth + 1, Some(hits)).await
    } else {
        // Splitting no longer helps (the query matches whole days): use a
        // job, but never for time the datalake may not have final yet.
        let until = async_until(ctx).await?;
        if until.is_some_and(|u| end <= u) {
            tracing::info!(%start, %end, hits, "sync paging cap reached; using an async job");
            async_range(ctx, out, start, end).await
        } else {
            Err(Error::new(
                ErrorKind::BadRequest,
                format!(
                    "More conversations match {} than Genesys Cloud's details query can page through ({} at most), and that time is too recent for a bulk export job{}. Narrow the filters, or export this part later.",
                    query::interval(start, end),
                    ctx.http.cfg.paging_cap,
                    until.map_or_else(
                        || " (Genesys did not say which data is ready for bulk export)".to_string(),
                        |u| format!(" (ready up to {})", u.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    )
                ),
            ))
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobCreated {
    job_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobStatus {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobPage<'a> {
    #[serde(borrow, default)]
    conversations: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    cursor: Option<String>,
}

/// Deletes an async job when dropped (cancel, failure), unless finished.
struct JobGuard {
    http: Arc<Http>,
    id: Option<String>,
}

impl JobGuard {
    /// Delete now (with the normal retries) and wait for it.
    async fn delete(mut self, rep: &Reporter) {
        if let Some(id) = self.id.take() {
            let req = ApiRequest::new(Method::DELETE, format!("{JOBS}/{id}"), DELETE_JOB);
            if let Err(e) = self.http.send(&req, rep).await {
                tracing::warn!(job = %id, "could not delete async job: {}", e.message);
            }
        }
    }
}

impl Drop for JobGuard {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let http = self.http.clone();
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move { delete_job(&http, &id).await });
            }
        }
    }
}

const DELETE_JOB: Purpose = Purpose {
    what: "deleting an export job",
    permission: DETAILS_PERMISSION,
};

/// Best effort, quick: used on cancel and failure.
async fn delete_job(http: &Http, id: &str) {
    let req = ApiRequest::new(Method::DELETE, format!("{JOBS}/{id}"), DELETE_JOB);
    match http.send_quick(&req).await {
        Ok(_) => tracing::debug!(job = id, "deleted async job"),
        Err(e) => tracing::warn!(job = id, "could not delete async job: {}", e.message),
    }
}

enum JobEnd {
    Fulfilled,
    Failed(String),
}

/// Async job over `[start, end)`: submit, poll, read by cursor, delete; then
/// re-read with the sync query what the job returned unfinished. A
/// FAILED/EXPIRED job is submitted once more, then reported clearly. At most
/// `max_concurrent_jobs` jobs are open at once.
fn async_range<'a>(
    ctx: &'a Ctx,
    out: &'a mut WindowSorter,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> BoxFut<'a, Result<()>> {
    Box::pin(async move {
        let mut open = Vec::new();
        match one_job(ctx, out, start, end, &mut open).await? {
            JobOutcome::Done => {}
            JobOutcome::Refused(e) => {
                // Genesys refused the job itself (400: nothing was created).
                // The longest interval a job accepts is not documented in our
                // sources, so a long one is split and submitted again.
                if end - start <= Duration::days(1) {
                    return Err(e);
                }
                tracing::warn!(%start, %end, "job refused; splitting its interval: {}", e.message);
                let (a, mid, b) = plan::halve(start, end);
                async_range(ctx, out, a, mid).await?;
                return async_range(ctx, out, mid, b).await;
            }
        }
        reread_open(ctx, out, open).await
    })
}

enum JobOutcome {
    Done,
    /// A 400 on submission: the job was not created.
    Refused(Error),
}

async fn one_job(
    ctx: &Ctx,
    out: &mut WindowSorter,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    open: &mut Vec<Position>,
) -> Result<JobOutcome> {
    let _permit = ctx
        .jobs
        .acquire()
        .await
        .map_err(|_| Error::internal("The export job queue closed (internal error)."))?;
    let mut last_failure = String::new();
    for attempt in 1..=2 {
        let body = query::async_job(start, end, &ctx.filters);
        // Never sent again blindly: a job created without us learning its id
        // would run on and count against the organization's limits.
        let req = ApiRequest::new(Method::POST, JOBS, DETAILS)
            .body(&body)
            .creates();
        let resp = match ctx.http.send_with(&req, &ctx.rep).await {
            Ok(r) => r,
            Err(e) if e.cause == Cause::Unanswered => {
                return Err(Error::new(
                    e.error.kind,
                    format!(
                        "{} This was the export job for {}; if Genesys started it anyway, it ends on its own. Try the export again in a few minutes, or choose the sync strategy.",
                        e.error.message,
                        query::interval(start, end)
                    ),
                ))
            }
            Err(e) if e.error.kind == ErrorKind::BadRequest => {
                return Ok(JobOutcome::Refused(e.error))
            }
            Err(e) => return Err(e.error),
        };
        let created: JobCreated = parse(&resp.body, "job submission")?;
        let guard = JobGuard {
            http: ctx.http.clone(),
            id: Some(created.job_id.clone()),
        };
        let id = created.job_id;
        match wait_for_job(ctx, &id).await? {
            JobEnd::Fulfilled => {
                let mut seen = Vec::new();
                match read_results(ctx, out, &id, &mut seen).await {
                    Ok(()) => {
                        guard.delete(&ctx.rep).await;
                        open.extend(seen);
                        return Ok(JobOutcome::Done);
                    }
                    Err(e) if e.kind == ErrorKind::NotFound => {
                        last_failure = "its results expired while we read them".into();
                    }
                    Err(e) => return Err(e),
                }
            }
            JobEnd::Failed(why) => last_failure = why,
        }
        drop(guard);
        if attempt == 1 {
            tracing::warn!(job = %id, "async job did not complete ({last_failure}); resubmitting");
            ctx.rep.update(|p| {
                p.message = "Genesys could not finish an export job; submitting it again.".into()
            });
        }
    }
    Err(Error::new(
        ErrorKind::Server,
        format!(
            "Genesys Cloud could not finish the export job for {} twice ({last_failure}). Try again later, or choose the sync strategy.",
            query::interval(start, end)
        ),
    ))
}

/// Conversations re-read per sync query (one page).
const REREAD_BATCH: usize = 100;

/// Re-read with the sync query the conversations a job returned without
/// `conversationEnd`: they were still running at the datalake snapshot, and
/// the sync query has their final state. The sorter keeps the more
/// complete copy; one the sync query does not return stays as the job sent it.
async fn reread_open(ctx: &Ctx, out: &mut WindowSorter, mut open: Vec<Position>) -> Result<()> {
    if open.is_empty() {
        return Ok(());
    }
    open.sort();
    open.dedup();
    tracing::info!(
        count = open.len(),
        "re-reading unfinished job rows with the sync query"
    );
    let cfg = &ctx.http.cfg;
    let page_size = cfg.sync_page_size;
    let mut rest = open.as_slice();
    while let Some(first) = rest.first() {
        // One batch: at most REREAD_BATCH ids whose starts fit in one interval.
        let from = first.conversation_start;
        let n = rest
            .iter()
            .take(REREAD_BATCH)
            .take_while(|p| p.conversation_start - from < cfg.max_interval)
            .count()
            .max(1);
        let (batch, tail) = rest.split_at(n);
        rest = tail;
        let to = batch[n - 1].conversation_start + Duration::milliseconds(1);
        let ids: Vec<String> = batch.iter().map(|p| p.conversation_id.clone()).collect();
        let mut page = 1;
        loop {
            let body = query::sync_query_for_ids(from, to, &ctx.filters, &ids, page_size, page);
            let req = ApiRequest::new(Method::POST, DETAILS_QUERY, DETAILS).body(&body);
            let resp = ctx.http.send(&req, &ctx.rep).await?;
            let parsed: SyncPage = parse(&resp.body, "details query")?;
            ctx.rep.page_read();
            let Some(list) = parsed.conversations.filter(|l| !l.is_empty()) else {
                break;
            };
            let full = list.len() as u64 >= u64::from(page_size);
            // Rows re-read here were counted when the job returned them.
            push_other_page(ctx, out, &list, None)?;
            if !full || page >= 100 {
                break;
            }
            page += 1;
        }
    }
    Ok(())
}

async fn wait_for_job(ctx: &Ctx, id: &str) -> Result<JobEnd> {
    let polling = &ctx.http.cfg.job_polling;
    let started = Instant::now();
    let mut delay = polling.initial;
    loop {
        ctx.rep.waiting(
            WaitReason::JobRunning,
            delay,
            "Waiting for Genesys to prepare the export job…".into(),
        );
        tokio::time::sleep(delay).await;
        let resp = ctx
            .http
            .send(
                &ApiRequest::new(Method::GET, format!("{JOBS}/{id}"), DETAILS),
                &ctx.rep,
            )
            .await?;
        let status: JobStatus = parse(&resp.body, "job status")?;
        match status.state.as_deref().unwrap_or("") {
            "FULFILLED" => return Ok(JobEnd::Fulfilled),
            s @ ("FAILED" | "EXPIRED" | "CANCELLED") => {
                let msg = status
                    .error_message
                    .map(|m| format!("state {s}: {m}"))
                    .unwrap_or_else(|| format!("state {s}"));
                return Ok(JobEnd::Failed(msg));
            }
            _ => {}
        }
        if started.elapsed() > polling.timeout {
            return Ok(JobEnd::Failed(format!(
                "it was still running after {} minutes",
                polling.timeout.as_secs() / 60
            )));
        }
        delay = delay.mul_f64(1.5).min(polling.max);
    }
}

/// Most pages one job's results may have (a server that never stops sending
/// cursors is refused rather than followed for ever, as is one that sends a
/// cursor it sent before: its pages would repeat in a loop).
const MAX_RESULT_PAGES: u32 = 1_000_000;

/// Read a fulfilled job's results by cursor. A page that times out or is
/// larger than `max_response_bytes` is asked again at half the page size
/// (down to 1): a 1000-record page of 10–20 KB records is 10–20 MB, too much
/// for a slow link within the timeouts.
async fn read_results(
    ctx: &Ctx,
    out: &mut WindowSorter,
    id: &str,
    open: &mut Vec<Position>,
) -> Result<()> {
    let mut cursor: Option<String> = None;
    let path = format!("{JOBS}/{id}/results");
    let mut page_size = ctx.http.cfg.async_page_size.max(1);
    let mut pages = 0u32;
    let mut seen = std::collections::HashSet::new();
    loop {
        let mut req = ApiRequest::new(Method::GET, path.clone(), DETAILS)
            .query("pageSize", page_size.to_string())
            .timeouts_to_caller();
        if let Some(c) = &cursor {
            req = req.query("cursor", c.clone());
        }
        let resp = match ctx.http.send_with(&req, &ctx.rep).await {
            Ok(r) => r,
            Err(e) if matches!(e.cause, Cause::Timeout | Cause::TooLarge) && page_size > 1 => {
                page_size = (page_size / 2).max(1);
                tracing::warn!(
                    job = id,
                    page_size,
                    "results page too slow or too large; asking for smaller pages"
                );
                ctx.rep.retrying(
                    WaitReason::Network,
                    std::time::Duration::ZERO,
                    format!(
                        "A page of export results was too slow or too large; asking for {page_size} conversations at a time."
                    ),
                );
                continue;
            }
            Err(e) => return Err(e.error),
        };
        let page: JobPage = parse(&resp.body, "job results")?;
        ctx.rep.page_read();
        pages += 1;
        if let Some(list) = page.conversations {
            ctx.rep
                .records_read(push_other_page(ctx, out, &list, Some(open))?);
        }
        match page.cursor {
            Some(c) if !c.is_empty() => {
                if !seen.insert(c.clone()) || pages >= MAX_RESULT_PAGES {
                    return Err(Error::new(
                        ErrorKind::Server,
                        format!(
                            "Genesys Cloud kept sending more pages of export job results (page {pages}, cursor repeated or no end in sight); we stopped reading. Try again later, or choose the sync strategy."
                        ),
                    ));
                }
                cursor = Some(c)
            }
            _ => break,
        }
    }
    Ok(())
}
