//! Progress on stderr: an indicatif bar when stderr is a terminal, plain
//! timestamped lines otherwise (logs of schedulers), nothing with `--quiet`.
//! Fed by the run's events (`jobs::ExportEvent`), already throttled to
//! about ten a second.
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use genesys_core::jobs::{ExportEvent, Progress as RunProgress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a plain log line is written at most (waits and new steps are logged at once).
const LOG_EVERY: Duration = Duration::from_secs(5);

#[derive(Default)]
struct State {
    conversations: u64,
    rows: u64,
    estimate: Option<u64>,
    message: String,
    last_line: Option<Instant>,
    last_message: String,
}

/// Shared by the fetch's progress callback and the writer's.
#[derive(Clone)]
pub struct Progress {
    started: Instant,
    bar: Option<ProgressBar>,
    log: bool,
    state: Arc<Mutex<State>>,
}

impl Progress {
    /// A bar on a terminal, lines otherwise, silent when `quiet`.
    pub fn new(quiet: bool) -> Self {
        let tty = std::io::stderr().is_terminal();
        let bar = (!quiet && tty).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{wide_bar}] {human_pos}/{human_len} conversations ({per_sec}, ETA {eta}) {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            started: Instant::now(),
            bar,
            log: !quiet && !tty,
            state: Arc::default(),
        }
    }

    /// An event of the run (`jobs::run_export`): progress reports and the queue notice.
    pub fn event(&self, e: &ExportEvent) {
        match e {
            ExportEvent::Progress(p) => self.progress(p),
            ExportEvent::Queued(q) => self.say(&q.message),
            ExportEvent::LongRange(l) => self.say(&l.message),
            _ => {}
        }
    }

    fn progress(&self, p: &RunProgress) {
        let Ok(mut s) = self.state.lock() else { return };
        s.conversations = p.conversations;
        s.rows = p.rows;
        s.estimate = p.estimated_total.or(s.estimate);
        s.message = crate::safe(&p.message).into_owned();
        if let Some(bar) = &self.bar {
            if let Some(total) = s.estimate {
                bar.set_length(total.max(s.conversations));
            }
            bar.set_position(s.conversations);
            bar.set_message(s.message.clone());
        }
        self.maybe_log(&mut s);
    }

    fn maybe_log(&self, s: &mut State) {
        if !self.log {
            return;
        }
        let due = s.last_line.is_none_or(|t| t.elapsed() >= LOG_EVERY);
        if !due && s.message == s.last_message {
            return;
        }
        let of = s.estimate.map(|e| format!(" of ~{e}")).unwrap_or_default();
        eprintln!(
            "[{:>7.1}s] {}{of} conversations, {} rows. {}",
            self.started.elapsed().as_secs_f64(),
            s.conversations,
            s.rows,
            s.message
        );
        s.last_line = Some(Instant::now());
        s.last_message = s.message.clone();
    }

    /// A one-off line (e.g. "Cancelling…"), above the bar when there is one.
    pub fn say(&self, line: &str) {
        let line = crate::safe(line);
        match &self.bar {
            Some(bar) => bar.println(line.as_ref()),
            None => eprintln!("{line}"),
        }
    }

    /// Remove the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
