//! Reading the session shell's output and finding the step markers in it.
//!
//! The session reads the pipe itself, only when it waits for an event, so a
//! flood waits on the pipe instead of filling memory, and a step's output
//! reaches the session without a thread in between (a hand-over per chunk
//! cost a wake-up of each side, three chunks a step). A pseudo-terminal is
//! read by a thread of its own ([`spawn_reader`]) into a bounded channel. The shell brackets each
//! step with markers, `\x1e<nonce>:B\n` before and `\x1e<nonce>:E<code>\n`
//! after. The nonce is random per session and never appears whole in the
//! shell's code or variables (the functions that print it hold two halves),
//! so `set` or `declare -f` in a step cannot fake a marker.
//!
//! A marker is found anywhere, so it may follow output without a final
//! newline. Only bytes that could be the start of a marker are held back
//! until the next read, and they start with the record separator (0x1E),
//! which commands hardly ever print: output is passed on as it arrives, and
//! nothing is left unseen when a step is killed.

use std::fs::File;
use std::io::Read;
use std::os::fd::AsRawFd;
#[cfg(test)]
use std::sync::mpsc::RecvTimeoutError;
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread;
use std::time::Duration;

/// Spawn a thread that forwards what `file` yields, chunk by chunk, until
/// end of file or an error (a pseudo-terminal whose last user closed it
/// reports EIO). The channel disconnects then.
pub(crate) fn spawn_reader(mut file: File) -> Receiver<Vec<u8>> {
    let (tx, rx) = sync_channel(16);
    thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
    });
    rx
}

/// What the shell said.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Output(Vec<u8>),
    Begin,
    End(i32),
    /// Every writer of the pipe is gone.
    Closed,
    /// Nothing arrived in time.
    Idle,
}

/// Where a stream's bytes come from.
pub(crate) enum Source {
    /// The pipe itself, read when an event is asked for.
    Pipe { file: File, buf: Vec<u8> },
    /// Chunks a reader thread sends.
    #[cfg(test)]
    Chunks(Receiver<Vec<u8>>),
}

/// What one wait for bytes gave.
enum Got {
    Bytes(Vec<u8>),
    Nothing,
    Closed,
}

impl Source {
    pub(crate) fn pipe(file: File) -> Source {
        Source::Pipe {
            file,
            buf: vec![0u8; 64 * 1024],
        }
    }

    /// Bytes that arrive within `wait`.
    fn get(&mut self, wait: Duration) -> Got {
        match self {
            Source::Pipe { file, buf } => {
                let mut pfd = libc::pollfd {
                    fd: file.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // Rounded up, so a wait under a millisecond does not spin.
                let ms = i32::try_from(wait.as_micros().div_ceil(1000)).unwrap_or(i32::MAX);
                // SAFETY: one valid pollfd, for the duration of the call.
                match unsafe { libc::poll(&mut pfd, 1, ms) } {
                    0 => return Got::Nothing,
                    n if n < 0 => {
                        let e = std::io::Error::last_os_error();
                        if e.kind() == std::io::ErrorKind::Interrupted {
                            return Got::Nothing;
                        }
                        return Got::Closed;
                    }
                    _ => {}
                }
                match file.read(buf) {
                    Ok(0) => Got::Closed,
                    Ok(n) => Got::Bytes(buf[..n].to_vec()),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Got::Nothing,
                    Err(_) => Got::Closed,
                }
            }
            #[cfg(test)]
            Source::Chunks(rx) => match rx.recv_timeout(wait) {
                Ok(chunk) => Got::Bytes(chunk),
                Err(RecvTimeoutError::Timeout) => Got::Nothing,
                Err(RecvTimeoutError::Disconnected) => Got::Closed,
            },
        }
    }
}

/// The shell's output, split into output and markers.
pub(crate) struct Stream {
    source: Source,
    pending: Vec<u8>,
    marker: Vec<u8>,
    closed: bool,
}

/// First byte of every marker: ASCII record separator.
pub(crate) const MARK: char = '\u{1e}';

/// Longest marker tag (`E` and a code) a marker line may carry.
const MAX_TAG: usize = 12;

impl Stream {
    pub(crate) fn new(source: Source, nonce: &str) -> Self {
        Stream {
            source,
            pending: Vec::new(),
            marker: format!("{MARK}{nonce}:").into_bytes(),
            closed: false,
        }
    }

