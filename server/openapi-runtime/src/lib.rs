//! Hand-written support for the server contracts that `plystra-codegen` generates (Plystra and
//! Authplane). Nothing here knows a contract: each generated crate re-exports this crate as its
//! `runtime` module, and the generated code refers to it as `crate::runtime`.

mod access;
mod form;

pub use access::{
    Access, Admission, Anyone, Ctx, Entity, Guard, Mode, NoAdmission, NoPrincipal, NoSecurity,
    OperationRef, Optional, Permission, Required, Source,
};

pub use form::{FieldKind, Form, FormField, FormFields, OptionalForm};

use std::collections::BTreeMap;
use std::fmt;

use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::ParseFromJSON;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

/// One operation of the contract, as listed in `OPERATIONS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The spec's operationId.
    pub id: &'static str,
    /// The operation's tag.
    pub tag: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template as in the spec (`/api/v1/users/{user_id}`).
    pub path: &'static str,
    /// The spec's summary.
    pub summary: &'static str,
    /// The schema of the request body (JSON or form), if the operation takes one.
    pub request_body: Option<&'static str>,
    /// Who may call it (`x-plystra-access`); `None` in a contract that does not state rules
    /// (`access: false` in `codegen/contracts.yaml`).
    pub access: Option<Access>,
}

/// What every generated trait method answers until a server implements it: HTTP 501.
///
/// Servers turn it into their error body; `poem::Error::is::<NotImplemented>()` finds it.
#[derive(Debug, Clone, Copy)]
pub struct NotImplemented(pub &'static Operation);

impl fmt::Display for NotImplemented {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} {}) is not implemented by this server",
            self.0.id, self.0.method, self.0.path
        )
    }
}

impl std::error::Error for NotImplemented {}

impl poem::error::ResponseError for NotImplemented {
    fn status(&self) -> poem::http::StatusCode {
        poem::http::StatusCode::NOT_IMPLEMENTED
    }
}

/// A JSON request body the client may leave out entirely (`requestBody.required: false`).
///
/// An empty body gives `None`; anything else must be JSON of `T`. poem-openapi's own `Json<T>`
/// insists on a `Content-Type` even when nothing is sent.
#[derive(Debug, Clone)]
pub struct OptionalJson<T>(pub Option<T>);

/// The error for a body that is present but is not JSON of the expected shape.
#[derive(Debug)]
pub struct InvalidBody(pub String);

impl fmt::Display for InvalidBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parse request payload error: {}", self.0)
    }
}

impl std::error::Error for InvalidBody {}

impl poem::error::ResponseError for InvalidBody {
    fn status(&self) -> poem::http::StatusCode {
        poem::http::StatusCode::BAD_REQUEST
    }
}

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for OptionalJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "application/json",
                schema: T::schema_ref(),
            }],
            required: false,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let bytes = match body.take() {
            Ok(body) => body.into_vec().await?,
            Err(_) => Vec::new(),
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        if let Some(content_type) = request.content_type() {
            let essence = content_type.split(';').next().unwrap_or_default().trim();
            if !essence.eq_ignore_ascii_case("application/json") {
                return Err(poem_openapi::error::ContentTypeError::NotSupported {
                    content_type: content_type.to_string(),
                }
                .into());
            }
        }
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| InvalidBody(e.to_string()))?;
        let value = T::parse_from_json(Some(value)).map_err(|e| InvalidBody(e.into_message()))?;
        Ok(OptionalJson(Some(value)))
    }
}

/// A placeholder value of a type, used to call every trait method once when listing what a
/// server has not implemented (`probe::unimplemented_operations`).
pub trait Probe {
    /// Any value of the type; its content does not matter.
    fn probe() -> Self;
}

macro_rules! probe_default {
    ($($t:ty),*) => { $( impl Probe for $t { fn probe() -> Self { <$t>::default() } } )* };
}

probe_default!(String, bool, i32, i64, f32, f64, serde_json::Value);

impl Probe for () {
    fn probe() -> Self {}
}

impl<T> Probe for Option<T> {
    fn probe() -> Self {
        None
    }
}

impl<T> Probe for Vec<T> {
    fn probe() -> Self {
        Vec::new()
    }
}

impl<K: Ord, V> Probe for BTreeMap<K, V> {
    fn probe() -> Self {
        BTreeMap::new()
    }
}

impl Probe for chrono::DateTime<chrono::Utc> {
    fn probe() -> Self {
        chrono::DateTime::<chrono::Utc>::UNIX_EPOCH
    }
}
