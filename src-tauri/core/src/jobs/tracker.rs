//! A run's progress: the fetch's and the writer's reports merged
//! ([`compose`]) into throttled [`ExportEvent::Progress`] events.
use std::sync::Mutex;
use std::time::Instant;

use super::events::{ExportEvent, Phase, Progress, WindowInfo};
use super::spec::EventSink;
use super::{Throttle, PROGRESS_INTERVAL};
use crate::export::WriteProgress;
use crate::genesys::{FetchPhase, FetchProgress};

/// Merges the fetch's and the writer's progress into throttled events.
///
/// Events are sent while the state is locked, so they arrive in order; once
/// [`Tracker::close`]d it sends nothing more (the fetch's tasks may still
/// report while they stop), so the run's last event stays last.
pub(super) struct Tracker {
    events: EventSink,
    started: Instant,
    state: Mutex<TrackerState>,
}

struct TrackerState {
    fetch: FetchProgress,
    written: WriteProgress,
    throttle: Throttle<Progress>,
    last: Progress,
    closed: bool,
}

impl Tracker {
    pub fn new(events: EventSink) -> Self {
        Self {
            events,
            started: Instant::now(),
            state: Mutex::new(TrackerState {
                fetch: FetchProgress::default(),
                written: WriteProgress::default(),
                throttle: Throttle::new(PROGRESS_INTERVAL),
                last: Progress::phase(Phase::Connecting, ""),
                closed: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TrackerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Send an event that is not progress (e.g. `queued`) in order with the rest.
    pub fn send(&self, event: ExportEvent) {
        let s = self.lock();
        self.send_locked(&s, event);
    }

    fn send_locked(&self, s: &TrackerState, event: ExportEvent) {
        if !s.closed {
            (self.events)(event)
        }
    }

    pub fn on_fetch(&self, p: &FetchProgress) {
        let mut s = self.lock();
        s.fetch = p.clone();
        self.offer(&mut s);
    }

    pub fn on_write(&self, w: WriteProgress) {
        let mut s = self.lock();
        s.written = w;
        self.offer(&mut s);
    }

    fn offer(&self, s: &mut TrackerState) {
        let p = compose(&s.fetch, s.written, self.started.elapsed().as_secs_f64());
        s.last = p.clone();
        if let Some(p) = s.throttle.offer(p) {
            self.send_locked(s, ExportEvent::Progress(p));
        }
    }

    /// The progress as it stands now.
    pub fn compose(&self) -> Progress {
        let s = self.lock();
        compose(&s.fetch, s.written, self.started.elapsed().as_secs_f64())
    }

    /// Send now, bypassing the throttle (the first and the last message).
    pub fn emit_now(&self, p: Progress) {
        let mut s = self.lock();
        s.last = p.clone();
        // Count it as sent so the throttle spaces the next one.
        let _ = s.throttle.offer(p.clone());
        let _ = s.throttle.flush();
        self.send_locked(&s, ExportEvent::Progress(p));
    }

    /// Send the newest held-back progress, if any, and nothing after it.
    pub fn close(&self) {
        let mut s = self.lock();
        if let Some(p) = s.throttle.flush() {
            self.send_locked(&s, ExportEvent::Progress(p));
        }
        s.closed = true;
    }

    /// The last progress composed or sent.
    pub fn last(&self) -> Progress {
        self.lock().last.clone()
    }
}

/// One progress report from the fetch's and the writer's, `elapsed_s`
/// seconds into the run: the phase (a wait wins), the percentage of the
/// estimated total (at most 99.9 until the file is in place), the time left
/// at the rate so far, and the window of the fetch plan.
pub(super) fn compose(f: &FetchProgress, w: WriteProgress, elapsed_s: f64) -> Progress {
    let conversations = f.conversations.max(f.read).max(w.conversations);
    let mut phase = match f.phase {
        FetchPhase::Planning => Phase::Connecting,
        FetchPhase::Fetching => Phase::Fetching,
        _ => Phase::Finishing,
    };
    let mut wait_seconds = None;
    let mut message = f.message.clone();
    if let Some(wait) = &f.waiting {
        phase = Phase::Waiting;
        wait_seconds = Some(wait.seconds.ceil().max(0.0) as u64);
        message = wait.message.clone();
    }
    let percent = f
        .estimated_total
        .filter(|t| *t > 0)
        .map(|t| (conversations as f64 * 100.0 / t as f64).min(99.9));
    let eta_seconds = match f.estimated_total {
        Some(total) if conversations > 0 && total > conversations && elapsed_s > 0.0 => {
            let rate = conversations as f64 / elapsed_s;
            Some(((total - conversations) as f64 / rate).ceil() as u64)
        }
        _ => None,
    };
    let window = (f.window_count > 0).then(|| WindowInfo {
        index: u32::try_from((f.window_index + 1).min(f.window_count)).unwrap_or(u32::MAX),
        count: u32::try_from(f.window_count).unwrap_or(u32::MAX),
    });
    Progress {
        phase,
        percent,
        conversations,
        rows: w.rows,
        estimated_total: f.estimated_total,
        eta_seconds,
        window,
        message,
        wait_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::{Wait, WaitReason};
    use std::sync::Arc;

    /// The fetch's tasks may still report while a cancelled run ends: once
    /// closed (before the run's last event), the tracker sends nothing more.
    #[test]
    fn nothing_is_sent_after_close() {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let sink = sent.clone();
        let tracker = Tracker::new(Arc::new(move |e: ExportEvent| {
            sink.lock().unwrap().push(e);
        }));
        tracker.on_fetch(&fetch(FetchPhase::Fetching, 1, None));
        // Held back by the throttle, sent by close.
        tracker.on_write(written(1, 5));
        tracker.close();
        let before = sent.lock().unwrap().len();
        assert_eq!(before, 2, "{:?}", sent.lock().unwrap());
        match sent.lock().unwrap().last() {
            Some(ExportEvent::Progress(p)) => assert_eq!(p.rows, 5),
            other => panic!("{other:?}"),
        }
        std::thread::sleep(PROGRESS_INTERVAL);
        tracker.emit_now(Progress::phase(Phase::Finishing, ""));
        tracker.send(ExportEvent::Queued(crate::jobs::Queued {
            message: String::new(),
        }));
        tracker.on_fetch(&fetch(FetchPhase::Cancelled, 2, None));
        tracker.on_write(written(2, 9));
        assert_eq!(sent.lock().unwrap().len(), before);
        assert_eq!(tracker.last().rows, 9, "still counts for the history");
    }

    fn fetch(phase: FetchPhase, conversations: u64, total: Option<u64>) -> FetchProgress {
        FetchProgress {
            phase,
            window_index: 2,
            window_count: 7,
            conversations,
            estimated_total: total,
            message: "Fetching day 3 of 7".into(),
            ..FetchProgress::default()
        }
    }

    fn written(conversations: u64, rows: u64) -> WriteProgress {
        WriteProgress {
            conversations,
            rows,
        }
    }

    #[test]
    fn the_count_is_the_most_of_read_delivered_and_written() {
        // (delivered, read from pages, written) -> shown
        let cases = [
            (0, 0, 0, 0),
            (0, 450, 0, 450), // a long window still being read
            (300, 450, 120, 450),
            (500, 450, 480, 500), // repeats dropped at delivery
            (500, 0, 500, 500),   // a resume starts with what was delivered
            (10, 20, 30, 30),
        ];
        for (delivered, read, wrote, want) in cases {
            let mut f = fetch(FetchPhase::Fetching, delivered, Some(1_000));
            f.read = read;
            let p = compose(&f, written(wrote, wrote), 1.0);
            assert_eq!(p.conversations, want, "{delivered} {read} {wrote}");
        }
    }

    #[test]
    fn phases_follow_the_fetch_and_a_wait_wins() {
        let cases = [
            (FetchPhase::Planning, Phase::Connecting),
            (FetchPhase::Fetching, Phase::Fetching),
            (FetchPhase::Done, Phase::Finishing),
            (FetchPhase::Failed, Phase::Finishing),
            (FetchPhase::Cancelled, Phase::Finishing),
        ];
        for (fetch_phase, want) in cases {
            let p = compose(&fetch(fetch_phase, 0, None), written(0, 0), 1.0);
            assert_eq!(p.phase, want, "{fetch_phase:?}");
            assert_eq!(p.message, "Fetching day 3 of 7");
            assert_eq!(p.wait_seconds, None);
        }
        let mut f = fetch(FetchPhase::Fetching, 10, None);
        f.waiting = Some(Wait {
            seconds: 11.2,
            reason: WaitReason::RateLimited,
            message: "Genesys asked us to slow down, continuing in 12 s".into(),
        });
        let p = compose(&f, written(10, 30), 1.0);
        assert_eq!(p.phase, Phase::Waiting);
        assert_eq!(p.wait_seconds, Some(12));
        assert_eq!(
            p.message,
            "Genesys asked us to slow down, continuing in 12 s"
        );
    }

    #[test]
    fn counts_percent_eta_and_window() {
        // Half of 200 in 10 s: 10 conversations a second, 10 s to go.
        let p = compose(
            &fetch(FetchPhase::Fetching, 100, Some(200)),
            written(90, 400),
            10.0,
        );
        assert_eq!(p.conversations, 100);
        assert_eq!(p.rows, 400);
        assert_eq!(p.estimated_total, Some(200));
        assert_eq!(p.percent, Some(50.0));
        assert_eq!(p.eta_seconds, Some(10));
        assert_eq!(p.window, Some(WindowInfo { index: 3, count: 7 }));

        // The writer may count more than the fetch reported (resume): the larger wins;
        // past the estimate the percentage stays below 100 and there is no ETA.
        let p = compose(
            &fetch(FetchPhase::Fetching, 10, Some(200)),
            written(250, 900),
            10.0,
        );
        assert_eq!(p.conversations, 250);
        assert_eq!(p.percent, Some(99.9));
        assert_eq!(p.eta_seconds, None);

        // No estimate (async jobs), or an estimate of zero: no percentage, no ETA.
        for total in [None, Some(0)] {
            let p = compose(&fetch(FetchPhase::Fetching, 10, total), written(0, 0), 10.0);
            assert_eq!((p.percent, p.eta_seconds), (None, None), "{total:?}");
        }
        // Nothing yet, or no time passed: no ETA.
        assert_eq!(
            compose(&fetch(FetchPhase::Fetching, 0, Some(9)), written(0, 0), 5.0).eta_seconds,
            None
        );
        assert_eq!(
            compose(&fetch(FetchPhase::Fetching, 3, Some(9)), written(0, 0), 0.0).eta_seconds,
            None
        );

        // The window index is 1-based and never past the count; no plan, no window.
        let mut f = fetch(FetchPhase::Done, 0, None);
        f.window_index = 7;
        assert_eq!(
            compose(&f, written(0, 0), 1.0).window,
            Some(WindowInfo { index: 7, count: 7 })
        );
        f.window_count = 0;
        assert_eq!(compose(&f, written(0, 0), 1.0).window, None);
    }
}
