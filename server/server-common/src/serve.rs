//! Listeners and graceful shutdown: bind every address first (so a taken port fails the start
//! before anything is served), then serve each listener until one shutdown signal stops them
//! all, letting requests in flight finish.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use poem::endpoint::BoxEndpoint;
use poem::listener::TcpAcceptor;
use poem::{Endpoint, EndpointExt, IntoResponse, Response};
use tokio::sync::watch;

/// Resolves when the server should stop; cheap to clone, every clone sees the same signal.
#[derive(Debug, Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// Fires a [`Shutdown`]. Dropping it fires too, so a forgotten trigger cannot leave a server
/// running forever.
#[derive(Debug)]
pub struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownTrigger {
    /// Asks every holder of the matching [`Shutdown`] to stop.
    pub fn fire(&self) {
        let _ = self.0.send(true);
    }
}

impl Shutdown {
    /// A signal fired by hand (tests, embedding).
    pub fn manual() -> (ShutdownTrigger, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (ShutdownTrigger(tx), Shutdown(rx))
    }

    /// A signal fired by Ctrl-C (SIGINT) or, on Unix, SIGTERM (what container runtimes send).
    /// Must be called inside a Tokio runtime.
    pub fn on_signal() -> Shutdown {
        let (trigger, shutdown) = Shutdown::manual();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutdown signal received; finishing requests in flight");
            trigger.fire();
        });
        shutdown
    }

    /// Resolves once the signal has fired (or its trigger is gone).
    pub async fn wait(mut self) {
        let _ = self.0.wait_for(|fired| *fired).await;
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// A bound address, not serving yet: bind first, so a taken port fails the start before
/// anything is served and the real address (port 0 picks one) is known to build the endpoint.
pub struct Listener {
    name: &'static str,
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("name", &self.name)
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// Binds `addr` (`host:port`; port 0 picks a free one); `name` labels the log lines.
    pub async fn bind(name: &'static str, addr: &str) -> io::Result<Listener> {
        let tcp = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
        let local_addr = tcp.local_addr()?;
        Ok(Listener {
            name,
            acceptor: TcpAcceptor::from_tokio(tcp)?,
            local_addr,
        })
    }

    /// The address actually bound (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The label given to [`Listener::bind`].
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// This listener with what it will serve, for [`serve`].
    pub fn serving<E>(self, endpoint: E) -> Serving
    where
        E: Endpoint + 'static,
        E::Output: IntoResponse,
    {
        Serving {
            listener: self,
            endpoint: endpoint.map_to_response().boxed(),
        }
    }
}

/// A [`Listener`] and its endpoint.
pub struct Serving {
    listener: Listener,
    endpoint: BoxEndpoint<'static, Response>,
}

impl std::fmt::Debug for Serving {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serving")
            .field("listener", &self.listener)
            .finish_non_exhaustive()
    }
}

/// Serves every listener until `shutdown` fires, then waits for requests in flight: at most
/// `grace` if given, otherwise until they finish. If one listener fails, the others are shut
/// down gracefully too and its error is returned.
pub async fn serve(
    listeners: Vec<Serving>,
    shutdown: Shutdown,
    grace: Option<Duration>,
) -> io::Result<()> {
    let (stop_all, stopped) = Shutdown::manual();
    let mut tasks = tokio::task::JoinSet::new();
    for Serving { listener, endpoint } in listeners {
        let external = shutdown.clone();
        let internal = stopped.clone();
        let signal = async move {
            tokio::select! {
                _ = external.wait() => {}
                _ = internal.wait() => {}
            }
        };
        tasks.spawn(async move {
            let result = poem::Server::new_with_acceptor(listener.acceptor)
                .name(listener.name)
                .run_with_graceful_shutdown(endpoint, signal, grace)
                .await;
            (listener.name, result)
        });
    }
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let error = match joined {
            Ok((_, Ok(()))) => continue,
            Ok((name, Err(e))) => io::Error::new(e.kind(), format!("{name} listener: {e}")),
            Err(e) => io::Error::other(format!("listener task failed: {e}")),
        };
        tracing::error!(error = %error, "stopping every listener");
        stop_all.fire();
        first_error.get_or_insert(error);
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use poem::{Route, get, handler};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[handler]
    fn hello() -> &'static str {
        "hello"
    }

    async fn get_body(addr: SocketAddr) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = String::new();
        stream.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn serves_every_listener_until_shutdown() {
        let a = Listener::bind("a", "127.0.0.1:0").await.unwrap();
        let b = Listener::bind("b", "127.0.0.1:0").await.unwrap();
        assert_ne!(a.local_addr().port(), 0);
        let (addr_a, addr_b) = (a.local_addr(), b.local_addr());
        let served = vec![
            a.serving(Route::new().at("/", get(hello))),
            b.serving(Route::new().at("/", get(hello))),
        ];
        let (trigger, shutdown) = Shutdown::manual();
        let server = tokio::spawn(serve(served, shutdown, None));
        assert!(get_body(addr_a).await.ends_with("hello"));
        assert!(get_body(addr_b).await.ends_with("hello"));
        trigger.fire();
        server.await.unwrap().unwrap();
        assert!(tokio::net::TcpStream::connect(addr_a).await.is_err());
    }

    #[tokio::test]
    async fn a_taken_address_fails_at_bind_and_names_it() {
        let first = Listener::bind("a", "127.0.0.1:0").await.unwrap();
        let addr = first.local_addr().to_string();
        let err = Listener::bind("b", &addr).await.unwrap_err();
        assert!(err.to_string().contains(&addr), "{err}");
    }

    #[tokio::test]
    async fn dropping_the_trigger_stops_the_server() {
        let (trigger, shutdown) = Shutdown::manual();
        drop(trigger);
        shutdown.wait().await;
    }
}
