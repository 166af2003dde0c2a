//! Matching at scale: documented vs real outputs of 1k, 10k and 100k lines,
//! with and without drift (one line, a few lines spread through the output,
//! a block inserted, 1% of lines), and pathological pairs that only the diff
//! deadline keeps short. Prints a Markdown table (run by `benches/bench.sh`,
//! or alone with `cargo bench --bench matching`). `cargo bench --bench
//! matching -- 100000` measures one size alone, without the pathological
//! pairs (for a profiler).
//!
//! The outputs look like what Docker prints: container listings with IDs and
//! relative times, build-log durations, digests, sizes and plain lines, so
//! the volatile rules do real work on every line.
//!
//! `compare` is the time of one comparison of a parsed pattern. A lesson's
//! documented outputs are parsed once per load, whether or not they match
//! later, so what a step with such an output costs a run is parse +
//! compare: the table shows both, and their sum.

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use knowing_scratch::matcher::{Options, Pattern};

/// A deterministic stream of pseudo-random numbers (no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(n);
        // Never all decimal digits, so it reads as an ID.
        s.replace_range(0..1, "a");
        s
    }
}

/// Line `i` of an output; `seed` varies the volatile values, not the text.
fn line(i: usize, rng: &mut Rng) -> String {
    match i % 5 {
        0 => format!(
            "{}   busybox   \"sleep 600\"   {} minutes ago   Up {} minutes   app_{i}",
            rng.hex(12),
            2 + rng.next() % 50,
            1 + rng.next() % 50
        ),
        1 => format!("#{i} DONE {}.{}s", rng.next() % 10, rng.next() % 10),
        2 => format!("sha256:{}", rng.hex(64)),
        3 => format!("layer {i}   {}.{}MB", 20 + rng.next() % 5, rng.next() % 10),
        _ => format!("plain line {i} of the output"),
    }
}

fn output(lines: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut s = String::new();
    for i in 0..lines {
        s.push_str(&line(i, &mut rng));
        s.push('\n');
    }
    s
}

/// Change the text (not only the volatile values) of every `every`-th line.
fn drift(text: &str, every: usize) -> String {
    let mut s = String::new();
    for (i, l) in text.lines().enumerate() {
        if i % every == every / 2 {
            s.push_str(&l.replace("plain", "changed").replace("busybox", "alpine"));
            s.push_str(" (changed)");
        } else {
            s.push_str(l);
        }
        s.push('\n');
    }
    s
}

/// Change the text of the lines at these tenths of the output (a few
/// changes spread through it).
fn drift_at(text: &str, tenths: &[usize]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let at: Vec<usize> = tenths.iter().map(|k| lines.len() * k / 10).collect();
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        if at.contains(&i) {
            s.push_str(&l.replace("plain", "changed").replace("busybox", "alpine"));
            s.push_str(" (changed)");
        } else {
            s.push_str(l);
        }
        s.push('\n');
    }
    s
}

/// `count` new lines inserted in the middle of the output.
fn insert_block(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let middle = lines.len() / 2;
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i == middle {
            for k in 0..count {
                s.push_str(&format!("inserted line {k}: warning: something new\n"));
            }
        }
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// Median of `runs` timings of `f`, in milliseconds (release build: `cargo
/// bench` builds with the release profile).
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

fn runs_for(lines: usize) -> usize {
    match lines {
        0..=1_000 => 51,
        1_001..=10_000 => 21,
        _ => 11,
    }
}

/// Compare once in a thread; `None` when it takes longer than `limit`.
fn bounded(doc: String, real: String, limit: Duration) -> Option<(Duration, bool, usize)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let pattern = Pattern::parse(&doc).expect("the pattern compiles");
        let t = Instant::now();
        let c = pattern.compare(&real, &Options::default(), &HashMap::new());
        let _ = tx.send((t.elapsed(), c.matched, c.diff.len()));
    });
    rx.recv_timeout(limit).ok()
}

fn main() {
    let only: Option<usize> = std::env::args().skip(1).find_map(|a| a.parse().ok());
    let known = HashMap::new();
    let opts = Options::default();
    println!(
        "| lines | case | parse (ms) | compare (ms) | parse + compare (ms) | compare per 1k lines (ms) | diff lines |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for lines in [1_000, 10_000, 100_000] {
        if only.is_some_and(|n| n != lines) {
            continue;
        }
        let doc = output(lines, 1);
        let real = output(lines, 2);
        let cases = [
            ("same text, new volatile values", real.clone(), true),
            ("one line changed", drift(&real, lines), false),
            (
                "5 lines changed, spread",
                drift_at(&real, &[1, 3, 5, 7, 9]),
                false,
            ),
            (
                "20 lines inserted in the middle",
                insert_block(&real, 20),
                false,
            ),
            ("1% of lines changed", drift(&real, 100), false),
        ];
        let runs = runs_for(lines);
        let parse = median_ms(runs, || {
            black_box(Pattern::parse(black_box(&doc)).unwrap());
        });
        let pattern = Pattern::parse(&doc).unwrap();
        for (name, actual, should_match) in cases {
            let c = pattern.compare(&actual, &opts, &known);
            assert_eq!(c.matched, should_match, "{lines} lines, {name}");
            let ms = median_ms(runs, || {
                black_box(pattern.compare(black_box(&actual), &opts, &known));
            });
            println!(
                "| {lines} | {name} | {parse:.2} | {ms:.2} | {:.2} | {:.3} | {} |",
                parse + ms,
                ms / (lines as f64 / 1000.0),
                c.diff.len()
            );
        }
    }
    if only.is_some() {
        return;
    }
    println!();
    println!("| pathological pair | lines | compare (ms) | matched | diff lines |");
    println!("|---|---:|---:|---|---:|");
    let n = 50_000;
    let nothing_in_common = (
        "no line in common",
        (0..n)
            .map(|i| format!("documented {i}\n"))
            .collect::<String>(),
        (0..n).map(|i| format!("real {i}\n")).collect::<String>(),
    );
    let interleaved = (
        "lines shuffled (every line present, in another order)",
        (0..n).map(|i| format!("entry {i}\n")).collect::<String>(),
        (0..n)
            .map(|i| format!("entry {}\n", (i * 7919) % n))
            .collect::<String>(),
    );
    let any_lines = (
        "20 `{{...}}` markers around a line the output repeats, never ending as documented",
        (0..20).map(|_| "{{...}}\nx\n").collect::<String>() + "the end\n",
        "x\n".repeat(n),
    );
    for (name, doc, real) in [nothing_in_common, interleaved, any_lines] {
        let lines = real.lines().count();
        match bounded(doc, real, Duration::from_secs(20)) {
            Some((t, matched, diff)) => println!(
                "| {name} | {lines} | {:.1} | {matched} | {diff} |",
                t.as_secs_f64() * 1000.0
            ),
            None => println!("| {name} | {lines} | did not finish in 20 s | | |"),
        }
    }
}
