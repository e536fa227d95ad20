//! The audit log API (docs/behaviour.md §11): lists with exact-match filters and an inclusive
//! `created_at` range, newest first with keyset cursors; details with the trace. Rows are
//! append-only: nothing here (or anywhere) updates or deletes them.

use plystra_server_api::operations::Audit;
use plystra_server_api::responses::{
    GetAuditLogResponse, GetSpaceAuditLogResponse, ListAuditLogsResponse,
    ListSpaceAuditLogsResponse,
};
use plystra_server_api::types::{self, DecisionOutcome, DenyCode, ErrorCode};

use super::Server;
use super::entity::{Entity, given_filters, reply, reply_list};
use super::principal::Call;
use super::session::timestamp;
use crate::ApiError;
use crate::domain::time;
use crate::store::Value;
use crate::store::registry_records::{AuditLogDetailRow, AuditLogRow};

/// The filters of both audit lists.
struct AuditFilter {
    space_id: Option<String>,
    actor_user_id: Option<String>,
    actor_member_id: Option<String>,
    actor_user_member_id: Option<String>,
    resource_type: Option<String>,
    resource_id: Option<String>,
    decision: Option<DecisionOutcome>,
    deny_code: Option<DenyCode>,
    request_id: Option<String>,
    created_at_from: Option<chrono::DateTime<chrono::Utc>>,
    created_at_to: Option<chrono::DateTime<chrono::Utc>>,
}

impl AuditFilter {
    fn conditions(self) -> Result<Vec<(&'static str, Value)>, ApiError> {
        if let (Some(from), Some(to)) = (self.created_at_from, self.created_at_to)
            && from > to
        {
            return Err(ApiError::validation(
                "created_at_from must not be after created_at_to.",
            ));
        }
        let text = [
            ("t.space_id", self.space_id),
            ("t.actor_user_id", self.actor_user_id),
            ("t.actor_member_id", self.actor_member_id),
            ("t.actor_user_member_id", self.actor_user_member_id),
            ("t.resource_type", self.resource_type),
            ("t.resource_id", self.resource_id),
            ("t.decision", self.decision.map(|d| d.as_str().to_string())),
            (
                "t.deny_code",
                self.deny_code.map(|d| d.as_str().to_string()),
            ),
            ("t.request_id", self.request_id),
            (
                "t.created_at >=",
                self.created_at_from.map(time::format_micros),
            ),
            (
                "t.created_at <=",
                self.created_at_to.map(time::format_micros),
            ),
        ];
        Ok(given_filters(text))
    }
}

fn outcome(text: &str) -> DecisionOutcome {
    if text == "allow" {
        DecisionOutcome::Allow
    } else {
        DecisionOutcome::Deny
    }
}

