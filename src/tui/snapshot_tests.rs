//! Snapshots of every screen and dialog (TestBackend + insta), with a fixed clock.
