//! What the discovery documents advertise.

use authplane_server_api::public::types::GrantType;
use server_common::{Lookup, Setting, SettingError};

/// `grant_types_supported`.
pub const GRANT_TYPES: Setting = Setting {
    names: &["AUTHPLANE_GRANT_TYPES"],
    flag: None,
    default: Some("authorization_code refresh_token"),
    unset: None,
    doc: "`grant_types_supported` (comma or space separated): any of `authorization_code`, \
          `client_credentials`, `refresh_token`, \
          `urn:ietf:params:oauth:grant-type:token-exchange`, \
          `urn:ietf:params:oauth:grant-type:jwt-bearer`.",
};

/// `scopes_supported`.
pub const SCOPES: Setting = Setting {
    names: &["AUTHPLANE_SCOPES"],
    flag: None,
    default: None,
    unset: None,
    doc: "`scopes_supported` (comma or space separated); the member is omitted when empty, as \
          the contract says.",
};

/// The discovery documents' lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// Grants advertised ([`GRANT_TYPES`]).
    pub grant_types: Vec<GrantType>,
    /// `scopes_supported` ([`SCOPES`]); omitted when empty.
    pub scopes: Vec<String>,
}

impl Discovery {
    /// Reads [`GRANT_TYPES`] and [`SCOPES`].
    pub fn from(lookup: &Lookup) -> Result<Discovery, SettingError> {
        let mut grant_types = Vec::new();
        if let Some(found) = lookup.value(&GRANT_TYPES) {
            for item in items(&found.value) {
                match grant_type(&item) {
                    Some(grant) => grant_types.push(grant),
                    None => {
                        return Err(SettingError::new(
                            found.name,
                            item,
                            "expected grant types among authorization_code, client_credentials, \
                             refresh_token, urn:ietf:params:oauth:grant-type:token-exchange, \
                             urn:ietf:params:oauth:grant-type:jwt-bearer",
                        ));
                    }
                }
            }
        }
        Ok(Discovery {
            grant_types,
            scopes: lookup.text(&SCOPES).map(|v| items(&v)).unwrap_or_default(),
        })
    }
}

/// Items separated by commas or white space, without empty ones or repeats.
fn items(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in text.split(|c: char| c == ',' || c.is_whitespace()) {
        if !item.is_empty() && !out.iter().any(|seen| seen == item) {
            out.push(item.to_string());
        }
    }
    out
}

fn grant_type(text: &str) -> Option<GrantType> {
    [
        GrantType::AuthorizationCode,
        GrantType::ClientCredentials,
        GrantType::RefreshToken,
        GrantType::UrnIetfParamsOauthGrantTypeTokenExchange,
        GrantType::UrnIetfParamsOauthGrantTypeJwtBearer,
    ]
    .into_iter()
    .find(|grant| grant.as_str() == text)
}
