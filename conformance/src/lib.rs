//! Contract fixtures for Plystra Core, recorded from scenarios against the reference server and
//! replayed against any server (and, next, against the SDK). See `conformance/README.md` for
//! the formats and the commands.

pub mod coverage;
pub mod fixture;
pub mod matcher;
pub mod normalise;
pub mod record;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod vars;
pub mod yaml;

pub use fixture::{Fixture, Kind};
pub use runner::{Admin, CaseResult, Target};
pub use scenario::Scenario;
