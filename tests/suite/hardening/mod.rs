//! Hardening tests: broken lesson files, an engine that is absent, hangs or
//! stops mid-run, steps that hang or flood, interrupts, and the safety of
//! cleanup and captured values. The fake docker clients and helpers live in
//! `tests/hardening/`; the bad-input corpus in `tests/bad_lessons/`.
//!
//! The safety tests talk to the real engine; everything else uses fakes.

#[path = "hardening/common.rs"]
mod common;
#[path = "hardening/corpus.rs"]
mod corpus;
#[path = "hardening/faults.rs"]
mod faults;
#[path = "hardening/safety.rs"]
mod safety;
