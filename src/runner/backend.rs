//! Where a run's steps run: a [`Backend`] opens one executor per lesson,
//! says whether the engine still answers, and cleans up after the run.
//!
//! The runner drives every backend the same way, so a walk without an
//! engine ([`Docs`]) and a run on an engine ([`OnEngine`]) share the lesson
//! loop, and tests drive it with a scripted backend and no docker at all.
//! A backend is `Sync`: lessons may open their executors from threads of
//! their own.

use std::path::PathBuf;

use crate::engine::{self, Engine};
use crate::exec::{self, Executor, Playback, Session, SessionConfig};

use super::OUTPUT_LIMIT;

pub trait Backend: Sync {
    /// A fresh executor for one lesson. An `Err` fails every step of it.
    fn open(&self) -> anyhow::Result<Box<dyn Executor>>;

    /// Asked after a failing step whose output says the engine is gone:
    /// `Err` with the client's own words when it really is.
    fn engine_answers(&self) -> Result<(), String> {
        Ok(())
    }

    /// Remove what the run created; called once, after the last lesson.
    /// Returns the short IDs of the removed containers.
    fn cleanup(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A lesson's shell session on a Docker engine.
pub struct OnEngine<'a> {
    pub engine: &'a Engine,
    /// Where the commands run (the folder holding `Dockerfile` and `app/`).
    pub workdir: PathBuf,
    /// Labels what this run creates.
    pub run_id: String,
}

impl Backend for OnEngine<'_> {
    fn open(&self) -> anyhow::Result<Box<dyn Executor>> {
        let config = SessionConfig {
            workdir: self.workdir.clone(),
            docker: self.engine.docker.clone(),
            run_id: self.run_id.clone(),
            env: Vec::new(),
            output_limit: OUTPUT_LIMIT,
        };
        Ok(Box::new(Session::start(&config)?))
    }

    fn engine_answers(&self) -> Result<(), String> {
        engine::detect(&self.engine.docker)
            .map(drop)
            .map_err(|gone| gone.detail)
    }

    fn cleanup(&self) -> Vec<String> {
        exec::cleanup(&self.engine.docker, &self.run_id).unwrap_or_default()
    }
}

/// No engine: every step plays its documented output.
pub struct Docs;

impl Backend for Docs {
    fn open(&self) -> anyhow::Result<Box<dyn Executor>> {
        Ok(Box::new(Playback::default()))
    }
}
