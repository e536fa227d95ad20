//! Decisions per second of the pure engine (`plystra_core::domain::authz::decide`), in
//! registry mode (a prebuilt `Context`) and in Context Mode (an inline request built and decided
//! every call), and, with `--features cedar`, the same decisions in Cedar.
//!
//! Run: `cargo bench -p plystra-bench --features cedar --bench engine`
//! (`PLYSTRA_BENCH_QUICK=1` for a short smoke run).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark binary

use chrono::{DateTime, TimeZone, Utc};
use plystra_bench::fixtures::{ALLOW, Case, DENY, inline_request, registry, registry_context};
use plystra_bench::measure::{Budget, Rate, grouped, measure};
use plystra_core::domain::authz::decide;

/// A fixed "now": the engine takes the time as an argument, so the bench reads no clock per call.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap()
}

/// Registry mode: the store has already loaded the context; only `decide` runs.
fn registry_mode(budget: Budget, case: &Case) -> Rate {
    let ctx = registry_context(case);
    let now = now();
    assert_eq!(decide(&ctx, now).is_allowed(), case.allow, "{}", case.name);
    measure(budget, || decide(&ctx, now).is_allowed())
}

/// Context Mode: validate and build the inline request, attach the registry entry (cloned, as a
/// stand-in for the lookup the handler does), decide.
fn context_mode(budget: Budget, case: &Case) -> Rate {
    let request = inline_request(case);
    let registry = registry();
    let now = now();
    let once = |request: &plystra_core::domain::authz::InlineRequest| {
        let ctx = request
            .build()
            .expect("valid inline request")
            .into_context(registry.clone());
        decide(&ctx, now).is_allowed()
    };
    assert_eq!(once(&request), case.allow, "{}", case.name);
    measure(budget, || once(&request))
}

struct Row {
    label: &'static str,
    ours: Rate,
    cedar: Option<Rate>,
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<34} {:>13} {:>10} {:>13} {:>10} {:>10}",
        "decision", "ours/s", "ns", "Cedar/s", "ns", "ours/Cedar"
    );
    for row in rows {
        let (cedar, cedar_ns, ratio) = match row.cedar {
            Some(c) => (
                grouped(c.per_second),
                format!("{:.0}", c.nanos()),
                format!("{:.1}x", row.ours.per_second / c.per_second),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "{:<34} {:>13} {:>10.0} {:>13} {:>10} {:>10}",
            row.label,
            grouped(row.ours.per_second),
            row.ours.nanos(),
            cedar,
            cedar_ns,
            ratio
        );
    }
}

