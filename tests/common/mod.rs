//! Helpers shared by the interop tests: a pim home in a temp dir and peer tools.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub struct Pim {
    pub home: tempfile::TempDir,
}

impl Pim {
    pub fn new() -> Pim {
        Pim {
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.home.path().join(name)
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let o = Command::new(env!("CARGO_BIN_EXE_pim"))
            .arg("--home")
            .arg(self.home.path())
            .args(args)
            .env("TZ", "Europe/Berlin")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "pim {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Vec<Value> {
        match serde_json::from_str(&self.ok(args)).unwrap() {
            Value::Array(a) => a,
            v => vec![v],
        }
    }
}

pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(rel)
}

/// Run a peer tool; a missing tool fails the test and names the pip package.
pub fn peer(program: &str, pip_package: &str, args: &[&str], dir: &Path) -> Output {
    match Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("TZ", "Europe/Berlin")
        .output()
    {
        Ok(o) => {
            assert!(
                o.status.success(),
                "{program} {args:?} failed (needs: pip install {pip_package}): {}",
                String::from_utf8_lossy(&o.stderr)
            );
            o
        }
        Err(e) => panic!("{program} is needed for this test ({e}): pip install {pip_package}"),
    }
}
