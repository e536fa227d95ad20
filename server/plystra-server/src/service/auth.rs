//! `POST /auth/login|refresh|logout`, `GET /auth/me` (docs/behaviour.md §6). Registration is next.

use plystra_server_api::operations::Auth;
use plystra_server_api::responses::{
    GetCurrentSessionResponse, LoginResponse, LogoutResponse, RefreshSessionResponse,
};
use plystra_server_api::runtime::Ctx;
use plystra_server_api::types::{self, ErrorCode};
use poem::http::StatusCode;
use poem_openapi::payload::Json;

use super::Server;
use super::principal::{Call, Guest};
use super::session::{
    ACCESS_TTL, REFRESH_TTL, actor, available, client, no_active_member, store_error, timestamp,
    unauthenticated,
};
use crate::ApiError;
use crate::domain::{password, time, tokens};
use crate::store::NewSession;

fn bad_login() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::AuthenticationRequired,
        "Email or password is incorrect.",
    )
}

/// 429 `AUTH_RATE_LIMITED` until `until`, with `Retry-After`: the seconds left, rounded up (a
/// client that waits that long finds the lock over), at least one.
fn rate_limited(now: chrono::DateTime<chrono::Utc>, until: &str) -> ApiError {
    let seconds = crate::domain::time::parse(until)
        .map(|until| ((until - now).num_milliseconds() + 999) / 1000)
        .unwrap_or(1)
        .max(1) as u64;
    let mut error = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::AuthRateLimited,
        "Too many failed login attempts. Try again later.",
    )
    .with_details(serde_json::json!({ "retry_after_seconds": seconds }));
    error.retry_after = Some(seconds);
    error
}

fn session_expired() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::SessionExpired,
        "Refresh token is invalid or expired.",
    )
}

/// Runs a password check off the async workers: argon2id with 64 MiB takes tens of milliseconds.
async fn verify_password(password: String, hash: Option<String>) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => password::verify(&password, &hash),
        None => {
            password::verify_dummy(&password);
            false
        }
    })
    .await
    .map_err(ApiError::internal)
}

impl Server {
    /// Counts a failed login on every key; the request that reaches the limit is already
    /// answered with 429 (docs/behaviour.md §6.2), the others with 401.
    async fn count_failure(
        &self,
        keys: &[String],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<ApiError, ApiError> {
        let now_text = time::format(now);
        let window_start = time::format(now - self.config().login.window);
        let mut locked_until = None;
        for key in keys {
            let failures = self
                .store()
                .throttle_record_failure(key, &now_text, &window_start)
                .await
                .map_err(store_error)?;
            if failures >= self.config().login.max_failures {
                let until = time::format(now + self.config().login.lockout);
                self.store()
                    .throttle_lock(key, &now_text, &until)
                    .await
                    .map_err(store_error)?;
                locked_until = Some(until);
            }
        }
        Ok(match locked_until {
            Some(until) => rate_limited(now, &until),
            None => bad_login(),
        })
    }
}

impl Auth for Server {
    async fn register(
        &self,
        ctx: Ctx<Guest>,
        body: types::RegisterRequest,
    ) -> poem::Result<plystra_server_api::responses::RegisterResponse> {
        self.register_user(&ctx, body).await
    }

    async fn login(
        &self,
        ctx: Ctx<Guest>,
        body: types::LoginRequest,
    ) -> poem::Result<LoginResponse> {
        let now = self.now();
        let now_text = time::format(now);
        let email = body.email.trim().to_lowercase();
        let (ip_address, user_agent) = client(&ctx);
        let keys = [format!("email:{email}"), format!("ip:{ip_address}")];
        let locked = self.store().throttle_locked_until(&keys, &now_text).await;
        if let Some(until) = locked.map_err(store_error)? {
            return Err(rate_limited(now, &until).into());
        }
        let user = self
            .store()
            .user_by_email(&email)
            .await
            .map_err(store_error)?;
        // Unknown and inactive users cost the same argon2 work as a wrong password.
        let (user, hash) = match user {
            Some(user) if user.status == "active" => {
                let hash = user.password_hash.clone();
                (Some(user), hash)
            }
            _ => (None, None),
        };
        let matches = verify_password(body.password, hash).await?;
        let user = match user {
            Some(user) if matches => user,
            _ => return Err(self.count_failure(&keys, now).await?.into()),
        };
        self.store()
            .throttle_reset(&keys)
            .await
            .map_err(store_error)?;
        let bindings = self
            .store()
            .active_bindings(&user.id, &now_text)
            .await
            .map_err(store_error)?;
        let Some(first) = bindings.first() else {
            return Err(no_active_member("User has no active Member binding.").into());
        };
        let (access_token, refresh_token) = tokens::session_tokens();
        let new = NewSession {
            id: tokens::session_id(),
            user_id: user.id.clone(),
            access_hash: self.session_hasher().await?.hash(&access_token),
            refresh_hash: self.session_hasher().await?.hash(&refresh_token),
            actor: first.clone(),
            ip_address,
            user_agent,
            expires_at: time::format(now + ACCESS_TTL),
            refresh_expires_at: time::format(now + REFRESH_TTL),
        };
        self.store()
            .create_session(&new, &now_text)
            .await
            .map_err(store_error)?;
        Ok(LoginResponse::Ok(Json(types::LoginResponseEnvelope {
            data: types::LoginResponse {
                access_token,
                refresh_token,
                token_type: "Bearer".into(),
                expires_at: timestamp(&new.expires_at),
                refresh_expires_at: timestamp(&new.refresh_expires_at),
                user: types::UserSession {
                    id: user.id,
                    email: user.email,
                    status: user.status,
                },
                actor: Some(actor(first)),
                available_members: Some(available(&bindings)),
            },
            request_id: ctx.request_id.clone(),
        })))
    }

