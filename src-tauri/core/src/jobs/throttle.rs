//! Progress throttling: at most one message per interval (≈10/s), the first
//! always goes out at once and the last is never lost (see [`Throttle::flush`]).
use std::time::{Duration, Instant};

/// Default: about ten progress messages per second.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Lets through the first item, then at most one per `interval`; the newest
/// held-back item is kept so [`Throttle::flush`] can send it last.
#[derive(Debug)]
pub struct Throttle<T> {
    interval: Duration,
    last_sent: Option<Instant>,
    pending: Option<T>,
}

impl<T> Throttle<T> {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last_sent: None,
            pending: None,
        }
    }

    /// Offer an item now; returns it when it should be sent.
    pub fn offer(&mut self, item: T) -> Option<T> {
        self.offer_at(item, Instant::now())
    }

    /// Offer an item at a given instant (for tests).
    pub fn offer_at(&mut self, item: T, now: Instant) -> Option<T> {
        let due = match self.last_sent {
            None => true,
            Some(at) => now.saturating_duration_since(at) >= self.interval,
        };
        if due {
            self.last_sent = Some(now);
            self.pending = None;
            Some(item)
        } else {
            self.pending = Some(item);
            None
        }
    }

    /// The newest item held back, if any (send it as the last one).
    pub fn flush(&mut self) -> Option<T> {
        self.pending.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_goes_out_middle_is_thinned_last_is_kept() {
        let mut t = Throttle::new(Duration::from_millis(100));
        let start = Instant::now();
        let mut sent = Vec::new();
        for i in 0..50u32 {
            // one item every 10 ms for 0.5 s
            let at = start + Duration::from_millis(10 * u64::from(i));
            sent.extend(t.offer_at(i, at));
        }
        sent.extend(t.flush());
        assert_eq!(sent.first(), Some(&0));
        assert_eq!(sent.last(), Some(&49));
        assert!(sent.len() <= 7, "about 10/s over 0.5 s, got {sent:?}");
        assert!(sent.len() >= 5, "{sent:?}");
        assert_eq!(t.flush(), None);
    }
}
