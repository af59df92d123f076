//! Formats and the store through the library: corpus files, property round trips, event
//! windows, store invariants. One test binary, one module per area.

#[path = "../support/mod.rs"]
mod support;

mod event_window;
mod export_golden;
mod fuzz;
mod ics_corpus;
mod prop_roundtrip;
mod store_invariants;
mod undecodable;
mod vcf_corpus;
