//! The shell side of a session: the files it sources and the lines it reads.
//!
//! Values never become shell code. Captures, exported variables and the
//! working directory travel through files of NUL-separated fields that the
//! shell reads with `read -d ''`, so a value such as `$(touch x)` stays text.
//! The only things pasted into shell code are paths inside the session's own
//! temporary folder (single-quoted) and step numbers.
//!
//! After every line that may change them (start, step, taking back a
//! pseudo-terminal step's state), the shell saves its exported variables (as
//! `declare -px` prints them, bash's own quoting) and its working directory,
//! right after the end marker: that is the state the next step starts from,
//! and the shell writes it while the runner is busy with the step's result
//! instead of at the start of the next step. A pseudo-terminal step starts
//! from that state, and a shell restarted after a step it could not survive
//! restores it, so only what the failed step itself changed is lost.

use std::path::Path;

/// Quote `text` as one shell word.
pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

pub(crate) fn quote_path(path: &Path) -> String {
    quote(&path.to_string_lossy())
}

/// Functions shared by the session shell and the pseudo-terminal wrapper.
/// `nonce` is split in two so the whole never appears in the shell's state.
pub(crate) fn library(nonce: &str) -> String {
    let (a, b) = nonce.split_at(nonce.len() / 2);
    format!(
        r#"# Step markers, on the fd the session reads (7), never on a step's.
__ks_begin() {{ builtin printf '\036%s%s:B\n' '{a}' '{b}' >&7; }}
__ks_end() {{ builtin printf '\036%s%s:E%d\n' '{a}' '{b}' "$1" >&7; }}

# Export the NUL-separated name/value pairs in file $1.
__ks_load() {{
  local __ks_k __ks_v
  [ -f "$1" ] || return 0
  while IFS= read -r -d '' __ks_k && IFS= read -r -d '' __ks_v; do
    case $__ks_k in
      PWD | OLDPWD | SHLVL | _ | TERM | BASHOPTS | SHELLOPTS | BASH_* | __ks_* | __KS_*) ;;
      *) builtin export "$__ks_k=$__ks_v" 2>/dev/null || true ;;
    esac
  done <"$1"
  return 0
}}

# Change to the NUL-terminated directory in file $1.
__ks_cd() {{
  local __ks_d
  if [ -f "$1" ] && IFS= read -r -d '' __ks_d <"$1"; then
    builtin cd -- "$__ks_d" 2>/dev/null || true
  fi
  return 0
}}

# Prepare step $1 of the session in $__ks_d: its number for the shim, its
# captures when $2 is set, and the path of its file in $__ks_f.
__ks_pre() {{
  __ks_begin
  builtin export __KS_STEP="$1"
  [ -z "${{2-}}" ] || __ks_load "$__ks_d/captures.env"
  __ks_f="$__ks_d/step-$1.sh"
  builtin export -n __ks_f
}}

# Save the state a restarted shell or a pseudo-terminal step starts from;
# the folder only when it changed (`$__ks_w` holds the one saved).
__ks_keep() {{
  # `declare -px` is one builtin pass: it prints bash's own quoting, meant to be read back.
  builtin declare -px >"$__ks_d/state.sh"
  if [[ $PWD != "${{__ks_w-}}" || ! -f $__ks_d/state.cwd ]]; then
    builtin printf '%s\0' "$PWD" >"$__ks_d/state.cwd"
    __ks_w=$PWD
    builtin export -n __ks_w
  fi
}}

# End a step that may have changed the state: its marker, then the state.
__ks_done() {{
  __ks_end "$1"
  __ks_keep
}}

# Save exported variables to $1 and the working directory to $2.
__ks_save() {{
  local __ks_n
  # Every variable name, by first character, without forking (it runs before every step).
  for __ks_n in ${{!A@}} ${{!B@}} ${{!C@}} ${{!D@}} ${{!E@}} ${{!F@}} ${{!G@}} ${{!H@}} ${{!I@}} ${{!J@}} ${{!K@}} ${{!L@}} ${{!M@}} ${{!N@}} ${{!O@}} ${{!P@}} ${{!Q@}} ${{!R@}} ${{!S@}} ${{!T@}} ${{!U@}} ${{!V@}} ${{!W@}} ${{!X@}} ${{!Y@}} ${{!Z@}} ${{!a@}} ${{!b@}} ${{!c@}} ${{!d@}} ${{!e@}} ${{!f@}} ${{!g@}} ${{!h@}} ${{!i@}} ${{!j@}} ${{!k@}} ${{!l@}} ${{!m@}} ${{!n@}} ${{!o@}} ${{!p@}} ${{!q@}} ${{!r@}} ${{!s@}} ${{!t@}} ${{!u@}} ${{!v@}} ${{!w@}} ${{!x@}} ${{!y@}} ${{!z@}} ${{!_@}}; do
    case $__ks_n in __ks_*) continue ;; esac
    [[ ${{!__ks_n@a}} == *x* ]] || continue
    builtin printf '%s\0%s\0' "$__ks_n" "${{!__ks_n-}}"
  done >"$1"
  builtin printf '%s\0' "$PWD" >"$2"
}}
"#
    )
}

