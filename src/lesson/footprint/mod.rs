//! What a lesson touches on the engine, read from its commands, so that
//! `check --jobs N` can run lessons side by side without one seeing
//! another's containers or images.
//!
//! The rule is: recognise what is safe, and treat everything else as not.
//! A lesson runs **alone** (every earlier lesson finished, no later one
//! started, as in a serial run) when it is marked `exclusive: true`, reads
//! state of the whole engine (`docker ps`, `docker image ls` without a name,
//! `docker info`, a prune), or runs anything the rules below do not
//! understand: a tool outside a short list of read-only ones, a redirect
//! into a file, a docker subcommand or option not in the tables, a name
//! that comes from a variable where an image is expected. A wrong guess
//! costs parallelism, never a verdict.
//!
//! Otherwise the lesson's **footprint** is the image tags and container
//! names it reads and writes. Two lessons whose footprints meet (one writes
//! what the other reads or writes) keep their file order; so do lessons
//! related by `needs`.
//!
//! Two steps-level rules keep the rest safe while lessons overlap:
//! - `docker container ls --latest` reads the newest container. It is right
//!   when the lesson's own `docker run`/`create` made it, so from that step
//!   to the reading one the lesson holds a **section**: no other lesson runs
//!   a step meanwhile. Without an earlier step that makes a container, the
//!   lesson runs alone.
//! - BuildKit merges identical work of concurrent builds, and a build's log
//!   then lacks the merged steps. A build that shows its log (no `--quiet`)
//!   therefore never runs beside another build; quiet builds print only an
//!   image ID and may.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use crate::shell;

use super::{Lesson, Step};

mod args;

use args::{
    from_images, is_assignment, normalise, options, positionals, read, redirect_target, tar_writes,
    Verb,
};
use args::{
    BUILD_FLAGS, BUILD_VALUES, COMMIT_VALUES, CONTAINER_VALUES, EXEC_VALUES, IMAGE_VALUES,
    LIST_VALUES, RUN_FLAGS, RUN_VALUES,
};

/// An image tag or a container name a lesson reads or writes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Thing {
    /// `repo` and tag (or digest); `None` for every tag of the repository
    /// (`docker image ls REPO`).
    Image(String, Option<String>),
    Container(String),
}

impl Thing {
    fn image(reference: &str, any_tag: bool) -> Thing {
        let r = reference
            .strip_prefix("docker.io/")
            .unwrap_or(reference)
            .trim_start_matches("library/");
        let (repo, tag) = match r.split_once('@') {
            Some((repo, digest)) => (repo, Some(digest.to_string())),
            None => match r.rsplit_once(':') {
                Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag.to_string())),
                _ => (r, (!any_tag).then(|| "latest".to_string())),
            },
        };
        Thing::Image(repo.to_string(), tag)
    }

    /// Whether the two name the same thing (a whole repository meets each
    /// of its tags).
    pub fn meets(&self, other: &Thing) -> bool {
        match (self, other) {
            (Thing::Image(a, ta), Thing::Image(b, tb)) => {
                a == b && (ta.is_none() || tb.is_none() || ta == tb)
            }
            (Thing::Container(a), Thing::Container(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Thing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Thing::Image(repo, Some(tag)) if tag.contains(':') => write!(f, "image {repo}@{tag}"),
            Thing::Image(repo, Some(tag)) => write!(f, "image {repo}:{tag}"),
            Thing::Image(repo, None) => write!(f, "images {repo}:*"),
            Thing::Container(name) => write!(f, "container {name}"),
        }
    }
}

/// Steps `first..=last` of a lesson, during which no other lesson runs a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub first: usize,
    pub last: usize,
    pub why: String,
}

/// What a lesson touches on the engine (see the module note).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Why the lesson runs alone, when it does.
    pub alone: Option<String>,
    pub reads: BTreeSet<Thing>,
    pub writes: BTreeSet<Thing>,
    /// Steps that hold the engine to themselves.
    pub sections: Vec<Section>,
    /// Steps that build, and whether each shows its log.
    pub builds: Vec<(usize, bool)>,
}

impl Footprint {
    /// Whether `self` and `other` must keep their order.
    pub fn meets(&self, other: &Footprint) -> bool {
        let hits = |w: &BTreeSet<Thing>, t: &BTreeSet<Thing>| {
            w.iter().any(|a| t.iter().any(|b| a.meets(b)))
        };
        hits(&self.writes, &other.writes)
            || hits(&self.writes, &other.reads)
            || hits(&other.writes, &self.reads)
    }

