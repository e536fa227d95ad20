//! Scenario definitions: what `plystra-conformance record` sends to a reference server to
//! write the fixture of the same name. One YAML file per case under `scenarios/<profile>/`,
//! shaped like a fixture whose exchanges state only the status they expect, plus hints for
//! the places the recorder's general rules cannot decide ([`crate::normalise`]):
//!
//! ```yaml
//! name: user-list
//! profile: identity
//! operation: listUsers
//! description: Users page by cursor.
//! setup:                          # as in a fixture: status only, captures allowed
//!   - request: {method: POST, path: /api/v1/users, body: {email: "list-a-${run}@example.com"}}
//!     response: {status: 201}
//! exchanges:
//!   - request: {method: GET, path: /api/v1/users, query: {limit: "1"}}
//!     response:
//!       status: 200                  # optional; recording fails on any other status
//!       match:                       # write this matcher instead of what came back
//!         body.data[*].email: {$any: string}
//!         header.access-control-allow-origin: {$absent: true}
//!       keep: ["body.data[0].expires_at"]      # literal, even where a rule would generalise
//!       contains: {"body.data[0]": [id, email]} # only these members, as `$contains`
//!       unordered: ["body.data[0].grants"]     # the elements, as `$unordered`
//!     capture: {cursor: body.pagination.cursor}
//! ```
//!
//! Paths start at `body` (then `.member`, `[index]` or `[*]` for every element) or at
//! `header.<name>`, as captures do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fixture::{Exchange, Kind, LoadError, Request, profile_of, yaml_files};

/// One case to record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique within the profile; also the file name of the scenario and of its fixture.
    pub name: String,
    /// The profile (directory) it belongs to.
    pub profile: String,
    /// The operationId it exercises.
    pub operation: String,
    /// Positive or negative.
    #[serde(default)]
    pub kind: Kind,
    /// For negative cases: which class of bad input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<String>,
    /// What the case shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Steps that prepare state, copied into the fixture as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<Exchange>,
    /// The exchanges whose responses are recorded.
    pub exchanges: Vec<Step>,
}

/// A request whose response is recorded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What to send.
    pub request: Request,
    /// The status it must get, and how to record the rest.
    #[serde(default)]
    pub response: Expect,
    /// Values to remember, as in a fixture.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, String>,
}

/// What a scenario says about a response: the status it expects and hints for recording.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status; recording fails when the server answers another one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Path → value or matcher written instead of what came back (also where nothing did).
    #[serde(default, rename = "match", skip_serializing_if = "BTreeMap::is_empty")]
    pub matchers: BTreeMap<String, Value>,
    /// Paths recorded literally (placeholders still put back), overriding the general rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keep: Vec<String>,
    /// Path → the members of that object to record, written as `$contains`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub contains: BTreeMap<String, Vec<String>>,
    /// Paths of arrays written as `$unordered`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unordered: Vec<String>,
}

impl Scenario {
    /// Reads one file.
    pub fn load(path: &Path) -> Result<Scenario, LoadError> {
        let fail = |message: String| LoadError {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let scenario: Scenario = serde_yaml::from_str(&text).map_err(|e| fail(e.to_string()))?;
        let dir = profile_of(path);
        if scenario.profile != dir {
            return Err(fail(format!(
                "profile {:?} but the file is under {dir:?}",
                scenario.profile
            )));
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if scenario.name != stem {
            return Err(fail(format!(
                "name {:?} but the file is {stem}.yaml",
                scenario.name
            )));
        }
        if scenario.exchanges.is_empty() {
            return Err(fail("no exchanges".into()));
        }
        if scenario.kind == Kind::Negative && scenario.error_class.is_none() {
            return Err(fail("a negative case names its error_class".into()));
        }
        if let Some(i) = scenario
            .setup
            .iter()
            .position(|s| !s.response.headers.is_empty() || s.response.body.is_some())
        {
            return Err(fail(format!(
                "setup[{i}] expects headers or a body; setup steps state only their status"
            )));
        }
        Ok(scenario)
    }

    /// Every `*.yaml` under `root/<profile>/`, sorted by profile and name; only `profiles`
    /// when not empty.
    pub fn load_all(root: &Path, profiles: &[String]) -> Result<Vec<Scenario>, LoadError> {
        yaml_files(root, profiles)?
            .iter()
            .map(|f| Scenario::load(f))
            .collect()
    }

    /// Where its fixture goes, relative to the fixtures directory: `<profile>/<name>.yaml`.
    pub fn fixture_path(&self) -> PathBuf {
        Path::new(&self.profile).join(format!("{}.yaml", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example_and_checks_names() {
        let yaml = r#"
name: user-list
profile: identity
operation: listUsers
setup:
  - request: {method: POST, path: /api/v1/users, body: {email: "a-${run}@example.com"}}
    response: {status: 201}
exchanges:
  - request: {method: GET, path: /api/v1/users, query: {limit: "1"}}
    response:
      status: 200
      match: {"body.data[*].email": {$any: string}}
      keep: ["body.data[0].expires_at"]
      contains: {"body.data[0]": [id, email]}
      unordered: [body.data]
    capture: {cursor: body.pagination.cursor}
  - request: {method: GET, path: /api/v1/users}
"#;
        let scenario: Scenario = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(scenario.exchanges[0].response.status, Some(200));
        assert_eq!(scenario.exchanges[1].response, Expect::default());
        assert_eq!(
            scenario.fixture_path(),
            Path::new("identity/user-list.yaml")
        );

        let dir = std::env::temp_dir().join(format!("scenario-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("identity")).unwrap();
        std::fs::write(dir.join("identity/user-list.yaml"), yaml).unwrap();
        std::fs::write(dir.join("identity/other.yaml"), yaml).unwrap();
        let error = Scenario::load_all(&dir, &[]).unwrap_err();
        assert!(error.message.contains("other.yaml"), "{error}");
        std::fs::remove_file(dir.join("identity/other.yaml")).unwrap();
        assert_eq!(Scenario::load_all(&dir, &[]).unwrap(), vec![scenario]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
