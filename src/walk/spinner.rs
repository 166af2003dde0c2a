//! A spinner on stderr while a step is silent (a long build, a pull).
//!
//! Output and spinner share one terminal, so every write of step output and
//! every tick of the spinner happen under one lock: the spinner is cleared
//! before output is printed, and drawn only at the start of a line, so it
//! never lands inside a half-printed line. A small thread ticks it; indicatif's
//! own ticker is not used because it would draw outside that lock.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Silence longer than this shows the spinner.
const QUIET_FOR: Duration = Duration::from_millis(250);
const TICK: Duration = Duration::from_millis(80);

struct State {
    bar: Option<ProgressBar>,
    /// A step is running.
    active: bool,
    message: String,
    last_output: Instant,
    /// The last output ended with a newline (or there was none yet).
    at_line_start: bool,
}

impl State {
    fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// Shows a spinner during silent steps; does nothing when disabled.
pub struct Spinner {
    state: Arc<Mutex<State>>,
    shutdown: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// `enabled` only when stderr is a terminal and the walk is not quiet.
    pub fn new(enabled: bool) -> Spinner {
        let state = Arc::new(Mutex::new(State {
            bar: None,
            active: false,
            message: String::new(),
            last_output: Instant::now(),
            at_line_start: true,
        }));
        let shutdown = Arc::new(AtomicBool::new(false));
        let thread = enabled.then(|| {
            let state = Arc::clone(&state);
            let shutdown = Arc::clone(&shutdown);
            std::thread::spawn(move || {
                while !shutdown.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    let Ok(mut s) = state.lock() else { return };
                    if !s.active || !s.at_line_start || s.last_output.elapsed() < QUIET_FOR {
                        continue;
                    }
                    if s.bar.is_none() {
                        let _ = std::io::stdout().flush();
                        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                        bar.set_style(
                            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                        );
                        bar.set_message(s.message.clone());
                        s.bar = Some(bar);
                    }
                    if let Some(bar) = &s.bar {
                        bar.tick();
                    }
                }
            })
        });
        Spinner {
            state,
            shutdown,
            thread,
        }
    }

    /// A step starts: spin while it says nothing.
    pub fn start(&self, message: &str) {
        if let Ok(mut s) = self.state.lock() {
            s.active = true;
            s.message = message.to_string();
            s.last_output = Instant::now();
            s.at_line_start = true;
        }
    }

    /// Print step output: the spinner is cleared first, under the same lock.
    pub fn print(&self, text: &str, print: impl FnOnce(&str)) {
        match self.state.lock() {
            Ok(mut s) => {
                s.clear();
                print(text);
                s.last_output = Instant::now();
                if !text.is_empty() {
                    s.at_line_start = text.ends_with('\n');
                }
            }
            Err(_) => print(text),
        }
    }

    /// The step ended.
    pub fn stop(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.active = false;
            s.clear();
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop();
        self.shutdown.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
