//! Exponential back-off with jitter between failed rounds of the worker.

use std::time::Duration;

/// Delays that double after each failure from `min` up to `max`. Each delay
/// is drawn at random from the upper half of the current step, so stations
/// that failed together do not retry together.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            min,
            max: max.max(min),
            failures: 0,
        }
    }

    /// Returns the delay before the next try and counts one more failure.
    pub fn next_delay(&mut self) -> Duration {
        let step = self
            .min
            .saturating_mul(2u32.saturating_pow(self.failures.min(30)))
            .min(self.max);
        self.failures = self.failures.saturating_add(1);

        let half = step / 2;
        let spread = (step - half).as_millis() as u64;
        half + Duration::from_millis(rand::random_range(0..=spread))
    }

    /// Starts again from `min` after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Counts the failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_within_bounds() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(1000));

        let delays: Vec<Duration> = (0..8).map(|_| backoff.next_delay()).collect();

        let steps = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
        for (delay, step) in delays.iter().zip(steps) {
            let step = Duration::from_millis(step);
            assert!(*delay >= step / 2, "{delay:?} under half of {step:?}");
            assert!(*delay <= step, "{delay:?} over {step:?}");
        }
    }

    #[test]
    fn reset_starts_over() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(60));
        for _ in 0..10 {
            backoff.next_delay();
        }

        backoff.reset();

        assert_eq!(backoff.failures(), 0);
        assert!(backoff.next_delay() <= Duration::from_millis(100));
    }
}
