//! One file per subcommand, each with one entry function.

pub mod check;
pub mod completions;
pub mod doctor;
pub mod import;
pub mod list;
pub mod render;
pub mod run;
pub mod walk;

use std::path::{Path, PathBuf};

use crate::embedded;
use crate::engine::{self, Engine, Needs};
use crate::error::Error;
use crate::lesson::{self, Lesson, LessonSet};
use crate::settings::Settings;

/// The lessons a command works on, and the temporary folder holding the
/// built-in ones when no `lessons/` was found (removed when dropped).
pub struct Lessons {
    pub set: LessonSet,
    pub workdir: PathBuf,
    pub unpacked: Option<tempfile::TempDir>,
}

/// `--lessons DIR`, else `./lessons`, else the lessons built into the binary.
pub fn load_lessons(settings: &Settings) -> Result<Lessons, Error> {
    let (dir, unpacked) = match &settings.lessons {
        Some(d) => (d.clone(), None),
        None if Path::new("lessons").is_dir() => (PathBuf::from("lessons"), None),
        None => {
            let tmp = embedded::unpack().map_err(Error::Other)?;
            (tmp.path().join("lessons"), Some(tmp))
        }
    };
    let set = lesson::load_dir(&dir).map_err(Error::Lessons)?;
    // Commands run beside the lessons folder, where Dockerfile and app/ are.
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let workdir = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
    Ok(Lessons {
        set,
        workdir,
        unpacked,
    })
}

/// The lessons named on the command line (all when none), in file order.
pub fn select<'a>(set: &'a LessonSet, names: &[String]) -> Result<Vec<&'a Lesson>, Error> {
    if names.is_empty() {
        return Ok(set.lessons.iter().collect());
    }
    for n in names {
        if set.get(n).is_none() {
            return Err(Error::UnknownLesson {
                name: n.clone(),
                known: set.lessons.iter().map(|l| l.id.clone()).collect(),
            });
        }
    }
    Ok(set
        .lessons
        .iter()
        .filter(|l| names.contains(&l.id))
        .collect())
}

/// The docker client to use.
pub fn client(settings: &Settings) -> Result<PathBuf, Error> {
    engine::resolve_client(settings.docker.as_deref()).ok_or_else(|| {
        Error::Usage(match &settings.docker {
            Some(p) => format!("the docker client `{}` was not found", p.display()),
            None => "no `docker` client on PATH: install one, or name it with `--docker PATH`"
                .to_string(),
        })
    })
}

/// The docker client to use, and what it talks to (asking what `needs` says).
pub fn connect(settings: &Settings, needs: Needs) -> Result<Engine, Error> {
    let docker = client(settings)?;
    engine::detect(&docker, &crate::target::Target::default(), needs).map_err(Error::Engine)
}

/// Hold the engine for this run (see `lock`); waiting is said on stderr.
pub fn lock_engine(settings: &Settings, engine: &Engine) -> Result<crate::lock::EngineLock, Error> {
    let p = crate::color::Palette::new(settings.color_stderr);
    crate::lock::acquire(&engine.docker, &engine.target, &mut |msg| {
        eprintln!("{}", p.hint(msg));
    })
    .map_err(|e| Error::Lock(Box::new(e)))
}
