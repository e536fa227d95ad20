//! Which operations of the contract have a positive fixture, and which error classes a
//! negative one, per tag.

use std::collections::{BTreeMap, BTreeSet};

use crate::fixture::{Fixture, Kind};

/// An operation of the contract.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Operation {
    /// Its tag.
    pub tag: String,
    /// Its operationId.
    pub id: String,
}

/// Every operation in an OpenAPI document (YAML), by tag.
pub fn operations(spec_yaml: &str) -> Result<Vec<Operation>, String> {
    let spec: serde_yaml::Value = serde_yaml::from_str(spec_yaml).map_err(|e| e.to_string())?;
    let paths = spec
        .get("paths")
        .and_then(|p| p.as_mapping())
        .ok_or("the document has no paths")?;
    let mut out = Vec::new();
    for item in paths.values() {
        let Some(item) = item.as_mapping() else {
            continue;
        };
        for (method, op) in item {
            let is_method = method.as_str().is_some_and(|m| {
                ["get", "put", "post", "delete", "patch", "head", "options"].contains(&m)
            });
            if !is_method {
                continue;
            }
            let id = op
                .get("operationId")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let tag = op
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(|t| t.as_str())
                .unwrap_or("untagged");
            out.push(Operation {
                tag: tag.to_string(),
                id: id.to_string(),
            });
        }
    }
    out.sort();
    Ok(out)
}

/// Coverage of a fixture set.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Per tag: (operations with a positive fixture, operations without).
    pub by_tag: BTreeMap<String, (Vec<String>, Vec<String>)>,
    /// Error classes with a negative fixture.
    pub error_classes: BTreeSet<String>,
}

impl Coverage {
    /// What `fixtures` cover of `operations`.
    pub fn of(operations: &[Operation], fixtures: &[Fixture]) -> Coverage {
        let positive: BTreeSet<&str> = fixtures
            .iter()
            .filter(|f| f.kind == Kind::Positive)
            .map(|f| f.operation.as_str())
            .collect();
        let mut coverage = Coverage::default();
        for op in operations {
            let entry = coverage.by_tag.entry(op.tag.clone()).or_default();
            if positive.contains(op.id.as_str()) {
                entry.0.push(op.id.clone());
            } else {
                entry.1.push(op.id.clone());
            }
        }
        coverage.error_classes = fixtures
            .iter()
            .filter_map(|f| f.error_class.clone())
            .collect();
        coverage
    }

    /// Operations of `ids` without a positive fixture.
    pub fn uncovered<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let missing: BTreeSet<&str> = self
            .by_tag
            .values()
            .flat_map(|(_, missing)| missing.iter().map(String::as_str))
            .collect();
        ids.into_iter()
            .filter(|id| missing.contains(id))
            .map(String::from)
            .collect()
    }

    /// The table `coverage` prints.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let (mut covered, mut total) = (0, 0);
        for (tag, (with, without)) in &self.by_tag {
            covered += with.len();
            total += with.len() + without.len();
            out.push_str(&format!(
                "{tag:<22} {:>3}/{:<3} {}\n",
                with.len(),
                with.len() + without.len(),
                if without.is_empty() {
                    String::new()
                } else {
                    format!("missing: {}", without.join(", "))
                }
            ));
        }
        out.push_str(&format!(
            "operations with a positive fixture: {covered}/{total}\n"
        ));
        out.push_str(&format!(
            "error classes with a negative fixture: {}\n",
            self.error_classes
                .iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
        out
    }
}
