//! The client: construction, credentials, request-id scoping, and calling any operation.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use plystra_client::envelope::{Envelope, Operation};
use plystra_client::hooks::Hooks;
use plystra_client::{ByteStream, ResponseValue};
use reqwest::header::HeaderValue;

use crate::Error;
use crate::error::{ResponseMeta, from_progenitor, from_reqwest};
use crate::output::Output;
use crate::transport::{CallTransport, LAST_RESPONSE, Shared};
use sdk_runtime::{Deadline, RetryPolicy, Secret};

/// A Plystra Core client. Cheap to clone; clones share the connection pool and credentials.
///
/// ```
/// let plystra = plystra::Plystra::builder("http://127.0.0.1:8080")
///     .api_key("ply_ak_demo.secret")
///     .timeout(std::time::Duration::from_secs(5))
///     .build()?;
/// # Ok::<(), plystra::Error>(())
/// ```
#[derive(Clone)]
pub struct Plystra {
    raw: plystra_client::Client,
    http: reqwest::Client,
    base_url: Arc<str>,
    shared: Arc<Shared>,
}

impl fmt::Debug for Plystra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plystra")
            .field("base_url", &self.base_url)
            .field("credentials", &self.shared)
            .finish()
    }
}

impl Plystra {
    /// A client with default settings and no credentials. Fails on an invalid base URL.
    pub fn new(base_url: &str) -> Result<Plystra, Error> {
        Plystra::builder(base_url).build()
    }

    /// Configures a client.
    pub fn builder(base_url: impl Into<String>) -> PlystraBuilder {
        PlystraBuilder {
            base_url: base_url.into(),
            api_key: None,
            access_token: None,
            timeout: Some(Duration::from_secs(30)),
            operation_timeout: None,
            connect_timeout: Some(Duration::from_secs(10)),
            user_agent: concat!("plystra-rust/", env!("CARGO_PKG_VERSION")).to_string(),
            retry: RetryPolicy::disabled(),
            http: None,
        }
    }

    /// The generated client: every operation of the contract as a builder; finish one with
    /// [`Call::call`] to get its unwrapped `data`.
    ///
    /// ```no_run
    /// use plystra::prelude::*;
    /// # async fn demo(plystra: plystra::Plystra) -> Result<(), plystra::Error> {
    /// let users = plystra.api().list_users().limit(50).call().await?;
    /// for user in users.iter() {
    ///     println!("{}", user.email);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn api(&self) -> &plystra_client::Client {
        &self.raw
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends `Authorization: Bearer <token>` on session routes from now on, from every clone.
    ///
    /// ```no_run
    /// # async fn demo(plystra: plystra::Plystra) -> Result<(), plystra::Error> {
    /// let session = plystra.auth().login("alice@example.com", "plystra-demo").await?;
    /// plystra.set_access_token(&session.access_token);
    /// let actor = plystra.actor().context().await?;
    /// # let _ = actor;
    /// # Ok(()) }
    /// ```
    pub fn set_access_token(&self, token: impl AsRef<str>) {
        self.write_token(Some(Secret::new(token.as_ref())));
    }

    /// Stops sending the access token, from every clone.
    pub fn clear_access_token(&self) {
        self.write_token(None);
    }

    fn write_token(&self, token: Option<Secret>) {
        match self.shared.access_token.write() {
            Ok(mut slot) => *slot = token,
            Err(poisoned) => *poisoned.into_inner() = token,
        }
    }

    /// A client that sends `X-Request-ID: <id>` on every call made through it.
    ///
    /// ```no_run
    /// # async fn demo(plystra: plystra::Plystra) -> Result<(), plystra::Error> {
    /// let scoped = plystra.with_request_id("req_01HYAPP");
    /// let version = scoped.system().version().await?;
    /// assert_eq!(version.request_id(), "req_01HYAPP");
    /// # Ok(()) }
    /// ```
    /// It shares the
    /// connection pool and credentials with `self`. An id that is not a valid header value is
    /// not sent (the server then makes one up).
    pub fn with_request_id(&self, id: impl AsRef<str>) -> Plystra {
        Plystra::assemble(
            &self.base_url,
            self.http.clone(),
            self.shared.clone(),
            HeaderValue::from_str(id.as_ref()).ok(),
        )
    }

