//! The command line, end to end: the real binary, run against a fake `docker`
//! (`tests/fake/docker`) that plays back outputs recorded from real engines
//! (`tests/fixtures/tapes`). No test here needs an engine or the network;
//! `tests/live.rs` runs the same lessons against the real engine.

#[path = "cli/expect.rs"]
mod expect;
// Shared with tests/live.rs, which uses the parts for real clients.
#[allow(dead_code)]
#[path = "cli/test.rs"]
mod test;

#[path = "cli/bless.rs"]
mod bless;
#[path = "cli/check.rs"]
mod check;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/formats.rs"]
mod formats;
#[path = "cli/list.rs"]
mod list;
#[path = "cli/run.rs"]
mod run;
#[path = "cli/timeouts.rs"]
mod timeouts;
