//! Contract fixtures for Plystra Core, replayed against any server (and, next, against the
//! SDK). See `conformance/README.md` for the fixture format and the commands.

pub mod coverage;
pub mod fixture;
pub mod matcher;
pub mod report;
pub mod runner;
pub mod vars;

pub use fixture::{Fixture, Kind};
pub use runner::{Admin, CaseResult, Target};