    /// The next event, waiting at most `wait` for more bytes.
    pub(crate) fn next(&mut self, wait: Duration) -> Event {
        loop {
            if let Some(event) = self.parse() {
                return event;
            }
            if self.closed {
                if self.pending.is_empty() {
                    return Event::Closed;
                }
                return Event::Output(std::mem::take(&mut self.pending));
            }
            match self.source.get(wait) {
                Got::Bytes(chunk) => self.pending.extend_from_slice(&chunk),
                Got::Nothing => return Event::Idle,
                Got::Closed => self.closed = true,
            }
        }
    }

    /// An event from `pending`, holding back what may be a marker's start.
    fn parse(&mut self) -> Option<Event> {
        let marker = &self.marker;
        let starts = self
            .pending
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == marker[0])
            .map(|(i, _)| i);
        for at in starts {
            let rest = &self.pending[at..];
            if rest.len() < marker.len() {
                if !marker.starts_with(rest) {
                    continue;
                }
                if self.closed {
                    break; // the marker can no longer complete
                }
                return self.output_before(at);
            }
            if !rest.starts_with(marker) {
                continue;
            }
            let tail = &rest[marker.len()..];
            let Some(len) = tail.iter().take(MAX_TAG + 1).position(|b| *b == b'\n') else {
                if tail.len() > MAX_TAG || self.closed {
                    continue;
                }
                return self.output_before(at);
            };
            let Some(event) = tag(&tail[..len]) else {
                continue;
            };
            if at > 0 {
                return self.output_before(at);
            }
            self.pending.drain(..marker.len() + len + 1);
            return Some(event);
        }
        if self.pending.is_empty() {
            None
        } else {
            Some(Event::Output(std::mem::take(&mut self.pending)))
        }
    }

    fn output_before(&mut self, at: usize) -> Option<Event> {
        if at == 0 {
            None
        } else {
            Some(Event::Output(self.pending.drain(..at).collect()))
        }
    }
}

fn tag(text: &[u8]) -> Option<Event> {
    match text {
        b"B" => Some(Event::Begin),
        [b'E', code @ ..] => std::str::from_utf8(code).ok()?.parse().ok().map(Event::End),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::FromRawFd;
    use std::sync::mpsc::sync_channel;

    fn events(chunks: &[&str]) -> Vec<Event> {
        let (tx, rx) = sync_channel(chunks.len() + 1);
        for chunk in chunks {
            tx.send(chunk.as_bytes().to_vec()).unwrap();
        }
        drop(tx);
        let mut stream = Stream::new(Source::Chunks(rx), "N0NCE");
        let mut seen = Vec::new();
        loop {
            match stream.next(Duration::from_millis(10)) {
                Event::Closed => return seen,
                event => seen.push(event),
            }
        }
    }

    fn out(text: &str) -> Event {
        Event::Output(text.as_bytes().to_vec())
    }

    #[test]
    fn markers_split_across_chunks() {
        assert_eq!(
            events(&["junk\x1eN0NCE:B\nab", "c\n\x1eN0", "NCE:E4", "2\n"]),
            vec![
                out("junk"),
                Event::Begin,
                out("ab"),
                out("c\n"),
                Event::End(42)
            ]
        );
    }

    #[test]
    fn output_without_newline_and_lookalikes() {
        assert_eq!(
            events(&["\x1eN0NCE:B\nx\x1eN0NCE:Z\n\x1eN0N", "\x1eN0NCE:E0\n"]),
            vec![
                Event::Begin,
                out("x\x1eN0NCE:Z\n"),
                out("\x1eN0N"),
                Event::End(0)
            ]
        );
    }

    #[test]
    fn reads_a_pipe_itself() {
        use std::io::Write;
        let mut fds = [0; 2];
        // SAFETY: pipe fills the two descriptors, which the files then own.
        let (read, mut write) = unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1]))
        };
        let mut stream = Stream::new(Source::pipe(read), "N0NCE");
        assert_eq!(stream.next(Duration::from_millis(10)), Event::Idle);
        write.write_all(b"a\x1eN0NCE:B\nout\x1eN0NCE:E3\n").unwrap();
        drop(write);
        let mut seen = Vec::new();
        loop {
            match stream.next(Duration::from_secs(5)) {
                Event::Closed => break,
                event => seen.push(event),
            }
        }
        assert_eq!(
            seen,
            vec![out("a"), Event::Begin, out("out"), Event::End(3)]
        );
    }

    #[test]
    fn unfinished_marker_at_close_is_output() {
        assert_eq!(events(&["a\n\x1eN0NC"]), vec![out("a\n"), out("\x1eN0NC")]);
    }
}