    /// The section step `index` is in.
    pub fn section_of(&self, index: usize) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| (s.first..=s.last).contains(&index))
    }

    /// Whether step `index` builds, and if so whether it shows its log.
    pub fn build_at(&self, index: usize) -> Option<bool> {
        self.builds.iter().find(|(i, _)| *i == index).map(|b| b.1)
    }
}

/// Tools that only read, or change nothing outside the lesson's shell.
#[rustfmt::skip]
const READ_ONLY: &[&str] = &[
    "echo", "printf", "cat", "head", "tail", "grep", "egrep", "fgrep", "awk", "sort", "uniq",
    "wc", "cut", "tr", "test", "[", "[[", "true", "false", ":", "sleep", "cd", "export", "set",
    "unset", "read", "local", "printenv", "date", "id", "whoami", "uname", "pwd", "seq",
    "basename", "dirname", "sha256sum", "md5sum", "base64", "od", "cmp", "diff", "jq", "ls",
    "stat", "readlink", "realpath", "du", "df", "wait", "exit", "which", "type", "file", "env",
    "nproc", "hostname", "yes", "column", "xxd", "hexdump", "strings", "return", "shift",
];

/// Words that only shape the shell's flow.
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "{", "}", "!", "if", "then", "elif", "else", "fi", "do", "done", "while", "until", "time",
    "command", "nohup", "[[", "]]",
];

/// The lesson's footprint; `workdir` holds the Dockerfiles its builds read.
pub fn footprint(lesson: &Lesson, workdir: &Path) -> Footprint {
    footprint_of(lesson, workdir, |_| true)
}

/// The footprint of the steps that will run (`runs`): a step skipped for a
/// requirement the engine or the machine lacks touches nothing.
pub fn footprint_of(lesson: &Lesson, workdir: &Path, runs: impl Fn(&Step) -> bool) -> Footprint {
    let mut fp = Footprint::default();
    if lesson.exclusive {
        fp.alone = Some("it is marked `exclusive: true`".into());
    }
    // The step of the lesson's last `docker run`/`create`, for `--latest`.
    let mut made_container: Option<usize> = None;
    for (index, step) in lesson.steps.iter().enumerate() {
        if !runs(step) {
            continue;
        }
        let mut reader = StepReader {
            fp: &mut fp,
            step: index,
            title: &step.title,
            text: &step.run,
            workdir,
            made_container: &mut made_container,
        };
        for words in shell::commands(&step.run) {
            reader.command(&words);
        }
    }
    fp
}

struct StepReader<'a> {
    fp: &'a mut Footprint,
    step: usize,
    title: &'a str,
    text: &'a str,
    workdir: &'a Path,
    made_container: &'a mut Option<usize>,
}