/// Where a Context Mode call's time goes: validation and construction alone, and the registry
/// clone that stands in for the handler's lookup.
fn print_breakdown(budget: Budget) {
    let request = inline_request(&ALLOW);
    let registry = registry();
    let build = measure(budget, || request.build().is_ok());
    let clone = measure(budget, || registry.clone());
    println!(
        "\nContext Mode breakdown (allow): InlineRequest::build {:.0} ns, Registry clone {:.0} ns; \
         the rest of the row is decide and dropping the Context.",
        build.nanos(),
        clone.nanos()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; there are no filters to honour.
    let budget = Budget::from_env();
    println!(
        "Engine in process, one thread: median of {:?} batches after {:?} warm-up\n",
        budget.batch, budget.warmup
    );

    #[cfg(feature = "cedar")]
    let cedar = cedar_side::Side::new();
    #[cfg(feature = "cedar")]
    cedar.check_agreement();
    #[cfg(not(feature = "cedar"))]
    check_agreement_without_cedar();

    let mut rows = Vec::new();
    for (label, case) in [
        ("registry mode, allow", ALLOW),
        ("registry mode, deny", DENY),
    ] {
        let ours = registry_mode(budget, &case);
        #[cfg(feature = "cedar")]
        let cedar = Some(cedar.prebuilt(budget, &case));
        #[cfg(not(feature = "cedar"))]
        let cedar = None;
        rows.push(Row { label, ours, cedar });
    }
    for (label, case) in [
        ("Context Mode, allow (build+decide)", ALLOW),
        ("Context Mode, deny (build+decide)", DENY),
    ] {
        let ours = context_mode(budget, &case);
        #[cfg(feature = "cedar")]
        let cedar = Some(cedar.built_each_time(budget, &case));
        #[cfg(not(feature = "cedar"))]
        let cedar = None;
        rows.push(Row { label, ours, cedar });
    }
    print_table(&rows);
    print_breakdown(budget);

    #[cfg(feature = "cedar")]
    {
        let worst = rows
            .iter()
            .filter_map(|r| r.cedar.map(|c| r.ours.per_second / c.per_second))
            .fold(f64::INFINITY, f64::min);
        println!(
            "\nCedar {}: registry rows time is_authorized on prebuilt Entities + Request; Context Mode rows \
             build the Entities and Request every call too.",
            cedar_side::CEDAR_VERSION
        );
        println!(
            "Lowest ours/Cedar ratio: {worst:.1}x (goal: at least 3x) -> {}",
            if worst >= 3.0 { "met" } else { "NOT met" }
        );
    }
    #[cfg(not(feature = "cedar"))]
    println!("\nCedar comparison skipped: build with --features cedar");
}

/// Without Cedar, still make sure both of our modes give each case its expected answer.
#[cfg(not(feature = "cedar"))]
fn check_agreement_without_cedar() {
    use plystra_bench::fixtures::CASES;
    for case in &CASES {
        let ctx = registry_context(case);
        assert_eq!(
            decide(&ctx, now()).is_allowed(),
            case.allow,
            "{}",
            case.name
        );
        let ctx = inline_request(case)
            .build()
            .unwrap()
            .into_context(registry());
        assert_eq!(
            decide(&ctx, now()).is_allowed(),
            case.allow,
            "{}",
            case.name
        );
    }
    println!(
        "Both modes agree with the expected answer on {} cases.\n",
        CASES.len()
    );
}

#[cfg(feature = "cedar")]
mod cedar_side {
    use plystra_bench::cedar::CedarModel;
    use plystra_bench::fixtures::{CASES, Case, inline_request, registry, registry_context};
    use plystra_bench::measure::{Budget, Rate, measure};
    use plystra_core::domain::authz::decide;

    /// The cedar-policy version in Cargo.lock (4.7.1 is the newest for our MSRV, Rust 1.88).
    pub const CEDAR_VERSION: &str = "cedar-policy 4.7";

    pub struct Side {
        model: CedarModel,
    }

    impl Side {
        pub fn new() -> Side {
            Side {
                model: CedarModel::new().expect("the Cedar policy parses"),
            }
        }

        /// Every case: our registry mode, our Context Mode and Cedar must give the expected
        /// answer, and Cedar must not have denied because of an evaluation error.
        pub fn check_agreement(&self) {
            println!(
                "{:<38} {:>8} {:>8} {:>8} {:>8}",
                "agreement check", "expected", "registry", "context", "Cedar"
            );
            let word = |allow: bool| if allow { "allow" } else { "deny" };
            for case in &CASES {
                let ctx = registry_context(case);
                let registry_mode = decide(&ctx, super::now()).is_allowed();
                let ctx = inline_request(case)
                    .build()
                    .unwrap()
                    .into_context(registry());
                let context_mode = decide(&ctx, super::now()).is_allowed();
                let built = self.model.build(case).unwrap();
                let cedar = self.model.is_allowed(&built);
                println!(
                    "{:<38} {:>8} {:>8} {:>8} {:>8}",
                    case.name,
                    word(case.allow),
                    word(registry_mode),
                    word(context_mode),
                    word(cedar)
                );
                assert_eq!(
                    self.model.errors(&built),
                    Vec::<String>::new(),
                    "{}",
                    case.name
                );
                assert!(
                    registry_mode == case.allow
                        && context_mode == case.allow
                        && cedar == case.allow,
                    "the engines disagree on {}",
                    case.name
                );
            }
            println!("All {} cases agree.\n", CASES.len());
        }

        /// `is_authorized` on a request and entities built once.
        pub fn prebuilt(&self, budget: Budget, case: &Case) -> Rate {
            let built = self.model.build(case).unwrap();
            assert_eq!(self.model.is_allowed(&built), case.allow);
            measure(budget, || self.model.is_allowed(&built))
        }

        /// Build the entities and request, then `is_authorized`, every call.
        pub fn built_each_time(&self, budget: Budget, case: &Case) -> Rate {
            measure(budget, || {
                let built = self.model.build(case).unwrap();
                self.model.is_allowed(&built)
            })
        }
    }
}
