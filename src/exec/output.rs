//! Collecting a step's output: bounded, cut after N lines, shown live.
//!
//! At most `limit` bytes are kept; later bytes are only counted, so a flood
//! costs no memory. When the step asked to stop after N lines, everything
//! after the N-th newline is cut, so the kept text is exactly those lines.
//! The live view gets exactly the kept bytes, decoded as UTF-8 without ever
//! splitting a character across two calls.

/// Where a step's bytes go.
pub(crate) struct Output<'a> {
    kept: Vec<u8>,
    limit: usize,
    dropped: usize,
    lines: usize,
    stop_lines: Option<usize>,
    live: LiveText<'a>,
}

impl<'a> Output<'a> {
    pub(crate) fn new(
        limit: usize,
        stop_lines: Option<usize>,
        live: &'a mut dyn FnMut(&str),
    ) -> Self {
        Output {
            kept: Vec::new(),
            limit,
            dropped: 0,
            lines: 0,
            stop_lines,
            live: LiveText {
                carry: Vec::new(),
                sink: live,
            },
        }
    }

    /// Whether the step asked to stop after N lines and has printed them.
    pub(crate) fn lines_reached(&self) -> bool {
        self.stop_lines.is_some_and(|n| self.lines >= n)
    }

    /// Take `bytes`; returns true once the line limit is reached, after
    /// which further bytes are ignored.
    pub(crate) fn push(&mut self, mut bytes: &[u8]) -> bool {
        if self.lines_reached() {
            return true;
        }
        if let Some(n) = self.stop_lines {
            let wanted = n - self.lines;
            let mut newlines = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n');
            if let Some((pos, _)) = newlines.nth(wanted - 1) {
                bytes = &bytes[..=pos];
                self.lines = n;
            } else {
                self.lines += bytes.iter().filter(|b| **b == b'\n').count();
            }
        }
        let take = bytes.len().min(self.limit - self.kept.len());
        self.kept.extend_from_slice(&bytes[..take]);
        self.live.feed(&bytes[..take]);
        self.dropped += bytes.len() - take;
        self.lines_reached()
    }

    /// The kept text (lossy UTF-8) and the count of dropped bytes.
    pub(crate) fn finish(mut self) -> (String, usize) {
        self.live.flush();
        (
            String::from_utf8_lossy(&self.kept).into_owned(),
            self.dropped,
        )
    }
}

/// Decodes a byte stream for display, holding back an unfinished character.
struct LiveText<'a> {
    carry: Vec<u8>,
    sink: &'a mut dyn FnMut(&str),
}

impl LiveText<'_> {
    fn feed(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.carry.extend_from_slice(bytes);
        let ready = self.carry.len() - incomplete_tail(&self.carry);
        if ready > 0 {
            let text = String::from_utf8_lossy(&self.carry[..ready]).into_owned();
            self.carry.drain(..ready);
            (self.sink)(&text);
        }
    }

    fn flush(&mut self) {
        if !self.carry.is_empty() {
            let text = String::from_utf8_lossy(&self.carry).into_owned();
            self.carry.clear();
            (self.sink)(&text);
        }
    }
}

/// Length of a UTF-8 sequence cut short at the end of `bytes` (0 if none).
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue; // continuation byte: look further back for the lead
        }
        let len = match b {
            0xF0..=0xF7 => 4,
            0xE0..=0xEF => 3,
            0xC0..=0xDF => 2,
            _ => return 0,
        };
        return if len > back { back } else { 0 };
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(
        limit: usize,
        lines: Option<usize>,
        chunks: &[&[u8]],
    ) -> (String, usize, Vec<String>) {
        let mut live = Vec::new();
        let mut sink = |s: &str| live.push(s.to_string());
        let mut out = Output::new(limit, lines, &mut sink);
        for chunk in chunks {
            out.push(chunk);
        }
        let (text, dropped) = out.finish();
        (text, dropped, live)
    }

    #[test]
    fn live_never_splits_a_character() {
        let e = "é".as_bytes(); // c3 a9
        let euro = "€".as_bytes(); // e2 82 ac
        let (text, dropped, live) = collect(
            100,
            None,
            &[
                &[b'a', e[0]],
                &[e[1], euro[0]],
                &[euro[1]],
                &[euro[2], b'b'],
            ],
        );
        assert_eq!(text, "aé€b");
        assert_eq!(dropped, 0);
        assert_eq!(live, vec!["a", "é", "€b"]);
    }

    #[test]
    fn keeps_the_limit_and_counts_the_rest() {
        let (text, dropped, live) = collect(5, None, &[b"abc", b"defg", b"hij"]);
        assert_eq!(text, "abcde");
        assert_eq!(dropped, 5);
        assert_eq!(live.concat(), "abcde");
    }

    #[test]
    fn cuts_after_n_lines() {
        let (text, dropped, live) = collect(100, Some(2), &[b"one\ntw", b"o\nthree\n", b"four\n"]);
        assert_eq!(text, "one\ntwo\n");
        assert_eq!(dropped, 0);
        assert_eq!(live.concat(), "one\ntwo\n");
    }

    #[test]
    fn incomplete_tail_lengths() {
        assert_eq!(incomplete_tail(b"abc"), 0);
        assert_eq!(incomplete_tail(&[b'a', 0xE2, 0x82]), 2);
        assert_eq!(incomplete_tail(&[0xE2, 0x82, 0xAC]), 0);
        assert_eq!(incomplete_tail(&[0xF0, 0x9F, 0x98]), 3);
        assert_eq!(incomplete_tail(&[0xC3]), 1);
    }
}