    fn assemble(
        base_url: &str,
        http: reqwest::Client,
        shared: Arc<Shared>,
        request_id: Option<HeaderValue>,
    ) -> Plystra {
        let transport = CallTransport {
            shared: shared.clone(),
            request_id,
        };
        let raw = plystra_client::Client::new_with_client(
            base_url,
            http.clone(),
            Hooks::new(Arc::new(transport)),
        );
        Plystra {
            raw,
            http,
            base_url: Arc::from(base_url),
            shared,
        }
    }
}

/// Settings of a [`Plystra`] client.
#[derive(Debug)]
#[must_use]
pub struct PlystraBuilder {
    base_url: String,
    api_key: Option<Secret>,
    access_token: Option<Secret>,
    timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: String,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl PlystraBuilder {
    /// Sends `X-Plystra-API-Key` on server-to-server routes.
    pub fn api_key(mut self, key: impl AsRef<str>) -> Self {
        self.api_key = Some(Secret::new(key.as_ref()));
        self
    }

    /// Sends `Authorization: Bearer` on session routes (see also
    /// [`Plystra::set_access_token`]).
    pub fn access_token(mut self, token: impl AsRef<str>) -> Self {
        self.access_token = Some(Secret::new(token.as_ref()));
        self
    }

    /// The time limit of one attempt, response body included (default 30 s); `None` waits
    /// forever. A timed-out attempt may be retried (see [`retry`](Self::retry)).
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The time limit of a whole call: every attempt and every backoff between them (default:
    /// none). When it passes during an attempt, the call fails with [`Error::Timeout`] even if
    /// the retry policy would try again; a backoff that would end after it is not waited, and
    /// the last outcome is returned. With an [`http_client`](Self::http_client), each attempt
    /// gets what is left of this limit as its own timeout, in place of that client's.
    ///
    /// ```
    /// use std::time::Duration;
    /// use plystra::{Plystra, RetryPolicy};
    ///
    /// let plystra = Plystra::builder("http://127.0.0.1:8080")
    ///     .retry(RetryPolicy::standard(5))
    ///     .timeout(Duration::from_secs(2))
    ///     .operation_timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # Ok::<(), plystra::Error>(())
    /// ```
    pub fn operation_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.operation_timeout = timeout.into();
        self
    }

    /// Connection timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// The `User-Agent` header (default `plystra-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Retries (default: none).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Uses this `reqwest::Client` (its own timeouts, proxy and TLS settings apply; `timeout`,
    /// `connect_timeout` and `user_agent` are then ignored).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client; fails on an invalid base URL or HTTP settings.
    pub fn build(self) -> Result<Plystra, Error> {
        let url = reqwest::Url::parse(&self.base_url)
            .map_err(|e| Error::InvalidRequest(format!("base URL {:?}: {e}", self.base_url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
            return Err(Error::InvalidRequest(format!(
                "base URL {:?}: want an http:// or https:// URL",
                self.base_url
            )));
        }
        let base_url = self.base_url.trim_end_matches('/').to_string();
        let (http, attempt_timeout) = match self.http {
            Some(http) => (http, None),
            None => {
                let builder = sdk_runtime::tls::http_client_builder(
                    &self.user_agent,
                    self.timeout,
                    self.connect_timeout,
                )
                .map_err(|e| Error::InvalidRequest(format!("TLS settings: {e}")))?;
                let http = builder
                    .build()
                    .map_err(|e| Error::InvalidRequest(format!("HTTP client settings: {e}")))?;
                (http, self.timeout)
            }
        };
        let shared = Arc::new(Shared {
            api_key: self.api_key,
            access_token: RwLock::new(self.access_token),
            retry: self.retry,
            limits: Deadline {
                attempt_timeout,
                operation_timeout: self.operation_timeout,
            },
        });
        Ok(Plystra::assemble(&base_url, http, shared, None))
    }
}

/// Finishes any generated operation builder: sends it and unwraps the envelope.
pub trait Call: Operation {
    /// Sends the request; returns `data` with the request id (and pagination for lists).
    fn call(
        self,
    ) -> impl Future<Output = Result<Output<<Self::Envelope as Envelope>::Data>, Error>> + Send;
}

impl<O> Call for O
where
    O: Operation + Send,
    O::Envelope: Send,
    O::Error: serde::Serialize + Send,
{
    async fn call(self) -> Result<Output<<Self::Envelope as Envelope>::Data>, Error> {
        let (result, meta) = noting_response(self.send()).await;
        match result {
            Ok(value) => {
                let parts = value.into_inner().into_parts();
                Ok(Output {
                    data: parts.data,
                    request_id: parts.request_id,
                    pagination: parts.pagination,
                })
            }
            Err(error) => Err(from_progenitor(error, meta).await),
        }
    }
}

/// Runs `send` (a generated builder's request), noting what the transport saw of the response.
async fn noting_response<F: Future>(send: F) -> (F::Output, ResponseMeta) {
    LAST_RESPONSE
        .scope(
            std::cell::RefCell::new(ResponseMeta::default()),
            async move {
                let result = send.await;
                let meta = LAST_RESPONSE.with(|last| last.take());
                (result, meta)
            },
        )
        .await
}

/// Finishes a generated builder whose success answer is not JSON but text (`get_metrics`, the
/// Prometheus exposition): pass its `send()`. The request goes out like any [`Call::call`]
/// (credential, request id, retries) and a failure is the same [`Error`]; the body comes back
/// as text, with the response's `X-Request-ID`.
///
/// ```no_run
/// use plystra::prelude::*;
/// # async fn demo(plystra: plystra::Plystra) -> Result<(), plystra::Error> {
/// let metrics = plystra::call_text(plystra.api().get_metrics().send()).await?;
/// println!("{}", metrics.data);
/// # Ok(()) }
/// ```
pub async fn call_text<F, E>(send: F) -> Result<Output<String>, Error>
where
    F: Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>>,
    E: serde::Serialize,
{
    let (result, meta) = noting_response(send).await;
    let value = match result {
        Ok(value) => value,
        Err(error) => return Err(from_progenitor(error, meta).await),
    };
    let meta = ResponseMeta::from_headers(value.status().as_u16(), value.headers());
    let mut stream = value.into_inner().into_inner();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.map_err(from_reqwest)?);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Output {
            data: text,
            request_id: meta.request_id.unwrap_or_default(),
            pagination: None,
        }),
        Err(e) => Err(Error::Decode {
            status: meta.status,
            request_id: meta.request_id,
            body: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            source: None,
        }),
    }
}

