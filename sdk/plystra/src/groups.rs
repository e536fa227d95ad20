//! Convenience groups mirroring the official SDKs (`system`, `auth`, `actor`, `capabilities`,
//! `resource_types`, `authz`, `audit`). Every other operation is on [`Plystra::api`].

use plystra_client::prelude::*;

use crate::authz::AuthzCheck;
use crate::{Call, Error, Output, Plystra, types};

macro_rules! group {
    ($(#[$doc:meta])* $name:ident, $method:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a>(&'a Plystra);

        impl Plystra {
            $(#[$doc])*
            pub fn $method(&self) -> $name<'_> {
                $name(self)
            }
        }
    };
}

group!(
    /// Public health, readiness and version, and the metrics exposition.
    System,
    system
);
group!(
    /// Register, log in, refresh, log out (no credential is sent), and the current session.
    Auth,
    auth
);
group!(
    /// The session's actor and member switching (Bearer session).
    Actor,
    actor
);
group!(
    /// System capabilities.
    Capabilities,
    capabilities
);
group!(
    /// The resource type registry.
    ResourceTypes,
    resource_types
);
group!(
    /// Authorization checks and explanations.
    Authz,
    authz
);
group!(
    /// Audit log reads.
    Audit,
    audit
);

impl System<'_> {
    /// `GET /api/v1/health`
    pub async fn health(&self) -> Result<Output<types::Health>, Error> {
        self.0.api().get_health().call().await
    }

    /// `GET /api/v1/ready`
    pub async fn ready(&self) -> Result<Output<types::Ready>, Error> {
        self.0.api().get_readiness().call().await
    }

    /// `GET /api/v1/version`
    pub async fn version(&self) -> Result<Output<types::VersionResponse>, Error> {
        self.0.api().get_version().call().await
    }

    /// `GET /metrics`: the Prometheus exposition as text (needs a credential holding
    /// `metrics:read` when the server has no metrics token).
    pub async fn metrics(&self) -> Result<Output<String>, Error> {
        crate::call_text(self.0.api().get_metrics().send()).await
    }
}

impl Auth<'_> {
    /// Logs in; pass the returned `access_token` to [`Plystra::set_access_token`].
    pub async fn login(
        &self,
        email: impl Into<String>,
        password: impl Into<String>,
    ) -> Result<Output<types::LoginResponse>, Error> {
        let body = types::LoginRequest {
            email: email.into(),
            password: password.into(),
        };
        self.0.api().login().body(body).call().await
    }

    /// Registers a user (what is created depends on the server's registration mode).
    pub async fn register(
        &self,
        request: types::RegisterRequest,
    ) -> Result<Output<types::RegisterResponse>, Error> {
        self.0.api().register().body(request).call().await
    }

    /// Rotates both tokens of a session.
    pub async fn refresh(
        &self,
        refresh_token: impl Into<String>,
    ) -> Result<Output<types::RefreshResponse>, Error> {
        let body = types::RefreshRequest {
            refresh_token: refresh_token.into(),
        };
        self.0.api().refresh_session().body(body).call().await
    }

    /// Revokes the session of `refresh_token`.
    pub async fn logout(
        &self,
        refresh_token: impl Into<String>,
    ) -> Result<Output<types::LogoutResponse>, Error> {
        let body = types::LogoutRequest {
            refresh_token: Some(refresh_token.into()),
        };
        self.0.api().logout().body(body).call().await
    }

    /// `GET /api/v1/auth/me`: the current session (Bearer).
    pub async fn me(&self) -> Result<Output<types::AuthMeResponse>, Error> {
        self.0.api().get_current_session().call().await
    }
}

impl Actor<'_> {
    /// The session's active actor and the bindings it may switch to.
    pub async fn context(&self) -> Result<Output<types::ActorContextResponse>, Error> {
        self.0.api().get_actor_context().call().await
    }

    /// Makes the binding of `member_id` the session's active actor.
    pub async fn switch_member(
        &self,
        member_id: impl Into<String>,
    ) -> Result<Output<types::ActorContextResponse>, Error> {
        let body = types::SwitchMemberRequest {
            member_id: Some(member_id.into()),
            user_member_id: None,
        };
        self.0.api().switch_member().body(body).call().await
    }
}

impl Capabilities<'_> {
    /// Capability states and registered services.
    pub async fn list(&self) -> Result<Output<types::CapabilitiesResponse>, Error> {
        self.0.api().list_capabilities().call().await
    }
}

impl ResourceTypes<'_> {
    /// Every registered resource type.
    pub async fn list(&self) -> Result<Output<Vec<types::ResourceType>>, Error> {
        self.0.api().list_resource_types().call().await
    }

    /// One resource type by key.
    pub async fn get(&self, key: impl Into<String>) -> Result<Output<types::ResourceType>, Error> {
        self.0
            .api()
            .get_resource_type()
            .resource_type(key.into())
            .call()
            .await
    }
}

impl Authz<'_> {
    /// The verdict (`allow`, `decision`, `deny_code`, `reason`, trace and audit ids). A deny is
    /// a normal answer, not an error. `explain` in the request is ignored here: use
    /// [`Authz::explain`] for the full decision.
    ///
    /// ```no_run
    /// use plystra::authz::{Actor, AuthzCheck};
    /// # async fn demo(plystra: plystra::Plystra) -> Result<(), plystra::Error> {
    /// let verdict = plystra.authz().check(
    ///     AuthzCheck::new("approve")
    ///         .actor(Actor::new("user_alice", "member_finance_reviewer", "space_acme"))
    ///         .registered("invoice", "invoice_001"),
    /// ).await?;
    /// if !verdict.allow {
    ///     println!("denied: {:?} ({})", verdict.deny_code, verdict.reason);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn check(
        &self,
        request: impl Into<AuthzCheck>,
    ) -> Result<Output<types::AuthzCheckResult>, Error> {
        let mut body = request.into().into_request();
        body.explain = None;
        self.0.api().check_authorization().body(body).call().await
    }

    /// The full decision with its trace (matched candidates, scope checks, registry, audit).
    pub async fn explain(
        &self,
        request: impl Into<AuthzCheck>,
    ) -> Result<Output<types::Decision>, Error> {
        let body = request.into().into_request();
        self.0.api().explain_authorization().body(body).call().await
    }
}

impl<'a> Audit<'a> {
    /// Lists audit rows, newest first; add filters on the builder, then `.call()`.
    pub fn list(&self) -> plystra_client::builder::ListAuditLogs<'a> {
        self.0.api().list_audit_logs()
    }

    /// One audit row with its trace.
    pub async fn get(&self, id: impl Into<String>) -> Result<Output<types::AuditLog>, Error> {
        self.0
            .api()
            .get_audit_log()
            .audit_log_id(id.into())
            .call()
            .await
    }
}
