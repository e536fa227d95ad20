//! Which authorization decisions get an audit row.

use server_common::{Lookup, Setting};

/// The audit write mode.
pub const WRITE_MODE: Setting = Setting {
    names: &["PLYSTRA_AUDIT_WRITE_MODE", "AUDIT_WRITE_MODE"],
    flag: None,
    default: Some("always"),
    unset: None,
    doc: "Which authorization decisions get an audit row: `always`, `deny_only`, or none \
          (`manual`, `disabled_for_dev`). Any other value means `always`.",
};

/// The audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Audit {
    /// [`WRITE_MODE`].
    pub write_mode: AuditWriteMode,
}

impl Audit {
    /// Reads [`WRITE_MODE`].
    pub fn from(lookup: &Lookup) -> Audit {
        Audit {
            write_mode: lookup
                .text(&WRITE_MODE)
                .map(|mode| AuditWriteMode::parse(&mode))
                .unwrap_or_default(),
        }
    }
}

/// Which authorization decisions are written to the audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuditWriteMode {
    /// Every decision (the default, and what any unknown value means: an unrecognised setting
    /// must not silently stop auditing).
    #[default]
    Always,
    /// Denies only (`deny_only`).
    DenyOnly,
    /// None (`manual` or `disabled_for_dev`): for development; callers get no audit id.
    Skip,
}

impl AuditWriteMode {
    /// The mode a setting names, case-insensitively.
    pub fn parse(value: &str) -> AuditWriteMode {
        match value.trim().to_ascii_lowercase().as_str() {
            "deny_only" => AuditWriteMode::DenyOnly,
            "manual" | "disabled_for_dev" => AuditWriteMode::Skip,
            _ => AuditWriteMode::Always,
        }
    }

    /// Whether a decision with this outcome gets an audit row.
    pub fn records(self, allowed: bool) -> bool {
        match self {
            AuditWriteMode::Always => true,
            AuditWriteMode::DenyOnly => !allowed,
            AuditWriteMode::Skip => false,
        }
    }
}