impl StepReader<'_> {
    fn alone(&mut self, why: &str) {
        if self.fp.alone.is_none() {
            self.fp.alone = Some(format!("step '{}' {why}", self.title));
        }
    }

    fn command(&mut self, words: &[String]) {
        // Assignments (`ID=$(…)`) and flow words come before the command.
        let words: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .skip_while(|w| KEYWORDS.contains(w) || is_assignment(w))
            .collect();
        let Some((&first, args)) = words.split_first() else {
            return;
        };
        if let Some(target) = redirect_target(&words) {
            return self.alone(&format!("writes the file `{target}`"));
        }
        // `for x in a b`: a loop's header runs nothing itself.
        if first == "for" {
            return;
        }
        if first == "docker" || first.ends_with("/docker") {
            return self.docker(args);
        }
        if args
            .iter()
            .any(|w| *w == "docker" || w.ends_with("/docker"))
        {
            return self.alone(&format!("runs docker through `{first}`"));
        }
        let writes = match first {
            "tar" => tar_writes(args),
            "sed" => args.iter().any(|a| a.starts_with("-i")),
            _ => !READ_ONLY.contains(&first),
        };
        if writes {
            self.alone(&format!(
                "runs `{first}`, which may change what other lessons see"
            ));
        }
    }

    fn docker(&mut self, args: &[&str]) {
        let mut rest = args;
        // Global options before the subcommand.
        while let Some((&w, more)) = rest.split_first() {
            match w {
                "-D" | "--debug" | "--tls" | "--tlsverify" => rest = more,
                "-l" | "--log-level" | "--config" | "--tlscacert" | "--tlscert" | "--tlskey" => {
                    rest = more.get(1..).unwrap_or_default();
                }
                _ if w.starts_with("--log-level=") || w.starts_with("--config=") => rest = more,
                "-H" | "--host" | "-c" | "--context" => {
                    return self.alone("talks to an engine of its own choosing")
                }
                _ if w.starts_with("--host=") || w.starts_with("--context=") => {
                    return self.alone("talks to an engine of its own choosing")
                }
                _ => break,
            }
        }
        let Some((&sub, rest)) = rest.split_first() else {
            return;
        };
        let (verb, rest) = match sub {
            "container" | "image" | "buildx" | "builder" => match rest.split_first() {
                Some((&v, r)) => (normalise(sub, v), r),
                None => return,
            },
            _ => (normalise("", sub), rest),
        };
        let shown = format!("docker {}", args.join(" "));
        match verb {
            Verb::Harmless => {}
            Verb::Build => self.build(rest),
            Verb::Run => self.run(rest),
            Verb::Exec => {
                let pos = positionals(rest, EXEC_VALUES, true);
                self.containers(&pos, &shown);
            }
            Verb::Containers => {
                let pos = positionals(rest, CONTAINER_VALUES, false);
                if pos.is_empty() {
                    return self.alone(&format!("runs `{shown}`, which names no container"));
                }
                self.containers(&pos, &shown);
            }
            Verb::Cp => self.cp(rest, &shown),
            Verb::List => self.list(rest, &shown),
            Verb::ImageList => {
                let pos = positionals(rest, LIST_VALUES, false);
                if pos.is_empty() {
                    return self.alone(&format!(
                        "runs `{shown}`, which lists every image on the engine"
                    ));
                }
                for name in pos {
                    self.image(name, true, false, &shown);
                }
            }
            Verb::ImageReads => {
                let pos = positionals(rest, IMAGE_VALUES, false);
                for name in pos {
                    self.image(name, false, false, &shown);
                }
            }
            Verb::ImageWrites => {
                let pos = positionals(rest, IMAGE_VALUES, false);
                for name in pos {
                    self.image(name, false, true, &shown);
                }
            }
            Verb::Tag => {
                let pos = positionals(rest, &[], false);
                if let [from, to] = pos[..] {
                    self.image(from, false, false, &shown);
                    self.image(to, false, true, &shown);
                } else {
                    self.alone(&format!("runs `{shown}`, which is not `tag SOURCE TARGET`"));
                }
            }
            Verb::Commit => {
                let pos = positionals(rest, COMMIT_VALUES, false);
                match pos[..] {
                    [container] => self.containers(&[container], &shown),
                    [container, image] => {
                        self.containers(&[container], &shown);
                        self.image(image, false, true, &shown);
                    }
                    _ => self.alone(&format!(
                        "runs `{shown}`, which is not `commit CONTAINER [IMAGE]`"
                    )),
                }
            }
            Verb::Engine => self.alone(&format!(
                "runs `{shown}`, which reads or changes state of the whole engine"
            )),
            Verb::Unknown => self.alone(&format!(
                "runs `{shown}`, a docker command whose reach is not known"
            )),
        }
    }

    /// `--file`, `--tag`, `--quiet` and the context of a build.
    fn build(&mut self, args: &[&str]) {
        let shown = format!("docker build {}", args.join(" "));
        let (pos, opts) = match options(args, BUILD_VALUES, Some(BUILD_FLAGS), false) {
            Ok(parsed) => parsed,
            Err(option) => {
                return self.alone(&format!(
                    "runs `{shown}`, with `{option}`, which is not known"
                ))
            }
        };
        let mut quiet = false;
        let mut file: Option<&str> = None;
        for (name, value) in &opts {
            match (*name, value) {
                ("-q" | "--quiet", _) => quiet = true,
                ("-t" | "--tag", Some(tag)) => self.image(tag, false, true, &shown),
                ("-f" | "--file", Some(f)) => file = Some(f),
                ("-o" | "--output" | "--iidfile" | "--metadata-file", _) => {
                    return self.alone(&format!("runs `{shown}`, which writes files"))
                }
                _ => {}
            }
        }
        self.fp.builds.push((self.step, !quiet));
        // What the build starts from: `FROM` lines and `--from=` images.
        let dockerfile = match file {
            Some("-") => self.text.to_string(),
            Some(f) => match read(self.workdir, pos.first().copied(), f, true) {
                Some(text) => text,
                None => {
                    return self.alone(&format!(
                        "builds from `{f}`, which could not be read before the run"
                    ))
                }
            },
            None => match read(self.workdir, pos.first().copied(), "Dockerfile", false) {
                Some(text) => text,
                None => {
                    return self
                        .alone("builds from a Dockerfile that could not be read before the run")
                }
            },
        };
        for base in from_images(&dockerfile) {
            self.image(&base, false, false, &shown);
        }
    }

    fn run(&mut self, args: &[&str]) {
        let shown = format!("docker run {}", args.join(" "));
        let (pos, opts) = match options(args, RUN_VALUES, Some(RUN_FLAGS), true) {
            Ok(parsed) => parsed,
            Err(option) => {
                return self.alone(&format!(
                    "runs `{shown}`, with `{option}`, which is not known"
                ))
            }
        };
        *self.made_container = Some(self.step);
        for (name, value) in &opts {
            let value = value.unwrap_or_default();
            match *name {
                "--name" | "--volumes-from" => self.containers(&[value], &shown),
                "--pid" | "--network" | "--net" | "--ipc" | "--uts" => {
                    if let Some(c) = value.strip_prefix("container:") {
                        self.containers(&[c], &shown);
                    }
                }
                "-v" | "--volume" | "--mount" | "--cidfile" | "--env-file" | "--label-file" => {
                    return self.alone(&format!(
                        "runs `{shown}`, which shares files or volumes with its host"
                    ))
                }
                _ => {}
            }
        }
        match pos.first() {
            Some(image) => self.image(image, false, false, &shown),
            None => self.alone(&format!("runs `{shown}`, which names no image")),
        }
    }

    /// `docker cp`: a host path other than `-` is a file outside the shell.
    fn cp(&mut self, args: &[&str], shown: &str) {
        let pos = positionals(args, &[], false);
        let [from, to] = pos[..] else {
            return self.alone(&format!("runs `{shown}`, which is not `cp FROM TO`"));
        };
        match (from.split_once(':'), to.split_once(':')) {
            (Some((c, _)), None) if to == "-" => self.containers(&[c], shown),
            (None, Some((c, _))) => self.containers(&[c], shown),
            _ => self.alone(&format!("runs `{shown}`, which writes files")),
        }
    }

    /// `docker ps` / `container ls`: `--latest` reads the newest container.
    fn list(&mut self, args: &[&str], shown: &str) {
        let latest = args
            .iter()
            .any(|a| matches!(*a, "-l" | "--latest" | "-lq" | "-ql"));
        let plain = args.iter().all(|a| {
            matches!(
                *a,
                "-l" | "--latest" | "-q" | "--quiet" | "-lq" | "-ql" | "--no-trunc"
            )
        });
        match *self.made_container {
            Some(first) if latest && plain => {
                let why = format!(
                    "`{shown}` must find the container made in step {}",
                    first + 1
                );
                let s = Section {
                    first,
                    last: self.step,
                    why,
                };
                match self.fp.sections.last_mut() {
                    Some(prev) if prev.last >= s.first => prev.last = s.last,
                    _ => self.fp.sections.push(s),
                }
            }
            _ if latest && plain => self.alone(&format!(
                "runs `{shown}`, which reads the newest container on the engine, and no step before it made one"
            )),
            _ => self.alone(&format!(
                "runs `{shown}`, which lists containers of the whole engine"
            )),
        }
    }

    fn containers(&mut self, names: &[&str], shown: &str) {
        for name in names {
            // A container in a variable was made by this lesson (its ID
            // printed by its own `run`/`create`) or by one it needs, or
            // came from a listing, which runs alone or in a section.
            if name.contains('$') {
                continue;
            }
            if name.is_empty() {
                return self.alone(&format!("runs `{shown}`, which names no container"));
            }
            self.fp.writes.insert(Thing::Container((*name).to_string()));
        }
    }

    fn image(&mut self, name: &str, any_tag: bool, write: bool, shown: &str) {
        if name.contains('$') || name.is_empty() {
            return self.alone(&format!(
                "runs `{shown}`, whose image is not known before the run"
            ));
        }
        if name == "scratch" && !write {
            return;
        }
        let thing = Thing::image(name, any_tag);
        if write {
            self.fp.writes.insert(thing);
        } else {
            self.fp.reads.insert(thing);
        }
    }
}

#[cfg(test)]
mod tests;
