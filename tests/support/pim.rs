//! The one way tests run the `pim` binary: a profile (home directory) plus the
//! environment it runs in. `Pim::new()` is a fresh temporary home in UTC; builder
//! methods change the time zone or add variables. Every run goes through
//! [`Pim::command`], so the home and the environment are the same for all of them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

/// Where the profile lives: a temporary directory removed with the `Pim`, or a path
/// inside a directory the test owns (a home that does not exist yet).
enum Home {
    Temp(tempfile::TempDir),
    At(PathBuf),
}

pub struct Pim {
    home: Home,
    tz: String,
    env: Vec<(String, String)>,
}

impl Default for Pim {
    fn default() -> Self {
        Pim::new()
    }
}

impl Pim {
    /// A fresh temporary home, run with `TZ=UTC`.
    pub fn new() -> Pim {
        Pim {
            home: Home::Temp(tempfile::tempdir().unwrap()),
            tz: "UTC".into(),
            env: Vec::new(),
        }
    }

    /// A profile at `home` (which pim creates on first use), run with `TZ=UTC`.
    pub fn at(home: &Path) -> Pim {
        Pim {
            home: Home::At(home.to_path_buf()),
            tz: "UTC".into(),
            env: Vec::new(),
        }
    }

    /// Run in this time zone (an IANA name) instead of UTC.
    pub fn tz(mut self, tz: &str) -> Pim {
        self.tz = tz.into();
        self
    }

    /// Set an environment variable for every run.
    pub fn env(mut self, key: &str, value: &str) -> Pim {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The `TZ` every run gets.
    pub fn time_zone(&self) -> &str {
        &self.tz
    }

    pub fn home(&self) -> &Path {
        match &self.home {
            Home::Temp(dir) => dir.path(),
            Home::At(path) => path,
        }
    }

    /// A path inside the home directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.home().join(name)
    }

    /// `pim ARGS` on this profile, not started yet (for spawning, pipes, …).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pim"));
        c.args(args)
            .env("PIM_HOME", self.home())
            .env("TZ", &self.tz);
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// The same run as a shell command line (for tmux or `script`).
    pub fn shell_line(&self, args: &[&str]) -> String {
        let mut line = format!("env TZ={}", self.tz);
        for (k, v) in &self.env {
            line.push_str(&format!(" {k}='{v}'"));
        }
        line.push_str(&format!(
            " '{}' --home '{}'",
            env!("CARGO_BIN_EXE_pim"),
            self.home().display()
        ));
        for a in args {
            line.push_str(&format!(" '{a}'"));
        }
        line
    }

    /// Run to the end; the output, whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Run with `input` on stdin; the output, whatever the exit code.
    pub fn run_stdin(&self, args: &[&str], input: &[u8]) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Run with a deadline (a hang fails the test); the output, whatever the exit code.
    pub fn run_within(&self, args: &[&str], limit: Duration) -> Output {
        let child = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        // Reading the pipes on another thread: a full pipe cannot look like a hang.
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(child.wait_with_output()));
        match finished.recv_timeout(limit) {
            Ok(output) => output.unwrap(),
            Err(_) => {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                panic!("pim {args:?} hung for {limit:?}");
            }
        }
    }

    /// Run; fails the test unless pim succeeds. Its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        success(args, self.run(args))
    }

    /// [`Pim::ok`] with `input` on stdin.
    pub fn ok_stdin(&self, args: &[&str], input: &[u8]) -> String {
        success(args, self.run_stdin(args, input))
    }

    /// Run and expect the usage/validation failure: exit code 2 and a one-line
    /// message on stderr. Returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let o = self.run(args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(
            o.status.code(),
            Some(2),
            "pim {args:?} should exit 2: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "one-line error: {err}");
        err
    }

    /// [`Pim::fails`], and the message mentions `needle`.
    pub fn fails_with(&self, args: &[&str], needle: &str) -> String {
        let err = self.fails(args);
        assert!(
            err.contains(needle),
            "pim {args:?}: {err:?} lacks {needle:?}"
        );
        err
    }

    /// Run, expect success, parse stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("pim {args:?}: {e}: {out}"))
    }

    /// [`Pim::json`] as a list: an array's elements, or the single value.
    pub fn json_list(&self, args: &[&str]) -> Vec<Value> {
        match self.json(args) {
            Value::Array(a) => a,
            v => vec![v],
        }
    }
}

/// Stdout of a successful run; otherwise fail the test with stderr.
fn success(args: &[&str], o: Output) -> String {
    assert!(
        o.status.success(),
        "pim {args:?} exited {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}
