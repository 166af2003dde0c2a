//! Where each value sits in a lesson file, so that errors found after
//! deserialising (a bad marker, an unknown `needs`) can name the line, and
//! `--bless` can find the output it rewrites.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    /// The value is a `|` or `>` block scalar; its position is then that of
    /// its first line of text, not of the `|`.
    pub block: bool,
    /// The value is quoted; its position is that of the opening quote.
    pub quoted: bool,
}

impl Pos {
    /// Where line `line`, column `column` (1-based) of this value's text
    /// sits in the file: a block's text has lines of its own, any other
    /// value is one line, after its opening quote if it has one (escapes
    /// inside quotes can still shift the column).
    pub fn inside(self, line: usize, column: usize) -> (usize, usize) {
        if self.block {
            (self.line + line - 1, self.column + column - 1)
        } else {
            (
                self.line,
                self.column + column - 1 + usize::from(self.quoted),
            )
        }
    }
}

/// Positions of keys and values by path: `steps[2].output` is the value,
/// `steps[2].output#key` its key.
#[derive(Debug, Default, Clone)]
pub struct Positions(HashMap<String, Pos>);

impl Positions {
    /// Index a document; a document the YAML parser rejects gives no positions
    /// (serde reports that error with its own location).
    pub fn index(source: &str) -> Positions {
        let mut walker = Walker::default();
        let mut parser = Parser::new_from_str(source);
        if parser.load(&mut walker, false).is_err() {
            return Positions::default();
        }
        Positions(walker.found)
    }

    pub fn value(&self, path: &str) -> Option<Pos> {
        self.0.get(path).copied()
    }

    pub fn key(&self, path: &str) -> Option<Pos> {
        self.0.get(&format!("{path}#key")).copied()
    }

    /// The position of `path`, or of the nearest enclosing value that has one.
    pub fn nearest(&self, path: &str) -> Pos {
        let mut p = path.to_string();
        loop {
            if let Some(pos) = self.key(&p).or_else(|| self.value(&p)) {
                return pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p.truncate(i),
                None => {
                    return Pos {
                        line: 1,
                        column: 1,
                        block: false,
                        quoted: false,
                    }
                }
            }
        }
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    found: HashMap<String, Pos>,
}

impl Walker {
    /// The path of the value that starts now, or `None` when this event is a key.
    fn child(&mut self, event: &Event, pos: Pos) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Some(if path.is_empty() {
                    k
                } else {
                    format!("{path}.{k}")
                }),
                None => {
                    let name = match event {
                        Event::Scalar(s, ..) => s.clone(),
                        _ => String::from("?"),
                    };
                    let full = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    self.found.insert(format!("{full}#key"), pos);
                    *key = Some(name);
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Walker {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let block = matches!(
            event,
            Event::Scalar(_, TScalarStyle::Literal | TScalarStyle::Folded, ..)
        );
        let quoted = matches!(
            event,
            Event::Scalar(
                _,
                TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted,
                ..
            )
        );
        let pos = Pos {
            line: mark.line(),
            column: mark.col() + 1,
            block,
            quoted,
        };
        match event {
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            Event::Scalar(..)
            | Event::Alias(_)
            | Event::MappingStart(..)
            | Event::SequenceStart(..) => {
                if let Some(path) = self.child(&event, pos) {
                    self.found.insert(path.clone(), pos);
                    match event {
                        Event::MappingStart(..) => self.stack.push(Frame::Map { path, key: None }),
                        Event::SequenceStart(..) => self.stack.push(Frame::Seq { path, next: 0 }),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_values_by_path() {
        let src = "id: a\nsteps:\n  - title: one\n    output: |\n      x\n  - title: two\n    run: echo\n";
        let p = Positions::index(src);
        assert_eq!(p.key("id").unwrap().line, 1);
        assert_eq!(p.value("steps[0].title").unwrap().line, 3);
        let out = p.value("steps[0].output").unwrap();
        assert_eq!((out.line, out.column, out.block), (5, 7, true));
        assert_eq!(p.key("steps[1].run").unwrap().line, 7);
        assert_eq!(p.key("steps[1].run").unwrap().column, 5);
        assert_eq!(p.nearest("steps[1].run.nothing").line, 7);
    }

    #[test]
    fn text_inside_a_value() {
        let src = "a: |\n  xy\n  z{{\nb: \"q{{\"\nc: p{{\n";
        let p = Positions::index(src);
        assert_eq!(p.value("a").unwrap().inside(2, 2), (3, 4));
        assert_eq!(p.value("b").unwrap().inside(1, 2), (4, 6));
        assert_eq!(p.value("c").unwrap().inside(1, 2), (5, 5));
    }
}
