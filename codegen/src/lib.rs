//! `plystra-codegen`: turns an OpenAPI 3.0 document from `spec/` into
//!
//! * the SDK's generated client (progenitor, builder style, one extension trait per tag), and
//! * the server's generated contract (poem-openapi types, one trait per tag, one response enum per
//!   operation, and the `#[OpenApi]` endpoint that delegates every route to those traits), and
//! * optionally a replay dispatch from operation id to the SDK's typed call (see [`Replay`]).
//!
//! Which contracts exist and where their output goes is read from `codegen/contracts.yaml`; nothing
//! in here knows about Plystra beyond that file.

mod access;
mod client;
mod names;
mod replay;
mod server;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use replay::Replay;
pub use validate::Problem;

/// Everything that can stop a generation or a check.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
    /// The spec or the config is not valid YAML of the expected shape.
    Parse(PathBuf, String),
    /// The spec uses something the generators do not support.
    Invalid(Vec<Problem>),
    /// A generator failed (progenitor, or the produced tokens do not parse).
    Generate(String),
    /// `check` found generated files that differ from what the spec produces.
    Drift(Vec<PathBuf>),
    /// No contract of that name is configured.
    UnknownContract(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(path, e) => write!(f, "{}: {e}", path.display()),
            Error::Parse(path, e) => write!(f, "{}: {e}", path.display()),
            Error::Invalid(problems) => {
                writeln!(
                    f,
                    "the spec uses constructs the generator does not support:"
                )?;
                for p in problems {
                    writeln!(f, "  {p}")?;
                }
                Ok(())
            }
            Error::Generate(e) => write!(f, "generation failed: {e}"),
            Error::Drift(files) => {
                writeln!(
                    f,
                    "generated files differ from what spec/ produces (run `cargo codegen generate`):"
                )?;
                for file in files {
                    writeln!(f, "  {}", file.display())?;
                }
                Ok(())
            }
            Error::UnknownContract(name) => write!(f, "no contract named {name:?} in the config"),
        }
    }
}

impl std::error::Error for Error {}

/// One contract of `codegen/contracts.yaml`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// Short name, used on the command line.
    pub name: String,
    /// The bundled OpenAPI document.
    pub spec: PathBuf,
    /// Where the generated client goes (one file), if this contract has an SDK.
    #[serde(default)]
    pub client: Option<PathBuf>,
    /// Where the generated server contract goes (a directory), if this contract has a server.
    #[serde(default)]
    pub server: Option<PathBuf>,
    /// A type path (in the client crate) stored in the generated `Client` and passed to
    /// progenitor's `ClientHooks`, so the crate can implement hooks on `Client` itself.
    #[serde(default)]
    pub client_hooks: Option<String>,
    /// The property names of the contract's success envelope; when set, the client gets an
    /// `Envelope` impl for every envelope schema and an `Operation` impl for every builder
    /// whose success is one (both traits live in the client crate's `envelope` module).
    #[serde(default)]
    pub envelope: Option<EnvelopeNames>,
    /// Where a dispatch from operation id to the SDK's typed call goes, if wanted (for
    /// replaying recorded requests through the SDK); needs `client`, and `envelope` for every
    /// operation that does not answer a byte stream.
    #[serde(default)]
    pub replay: Option<Replay>,
    /// Operations with one of these tags are left out of the client (browser pages, for
    /// example); the server contract keeps every operation.
    #[serde(default)]
    pub client_exclude_tags: Vec<String>,
    /// operationIds left out of the client, in addition to `client_exclude_tags`.
    #[serde(default)]
    pub client_exclude_operations: Vec<String>,
    /// Every operation carries `x-plystra-access`, and the generated endpoint admits the caller
    /// by it before delegating (see `codegen/README.md`).
    #[serde(default)]
    pub access: bool,
}

/// Property names of a success envelope `{data, request_id, pagination?}`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeNames {
    /// The payload property.
    pub data: String,
    /// The request id property.
    pub request_id: String,
    /// The pagination property of list envelopes.
    pub pagination: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    contracts: Vec<Contract>,
}

/// The header every generated file starts with.
pub const HEADER: &str = "// @generated by plystra-codegen from the OpenAPI spec. Do not edit by hand:\n// change spec/ (or codegen/) and run `cargo codegen generate`.\n\n";

