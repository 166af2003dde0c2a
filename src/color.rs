//! One palette with named roles, so colors mean the same thing everywhere and
//! switch off in one place (per stream).

use colored::Colorize;

#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub enabled: bool,
}

impl Palette {
    pub fn new(enabled: bool) -> Palette {
        // Our own switch decides per stream; colored's detection would look at stdout only.
        colored::control::set_override(true);
        Palette { enabled }
    }

    fn paint(&self, s: &str, f: impl Fn(&str) -> colored::ColoredString) -> String {
        if self.enabled {
            f(s).to_string()
        } else {
            s.to_string()
        }
    }

    pub fn pass(&self, s: &str) -> String {
        self.paint(s, |s| s.green())
    }
    pub fn fail(&self, s: &str) -> String {
        self.paint(s, |s| s.red().bold())
    }
    pub fn skip(&self, s: &str) -> String {
        self.paint(s, |s| s.yellow())
    }
    pub fn diff_added(&self, s: &str) -> String {
        self.paint(s, |s| s.green())
    }
    pub fn diff_removed(&self, s: &str) -> String {
        self.paint(s, |s| s.red())
    }
    /// The changed words inside a changed line.
    pub fn emphasis(&self, s: &str) -> String {
        self.paint(s, |s| s.bold().underline())
    }
    pub fn hint(&self, s: &str) -> String {
        self.paint(s, |s| s.cyan())
    }
    pub fn dim(&self, s: &str) -> String {
        self.paint(s, |s| s.dimmed())
    }
    pub fn heading(&self, s: &str) -> String {
        self.paint(s, |s| s.bold())
    }
    pub fn command(&self, s: &str) -> String {
        self.paint(s, |s| s.bold().blue())
    }
}
