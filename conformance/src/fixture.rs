//! The fixture format: one YAML file per case under `fixtures/<profile>/`.
//!
//! ```yaml
//! name: create-and-read-a-member
//! profile: identity
//! operation: createMember        # the operationId this case exercises
//! kind: positive                 # or `negative` with `error_class`
//! description: A member is created with its defaults and read back.
//! setup:                         # optional steps; only their status is checked
//!   - request: {method: POST, path: /api/v1/spaces, body: {id: "space_${run}", name: "s ${run}"}}
//!     response: {status: 201}
//! exchanges:
//!   - request:
//!       method: POST
//!       path: /api/v1/spaces/space_${run}/members
//!       auth: admin                # admin (default) | none | bearer:<var> | api_key:<var>
//!       body: {display_name: "m ${run}"}
//!     response:
//!       status: 201
//!       headers: {x-request-id: {$regex: "^req_"}}
//!       body: {data: {$contains: {member_type: human, id: {$regex: "^member_"}}}, request_id: {$any: string}}
//!     capture: {member_id: body.data.id}
//! ```
//!
//! Matchers are described in [`crate::matcher`]; `${name}` placeholders in [`crate::vars`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One case.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Unique within the profile; also the file name.
    pub name: String,
    /// The profile (directory) it belongs to.
    pub profile: String,
    /// The operationId it exercises.
    pub operation: String,
    /// Positive (the operation works) or negative (an error class is answered right).
    #[serde(default)]
    pub kind: Kind,
    /// For negative cases: which class of bad input (`bad_json`, `unknown_id`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_class: Option<String>,
    /// What the case shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Steps that prepare state; only their status is checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<Exchange>,
    /// The checked exchanges, in order.
    pub exchanges: Vec<Exchange>,
}

/// Positive or negative.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The operation does what the contract says.
    #[default]
    Positive,
    /// A bad request gets the contract's error.
    Negative,
}

/// A request and what must come back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// What to send.
    pub request: Request,
    /// What must come back.
    pub response: Response,
    /// Values to remember: `name: body.data.id` or `name: header.x-plystra-trace-id`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, String>,
}

/// An HTTP request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path from the server root (`/api/v1/users`).
    pub path: String,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// Extra headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Which credential to send: `admin` (default), `none`, `bearer:<var>`, `api_key:<var>`.
    #[serde(default = "admin", skip_serializing_if = "is_admin")]
    pub auth: String,
    /// A JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// A raw body (sent as is, for malformed-input cases), with its content type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_body: Option<RawBody>,
}

/// A body sent byte for byte.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawBody {
    /// `Content-Type`.
    pub content_type: String,
    /// The text (`repeat` times).
    pub text: String,
    /// How many times `text` is repeated (for oversized bodies).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub repeat: usize,
}

/// An expected response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Headers that matter (names lower-case), values or matchers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Value>,
    /// The JSON body, with matchers; absent: not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

fn admin() -> String {
    "admin".into()
}

fn is_admin(auth: &str) -> bool {
    auth == "admin"
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// A fixture that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

impl Fixture {
    /// Reads one file.
    pub fn load(path: &Path) -> Result<Fixture, LoadError> {
        let fail = |message: String| LoadError {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let fixture: Fixture = serde_yaml::from_str(&text).map_err(|e| fail(e.to_string()))?;
        let dir = profile_of(path);
        if fixture.profile != dir {
            return Err(fail(format!(
                "profile {:?} but the file is under {dir:?}",
                fixture.profile
            )));
        }
        if fixture.exchanges.is_empty() {
            return Err(fail("no exchanges".into()));
        }
        if fixture.kind == Kind::Negative && fixture.error_class.is_none() {
            return Err(fail("a negative case names its error_class".into()));
        }
        Ok(fixture)
    }

    /// Every `*.yaml` under `root/<profile>/`, sorted by profile and name; only `profiles`
    /// when not empty, and never the [`ISOLATED_PROFILES`] unless named.
    pub fn load_all(root: &Path, profiles: &[String]) -> Result<Vec<Fixture>, LoadError> {
        yaml_files(root, profiles)?
            .iter()
            .map(|f| Fixture::load(f))
            .collect()
    }

    /// Every fixture under `root`, the [`ISOLATED_PROFILES`] included (coverage, SDK replay).
    pub fn load_every(root: &Path) -> Result<Vec<Fixture>, LoadError> {
        yaml_files_of(root, |_| true)?
            .iter()
            .map(|f| Fixture::load(f))
            .collect()
    }

    /// The fixture as YAML (serde_yaml's layout; the recorder writes its own, see
    /// [`crate::yaml`]).
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).unwrap_or_default()
    }
}

