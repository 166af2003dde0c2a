//! Asking the engine directly over its unix socket, where the client would
//! connect to that same socket.
//!
//! `GET /version` from inside the process takes about 5 ms; a `docker
//! version` process about 20. The shortcut is taken only where the socket
//! the client would use is known exactly: `DOCKER_HOST=unix://...`, or no
//! `DOCKER_HOST`, no `DOCKER_CONTEXT` and no current context in the client's
//! config file, which means the default socket. Anything else (`tcp://`,
//! `ssh://`, contexts, a config file that cannot be read) is left to the
//! client, so remote engines are asked exactly as before. A request that
//! fails for any reason is also left to the client, whose own words then
//! explain the failure.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The socket the docker client uses when nothing names another engine.
const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// The unix socket the docker client would connect to, when that is certain.
pub(crate) fn local_socket() -> Option<PathBuf> {
    socket_from(|name| std::env::var(name).ok())
}

/// [`local_socket`], with the environment read through `env`.
fn socket_from(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    if let Some(host) = var("DOCKER_HOST") {
        // The client lets DOCKER_HOST win over DOCKER_CONTEXT.
        let path = host.strip_prefix("unix://")?;
        return Path::new(path).is_absolute().then(|| PathBuf::from(path));
    }
    if var("DOCKER_CONTEXT").is_some() {
        return None;
    }
    let config = match var("DOCKER_CONFIG") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(var("HOME")?).join(".docker"),
    };
    match std::fs::read_to_string(config.join("config.json")) {
        Ok(text) => {
            let json: serde_json::Value = serde_json::from_str(&text).ok()?;
            let current = json.get("currentContext").and_then(|c| c.as_str());
            matches!(current, None | Some("" | "default")).then(|| PathBuf::from(DEFAULT_SOCKET))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(PathBuf::from(DEFAULT_SOCKET)),
        Err(_) => None,
    }
}

/// `GET path` on the engine's socket: the JSON body of a 200 answer, or
/// `None`.
pub(crate) fn get(socket: &Path, path: &str, deadline: Duration) -> Option<serde_json::Value> {
    body(&exchange(socket, "GET", path, None, deadline)?)
}

/// `METHOD path` with an optional JSON body: the answer's status and its
/// JSON body (`Null` when it has none, as a 204 has not). `None` when the
/// engine could not be asked.
pub(crate) fn request(
    socket: &Path,
    method: &str,
    path: &str,
    json: Option<&serde_json::Value>,
    deadline: Duration,
) -> Option<(u16, serde_json::Value)> {
    let raw = exchange(socket, method, path, json, deadline)?;
    let (status, rest) = split(&raw)?;
    let value = serde_json::from_slice(rest).unwrap_or(serde_json::Value::Null);
    Some((status, value))
}

/// One request and its whole raw answer. HTTP/1.0: the engine answers in
/// one piece and closes, never chunked.
fn exchange(
    socket: &Path,
    method: &str,
    path: &str,
    json: Option<&serde_json::Value>,
    deadline: Duration,
) -> Option<Vec<u8>> {
    let mut stream = UnixStream::connect(socket).ok()?;
    stream.set_read_timeout(Some(deadline)).ok()?;
    stream.set_write_timeout(Some(deadline)).ok()?;
    let payload = json.map(ToString::to_string).unwrap_or_default();
    let mut request =
        format!("{method} {path} HTTP/1.0\r\nHost: docker\r\nUser-Agent: knowing-scratch\r\n");
    if json.is_some() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            payload.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(&payload);
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    Some(answer)
}

/// A raw HTTP answer's status and body.
fn split(answer: &[u8]) -> Option<(u16, &[u8])> {
    let at = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&answer[..at]).ok()?;
    let status = head
        .lines()
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, &answer[at + 4..]))
}

