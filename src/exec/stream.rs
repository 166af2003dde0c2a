//! Reading the session shell's output and finding the step markers in it.
//!
//! A thread reads the pipe in chunks into a bounded channel, so a flood
//! waits on the pipe instead of filling memory. The shell brackets each
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
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
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

/// The shell's output, split into output and markers.
pub(crate) struct Stream {
    rx: Receiver<Vec<u8>>,
    pending: Vec<u8>,
    marker: Vec<u8>,
    closed: bool,
}

/// First byte of every marker: ASCII record separator.
pub(crate) const MARK: char = '\u{1e}';

/// Longest marker tag (`E` and a code) a marker line may carry.
const MAX_TAG: usize = 12;

impl Stream {
    pub(crate) fn new(rx: Receiver<Vec<u8>>, nonce: &str) -> Self {
        Stream {
            rx,
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
            match self.rx.recv_timeout(wait) {
                Ok(chunk) => self.pending.extend_from_slice(&chunk),
                Err(RecvTimeoutError::Timeout) => return Event::Idle,
                Err(RecvTimeoutError::Disconnected) => self.closed = true,
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
    use std::sync::mpsc::sync_channel;

    fn events(chunks: &[&str]) -> Vec<Event> {
        let (tx, rx) = sync_channel(chunks.len() + 1);
        for chunk in chunks {
            tx.send(chunk.as_bytes().to_vec()).unwrap();
        }
        drop(tx);
        let mut stream = Stream::new(rx, "N0NCE");
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
    fn unfinished_marker_at_close_is_output() {
        assert_eq!(events(&["a\n\x1eN0NC"]), vec![out("a\n"), out("\x1eN0NC")]);
    }
}
