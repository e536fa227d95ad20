//! Who may call an operation: the rule the spec states in `x-plystra-access`, as the generated
//! `OPERATIONS` table carries it, and the admission the generated endpoint runs before it reads
//! any parameter or body.
//!
//! The generated endpoint gives every operation a first argument of type [`Guard`]. Extracting it
//! asks the server's [`Admission`] (found in the request's data as `Arc<S>`) to admit the caller;
//! only then does poem-openapi parse the parameters and the body, so an unauthenticated or
//! unauthorised request gets the server's 401/403 even when its body is malformed. The guard
//! registers the operation's security schemes exactly as the scheme extractor it stands for would,
//! so the served OpenAPI document does not change.

use std::marker::PhantomData;
use std::net::IpAddr;
use std::sync::Arc;

use poem::{Request, RequestBody};
use poem_openapi::registry::Registry;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};

use crate::Operation;

/// The rule of one operation (`x-plystra-access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; no credential is read (`{public: true}`).
    Public,
    /// A credential the operation's security accepts and the server recognises, without a
    /// permission (`{authenticated: true}`).
    Authenticated,
    /// A credential holding a permission in a scope (`{permission: …, …}`).
    Permission(Permission),
}

/// A permission and where the scope it is checked in comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// The permission key, e.g. `members:manage`.
    pub key: &'static str,
    /// Where the space comes from, if the operation names one.
    pub space: Option<Source>,
    /// Where the group comes from, if the operation names one.
    pub group: Option<Source>,
    /// An entity whose stored scope, when it exists, replaces the space and group above.
    pub entity: Option<Entity>,
    /// The handler checks the real scope itself; admission only asks for the permission
    /// somewhere.
    pub handler_resolved: bool,
    /// A security scheme whose credential (a dedicated token) admits without the permission;
    /// the handler then sees no principal.
    pub or_scheme: Option<&'static str>,
}

/// An entity named by the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entity {
    /// The kind, as the spec writes it (`group`, `resource`, …); the server knows what they mean.
    pub kind: &'static str,
    /// The parameter that holds its id.
    pub id: Source,
}

/// A parameter of the operation that a scope is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A path parameter (`path.space_id`).
    Path(&'static str),
    /// A query parameter (`query.space_id`).
    Query(&'static str),
}

impl Source {
    /// The raw value of the parameter in a `request` for `operation`, if present and not empty:
    /// a path parameter as routed, a query parameter as written (its first occurrence, not
    /// percent-decoded; ids never need decoding, and one that does simply matches nothing).
    pub fn value<'r>(self, request: &'r Request, operation: &Operation) -> Option<&'r str> {
        match self {
            // poem-openapi routes path variables as `param0`, `param1`, … in template order.
            Source::Path(name) => operation
                .path
                .split('/')
                .filter(|segment| segment.starts_with('{'))
                .position(|segment| {
                    segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) == Some(name)
                })
                .and_then(|index| request.raw_path_param(&format!("param{index}"))),
            Source::Query(name) => request.uri().query().and_then(|query| {
                query.split('&').find_map(|pair| {
                    pair.strip_prefix(name)
                        .and_then(|rest| rest.strip_prefix('='))
                })
            }),
        }
        .filter(|value| !value.is_empty())
    }
}

/// What the server implements to admit callers, once for the whole contract.
pub trait Admission: Send + Sync + 'static {
    /// Who a credential turned out to be.
    type Principal: Send + 'static;
    /// What a public operation learns about its caller (whatever the server reads of the
    /// request without authenticating it; `()` when nothing).
    type Guest: Send + 'static;

    /// Admits the caller of `operation` (never called for [`Access::Public`]): `Some` principal,
    /// or `None` when a credential of the rule's `or_scheme` admitted without one, or the error
    /// to answer (401, 403, …) before any parameter or body is read.
    fn admit(
        &self,
        request: &Request,
        operation: &'static Operation,
    ) -> impl Future<Output = poem::Result<Option<Self::Principal>>> + Send;

    /// The guest of a public `operation`.
    fn guest(&self, request: &Request, operation: &'static Operation) -> Self::Guest;

    /// The request id handlers see (default: the `X-Request-ID` header).
    fn request_id(&self, request: &Request) -> String {
        request
            .header("x-request-id")
            .unwrap_or_default()
            .to_string()
    }

    /// The client address handlers see (default: the peer address).
    fn client_ip(&self, request: &Request) -> Option<IpAddr> {
        request.remote_addr().as_socket_addr().map(|addr| addr.ip())
    }
}

/// What a trait method learns about the call besides its parameters and body.
#[derive(Debug, Clone)]
pub struct Ctx<P> {
    /// The admitted caller: the server's guest for public operations, `Option<_>` when a
    /// dedicated token may admit without one.
    pub principal: P,
    /// The operation being served.
    pub operation: &'static Operation,
    /// The request id.
    pub request_id: String,
    /// The client address.
    pub client_ip: Option<IpAddr>,
    /// The `User-Agent` header (empty when absent).
    pub user_agent: String,
}

