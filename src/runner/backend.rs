//! Where a run's steps run: a [`Backend`] opens one executor per lesson,
//! says whether the engine still answers, and cleans up after the run.
//!
//! The runner drives every backend the same way, so a walk without an
//! engine ([`Docs`]) and a run on an engine ([`OnEngine`]) share the lesson
//! loop, and tests drive it with a scripted backend and no docker at all.
//! A backend is `Sync`: lessons may open their executors from threads of
//! their own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use crate::engine::{self, Engine};
use crate::exec::{self, Executor, Playback, Session, SessionConfig};

use super::OUTPUT_LIMIT;

pub trait Backend: Sync {
    /// A fresh executor for lesson `lesson`. An `Err` fails every step of it.
    fn open(&self, lesson: &str) -> anyhow::Result<Box<dyn Executor>>;

    /// Asked after a failing step whose output says the engine is gone:
    /// `Err` with the client's own words when it really is.
    fn engine_answers(&self) -> Result<(), String> {
        Ok(())
    }

    /// Note what is there before the first lesson (to tell later what the
    /// run made); called once, before the first lesson. `images`: some step
    /// may leave an image dangling (see `may_untag_images`).
    fn begin(&self, _images: bool) {}

    /// An executor of this backend may have made a container with the
    /// run's label (see [`Executor::created_containers`]).
    fn note_created(&self) {}

    /// The folder the commands run in, where their Dockerfiles are.
    fn workdir(&self) -> Option<&Path> {
        None
    }

    /// Remove what the run created; called once, after the last lesson.
    fn cleanup(&self) -> Cleaned {
        Cleaned::default()
    }
}

/// What the cleanup removed (short IDs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub containers: Vec<String>,
    pub images: Vec<String>,
}

/// A lesson's shell session on a Docker engine.
pub struct OnEngine<'a> {
    engine: &'a Engine,
    /// Where the commands run (the folder holding `Dockerfile` and `app/`).
    workdir: PathBuf,
    /// Labels what this run creates.
    run_id: String,
    /// The engine's dangling images before the run; `None` when the engine
    /// could not list them, and then no image is removed.
    dangling_before: OnceLock<Option<BTreeSet<String>>>,
    /// Whether some lesson ran `docker run` or `create`: without one no
    /// container carries the run's label, and the final listing is skipped.
    created: AtomicBool,
}

impl<'a> OnEngine<'a> {
    pub fn new(engine: &'a Engine, workdir: PathBuf, run_id: String) -> OnEngine<'a> {
        OnEngine {
            engine,
            workdir,
            run_id,
            dangling_before: OnceLock::new(),
            created: AtomicBool::new(false),
        }
    }
}

impl Backend for OnEngine<'_> {
    fn workdir(&self) -> Option<&Path> {
        Some(&self.workdir)
    }

    fn open(&self, lesson: &str) -> anyhow::Result<Box<dyn Executor>> {
        let config = SessionConfig {
            workdir: self.workdir.clone(),
            docker: self.engine.docker.clone(),
            run_id: self.run_id.clone(),
            lesson: lesson.to_string(),
            // The engine's own variables: a step's containers are made,
            // listed and removed on this engine only.
            env: self.engine.target.env(),
            output_limit: OUTPUT_LIMIT,
        };
        Ok(Box::new(Session::start(&config)?))
    }

    fn engine_answers(&self) -> Result<(), String> {
        engine::detect(
            &self.engine.docker,
            &self.engine.target,
            engine::Needs::default(),
        )
        .map(drop)
        .map_err(|gone| gone.detail)
    }

    fn begin(&self, images: bool) {
        let before = images
            .then(|| exec::dangling_images(&self.engine.docker, &self.engine.target.env()).ok())
            .flatten();
        let _ = self.dangling_before.set(before);
    }

    fn note_created(&self) {
        self.created.store(true, Ordering::SeqCst);
    }

    /// Containers first: an image a removed container used can go too.
    fn cleanup(&self) -> Cleaned {
        let env = self.engine.target.env();
        let containers = if self.created.load(Ordering::SeqCst) {
            exec::cleanup(&self.engine.docker, &env, &self.run_id).unwrap_or_default()
        } else {
            Vec::new()
        };
        let images = match self.dangling_before.get() {
            Some(Some(before)) => exec::remove_new_dangling(&self.engine.docker, &env, before).0,
            _ => Vec::new(),
        };
        // Sorted: lessons side by side make them in no fixed order, and a
        // report should not change with it.
        let mut cleaned = Cleaned { containers, images };
        cleaned.containers.sort_unstable();
        cleaned.images.sort_unstable();
        cleaned
    }
}

/// No engine: every step plays its documented output.
pub struct Docs;

impl Backend for Docs {
    fn open(&self, _lesson: &str) -> anyhow::Result<Box<dyn Executor>> {
        Ok(Box::new(Playback::default()))
    }
}
