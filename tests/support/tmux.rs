//! Drive the real `pim` TUI in tmux (fails, never skips, without tmux: CI installs it).

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
    pub session: &'static str,
}

impl Tmux {
    /// A tmux server of its own (socket per process and session name).
    pub fn new(session: &'static str) -> Tmux {
        Tmux {
            socket: format!("pim-test-{}-{session}", std::process::id()),
            session,
        }
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is required for this test (apt-get install tmux)")
    }

    pub fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn alive(&self) -> bool {
        self.run(&["has-session", "-t", self.session])
            .status
            .success()
    }

    /// Send keys as tmux key names (`Enter`, `Tab`, `C-u`) or literal text (`-l`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    pub fn text(&self, s: &str) {
        assert!(
            self.run(&["send-keys", "-t", self.session, "-l", s])
                .status
                .success()
        );
    }

    pub fn wait_for(&self, needle: &str) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {needle:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

impl Tmux {
    /// Start `cmd` in a detached 100x30 session.
    pub fn start(&self, cmd: &str) {
        let version = Command::new("tmux").arg("-V").output();
        assert!(
            version.is_ok_and(|o| o.status.success()),
            "tmux is required for this test (apt-get install -y tmux)"
        );
        let out = self.run(&[
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            "100",
            "-y",
            "30",
            cmd,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Wait until the program in the session has exited.
    pub fn wait_exit(&self) {
        let start = Instant::now();
        while self.alive() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "pim did not quit"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
