//! Both listeners on real sockets in one process: what each serves, and graceful shutdown.

use authplane_server::Config;
use server_common::Shutdown;

use crate::common::{ADMIN_KEY, http_get};

#[tokio::test]
async fn public_and_admin_listen_apart_and_stop_together() {
    let config = Config::for_tests(Some(ADMIN_KEY));
    let bound = authplane_server::bind(&config).await.unwrap();
    let (public, admin) = (bound.public_addr(), bound.admin_addr());
    assert_ne!(public.port(), 0);
    assert_ne!(public, admin);
    assert_eq!(
        bound.server().issuer().as_str(),
        format!("http://127.0.0.1:{}", public.port()),
        "the derived issuer uses the port really bound"
    );
    let (trigger, shutdown) = Shutdown::manual();
    let serving = tokio::spawn(bound.serve(shutdown));

    let checks = tokio::task::spawn_blocking(move || {
        let doc = http_get(public, "/.well-known/oauth-authorization-server", &[]);
        assert_eq!(doc.status, 200);
        assert_eq!(
            doc.json()["token_endpoint"],
            format!("http://127.0.0.1:{}/oauth/token", public.port())
        );
        // Each listener serves only its own contract.
        assert_eq!(
            http_get(
                admin,
                "/health",
                &[("authorization", &format!("Bearer {ADMIN_KEY}"))]
            )
            .status,
            404
        );
        assert_eq!(http_get(public, "/admin/clients", &[]).status, 404);
        let refused = http_get(admin, "/admin/clients", &[]);
        assert_eq!(refused.status, 401);
        assert_eq!(
            refused.header("www-authenticate"),
            Some("Bearer realm=\"admin\"")
        );
        let bearer = format!("Bearer {ADMIN_KEY}");
        let admitted = http_get(admin, "/admin/clients", &[("authorization", &bearer)]);
        assert_eq!(admitted.status, 501);
    });
    checks.await.unwrap();

    trigger.fire();
    serving.await.unwrap().unwrap();
    assert!(std::net::TcpStream::connect(public).is_err());
    assert!(std::net::TcpStream::connect(admin).is_err());
}

#[tokio::test]
async fn a_taken_port_fails_the_start_with_its_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = Config::for_tests(None);
    config.listen.admin_addr = taken.local_addr().unwrap();
    let err = authplane_server::bind(&config).await.unwrap_err();
    assert!(
        err.to_string()
            .contains(&taken.local_addr().unwrap().to_string()),
        "{err}"
    );
}
