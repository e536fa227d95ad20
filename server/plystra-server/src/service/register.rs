//! `POST /auth/register` (docs/behaviour.md §6.4): validate, hash, then let the store decide the mode
//! and write everything under the registration lock.

use plystra_server_api::responses::RegisterResponse;
use plystra_server_api::runtime::Ctx;
use plystra_server_api::types::{self, ErrorCode, RegistrationMode};
use poem::http::StatusCode;
use poem_openapi::payload::Json;

use super::Server;
use super::principal::Guest;
use super::session::{ACCESS_TTL, REFRESH_TTL, client, store_error, timestamp};
use crate::ApiError;
use crate::domain::registration::Mode;
use crate::domain::{password, time, tokens};
use crate::store::{DEFAULT_SPACE_ID, RegisterError, Registration};

const MAX_PASSWORD_BYTES: usize = 1024;

/// An email address as stored (trimmed, lower case), checked.
pub(super) fn normalised_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    validate_email(&email)?;
    Ok(email)
}

fn validate_email(email: &str) -> Result<(), ApiError> {
    if email.is_empty() {
        return Err(ApiError::validation("email is required."));
    }
    if !email.contains('@') {
        return Err(ApiError::validation("email must be a valid email address."));
    }
    Ok(())
}

/// The argon2id hash of `plain`, computed off the async threads.
pub(super) async fn hash_password(plain: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password::hash(&plain))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// `finance-Team 1` -> `finance-team-1`.
pub(super) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

impl Server {
    fn validate_registration(&self, email: &str, password: &str) -> Result<(), ApiError> {
        validate_email(email)?;
        self.validate_password(password)
    }

    /// The password policy of registration and user management.
    pub(super) fn validate_password(&self, password: &str) -> Result<(), ApiError> {
        if password.trim().is_empty() || password.len() < self.config().login.password_min_length {
            return Err(ApiError::validation(format!(
                "password must be at least {} bytes.",
                self.config().login.password_min_length
            )));
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(ApiError::validation("password must be at most 1024 bytes."));
        }
        Ok(())
    }

    pub(super) async fn register_user(
        &self,
        ctx: &Ctx<Guest>,
        body: types::RegisterRequest,
    ) -> poem::Result<RegisterResponse> {
        let now = self.now();
        let now_text = time::format(now);
        let email = body.email.trim().to_lowercase();
        self.validate_registration(&email, &body.password)?;
        let password_hash = hash_password(body.password).await?;
        let username = body.username.unwrap_or_default();
        let local_part = email.split('@').next().unwrap_or_default().to_string();
        let member_display_name = [
            body.member_display_name.clone(),
            Some(username.clone()),
            Some(local_part),
        ]
        .into_iter()
        .flatten()
        .find(|name| !name.trim().is_empty())
        .unwrap_or_else(|| email.clone());
        let space_name = body
            .space_name
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| "Default Space".into());
        let space_slug = body
            .space_slug
            .map(|s| slug(&s))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| slug(&space_name));
        let metadata =
            serde_json::Value::Object(body.metadata.unwrap_or_default().into_iter().collect())
                .to_string();
        let (access_token, refresh_token) = tokens::session_tokens();
        let (ip_address, user_agent) = client(ctx);
        let registration = Registration {
            user_id: tokens::new_id("user_"),
            email,
            username,
            phone: body.phone.unwrap_or_default(),
            password_hash,
            metadata,
            token: body.registration_token,
            space_name,
            space_slug,
            member_id: tokens::new_id("member_"),
            member_display_name,
            user_member_id: tokens::new_id("um_"),
            space_admin_grant_id: tokens::new_id("ag_"),
            super_admin_grant_id: tokens::new_id("ag_"),
            session_id: tokens::session_id(),
            access_hash: self.session_hasher().await?.hash(&access_token),
            refresh_hash: self.session_hasher().await?.hash(&refresh_token),
            ip_address,
            user_agent,
            expires_at: time::format(now + ACCESS_TTL),
            refresh_expires_at: time::format(now + REFRESH_TTL),
        };
        let mode = match self
            .store()
            .register(&registration, &self.config().registration, &now_text)
            .await
        {
            Ok(mode) => mode,
            Err(RegisterError::Refused(message)) => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::RegistrationDisabled,
                    message,
                )
                .into());
            }
            Err(RegisterError::EmailTaken) => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::UserCreateFailed,
                    "User could not be created.",
                )
                .with_details(serde_json::json!({"email": "already registered"}))
                .into());
            }
            Err(RegisterError::Store(e)) => return Err(store_error(e).into()),
        };
        let user = types::UserSession {
            id: registration.user_id.clone(),
            email: registration.email.clone(),
            status: "active".into(),
        };
        let data = if mode == Mode::PublicUserOnly {
            types::RegisterResponse {
                access_token: None,
                refresh_token: None,
                token_type: None,
                expires_at: None,
                refresh_expires_at: None,
                user,
                actor: None,
                available_members: Some(Vec::new()),
                bootstrap_super_admin: false,
                bootstrap_admin_grant_id: String::new(),
                space_admin_grant_id: String::new(),
                registration_mode: RegistrationMode::PublicUserOnly,
                user_only: true,
                registration_requires_approval: false,
            }
        } else {
            let bootstrap = mode == Mode::Bootstrap;
            let actor = types::Actor {
                user_id: registration.user_id.clone(),
                member_id: registration.member_id.clone(),
                user_member_id: registration.user_member_id.clone(),
                space_id: DEFAULT_SPACE_ID.into(),
            };
            let bindings = self
                .store()
                .active_bindings(&registration.user_id, &now_text)
                .await
                .map_err(store_error)?;
            types::RegisterResponse {
                access_token: Some(access_token),
                refresh_token: Some(refresh_token),
                token_type: Some("Bearer".into()),
                expires_at: Some(timestamp(&registration.expires_at)),
                refresh_expires_at: Some(timestamp(&registration.refresh_expires_at)),
                user,
                actor: Some(actor),
                available_members: Some(super::session::available(&bindings)),
                bootstrap_super_admin: bootstrap,
                bootstrap_admin_grant_id: if bootstrap {
                    registration.super_admin_grant_id.clone()
                } else {
                    String::new()
                },
                space_admin_grant_id: registration.space_admin_grant_id.clone(),
                registration_mode: if bootstrap {
                    RegistrationMode::Bootstrap
                } else {
                    RegistrationMode::Ordinary
                },
                user_only: false,
                registration_requires_approval: false,
            }
        };
        Ok(RegisterResponse::Created(Json(
            types::RegisterResponseEnvelope {
                data,
                request_id: ctx.request_id.clone(),
            },
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_lowercase_dashed() {
        assert_eq!(slug(" Finance Team 1 "), "finance-team-1");
        assert_eq!(slug("Acme!!Corp"), "acme-corp");
        assert_eq!(slug("--"), "");
    }
}
