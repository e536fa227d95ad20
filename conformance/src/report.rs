//! Reports of a run: one line per case for people, JSON and JUnit XML for machines.

use std::fmt::Write as _;

use crate::runner::CaseResult;

/// The readable lines of a failed case: the step, then each difference.
pub fn describe(result: &CaseResult) -> String {
    let mut out = String::new();
    if let Some(failure) = &result.failure {
        let _ = writeln!(out, "    at {} ({})", failure.step, failure.request);
        if let Some(error) = &failure.error {
            let _ = writeln!(out, "      {error}");
        }
        for mismatch in &failure.mismatches {
            let _ = writeln!(out, "      {mismatch}");
        }
    }
    out
}

/// The run as JSON: totals and every case.
pub fn json(results: &[CaseResult]) -> String {
    let failed = results.iter().filter(|r| !r.passed).count();
    serde_json::to_string_pretty(&serde_json::json!({
        "total": results.len(),
        "passed": results.len() - failed,
        "failed": failed,
        "cases": results,
    }))
    .unwrap_or_default()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The run as JUnit XML (one test suite per profile).
pub fn junit(results: &[CaseResult]) -> String {
    let mut suites: std::collections::BTreeMap<&str, Vec<&CaseResult>> = Default::default();
    for result in results {
        let profile = result.case.split('/').next().unwrap_or_default();
        suites.entry(profile).or_default().push(result);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (profile, cases) in suites {
        let failures = cases.iter().filter(|c| !c.passed).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
            escape(profile),
            cases.len()
        );
        for case in cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                escape(&case.operation),
                escape(&case.case),
                case.duration.as_secs_f64()
            );
            if case.passed {
                out.push_str("/>\n");
            } else {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"mismatch\">{}</failure>\n    </testcase>",
                    escape(&describe(case))
                );
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::matcher::Mismatch;
    use crate::runner::Failure;

    #[test]
    fn failures_are_readable_and_escaped() {
        let results = vec![
            CaseResult {
                case: "system/health".into(),
                operation: "getHealth".into(),
                passed: true,
                duration: Duration::from_millis(3),
                failure: None,
            },
            CaseResult {
                case: "errors/bad-json".into(),
                operation: "createUser".into(),
                passed: false,
                duration: Duration::from_millis(5),
                failure: Some(Failure {
                    step: "exchange[0]".into(),
                    request: "POST /api/v1/users".into(),
                    error: None,
                    mismatches: vec![Mismatch {
                        path: "$.error.code".into(),
                        expected: "\"VALIDATION_FAILED\"".into(),
                        actual: "\"<oops>\"".into(),
                    }],
                }),
            },
        ];
        let text = describe(&results[1]);
        assert!(text.contains("at exchange[0] (POST /api/v1/users)"));
        assert!(text.contains(r#"$.error.code: expected "VALIDATION_FAILED", got "<oops>""#));
        let xml = junit(&results);
        assert!(xml.contains(r#"<testsuite name="errors" tests="1" failures="1">"#));
        assert!(xml.contains("&lt;oops&gt;"));
        let json: serde_json::Value = serde_json::from_str(&json(&results)).unwrap();
        assert_eq!(
            (json["passed"].as_u64(), json["failed"].as_u64()),
            (Some(1), Some(1))
        );
    }
}
