//! Running a command in a pseudo-terminal and typing into it.
//!
//! The terminal is opened with `posix_openpt` and a fixed size of 200x50,
//! so `ps aux` in a container is not cut at 80 columns and the transcript
//! does not depend on the runner's own terminal. Both ends are opened
//! close-on-exec, so no other process started meanwhile keeps the terminal
//! alive. The child leads its own session with the terminal as controlling
//! terminal, like a login shell. Echo stays on: a transcript shows what was
//! typed the way a reader's terminal does (`docker run -it` switches the
//! local side to raw mode and the container's shell echoes instead).
//!
//! The output reader and the exchanges work on raw bytes: a prompt is found
//! in what arrived since the previous prompt matched. Status queries such as
//! `ESC [ 6 n` (busybox's line editor asks where the cursor is) are dropped
//! from the transcript and answered, as a terminal does, with the cursor
//! position followed from the output.
//!
//! A step ends when its child exits; its output ends only when the terminal
//! reports end-of-file, which the kernel does once every holder of the
//! terminal has closed it and all it wrote has been read. So once the child
//! is gone, whatever it left behind is ended and the terminal is read to
//! end-of-file: no timer decides when the output is complete, because a
//! loaded machine or a slow reader of the live output can be late by any
//! amount. Only a holder outside the child's processes (which cannot be
//! found to end it) can keep the terminal open: after [`HELD_OPEN`] the step
//! ends with a warning saying its output may be cut.
//!
//! Why libc and no pty crate: `portable-pty` (wezterm's) reports a child
//! killed by a signal only as `strsignal` text ("Killed"), not its number,
//! so a step's shell-style `128 + N` exit code would have to be decoded back
//! from that text; and it would replace only [`open_pair`] and
//! [`Pty::spawn`], about 60 lines: the exchange loop, the answers to
//! terminal queries and reading to end-of-file, most of this file, stay
//! ours either way. rustix's `pty` module would make [`open_pair`] safe,
//! but `Command::pre_exec` (new session, controlling terminal) stays unsafe
//! whatever the crate, and libc stays for `kill` and the shell's pipe: one
//! unsafe block of two would go, for three more rustix features.

use std::ffi::CStr;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::kill;
use super::output::Output;
use super::stream::spawn_reader;
use super::{End, Exchange};

pub(crate) const COLUMNS: u16 = 200;
pub(crate) const ROWS: u16 = 50;

const POLL: Duration = Duration::from_millis(50);
/// How long the terminal may stay open once the child and all it left
/// behind have been ended (only a process we cannot find holds it then).
pub(crate) const HELD_OPEN: Duration = Duration::from_secs(3);
/// How long the output must be still after a prompt before typing.
const QUIET: Duration = Duration::from_millis(150);
/// Most bytes searched for a prompt (a prompt is short).
const WINDOW: usize = 64 * 1024;

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Open a terminal pair (master, slave), both close-on-exec.
fn open_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    // SAFETY: plain libc calls on descriptors this function owns; the name
    // buffer is large enough and NUL-terminated by ptsname_r.
    unsafe {
        let master = check(libc::posix_openpt(
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        ))?;
        let master = OwnedFd::from_raw_fd(master);
        check(libc::grantpt(master.as_raw_fd()))?;
        check(libc::unlockpt(master.as_raw_fd()))?;
        let mut name = [0 as libc::c_char; 128];
        let err = libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len());
        if err != 0 {
            return Err(io::Error::from_raw_os_error(err));
        }
        let slave = check(libc::open(
            CStr::from_ptr(name.as_ptr()).as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        ))?;
        let slave = OwnedFd::from_raw_fd(slave);
        let size = libc::winsize {
            ws_row: ROWS,
            ws_col: COLUMNS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        check(libc::ioctl(slave.as_raw_fd(), libc::TIOCSWINSZ, &size))?;
        Ok((master, slave))
    }
}

/// A child running in a pseudo-terminal.
pub(crate) struct Pty {
    child: Child,
    master: File,
    rx: Receiver<Vec<u8>>,
    pid: i32,
}

