//! What a Go program says about its own build, read from the file without
//! running it.
//!
//! The docker client and its plugins are Go programs. Since Go 1.18 the
//! linker writes the module path and the build flags into a `.go.buildinfo`
//! section, and release builds set their version with
//! `-ldflags "-X <package>.Version=28.2.2"`: the very value `docker version`
//! prints. Reading it takes a few small reads instead of a process (about
//! 20 ms for `docker version`). Anything unexpected (not 64-bit
//! little-endian ELF, an older Go, no such flag) gives `None`, and the
//! caller asks the program as before.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Largest `.go.buildinfo` section read; real ones are a few kilobytes.
const MAX_SECTION: u64 = 1 << 20;
const MAGIC: &[u8] = b"\xff Go buildinf:";

/// The build information of a Go program: its main package path and the
/// text of its module and build settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuildInfo {
    /// Lines such as `path\tgithub.com/docker/cli/cmd/docker` and
    /// `build\t-ldflags=...`.
    pub text: String,
}

impl BuildInfo {
    /// Reads the build information of the program at `path`.
    pub fn read(path: &Path) -> Option<BuildInfo> {
        let file = File::open(path).ok()?;
        let section = section(&file, ".go.buildinfo")?;
        parse(&section)
    }

    /// The build info of `path` when it is the docker CLI.
    pub fn docker_cli(path: &Path) -> Option<BuildInfo> {
        BuildInfo::read(path).filter(|i| i.path() == Some("github.com/docker/cli/cmd/docker"))
    }

    /// The main package path (`github.com/docker/cli/cmd/docker`).
    pub fn path(&self) -> Option<&str> {
        self.text
            .lines()
            .find_map(|l| l.strip_prefix("path\t"))
            .map(str::trim)
    }

    /// The value `-X <variable>=` gave in the build's `-ldflags`; the last one
    /// counts, as for the linker.
    pub fn ldflag(&self, variable: &str) -> Option<&str> {
        let flags = self
            .text
            .lines()
            .find_map(|l| l.strip_prefix("build\t-ldflags="))?;
        let key = format!("{variable}=");
        let start = flags.rfind(&key)? + key.len();
        let rest = &flags[start..];
        let end = rest
            .find(|c: char| c == '"' || c == '\\' || c == '\'' || c.is_whitespace())
            .unwrap_or(rest.len());
        let value = &rest[..end];
        (!value.is_empty()).then_some(value)
    }
}

fn read_at(file: &File, offset: u64, len: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; len];
    file.read_exact_at(&mut buf, offset).ok()?;
    Some(buf)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The bytes of the section called `name` of a 64-bit little-endian ELF file.
fn section(file: &File, name: &str) -> Option<Vec<u8>> {
    let header = read_at(file, 0, 64)?;
    if &header[..4] != b"\x7fELF" || header[4] != 2 || header[5] != 1 {
        return None;
    }
    let table = u64_at(&header, 0x28)?;
    let entry = usize::from(u16_at(&header, 0x3a)?);
    let count = usize::from(u16_at(&header, 0x3c)?);
    let names_index = usize::from(u16_at(&header, 0x3e)?);
    if entry < 64 || count == 0 || count > 4096 || names_index >= count {
        return None;
    }
    let headers = read_at(file, table, entry * count)?;
    let bounds = |i: usize| -> Option<(u64, u64)> {
        let h = &headers[i * entry..];
        Some((u64_at(h, 24)?, u64_at(h, 32)?))
    };
    let (names_at, names_len) = bounds(names_index)?;
    if names_len > MAX_SECTION {
        return None;
    }
    let names = read_at(file, names_at, usize::try_from(names_len).ok()?)?;
    for i in 0..count {
        let at = usize::try_from(u32_at(&headers, i * entry)?).ok()?;
        let this = names.get(at..)?.split(|&b| b == 0).next()?;
        if this == name.as_bytes() {
            let (offset, len) = bounds(i)?;
            if len > MAX_SECTION {
                return None;
            }
            return read_at(file, offset, usize::try_from(len).ok()?);
        }
    }
    None
}

