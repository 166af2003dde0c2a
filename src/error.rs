//! Exit codes and the errors that choose them. Drift (the docs no longer
//! match) is a result, not an error; errors are the tool failing to check.

use crate::engine::Unreachable;
use crate::lesson::LoadErrors;
use crate::lock::LockError;

/// The process exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Drift = 1,
    Usage = 2,
    Engine = 3,
    Interrupted = 130,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Lessons(LoadErrors),
    #[error("unknown lesson `{name}`; known lessons: {}", known.join(", "))]
    UnknownLesson { name: String, known: Vec<String> },
    #[error("{0}")]
    Engine(Unreachable),
    #[error("{0}")]
    Usage(String),
    /// The engine lock was not taken: another run kept it too long, or the
    /// wait was interrupted.
    #[error("{0}")]
    Lock(Box<LockError>),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Lessons(_) | Error::UnknownLesson { .. } | Error::Usage(_) => Exit::Usage,
            Error::Engine(_) => Exit::Engine,
            Error::Lock(e) if matches!(**e, LockError::Interrupted { .. }) => Exit::Interrupted,
            Error::Lock(_) => Exit::Engine,
            Error::Other(_) => Exit::Usage,
        }
    }

    /// A line telling how to fix it, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Engine(u) => Some(u.hint().to_string()),
            Error::UnknownLesson { .. } => Some("see `knowing-scratch list`".to_string()),
            Error::Lock(e) => e.hint(),
            _ => None,
        }
    }
}