/// Sourced by a fresh session shell.
/// `$__ks_r` runs a prepared step; `eval` at the top level, so the step is
/// sourced as if the line held it (`declare` stays global, no function frame).
pub(crate) fn setup(library: &Path) -> String {
    let dir = library.parent().unwrap_or(Path::new("."));
    format!(
        "exec 7>&1\nbuiltin source {}\n__ks_d={}\n__ks_r={}\nset -a\n",
        quote_path(library),
        quote_path(dir),
        quote(RUN_STEP),
    )
}

/// Runs the step `__ks_pre` prepared: its file with stdin from /dev/null,
/// then the end marker with its code and the saved state.
const RUN_STEP: &str = r#"builtin source "$__ks_f" </dev/null 7>&-; __ks_done $?"#;

/// Files of one session's temporary folder.
pub(crate) struct Files<'a> {
    pub dir: &'a Path,
}

impl Files<'_> {
    pub(crate) fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.join(name)
    }

    fn q(&self, name: &str) -> String {
        quote_path(&self.path(name))
    }

    /// Start (or restart) the shell, restoring the last saved state.
    pub(crate) fn start_line(&self) -> String {
        format!(
            "builtin source {}; [ -f {state} ] && builtin source {state}; __ks_cd {}; __ks_begin; __ks_done 0",
            self.q("setup.sh"),
            self.q("state.cwd"),
            state = self.q("state.sh"),
        )
    }

    /// Run step `index` in the session shell, stdin from /dev/null, loading
    /// the captures when there are some. The state is saved after the end
    /// marker: the next step starts from it, and the shell writes it while
    /// the runner reads the step's result.
    /// (The shell reads its stdin a byte at a time, a system call a byte, so
    /// the per-step lines stay short: the folder's path lives in the shell as
    /// `$__ks_d`, the step's file as `$__ks_f`, the line that runs it as
    /// `$__ks_r`.)
    pub(crate) fn step_line(&self, index: usize, captures: bool) -> String {
        let load = if captures { " c" } else { "" };
        format!("__ks_pre {index}{load};eval \"$__ks_r\"")
    }

    /// Prepare a pseudo-terminal step (its captures and the state it starts
    /// from) and answer at once.
    pub(crate) fn prepare_line(&self, index: usize) -> String {
        format!("__ks_pre {index} c; __ks_keep; __ks_end 0")
    }

    /// Take back what a pseudo-terminal step exported and where it ended.
    pub(crate) fn import_line(&self) -> String {
        format!(
            "__ks_begin; __ks_load {}; __ks_cd {}; __ks_done 0",
            self.q("pty.env"),
            self.q("pty.cwd")
        )
    }

    /// The script a pseudo-terminal step runs: the session's state (or,
    /// on its own, what its previous step saved) and the captures, the
    /// command, then its own state saved for the session to take back.
    pub(crate) fn pty_wrapper(&self, index: usize) -> String {
        format!(
            "builtin source {lib}\n[ -f {env} ] && builtin source {env}\n__ks_cd {cwd}\n\
             __ks_load {out_env}\n__ks_cd {out_cwd}\n__ks_load {captures}\n\
             export __KS_STEP={index} TERM=dumb\nset -a\n\
             builtin source {step}\n__ks_rc=$?\n\
             __ks_save {out_env} {out_cwd}\nexit \"$__ks_rc\"\n",
            lib = self.q("lib.sh"),
            env = self.q("state.sh"),
            cwd = self.q("state.cwd"),
            captures = self.q("captures.env"),
            step = self.q(&step_file(index)),
            out_env = self.q("pty.env"),
            out_cwd = self.q("pty.cwd"),
        )
    }
}

pub(crate) fn step_file(index: usize) -> String {
    format!("step-{index}.sh")
}

/// NUL-separated name/value pairs for `__ks_load`.
pub(crate) fn pairs(values: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in values {
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(value.as_bytes());
        out.push(0);
    }
    out
}

/// Whether `name` can be a shell variable.
pub(crate) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_single_quotes() {
        assert_eq!(quote("a'b c"), r"'a'\''b c'");
    }

    #[test]
    fn names() {
        assert!(is_name("CONTAINER_ID"));
        assert!(is_name("_x1"));
        assert!(!is_name("1x"));
        assert!(!is_name("a-b"));
        assert!(!is_name(""));
    }

    #[test]
    fn library_never_holds_the_whole_nonce() {
        let lib = library("0123456789abcdef");
        assert!(!lib.contains("0123456789abcdef"));
        assert!(lib.contains("'01234567' '89abcdef'"));
    }
}