/// The build information in a `.go.buildinfo` section (the Go 1.18+ layout,
/// with the strings inline after a 32-byte header).
fn parse(section: &[u8]) -> Option<BuildInfo> {
    if !section.starts_with(MAGIC) || section.get(15)? & 2 == 0 {
        return None;
    }
    let mut rest = section.get(32..)?;
    let _go_version = string(&mut rest)?;
    let mut modinfo = string(&mut rest)?;
    // Between two 16-byte sentinels, as Go's debug/buildinfo strips them.
    if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        modinfo = &modinfo[16..modinfo.len() - 16];
    }
    Some(BuildInfo {
        text: String::from_utf8_lossy(modinfo).into_owned(),
    })
}

/// A string prefixed with its length as an unsigned varint.
fn string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let (&byte, tail) = rest.split_first()?;
        *rest = tail;
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let len = usize::try_from(len).ok()?;
    let (s, tail) = (rest.get(..len)?, rest.get(len..)?);
    *rest = tail;
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section_with(modinfo: &str) -> Vec<u8> {
        let mut s = MAGIC.to_vec();
        s.push(8); // pointer size
        s.push(2); // strings inline
        s.resize(32, 0);
        let sentinel = "0123456789abcdef";
        let wrapped = format!("{sentinel}{modinfo}{sentinel}");
        for text in ["go1.24.3", wrapped.as_str()] {
            let mut len = text.len();
            while len >= 0x80 {
                s.push(u8::try_from(len & 0x7f).unwrap() | 0x80);
                len >>= 7;
            }
            s.push(u8::try_from(len).unwrap());
            s.extend_from_slice(text.as_bytes());
        }
        s
    }

    const DOCKER: &str = "path\tgithub.com/docker/cli/cmd/docker\n\
        build\t-buildmode=pie\n\
        build\t-ldflags=\" -X \\\"github.com/docker/cli/cli/version.GitCommit=e6534b4\\\" \
        -X \\\"github.com/docker/cli/cli/version.Version=28.2.2\\\" -extldflags -static\"\n\
        build\tCGO_ENABLED=1\n";

    #[test]
    fn reads_the_version_a_release_build_set() {
        // Over 127 bytes: the length takes two varint bytes.
        let info = parse(&section_with(DOCKER)).unwrap();
        assert_eq!(info.path(), Some("github.com/docker/cli/cmd/docker"));
        assert_eq!(
            info.ldflag("github.com/docker/cli/cli/version.Version"),
            Some("28.2.2")
        );
        assert_eq!(
            info.ldflag("github.com/docker/cli/cli/version.GitCommit"),
            Some("e6534b4")
        );
        assert_eq!(
            info.ldflag("github.com/docker/buildx/version.Version"),
            None
        );
    }

    #[test]
    fn the_last_flag_counts_and_unquoted_flags_read_too() {
        let info = parse(&section_with(
            "path\tx\nbuild\t-ldflags=\"-X a.Version=1.0 -X a.Version=v2.0.0-rc.1\"\n",
        ))
        .unwrap();
        assert_eq!(info.ldflag("a.Version"), Some("v2.0.0-rc.1"));
        let info = parse(&section_with("build\t-ldflags=-X=a.V=3\n")).unwrap();
        assert_eq!(info.ldflag("a.V"), Some("3"));
        assert_eq!(info.path(), None);
    }

    #[test]
    fn anything_else_is_none() {
        let mut old = section_with(DOCKER);
        old[15] = 0; // Go before 1.18: pointers, not strings
        assert_eq!(parse(&old), None);
        assert_eq!(parse(b"not a section"), None);
        let mut cut = section_with(DOCKER);
        cut.truncate(100);
        assert_eq!(parse(&cut), None);
        // A shell script is not a Go program.
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("docker");
        std::fs::write(&script, "#!/bin/sh\necho fake\n").unwrap();
        assert_eq!(BuildInfo::read(&script), None);
        assert_eq!(BuildInfo::read(&dir.path().join("absent")), None);
    }

    #[test]
    fn reads_a_real_elf_file() {
        // This test's own binary is ELF with no Go build info.
        let me = std::env::current_exe().unwrap();
        let file = File::open(&me).unwrap();
        let names = section(&file, ".shstrtab").unwrap();
        assert!(names.windows(6).any(|w| w == b".text\0"));
        assert_eq!(BuildInfo::read(&me), None);
    }
}
