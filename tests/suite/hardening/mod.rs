//! Hardening tests: broken lesson files, an engine that is absent, hangs or
//! stops mid-run, steps that hang or flood, interrupts, and the safety of
//! cleanup and captured values. The bad-input corpus is in
//! `tests/bad_lessons/`.
//!
//! The safety tests talk to the real engine; everything else uses fakes.

mod corpus;
mod faults;
mod safety;
