//! The README's walk-through, run as a newcomer would run it: the real binary serves a fresh
//! SQLite database in an empty folder, and every ```sh block of README.md (but those marked
//! `sh no-run`) runs in order in one bash with `set -euo pipefail`, its `gongkai` being this
//! build. A command that fails, or a curl that gets an error status (`--fail-with-body`), fails
//! the test with the block's output and the server's log.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const README: &str = include_str!("../../README.md");

/// The ```sh blocks, in order; a block whose fence says `sh no-run` is left out.
fn runnable_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "README.md has an unclosed ```sh block");
    blocks
}

/// The walk-through needs these on the PATH; .ci/run installs them. Missing is a failure, not
/// a skip.
fn require_tools() {
    for tool in ["bash", "curl", "jq"] {
        let found = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "the README test needs `{tool}` on the PATH (apt-get install {tool}; .ci/run does)"
        );
    }
}

/// The server, stopped when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A command with none of the caller's GONGKAI_* settings: the README's defaults apply.
fn clean(program: &str, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("GONGKAI_") {
            c.env_remove(name);
        }
    }
    c
}

fn wait_until_healthy(base: &str, server: &mut Server, log: &Path) {
    let started = Instant::now();
    loop {
        let up = Command::new("curl")
            .args(["-sf", "-o", "/dev/null", &format!("{base}/healthz")])
            .status()
            .is_ok_and(|s| s.success());
        if up {
            return;
        }
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!(
                "gongkai serve exited ({status}):\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "gongkai serve did not answer /healthz within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_readme_walk_through_runs_as_written() {
    require_tools();
    let blocks = runnable_blocks(README);
    assert!(blocks.len() >= 10, "only {} runnable blocks", blocks.len());
    let dir = tempfile::tempdir().unwrap();
    // The README names files of the repository (the sample calendar) relative to its root.
    std::os::unix::fs::symlink(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples"),
        dir.path().join("examples"),
    )
    .unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let log = dir.path().join("serve.log");
    let mut server = Server(
        clean(env!("CARGO_BIN_EXE_gongkai"), dir.path())
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("gongkai serve starts"),
    );
    wait_until_healthy(&base, &mut server, &log);

    let mut script = String::from(
        "set -euo pipefail\n\
         trap 'echo \"README walk-through failed at line $LINENO: $BASH_COMMAND\" >&2' ERR\n\
         gongkai() { \"$GONGKAI_BIN\" \"$@\"; }\n",
    );
    for (i, block) in blocks.iter().enumerate() {
        script.push_str(&format!("echo '>>> README block {}' >&2\n", i + 1));
        script.push_str(block);
    }
    let path = dir.path().join("walk-through.sh");
    std::fs::write(&path, &script).unwrap();
    let out = clean("bash", dir.path())
        .arg(&path)
        .env("BASE", &base)
        .env("GONGKAI_BIN", env!("CARGO_BIN_EXE_gongkai"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the README's walk-through failed ({}):\n--- stderr\n{stderr}\n--- stdout\n{stdout}\n--- server\n{}",
        out.status,
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    // It did what it says: the case was answered, the chain holds, the copy and files exist.
    assert!(stdout.contains("\"ok\": true"), "{stdout}");
    assert!(stdout.contains("backed up to backups/gongkai-"), "{stdout}");
    assert!(dir.path().join("events.csv").exists());
    let backups = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .count();
    assert_eq!(backups, 1);
}
