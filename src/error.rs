//! Exit codes and the errors that choose them. Drift (the docs no longer
//! match) is a result, not an error; errors are the tool failing to check.
//!
//! A failure with a cause (a file that cannot be read or written) is an
//! [`Error::Other`]: an `anyhow` error whose context says what failed, with
//! the cause kept as an error, not flattened into text, so `main` prints
//! the whole chain once (`cannot read X: No such file or directory`).
//! [`Error::Usage`] is for mistakes that have no cause beyond the message.

use crate::engine::Unreachable;
use crate::lesson::LoadErrors;

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
    /// A mistake in how the tool was called, fully told by its message.
    #[error("{0}")]
    Usage(String),
    /// What failed (the outermost context), its causes as its sources.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Lessons(_) | Error::UnknownLesson { .. } | Error::Usage(_) | Error::Other(_) => {
                Exit::Usage
            }
            Error::Engine(_) => Exit::Engine,
        }
    }

    /// The message followed by every cause, `: `-separated, as `main`
    /// prints it.
    pub fn with_causes(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(&format!(": {c}"));
            cause = c.source();
        }
        text
    }

    /// A line telling how to fix it, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Engine(u) => Some(u.hint().to_string()),
            Error::UnknownLesson { .. } => Some("see `knowing-scratch list`".to_string()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use anyhow::Context;

    use super::*;

    #[test]
    fn causes_are_printed_after_what_failed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e: Error = Err::<(), _>(io)
            .context("cannot read `a.md`")
            .context("import the tutorial")
            .unwrap_err()
            .into();
        assert_eq!(
            e.with_causes(),
            "import the tutorial: cannot read `a.md`: no such file"
        );
        assert_eq!(e.exit(), Exit::Usage);
        assert_eq!(Error::Usage("bad".into()).with_causes(), "bad");
    }
}
