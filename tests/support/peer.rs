//! Peer tools (khal, khard, python) for the interop tests.

use std::process::{Command, Output};

use super::pim::Pim;

/// Run a peer tool in `pim`'s home and time zone; a missing tool fails the test and
/// names the pip package.
pub fn peer(pim: &Pim, program: &str, pip_package: &str, args: &[&str]) -> Output {
    match Command::new(program)
        .args(args)
        .current_dir(pim.home())
        .env("TZ", pim.time_zone())
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
