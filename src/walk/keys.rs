//! Single keypresses from the terminal.
//!
//! The terminal is switched to non-canonical, no-echo mode only while a
//! prompt waits for a key, and put back as it was right after. While a step
//! runs the terminal is the reader's own: Ctrl-C sends SIGINT (the executor
//! turns it into an interrupt and cleanup), and a walk killed at any moment
//! never leaves the terminal without echo. Keys typed during a step are
//! discarded when the next prompt opens (`TCSAFLUSH`), so a stray Enter
//! cannot run the following step unasked.
//!
//! Why libc and not crossterm: crossterm's event reader reads up to 1024
//! bytes at a time and keeps the keys it parsed in a process-wide queue, and
//! its raw mode is set with `TCSANOW`. A second key typed at a prompt (a
//! double Enter) would wait in that queue while the step runs and answer the
//! next prompt at once, running a step the reader never saw; here a key is
//! read one byte at a time and the rest is dropped by `TCSAFLUSH` when the
//! next prompt opens. Getting that from crossterm means draining its queue
//! at every prompt, and a dependency tree of its own (mio, parking_lot,
//! signal-hook-mio) for reading one byte.

use std::io;
use std::os::fd::RawFd;

/// One keypress, as the walkthrough reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Enter,
    Char(char),
    /// Ctrl-C at a prompt (signals are off while waiting for a key).
    Interrupt,
    /// Ctrl-D, or the input closed.
    Eof,
}

/// Where keys come from: the terminal, or a script in tests.
pub trait KeySource {
    fn key(&mut self) -> Key;
}

/// Keys given in advance; [`Key::Eof`] once they run out.
pub struct Scripted(pub std::collections::VecDeque<Key>);

impl Scripted {
    pub fn new(keys: &[Key]) -> Scripted {
        Scripted(keys.iter().copied().collect())
    }
}

impl KeySource for Scripted {
    fn key(&mut self) -> Key {
        self.0.pop_front().unwrap_or(Key::Eof)
    }
}

/// The terminal on stdin.
pub struct Terminal {
    fd: RawFd,
}

/// Puts the terminal back as it was, also when reading fails or panics.
struct Restore {
    fd: RawFd,
    original: libc::termios,
}

impl Drop for Restore {
    fn drop(&mut self) {
        // SAFETY: `original` was filled by tcgetattr on the same descriptor.
        unsafe {
            libc::tcsetattr(self.fd, libc::TCSANOW, &self.original);
        }
    }
}

impl Terminal {
    /// The terminal on stdin, if stdin is one.
    pub fn stdin() -> io::Result<Terminal> {
        let fd = libc::STDIN_FILENO;
        // SAFETY: isatty only inspects the descriptor.
        if unsafe { libc::isatty(fd) } != 1 {
            return Err(io::Error::other("stdin is not a terminal"));
        }
        Ok(Terminal { fd })
    }

    fn raw(&self) -> io::Result<Restore> {
        // SAFETY: termios is plain data; tcgetattr fills it or fails.
        let mut original: libc::termios = unsafe { std::mem::zeroed() };
        if unsafe { libc::tcgetattr(self.fd, &mut original) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut raw = original;
        raw.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
        raw.c_iflag &= !libc::IXON;
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // TCSAFLUSH drops what was typed while the previous step ran.
        // SAFETY: `raw` is a valid termios derived from the current one.
        if unsafe { libc::tcsetattr(self.fd, libc::TCSAFLUSH, &raw) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Restore {
            fd: self.fd,
            original,
        })
    }

    fn read_byte(&self) -> Option<u8> {
        loop {
            if crate::exec::interrupted() {
                return None;
            }
            let mut pfd = libc::pollfd {
                fd: self.fd,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd; a short timeout so an interrupt
            // requested by a signal (SIGTERM) is noticed.
            let n = unsafe { libc::poll(&mut pfd, 1, 100) };
            if n < 0 {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return None;
            }
            if n == 0 {
                continue;
            }
            let mut b = 0u8;
            // SAFETY: reads at most one byte into `b`.
            let r = unsafe { libc::read(self.fd, std::ptr::addr_of_mut!(b).cast(), 1) };
            match r {
                1 => return Some(b),
                0 => return None,
                _ if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
                _ => return None,
            }
        }
    }
}

impl KeySource for Terminal {
    fn key(&mut self) -> Key {
        let Ok(_restore) = self.raw() else {
            return Key::Eof;
        };
        loop {
            let Some(b) = self.read_byte() else {
                return if crate::exec::interrupted() {
                    Key::Interrupt
                } else {
                    Key::Eof
                };
            };
            return match b {
                b'\r' | b'\n' => Key::Enter,
                3 => Key::Interrupt,
                4 => Key::Eof,
                // Escape sequences (arrows) and other control bytes mean nothing here.
                0..=31 | 127 => continue,
                b if b.is_ascii() => Key::Char(b as char),
                _ => continue,
            };
        }
    }
}
