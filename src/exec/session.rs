use super::{SessionConfig, StepResult, StepRun};

/// A long-lived shell shared by the steps of one lesson.
pub struct Session {
    config: SessionConfig,
}

impl Session {
    /// Start the shell in `config.workdir`, with the docker shim first on PATH.
    pub fn start(config: &SessionConfig) -> anyhow::Result<Session> {
        Ok(Session {
            config: config.clone(),
        })
    }

    /// Run one step; `live` receives output as it arrives (for walk/run).
    /// An `Err` means the session itself broke (the shell died), not that the
    /// command failed.
    pub fn run(
        &mut self,
        step: &StepRun,
        live: &mut dyn FnMut(&str),
    ) -> anyhow::Result<StepResult> {
        let _ = (step, live, &self.config);
        todo!()
    }

    /// End the shell (and anything still running in it).
    pub fn close(self) {}
}