    async fn refresh_session(
        &self,
        ctx: Ctx<Guest>,
        body: types::RefreshRequest,
    ) -> poem::Result<RefreshSessionResponse> {
        let now = self.now();
        let now_text = time::format(now);
        let presented = self.session_hasher().await?.candidates(&body.refresh_token);
        let Some(session) = self
            .store()
            .session_by_refresh(&presented, &now_text)
            .await
            .map_err(store_error)?
        else {
            // A refresh token that a rotation already replaced: someone else may hold the new
            // one, so the whole session is revoked.
            if self
                .store()
                .revoke_reused_refresh(&presented, &now_text)
                .await
                .map_err(store_error)?
            {
                tracing::warn!("rotated refresh token presented again: session revoked");
            }
            return Err(session_expired().into());
        };
        let (access_token, refresh_token) = tokens::session_tokens();
        let expires_at = time::format(now + ACCESS_TTL);
        let (access_hash, refresh_hash) = (
            self.session_hasher().await?.hash(&access_token),
            self.session_hasher().await?.hash(&refresh_token),
        );
        let mut rotated = false;
        for old in &presented {
            rotated = self
                .store()
                .rotate_session(
                    &session.id,
                    old,
                    &access_hash,
                    &refresh_hash,
                    &expires_at,
                    &now_text,
                )
                .await
                .map_err(store_error)?;
            if rotated {
                break;
            }
        }
        if !rotated {
            // A concurrent refresh won the race with the same token.
            return Err(session_expired().into());
        }
        Ok(RefreshSessionResponse::Ok(Json(
            types::RefreshResponseEnvelope {
                data: types::RefreshResponse {
                    access_token,
                    refresh_token,
                    token_type: "Bearer".into(),
                    expires_at: timestamp(&expires_at),
                    refresh_expires_at: timestamp(&session.refresh_expires_at),
                },
                request_id: ctx.request_id.clone(),
            },
        )))
    }

    async fn logout(
        &self,
        ctx: Ctx<Guest>,
        body: Option<types::LogoutRequest>,
    ) -> poem::Result<LogoutResponse> {
        let token = ctx
            .principal
            .bearer
            .clone()
            .or_else(|| body.and_then(|b| b.refresh_token))
            .filter(|t| !t.is_empty());
        if let Some(token) = token {
            let now = time::format(self.now());
            self.store()
                .revoke_sessions_by_token(&self.session_hasher().await?.candidates(&token), &now)
                .await
                .map_err(store_error)?;
        }
        Ok(LogoutResponse::Ok(Json(types::LogoutResponseEnvelope {
            data: types::LogoutResponse { logged_out: true },
            request_id: ctx.request_id.clone(),
        })))
    }

    async fn get_current_session(&self, ctx: Call) -> poem::Result<GetCurrentSessionResponse> {
        let now = time::format(self.now());
        let view = self.session_view(&ctx.principal, &now).await?;
        let user = self
            .store()
            .user_by_id(&view.session.user_id)
            .await
            .map_err(store_error)?
            .ok_or_else(unauthenticated)?;
        let current = view.current();
        let session = &view.session;
        Ok(GetCurrentSessionResponse::Ok(Json(
            types::AuthMeResponseEnvelope {
                data: types::AuthMeResponse {
                    session_id: session.id.clone(),
                    user: types::UserSession {
                        id: user.id,
                        email: user.email,
                        status: user.status,
                    },
                    session: types::AuthMeSession {
                        active_space_id: session.active_space_id.clone(),
                        active_member_id: session.active_member_id.clone(),
                        active_user_member_id: session.active_user_member_id.clone(),
                        expires_at: timestamp(&session.expires_at),
                        refresh_expires_at: timestamp(&session.refresh_expires_at),
                    },
                    actor: current.map(actor),
                    available_members: Some(available(&view.bindings)),
                },
                request_id: ctx.request_id.clone(),
            },
        )))
    }
}
