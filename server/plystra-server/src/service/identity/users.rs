//! `/users`: instance-wide accounts. Audited only when the body names `audit_space_id`.

use plystra_server_api::operations::Users;
use plystra_server_api::responses::{
    CreateUserResponse, DisableUserResponse, GetUserResponse, ListUsersResponse,
    RestoreUserResponse, UpdateUserResponse,
};
use plystra_server_api::types::{self, ErrorCode};

use crate::ApiError;
use crate::service::Server;
use crate::service::entity::{Entity, active_disabled, metadata_json, reply, reply_list};
use crate::service::principal::{Call, id_or_new, metadata, optional_time};
use crate::service::register::{hash_password, normalised_email};
use crate::service::session::timestamp;
use crate::store::identity_records::UserRow;
use crate::store::{Statement, Value};

impl Entity for UserRow {
    type Wire = types::User;
    const KIND: &'static str = "user";
    const NOT_FOUND: (ErrorCode, &'static str) = (ErrorCode::UserNotFound, "User was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::UserCreateFailed;
    const UPDATE_FAILED: ErrorCode = ErrorCode::UserUpdateFailed;

    fn wire(self) -> types::User {
        types::User {
            created_at: timestamp(&self.created_at),
            deleted_at: optional_time(&self.deleted_at),
            email: self.email,
            id: self.id,
            last_login_at: optional_time(&self.last_login_at),
            metadata: metadata(&self.metadata),
            password_changed_at: optional_time(&self.password_changed_at),
            phone: self.phone,
            status: active_disabled(&self.status),
            updated_at: timestamp(&self.updated_at),
            username: self.username,
        }
    }

    fn space_id(&self) -> &str {
        ""
    }
}

impl Server {
    /// Sets a user's status (`disable`, `restore`).
    async fn set_user_status(
        &self,
        ctx: &Call,
        user_id: &str,
        status: &'static str,
        verb: &str,
        audit_space_id: Option<String>,
    ) -> Result<types::User, ApiError> {
        let space = self.audit_space(audit_space_id).await?;
        let set = vec![
            ("status", status.into()),
            ("updated_at", self.now_text().into()),
        ];
        self.change::<UserRow>(
            ctx,
            verb,
            user_id,
            &space,
            &[Statement::update("users", user_id, set)],
            UserRow::UPDATE_FAILED,
        )
        .await
    }
}

impl Users for Server {
    async fn list_users(
        &self,
        ctx: Call,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListUsersResponse> {
        let page = self.list_page::<UserRow>(&[], limit, 50, cursor).await?;
        reply_list!(ListUsersResponse::Ok, UserListEnvelope, &ctx, page)
    }

    async fn create_user(
        &self,
        ctx: Call,
        body: types::UserMutationRequest,
    ) -> poem::Result<CreateUserResponse> {
        let email = normalised_email(&body.email)?;
        let id = id_or_new(body.id.as_deref(), "user_")?;
        let space = self.audit_space(body.audit_space_id).await?;
        let now = self.now_text();
        let (password_hash, changed_at) = match body.password {
            Some(password) => {
                self.validate_password(&password)?;
                (
                    Value::Text(hash_password(password).await?),
                    Value::Text(now.clone()),
                )
            }
            None => (Value::Null, Value::Null),
        };
        let insert = Statement::insert(
            "users",
            vec![
                ("id", id.as_str().into()),
                ("email", email.into()),
                ("username", body.username.unwrap_or_default().trim().into()),
                ("phone", body.phone.unwrap_or_default().trim().into()),
                ("password_hash", password_hash),
                ("password_changed_at", changed_at),
                (
                    "status",
                    (body.status.unwrap_or(types::ActiveDisabledStatus::Active))
                        .as_str()
                        .into(),
                ),
                ("metadata", metadata_json(body.metadata)),
                ("created_at", now.as_str().into()),
                ("updated_at", now.into()),
            ],
        );
        let user = self
            .change::<UserRow>(
                &ctx,
                "created",
                &id,
                &space,
                &[insert],
                UserRow::CREATE_FAILED,
            )
            .await?;
        reply!(CreateUserResponse::Created, UserEnvelope, &ctx, user)
    }

    async fn get_user(&self, ctx: Call, user_id: String) -> poem::Result<GetUserResponse> {
        let user = self.found::<UserRow>(&user_id, None).await?;
        reply!(GetUserResponse::Ok, UserEnvelope, &ctx, user.wire())
    }

    async fn update_user(
        &self,
        ctx: Call,
        user_id: String,
        body: types::UserUpdateRequest,
    ) -> poem::Result<UpdateUserResponse> {
        let space = self.audit_space(body.audit_space_id).await?;
        let now = self.now_text();
        let mut set: Vec<(&'static str, Value)> = Vec::new();
        if let Some(email) = body.email {
            set.push(("email", normalised_email(&email)?.into()));
        }
        if let Some(username) = body.username {
            set.push(("username", username.trim().into()));
        }
        if let Some(phone) = body.phone {
            set.push(("phone", phone.trim().into()));
        }
        let password_changed = body.password.is_some();
        if let Some(password) = body.password {
            self.validate_password(&password)?;
            set.push(("password_hash", hash_password(password).await?.into()));
            set.push(("password_changed_at", now.as_str().into()));
        }
        if let Some(status) = body.status {
            set.push(("status", status.as_str().into()));
        }
        if body.metadata.is_some() {
            set.push(("metadata", metadata_json(body.metadata)));
        }
        let mut statements = Vec::with_capacity(2);
        if password_changed {
            // A new password ends every session of the user, in the same transaction.
            statements.push(Statement::raw(
                "UPDATE sessions SET revoked_at = $1, updated_at = $1 \
                 WHERE user_id = $2 AND revoked_at IS NULL",
                vec![now.as_str().into(), user_id.as_str().into()],
            ));
        }
        set.push(("updated_at", now.into()));
        statements.insert(0, Statement::update("users", &user_id, set));
        let user = self
            .change::<UserRow>(
                &ctx,
                "updated",
                &user_id,
                &space,
                &statements,
                UserRow::UPDATE_FAILED,
            )
            .await?;
        reply!(UpdateUserResponse::Ok, UserEnvelope, &ctx, user)
    }

    async fn disable_user(
        &self,
        ctx: Call,
        user_id: String,
        body: Option<types::UserUpdateRequest>,
    ) -> poem::Result<DisableUserResponse> {
        let audit = body.and_then(|b| b.audit_space_id);
        let user = self
            .set_user_status(&ctx, &user_id, "disabled", "disabled", audit)
            .await?;
        reply!(DisableUserResponse::Ok, UserEnvelope, &ctx, user)
    }

    async fn restore_user(
        &self,
        ctx: Call,
        user_id: String,
        body: Option<types::UserUpdateRequest>,
    ) -> poem::Result<RestoreUserResponse> {
        let audit = body.and_then(|b| b.audit_space_id);
        let user = self
            .set_user_status(&ctx, &user_id, "active", "restored", audit)
            .await?;
        reply!(RestoreUserResponse::Ok, UserEnvelope, &ctx, user)
    }
}