impl Entity for AuditLogRow {
    type Wire = types::AuditLog;
    const KIND: &'static str = "audit_log";
    const NOT_FOUND: (ErrorCode, &'static str) =
        (ErrorCode::AuditLogNotFound, "AuditLog was not found.");
    const CREATE_FAILED: ErrorCode = ErrorCode::InternalError;
    const UPDATE_FAILED: ErrorCode = ErrorCode::InternalError;

    fn wire(self) -> types::AuditLog {
        types::AuditLog {
            action: self.action,
            actor_member_id: self.actor_member_id,
            actor_user_id: self.actor_user_id,
            actor_user_member_id: self.actor_user_member_id,
            created_at: timestamp(&self.created_at),
            decision: outcome(&self.decision),
            deny_code: self.deny_code,
            id: self.id,
            ip_address: self.ip_address,
            request_id: self.request_id,
            resource_id: self.resource_id,
            resource_type: self.resource_type,
            space_id: self.space_id,
            trace: None,
            user_agent: self.user_agent,
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

impl Entity for AuditLogDetailRow {
    type Wire = types::AuditLog;
    const KIND: &'static str = "audit_log";
    const NOT_FOUND: (ErrorCode, &'static str) = AuditLogRow::NOT_FOUND;
    const CREATE_FAILED: ErrorCode = ErrorCode::InternalError;
    const UPDATE_FAILED: ErrorCode = ErrorCode::InternalError;

    fn wire(self) -> types::AuditLog {
        let trace = serde_json::from_str(&self.trace).unwrap_or_default();
        let row = AuditLogRow {
            id: self.id,
            space_id: self.space_id,
            actor_user_id: self.actor_user_id,
            actor_member_id: self.actor_member_id,
            actor_user_member_id: self.actor_user_member_id,
            action: self.action,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            decision: self.decision,
            deny_code: self.deny_code,
            request_id: self.request_id,
            ip_address: self.ip_address,
            user_agent: self.user_agent,
            created_at: self.created_at,
        };
        types::AuditLog {
            trace: Some(trace),
            ..row.wire()
        }
    }

    fn space_id(&self) -> &str {
        &self.space_id
    }
}

impl Audit for Server {
    async fn list_audit_logs(
        &self,
        ctx: Call,
        space_id: Option<String>,
        actor_user_id: Option<String>,
        actor_member_id: Option<String>,
        actor_user_member_id: Option<String>,
        resource_type: Option<String>,
        resource_id: Option<String>,
        decision: Option<DecisionOutcome>,
        deny_code: Option<DenyCode>,
        request_id: Option<String>,
        created_at_from: Option<chrono::DateTime<chrono::Utc>>,
        created_at_to: Option<chrono::DateTime<chrono::Utc>>,
        limit: Option<i32>,
        cursor: Option<String>,
    ) -> poem::Result<ListAuditLogsResponse> {
        let filters = AuditFilter {
            space_id,
            actor_user_id,
            actor_member_id,
            actor_user_member_id,
            resource_type,
            resource_id,
            decision,
            deny_code,
            request_id,
            created_at_from,
            created_at_to,
        }
        .conditions()?;
        let page = self
            .list_page::<AuditLogRow>(&filters, limit, 50, cursor)
            .await?;
        reply_list!(ListAuditLogsResponse::Ok, AuditLogListEnvelope, &ctx, page)
    }

    async fn get_audit_log(
        &self,
        ctx: Call,
        audit_log_id: String,
    ) -> poem::Result<GetAuditLogResponse> {
        let found = self.found::<AuditLogDetailRow>(&audit_log_id, None).await?;
        reply!(
            GetAuditLogResponse::Ok,
            AuditLogEnvelope,
            &ctx,
            found.wire()
        )
    }

    async fn list_space_audit_logs(
        &self,
        ctx: Call,
        space_id: String,
        limit: Option<i32>,
        actor_user_id: Option<String>,
        actor_member_id: Option<String>,
        actor_user_member_id: Option<String>,
        resource_type: Option<String>,
        resource_id: Option<String>,
        decision: Option<DecisionOutcome>,
        deny_code: Option<DenyCode>,
        request_id: Option<String>,
        created_at_from: Option<chrono::DateTime<chrono::Utc>>,
        created_at_to: Option<chrono::DateTime<chrono::Utc>>,
        cursor: Option<String>,
    ) -> poem::Result<ListSpaceAuditLogsResponse> {
        let filters = AuditFilter {
            space_id: Some(space_id),
            actor_user_id,
            actor_member_id,
            actor_user_member_id,
            resource_type,
            resource_id,
            decision,
            deny_code,
            request_id,
            created_at_from,
            created_at_to,
        }
        .conditions()?;
        let page = self
            .list_page::<AuditLogRow>(&filters, limit, 50, cursor)
            .await?;
        reply_list!(
            ListSpaceAuditLogsResponse::Ok,
            AuditLogListEnvelope,
            &ctx,
            page
        )
    }

    async fn get_space_audit_log(
        &self,
        ctx: Call,
        space_id: String,
        audit_log_id: String,
    ) -> poem::Result<GetSpaceAuditLogResponse> {
        let found = self
            .found::<AuditLogDetailRow>(&audit_log_id, Some(&space_id))
            .await?;
        reply!(
            GetSpaceAuditLogResponse::Ok,
            AuditLogEnvelope,
            &ctx,
            found.wire()
        )
    }
}
