//! The `docker` every step runs: a script first on the session's PATH that
//! labels the containers a step creates, then hands over to the real client.
//!
//! Only `run`, `create`, `container run` and `container create` get the
//! labels, inserted right after the subcommand; global options before it
//! (`-H x`, `--context x`, `-D`, ...) are kept in place. Anything else passes
//! through untouched. The step number comes from `__KS_STEP`, which the
//! session exports before each step, after the lesson's id, so that
//! removing a stopped step's containers never reaches a step of the same
//! number in a lesson running beside it. When it labels, the shim also leaves a
//! `created-<step>` file, so the session asks the engine about a stopped
//! step's containers only when the step created some, and a `created` file,
//! so the run asks the engine for its containers at the end only when some
//! step created one (about 12 ms saved for lessons that create none).

use std::path::Path;

use super::script::{quote, quote_path};

pub(crate) const RUN_LABEL: &str = "io.knowing-scratch.run";
pub(crate) const STEP_LABEL: &str = "io.knowing-scratch.step";

/// The shim's text.
pub(crate) fn docker_shim(real: &Path, run_id: &str, lesson: &str, dir: &Path) -> String {
    format!(
        r#"#!/usr/bin/env bash
# Labels the containers a step creates, then runs the real docker client.
real={real}
run={run}
index=${{__KS_STEP:-0}}
step={lesson}/$index
global=()
while [ $# -gt 0 ]; do
  case $1 in
    -H | --host | -c | --context | -l | --log-level | --config | --tlscacert | --tlscert | --tlskey)
      [ $# -ge 2 ] || break
      global+=("$1" "$2")
      shift 2
      ;;
    -?*)
      global+=("$1")
      shift
      ;;
    *) break ;;
  esac
done
labels=(--label "{run_label}=$run" --label "{step_label}=$step")
case ${{1-}}/${{2-}} in
  run/* | create/*)
    : >{dir}/"created-$index" 2>/dev/null
    : >{dir}/created 2>/dev/null
    exec "$real" "${{global[@]}}" "$1" "${{labels[@]}}" "${{@:2}}"
    ;;
  container/run | container/create)
    : >{dir}/"created-$index" 2>/dev/null
    : >{dir}/created 2>/dev/null
    exec "$real" "${{global[@]}}" "$1" "$2" "${{labels[@]}}" "${{@:3}}"
    ;;
esac
exec "$real" "${{global[@]}}" "$@"
"#,
        real = quote_path(real),
        run = quote(run_id),
        lesson = quote(lesson),
        dir = quote_path(dir),
        run_label = RUN_LABEL,
        step_label = STEP_LABEL,
    )
}
