//! A spinner on stderr while a step is silent (a long build, a pull).
//!
//! Output and spinner share one terminal, so every write of step output and
//! every tick of the spinner happen under one lock: the spinner is cleared
//! before output is printed, and drawn only at the start of a line, so it
//! never lands inside a half-printed line. A small thread ticks it.
//!
//! It draws its one line itself (carriage return, clear line, text) instead
//! of using indicatif: indicatif pads its last line with spaces to the
//! terminal's width, to keep the cursor at the right edge (0.17,
//! `DrawState::draw_to_term`), so the `^C` the terminal echoes on Ctrl-C (or
//! any key typed during a step) wraps to the next line, and clearing then
//! leaves a stale spinner behind. Here the cursor stays right after the
//! text, and a clear wipes the echo too. What indicatif would add (a tick
//! thread, clearing around output) is the few lines below, so the crate is
//! not a dependency.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Silence longer than this shows the spinner.
const QUIET_FOR: Duration = Duration::from_millis(250);
const TICK: Duration = Duration::from_millis(80);
const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

struct State {
    /// The spinner line is on screen.
    shown: bool,
    frame: usize,
    /// A step is running.
    active: bool,
    message: String,
    started: Instant,
    last_output: Instant,
    /// The last output ended with a newline (or there was none yet).
    at_line_start: bool,
}

impl State {
    fn clear(&mut self) {
        if self.shown {
            let mut err = std::io::stderr();
            let _ = err.write_all(b"\r\x1b[2K");
            let _ = err.flush();
            self.shown = false;
        }
    }

    fn draw(&mut self) {
        let _ = std::io::stdout().flush();
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r\x1b[2K{} {} {}s",
            FRAMES[self.frame % FRAMES.len()],
            self.message,
            self.started.elapsed().as_secs()
        );
        let _ = err.flush();
        self.frame += 1;
        self.shown = true;
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
            shown: false,
            frame: 0,
            active: false,
            message: String::new(),
            started: Instant::now(),
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
                    if s.active && s.at_line_start && s.last_output.elapsed() >= QUIET_FOR {
                        s.draw();
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
            s.started = Instant::now();
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