/// The profile of a file: the name of the directory it is in.
pub(crate) fn profile_of(path: &Path) -> &str {
    path.parent()
        .and_then(Path::file_name)
        .and_then(|d| d.to_str())
        .unwrap_or_default()
}

/// Profiles that cannot share a server with the others, left out unless named (`--profile P`):
/// - `lockout` changes what the whole server shares: it locks the runner's address out of login
///   for the lockout period, so it runs once, last or against a server of its own;
/// - `registration` needs a setting the default configuration does not have: ordinary sign-up
///   enabled, with [`REGISTRATION_TOKEN`] as its token (`PLYSTRA_AUTH_REGISTRATION_ENABLED=1`,
///   `PLYSTRA_AUTH_REGISTRATION_TOKEN`), under which the `auth` profile's refused sign-up fails.
pub const ISOLATED_PROFILES: &[&str] = &["lockout", "registration"];

/// The registration token the `registration` profile signs up with.
pub const REGISTRATION_TOKEN: &str = "conformance-registration-token-0123456789";

/// Every `*.yaml` under `root/<profile>/`, sorted; only `profiles` when not empty, else every
/// profile but the [`ISOLATED_PROFILES`].
pub(crate) fn yaml_files(root: &Path, profiles: &[String]) -> Result<Vec<PathBuf>, LoadError> {
    yaml_files_of(root, |profile| {
        if profiles.is_empty() {
            !ISOLATED_PROFILES.contains(&profile)
        } else {
            profiles.iter().any(|p| p == profile)
        }
    })
}

/// Every `*.yaml` under `root/<profile>/` for the profiles `selected` keeps, sorted.
fn yaml_files_of(root: &Path, selected: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, LoadError> {
    let read = |dir: &Path| {
        std::fs::read_dir(dir).map_err(|e| LoadError {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })
    };
    let mut files = Vec::new();
    for entry in read(root)? {
        let dir = entry
            .map_err(|e| LoadError {
                path: root.to_path_buf(),
                message: e.to_string(),
            })?
            .path();
        let profile = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if !dir.is_dir() || !selected(profile) {
            continue;
        }
        for file in read(&dir)? {
            let file = file
                .map_err(|e| LoadError {
                    path: dir.clone(),
                    message: e.to_string(),
                })?
                .path();
            if file.extension().is_some_and(|e| e == "yaml") {
                files.push(file);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let yaml = r#"
name: create-and-read-a-member
profile: identity
operation: createMember
description: A member is created.
setup:
  - request: {method: POST, path: /api/v1/spaces, body: {id: "space_${run}", name: "s"}}
    response: {status: 201}
exchanges:
  - request:
      method: POST
      path: /api/v1/spaces/space_${run}/members
      body: {display_name: "m"}
    response:
      status: 201
      headers: {x-request-id: {$regex: "^req_"}}
      body: {data: {$contains: {member_type: human}}}
    capture: {member_id: body.data.id}
"#;
        let fixture: Fixture = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(fixture.kind, Kind::Positive);
        assert_eq!(fixture.exchanges[0].request.auth, "admin");
        assert_eq!(fixture.exchanges[0].capture["member_id"], "body.data.id");
        let again: Fixture = serde_yaml::from_str(&fixture.to_yaml()).unwrap();
        assert_eq!(again, fixture);
        assert!(
            serde_yaml::from_str::<Fixture>(
                "name: x\nprofile: y\noperation: z\nexchanges: []\nextra: 1"
            )
            .is_err()
        );
    }
}