/// Reads `codegen/contracts.yaml` below `root`.
pub fn load_contracts(root: &Path) -> Result<Vec<Contract>, Error> {
    let path = root.join("codegen/contracts.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Io(path.clone(), e))?;
    let config: Config =
        serde_yaml::from_str(&text).map_err(|e| Error::Parse(path.clone(), e.to_string()))?;
    Ok(config.contracts)
}

/// Parses an OpenAPI document from YAML text.
pub fn parse_spec(path: &Path, text: &str) -> Result<openapiv3::OpenAPI, Error> {
    serde_yaml::from_str(text).map_err(|e| Error::Parse(path.to_path_buf(), e.to_string()))
}

/// Validates a spec and renders every generated file, keyed by path relative to the root.
pub fn render(
    contract: &Contract,
    spec: &openapiv3::OpenAPI,
) -> Result<BTreeMap<PathBuf, String>, Error> {
    let problems = validate::validate(spec, contract.access);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut files = BTreeMap::new();
    if contract.replay.is_some() && contract.client.is_none() {
        return Err(Error::Generate(
            "replay calls the generated client: set `client` too".into(),
        ));
    }
    if let Some(client) = &contract.client {
        let code = client::render(spec, contract)?;
        if let Some(replay) = &contract.replay {
            files.insert(replay.out.clone(), replay::render(spec, replay, &code)?);
        }
        files.insert(client.clone(), code);
    }
    if let Some(dir) = &contract.server {
        for (name, text) in server::render(spec, contract.access)? {
            files.insert(dir.join(name), text);
        }
    }
    Ok(files)
}

fn render_from_disk(root: &Path, contract: &Contract) -> Result<BTreeMap<PathBuf, String>, Error> {
    let path = root.join(&contract.spec);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Io(path.clone(), e))?;
    let spec = parse_spec(&path, &text)?;
    render(contract, &spec)
}

fn selected(root: &Path, only: Option<&str>) -> Result<Vec<Contract>, Error> {
    let all = load_contracts(root)?;
    match only {
        None => Ok(all),
        Some(name) => {
            let picked: Vec<_> = all.into_iter().filter(|c| c.name == name).collect();
            if picked.is_empty() {
                Err(Error::UnknownContract(name.to_string()))
            } else {
                Ok(picked)
            }
        }
    }
}

/// Writes every generated file below `root`; returns the files written.
pub fn generate(root: &Path, only: Option<&str>) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    for contract in selected(root, only)? {
        let files = render_from_disk(root, &contract)?;
        if let Some(dir) = &contract.server {
            remove_stale(root, dir, &files)?;
        }
        for (rel, text) in files {
            let path = root.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::Io(parent.to_path_buf(), e))?;
            }
            std::fs::write(&path, text).map_err(|e| Error::Io(path.clone(), e))?;
            written.push(rel);
        }
    }
    Ok(written)
}

/// A generated directory holds only what the generator writes: drop files it no longer produces.
fn remove_stale(root: &Path, dir: &Path, files: &BTreeMap<PathBuf, String>) -> Result<(), Error> {
    for rel in existing_files(root, dir)? {
        if !files.contains_key(&rel) {
            let path = root.join(&rel);
            std::fs::remove_file(&path).map_err(|e| Error::Io(path, e))?;
        }
    }
    Ok(())
}

fn existing_files(root: &Path, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let full = root.join(dir);
    let entries = match std::fs::read_dir(&full) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Io(full, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::Io(full.clone(), e))?;
        if entry.path().is_file() {
            out.push(dir.join(entry.file_name()));
        }
    }
    Ok(out)
}

/// Compares every generated file below `root` with what the spec produces.
pub fn check(root: &Path, only: Option<&str>) -> Result<usize, Error> {
    let mut drift = Vec::new();
    let mut count = 0;
    for contract in selected(root, only)? {
        let files = render_from_disk(root, &contract)?;
        if let Some(dir) = &contract.server {
            for rel in existing_files(root, dir)? {
                if !files.contains_key(&rel) {
                    drift.push(rel);
                }
            }
        }
        for (rel, text) in files {
            count += 1;
            match std::fs::read_to_string(root.join(&rel)) {
                Ok(on_disk) if on_disk == text => {}
                _ => drift.push(rel),
            }
        }
    }
    if drift.is_empty() {
        Ok(count)
    } else {
        Err(Error::Drift(drift))
    }
}

/// Formats generated tokens as a Rust file with the generated-code header.
pub(crate) fn format_file(
    tokens: proc_macro2::TokenStream,
    inner_attrs: &str,
) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Generate(e.to_string()))?;
    Ok(format!(
        "{HEADER}{inner_attrs}{}",
        prettyplease::unparse(&file)
    ))
}