impl<P> Ctx<P> {
    /// A context for calling a trait method outside a request (tests, `probe`).
    pub fn detached(operation: &'static Operation, principal: P) -> Self {
        Ctx {
            principal,
            operation,
            request_id: String::new(),
            client_ip: None,
            user_agent: String::new(),
        }
    }
}

/// The operation a [`Guard`] admits for; the generated crate implements it for its `Op<N>`.
pub trait OperationRef: Send + Sync + 'static {
    /// The operation's row in `OPERATIONS`.
    fn operation() -> &'static Operation;
}

/// How a [`Guard`] turns the admission's answer into the principal of its [`Ctx`].
pub trait Mode<S: Admission>: Send + Sync + 'static {
    /// The principal type handlers see.
    type Principal: Send + 'static;
    /// The principal for `operation`.
    fn principal(
        service: &S,
        request: &Request,
        operation: &'static Operation,
    ) -> impl Future<Output = poem::Result<Self::Principal>> + Send;
}

/// Public operations: no admission; the handler sees the server's guest.
#[derive(Debug)]
pub struct Anyone;

/// Operations a dedicated token may admit without a principal.
#[derive(Debug)]
pub struct Optional;

/// Operations that need a principal.
#[derive(Debug)]
pub struct Required;

/// Admission answered `None` for an operation that needs a principal: a server bug.
#[derive(Debug)]
pub struct NoPrincipal(pub &'static Operation);

impl std::fmt::Display for NoPrincipal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "admission of {} returned no principal", self.0.id)
    }
}

impl std::error::Error for NoPrincipal {}

impl poem::error::ResponseError for NoPrincipal {
    fn status(&self) -> poem::http::StatusCode {
        poem::http::StatusCode::INTERNAL_SERVER_ERROR
    }
}

impl<S: Admission> Mode<S> for Anyone {
    type Principal = S::Guest;
    async fn principal(
        service: &S,
        request: &Request,
        operation: &'static Operation,
    ) -> poem::Result<S::Guest> {
        Ok(service.guest(request, operation))
    }
}

impl<S: Admission> Mode<S> for Optional {
    type Principal = Option<S::Principal>;
    async fn principal(
        service: &S,
        request: &Request,
        operation: &'static Operation,
    ) -> poem::Result<Option<S::Principal>> {
        service.admit(request, operation).await
    }
}

impl<S: Admission> Mode<S> for Required {
    type Principal = S::Principal;
    async fn principal(
        service: &S,
        request: &Request,
        operation: &'static Operation,
    ) -> poem::Result<S::Principal> {
        service
            .admit(request, operation)
            .await?
            .ok_or_else(|| NoPrincipal(operation).into())
    }
}

/// Security of a public operation: nothing to register.
#[derive(Debug)]
pub struct NoSecurity;

impl<'a> ApiExtractor<'a> for NoSecurity {
    const TYPES: &'static [ApiExtractorType] = &[];
    type ParamType = ();
    type ParamRawType = ();

    async fn from_request(
        _: &'a Request,
        _: &mut RequestBody,
        _: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        Ok(NoSecurity)
    }
}

/// Ties a [`Guard`] to its types without owning any (so it is `Send` and `Sync` whatever they are).
type Marker<S, Sec, O> = PhantomData<fn() -> (S, Sec, O)>;

/// The first argument of every generated route: admits the caller of operation `O` through the
/// server `S` (under mode `M`), and documents the security `Sec` without reading it.
pub struct Guard<S: Admission, Sec, O, M: Mode<S>> {
    /// The context handed to the trait method.
    pub ctx: Ctx<M::Principal>,
    _marker: Marker<S, Sec, O>,
}

/// The server `S` was not added to the request's data (`Route::data(Arc<S>)`): a wiring bug.
#[derive(Debug)]
pub struct NoAdmission;

impl std::fmt::Display for NoAdmission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the endpoint's admission service is not in the request data")
    }
}

impl std::error::Error for NoAdmission {}

impl poem::error::ResponseError for NoAdmission {
    fn status(&self) -> poem::http::StatusCode {
        poem::http::StatusCode::INTERNAL_SERVER_ERROR
    }
}

impl<'a, S, Sec, O, M> ApiExtractor<'a> for Guard<S, Sec, O, M>
where
    S: Admission,
    Sec: ApiExtractor<'a>,
    O: OperationRef,
    M: Mode<S>,
{
    const TYPES: &'static [ApiExtractorType] = Sec::TYPES;
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        Sec::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        Sec::security_schemes()
    }

    fn has_security_fallback() -> bool {
        Sec::has_security_fallback()
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let operation = O::operation();
        let service = request.data::<Arc<S>>().ok_or(NoAdmission)?;
        let principal = M::principal(service, request, operation).await?;
        Ok(Guard {
            ctx: Ctx {
                principal,
                operation,
                request_id: service.request_id(request),
                client_ip: service.client_ip(request),
                user_agent: request.header("user-agent").unwrap_or_default().to_string(),
            },
            _marker: PhantomData,
        })
    }
}
