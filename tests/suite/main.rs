//! The integration tests, one binary with a module per feature. They run the
//! real binary; all but a few use the fake `docker` (`tests/fake/docker`),
//! which plays back outputs recorded from real engines
//! (`tests/fixtures/tapes/`). The harness is the `support` crate
//! (`tests/support/`); `tests/live.rs` runs the same lessons against the real
//! engine.
//!
//! The modules that need a real engine say so at their top: the `engine`
//! part of `docs`, `hardening::safety` and `walk_tmux` (which also needs
//! tmux). Without them those tests fail, they do not skip.

mod bless;
mod check;
mod docs;
mod errors;
mod formats;
mod hardening;
mod import;
mod list;
mod lock;
mod matrix;
mod readme;
mod run;
mod timeouts;
mod walk_tmux;