/// Walks every page of a cursor-paginated list lazily, item by item.
///
/// `page` builds the request for one page from the cursor of the previous one (`None` for the
/// first). The stream ends when the server reports no more pages, or if a cursor repeats.
///
/// ```no_run
/// use futures_util::StreamExt;
/// use plystra::prelude::*;
/// # async fn demo(plystra: plystra::Plystra) -> Result<(), plystra::Error> {
/// let records = plystra::paginate(|cursor| {
///     let page = plystra.api().list_app_data_records().space_id("space_acme").model_key("notes").limit(100);
///     match cursor {
///         Some(cursor) => page.cursor(cursor),
///         None => page,
///     }
/// });
/// futures_util::pin_mut!(records);
/// while let Some(record) = records.next().await {
///     println!("{}", record?.id);
/// }
/// # Ok(()) }
/// ```
pub fn paginate<O, F, T>(page: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(Option<String>) -> O,
    O: Call,
    O::Envelope: Envelope<Data = Vec<T>>,
{
    struct State<F, T> {
        page: F,
        next: Option<Option<String>>,
        items: VecDeque<T>,
        seen: HashSet<String>,
    }
    let state = State {
        page,
        next: Some(None),
        items: VecDeque::new(),
        seen: HashSet::new(),
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.items.pop_front() {
                return Some((Ok(item), state));
            }
            let cursor = state.next.take()?;
            match (state.page)(cursor).call().await {
                Ok(output) => {
                    state.next = match output.next_cursor() {
                        Some(next) if state.seen.insert(next.to_string()) => {
                            Some(Some(next.to_string()))
                        }
                        _ => None,
                    };
                    state.items.extend(output.data);
                }
                Err(error) => return Some((Err(error), state)),
            }
        }
    })
}