impl Pty {
    /// Start `command` with the terminal as stdin, stdout and stderr.
    pub(crate) fn spawn(mut command: Command) -> io::Result<Pty> {
        let (master, slave) = open_pair()?;
        command
            .stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave));
        // SAFETY: setsid and ioctl are async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                check(libc::setsid())?;
                check(libc::ioctl(0, libc::TIOCSCTTY, 0))?;
                Ok(())
            });
        }
        let child = command.spawn()?;
        drop(command); // our copies of the slave end
        let pid = child.id() as i32;
        kill::register_group(pid);
        let master = File::from(master);
        let rx = spawn_reader(master.try_clone()?);
        Ok(Pty {
            child,
            master,
            rx,
            pid,
        })
    }

    /// Play `exchanges`, then wait for the child to end and read all it
    /// printed. Stops early on the deadline, the stop time, the line limit,
    /// or `interrupted`. What went wrong around the step goes to `warnings`.
    pub(crate) fn drive(
        &mut self,
        exchanges: &[Exchange],
        deadline: Instant,
        stop_at: Option<Instant>,
        out: &mut Output,
        interrupted: &dyn Fn() -> bool,
        warnings: &mut Vec<String>,
    ) -> io::Result<End> {
        let mut next = 0;
        let mut queries = QueryFilter::default();
        let mut window: Vec<u8> = Vec::new();
        // A prompt was seen: type once the output has been quiet for a moment.
        let mut armed = false;
        let mut last_output = Instant::now();
        loop {
            let now = Instant::now();
            let end = if interrupted() {
                Some(End::Interrupted)
            } else if out.lines_reached() || stop_at.is_some_and(|t| now >= t) {
                Some(End::Stopped)
            } else if now >= deadline {
                Some(End::TimedOut)
            } else {
                None
            };
            if let Some(end) = end {
                self.end_all();
                return Ok(end);
            }
            if let Some(status) = self.child.try_wait()? {
                // Whatever it left behind would keep the terminal open.
                self.end_all();
                let end = self.read_to_end(&mut queries, out, interrupted);
                out.push(&queries.finish());
                return Ok(match end {
                    Drained::Closed => End::Exited(code(status)),
                    Drained::Interrupted => End::Interrupted,
                    Drained::HeldOpen => {
                        warnings.push(format!(
                            "the terminal stayed open {} s after the command ended: its output may be cut",
                            HELD_OPEN.as_secs()
                        ));
                        End::Exited(code(status))
                    }
                });
            }
            match self.rx.recv_timeout(POLL) {
                Ok(chunk) => {
                    last_output = Instant::now();
                    let chunk = queries.filter(&chunk);
                    let answers = queries.take_answers();
                    if !answers.is_empty() {
                        // The child may be gone already; its exit says so.
                        let _ = self.master.write_all(&answers);
                    }
                    if out.push(&chunk) {
                        continue;
                    }
                    if next < exchanges.len() && !armed {
                        window.extend_from_slice(&chunk);
                        if let Some(at) = find(&window, exchanges[next].wait.as_bytes()) {
                            window.drain(..at + exchanges[next].wait.len());
                            armed = true;
                        }
                        if window.len() > WINDOW {
                            window.drain(..window.len() - WINDOW);
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    // The child is exiting: it has closed the terminal.
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            // A line editor that has just drawn its prompt may still be
            // talking to the terminal (busybox asks where the cursor is);
            // typing into that exchange garbles the prompt.
            if armed && last_output.elapsed() >= QUIET {
                // The child may be gone already; its exit says so.
                let _ = self.type_line(&exchanges[next].send);
                next += 1;
                armed = false;
                window.clear();
            }
        }
    }

    /// Read what is left until end-of-file: the child has exited and what
    /// it left behind has been ended.
    fn read_to_end(
        &mut self,
        queries: &mut QueryFilter,
        out: &mut Output,
        interrupted: &dyn Fn() -> bool,
    ) -> Drained {
        let until = Instant::now() + HELD_OPEN;
        loop {
            if interrupted() {
                return Drained::Interrupted;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Drained::HeldOpen;
            }
            match self.rx.recv_timeout(POLL.min(left)) {
                Ok(chunk) => {
                    out.push(&queries.filter(&chunk));
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Drained::Closed,
            }
        }
    }

    fn type_line(&mut self, line: &str) -> io::Result<()> {
        self.master.write_all(line.as_bytes())?;
        self.master.write_all(b"\n")?;
        self.master.flush()
    }

    /// End the child and whatever it left behind.
    fn end_all(&mut self) {
        let mut pids = kill::tree(self.pid);
        if self.child.try_wait().ok().flatten().is_none() {
            pids.insert(self.pid);
        }
        kill::terminate(&pids, Duration::from_secs(1));
        let _ = self.child.wait();
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.end_all();
        }
        kill::unregister_group(self.pid);
    }
}

/// How reading the rest of a terminal's output ended.
enum Drained {
    /// End-of-file: everything printed was read.
    Closed,
    Interrupted,
    /// Something we could not end still holds the terminal.
    HeldOpen,
}

/// A shell-style exit code: the code, or 128 + the signal that ended it.
pub(crate) fn code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1)
}

/// Removes terminal status queries from a byte stream split into chunks,
/// and prepares the answers a terminal would give: busybox's line editor
/// asks where the cursor is after drawing its prompt, and typing before it
/// has an answer makes it draw the prompt twice.
#[derive(Default)]
struct QueryFilter {
    held: Vec<u8>,
    /// Where the cursor is, 0-based, from what has been shown so far.
    row: u16,
    column: u16,
    /// Inside an escape sequence: it moves nothing we track.
    in_escape: bool,
    /// Answers owed to the program, in order.
    answers: Vec<u8>,
}

const QUERIES: [&[u8]; 2] = [b"\x1b[6n", b"\x1b[5n"];

impl QueryFilter {
    fn filter(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut data = std::mem::take(&mut self.held);
        data.extend_from_slice(chunk);
        let mut out = Vec::with_capacity(data.len());
        let mut i = 0;
        while i < data.len() {
            if data[i] == 0x1b {
                let rest = &data[i..];
                if let Some(q) = QUERIES.iter().find(|q| rest.starts_with(q)) {
                    let answer = if q[2] == b'6' {
                        format!("\x1b[{};{}R", self.row + 1, self.column + 1)
                    } else {
                        String::from("\x1b[0n")
                    };
                    self.answers.extend_from_slice(answer.as_bytes());
                    i += 4;
                    continue;
                }
                if rest.len() < 4 && QUERIES.iter().any(|q| q.starts_with(rest)) {
                    self.held = rest.to_vec();
                    break;
                }
            }
            self.track(data[i]);
            out.push(data[i]);
            i += 1;
        }
        out
    }

    /// Follow the cursor over one shown byte (roughly: enough for prompts).
    fn track(&mut self, byte: u8) {
        if self.in_escape {
            // CSI sequences end with a byte in @..~; a bare ESC x ends at x.
            if (0x40..=0x7e).contains(&byte) && byte != b'[' {
                self.in_escape = false;
            }
            return;
        }
        match byte {
            0x1b => self.in_escape = true,
            b'\n' => {
                self.row = (self.row + 1).min(ROWS - 1);
                self.column = 0;
            }
            b'\r' => self.column = 0,
            0x08 => self.column = self.column.saturating_sub(1),
            // UTF-8 continuation bytes share the column of their first byte.
            0x80..=0xbf => {}
            b if b >= 0x20 => self.column = (self.column + 1).min(COLUMNS - 1),
            _ => {}
        }
    }

    /// The answers owed since the last call.
    fn take_answers(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.answers)
    }

    /// Bytes held back at the end of the stream.
    fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.held)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_queries_are_dropped_across_chunks() {
        let mut filter = QueryFilter::default();
        let mut seen = filter.filter(b"/ # \x1b[");
        seen.extend(filter.filter(b"6nps\x1b[1m"));
        seen.extend(filter.filter(b"\x1b"));
        seen.extend(filter.finish());
        assert_eq!(seen, b"/ # ps\x1b[1m\x1b");
    }

    #[test]
    fn cursor_queries_are_answered_with_the_cursor_position() {
        let mut filter = QueryFilter::default();
        filter.filter(b"\n\nBusyBox\n\x1b[1m/ # \x1b[0m\x1b[6n");
        assert_eq!(filter.take_answers(), b"\x1b[4;5R");
        filter.filter(b"\x1b[5n");
        assert_eq!(filter.take_answers(), b"\x1b[0n");
        assert_eq!(filter.take_answers(), b"");
    }
}
