//! `knowing-scratch doctor`: what this machine can run, and what is missing.

use std::process::{Command, Stdio};

use crate::color::Palette;
use crate::commands::{connect, load_lessons};
use crate::engine::{self, Engine};
use crate::error::{Error, Exit};
use crate::lesson::{Builder, Store};
use crate::settings::Settings;

fn image_present(engine: &Engine, image: &str) -> bool {
    Command::new(&engine.docker)
        .args(["image", "inspect", "--format", "{{.Id}}", image])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn doctor(settings: &Settings) -> Result<Exit, Error> {
    let p = Palette::new(settings.color_stdout);
    let ok = |s: &str| p.pass(s);
    let bad = |s: &str| p.fail(s);
    let lessons = load_lessons(settings);
    let engine = match connect(settings) {
        Ok(e) => e,
        Err(Error::Engine(u)) => {
            println!("{:<10} {} {}", "engine", bad("unreachable"), u);
            if let Some(client) = &u.client {
                println!("{:<10} {}", "client", client);
            }
            println!("{:<10} {}", "", p.hint(u.hint()));
            println!(
                "{:<10} without an engine, `knowing-scratch walk` plays the recorded outputs",
                ""
            );
            return Ok(Exit::Engine);
        }
        Err(e) => return Err(e),
    };
    println!(
        "{:<10} {} at {}",
        "engine",
        ok("reachable"),
        engine.endpoint
    );
    println!(
        "{:<10} {} ({})",
        "client",
        engine.client,
        engine.docker.display()
    );
    println!("{:<10} {}", "server", engine.server);
    if let Some(runc) = &engine.runc {
        println!("{:<10} {}", "runc", runc);
    }
    if let Some(containerd) = &engine.containerd {
        println!("{:<10} {}", "containerd", containerd);
    }
    let builder = match engine.builder {
        Builder::Builtin => "BuildKit built into the client (DOCKER_BUILDKIT=1)".to_string(),
        Builder::Buildx => format!("buildx {}", engine.buildx.as_deref().unwrap_or("?")),
        Builder::Legacy => match engine.buildx {
            Some(_) => "legacy (DOCKER_BUILDKIT=0)".to_string(),
            None => {
                "legacy: no buildx plugin, so `--progress plain` builds fail; install docker-buildx"
                    .to_string()
            }
        },
    };
    println!("{:<10} {}", "builder", builder);
    let store = match engine.store {
        Some(Store::Containerd) => "containerd image store (snapshotter): image IDs are manifest digests, sizes count content and unpacked layers",
        Some(Store::Classic) => "classic (graph driver)",
        None => "unknown: `docker info` did not answer",
    };
    println!("{:<10} {}", "store", store);
    println!(
        "{:<10} {}",
        "registry",
        if engine.registry {
            ok("Docker Hub reachable")
        } else {
            bad("Docker Hub unreachable: steps that need `registry` are skipped")
        }
    );
    let lessons = lessons?;
    let mut tools: Vec<&str> = lessons
        .set
        .lessons
        .iter()
        .flat_map(|l| {
            l.steps
                .iter()
                .flat_map(|s| s.requires.iter().map(String::as_str))
        })
        .filter(|r| *r != "registry")
        .collect();
    tools.sort_unstable();
    tools.dedup();
    for t in &tools {
        match engine::which(t) {
            Some(path) => println!(
                "{:<10} {} {}",
                "tool",
                t,
                ok(&format!("found at {}", path.display()))
            ),
            None => println!(
                "{:<10} {} {}",
                "tool",
                t,
                bad("not found: steps that need it are skipped")
            ),
        }
    }
    let mut images: Vec<&str> = lessons
        .set
        .lessons
        .iter()
        .flat_map(|l| l.images.iter().map(String::as_str))
        .collect();
    images.sort_unstable();
    images.dedup();
    let missing: Vec<&str> = images
        .iter()
        .copied()
        .filter(|i| !image_present(&engine, i))
        .collect();
    for i in &images {
        if missing.contains(i) {
            let how = if engine.registry {
                format!("missing: `docker pull {i}`")
            } else {
                "missing, and the registry is unreachable: `tests/engine/setup.sh` builds an offline stand-in".into()
            };
            println!("{:<10} {} {}", "image", i, bad(&how));
        } else {
            println!("{:<10} {} {}", "image", i, ok("present"));
        }
    }
    println!();
    for l in &lessons.set.lessons {
        let skips: Vec<String> = l
            .steps
            .iter()
            .filter_map(|s| {
                let why = engine::missing_requirements(&s.requires, &engine)?;
                Some(format!("`{}` {}", s.title, why))
            })
            .collect();
        let lacking: Vec<&str> = l
            .images
            .iter()
            .map(String::as_str)
            .filter(|i| missing.contains(i))
            .collect();
        let verdict = if !lacking.is_empty() || skips.len() == l.steps.len() {
            bad("cannot run")
        } else if skips.is_empty() {
            ok("runs fully")
        } else {
            p.skip("runs partly")
        };
        println!("{:<10} {} {}", "lesson", l.id, verdict);
        for i in lacking {
            println!("{:<10}   needs image {i}", "");
        }
        for s in skips {
            println!("{:<10}   skips {s}", "");
        }
    }
    Ok(Exit::Ok)
}
