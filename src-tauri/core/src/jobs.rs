//! Running exports: cancellation registry, history, checkpoints.