/// The JSON body of a raw HTTP answer with status 200.
fn body(answer: &[u8]) -> Option<serde_json::Value> {
    match split(answer)? {
        (200, rest) => serde_json::from_slice(rest).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    fn socket_with(vars: &[(&str, &str)]) -> Option<PathBuf> {
        socket_from(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn the_socket_is_known_only_where_the_client_would_use_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_str().unwrap();
        let default = Some(PathBuf::from(DEFAULT_SOCKET));
        // No config file, nothing set: the default socket.
        assert_eq!(socket_with(&[("HOME", home)]), default);
        assert_eq!(socket_with(&[("HOME", home), ("DOCKER_HOST", "")]), default);
        assert_eq!(
            socket_with(&[
                ("HOME", home),
                ("DOCKER_HOST", "unix:///run/user/1000/docker.sock")
            ]),
            Some(PathBuf::from("/run/user/1000/docker.sock"))
        );
        // DOCKER_HOST wins over DOCKER_CONTEXT, as in the client.
        assert_eq!(
            socket_with(&[
                ("DOCKER_HOST", "unix:///x.sock"),
                ("DOCKER_CONTEXT", "remote")
            ]),
            Some(PathBuf::from("/x.sock"))
        );
        for host in [
            "tcp://127.0.0.1:2375",
            "ssh://root@127.0.0.1:2222",
            "unix://relative.sock",
            "fd://",
        ] {
            assert_eq!(
                socket_with(&[("HOME", home), ("DOCKER_HOST", host)]),
                None,
                "{host}"
            );
        }
        assert_eq!(
            socket_with(&[("HOME", home), ("DOCKER_CONTEXT", "engine-28")]),
            None
        );
        // The config file's current context.
        let config = dir.path().join(".docker");
        std::fs::create_dir(&config).unwrap();
        let write = |text: &str| std::fs::write(config.join("config.json"), text).unwrap();
        write(r#"{"auths": {}}"#);
        assert_eq!(socket_with(&[("HOME", home)]), default);
        write(r#"{"currentContext": "default"}"#);
        assert_eq!(socket_with(&[("HOME", home)]), default);
        write(r#"{"currentContext": "engine-28"}"#);
        assert_eq!(socket_with(&[("HOME", home)]), None);
        write("{not json");
        assert_eq!(socket_with(&[("HOME", home)]), None);
        // DOCKER_CONFIG names another folder.
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        let other = other.to_str().unwrap();
        assert_eq!(
            socket_with(&[("HOME", home), ("DOCKER_CONFIG", other)]),
            default
        );
        // No HOME and no DOCKER_CONFIG: the config file is unknown.
        assert_eq!(socket_with(&[]), None);
    }

    #[test]
    fn reads_the_body_of_a_200_answer_only() {
        let ok = b"HTTP/1.0 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 18\r\n\r\n{\"Version\":\"1.0\"}\n";
        assert_eq!(body(ok), Some(serde_json::json!({"Version": "1.0"})));
        let refused = b"HTTP/1.0 500 Internal Server Error\r\n\r\n{\"message\":\"no\"}";
        assert_eq!(body(refused), None);
        assert_eq!(body(b"HTTP/1.0 200 OK\r\n\r\nnot json"), None);
        assert_eq!(body(b"garbage"), None);
    }

    #[test]
    fn asks_over_a_unix_socket() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut request = [0u8; 512];
            let n = conn.read(&mut request).unwrap();
            conn.write_all(b"HTTP/1.0 200 OK\r\n\r\n{\"Version\":\"28.5.0\"}")
                .unwrap();
            String::from_utf8_lossy(&request[..n]).into_owned()
        });
        let answer = get(&socket, "/version", Duration::from_secs(5));
        assert_eq!(answer, Some(serde_json::json!({"Version": "28.5.0"})));
        let request = server.join().unwrap();
        assert!(
            request.starts_with("GET /version HTTP/1.0\r\n"),
            "{request}"
        );
        assert_eq!(
            get(
                &dir.path().join("absent.sock"),
                "/version",
                Duration::from_secs(1)
            ),
            None
        );
    }
}
