//! Rust names for spec names.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::Ident;
use quote::format_ident;

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

fn guard(name: String) -> String {
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{name}")
    } else {
        name
    };
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// `listAPIKeys` -> `list_api_keys`; `type` -> `type_`.
pub(crate) fn snake(name: &str) -> String {
    guard(name.to_snake_case())
}

/// `group_tree` -> `GroupTree`; `ACTOR_USER_INACTIVE` -> `ActorUserInactive`; `self` -> `Self_`.
pub(crate) fn camel(name: &str) -> String {
    let camel = name.to_upper_camel_case();
    let camel = if camel.is_empty() {
        "Empty".to_string()
    } else {
        camel
    };
    guard(camel)
}

pub(crate) fn snake_ident(name: &str) -> Ident {
    format_ident!("{}", snake(name))
}

pub(crate) fn camel_ident(name: &str) -> Ident {
    format_ident!("{}", camel(name))
}

/// `/api/v1/users/{user_id}` -> `/api/v1/users/:user_id` (poem's path syntax).
pub(crate) fn poem_path(path: &str) -> String {
    path.split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => format!(":{param}"),
                None => seg.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The variant name of a response status.
pub(crate) fn status_variant(status: u16) -> String {
    match status {
        200 => "Ok".into(),
        201 => "Created".into(),
        202 => "Accepted".into(),
        204 => "NoContent".into(),
        301 => "MovedPermanently".into(),
        302 => "Found".into(),
        303 => "SeeOther".into(),
        307 => "TemporaryRedirect".into(),
        400 => "BadRequest".into(),
        401 => "Unauthorized".into(),
        403 => "Forbidden".into(),
        404 => "NotFound".into(),
        405 => "MethodNotAllowed".into(),
        409 => "Conflict".into(),
        413 => "PayloadTooLarge".into(),
        415 => "UnsupportedMediaType".into(),
        422 => "UnprocessableEntity".into(),
        429 => "TooManyRequests".into(),
        500 => "InternalServerError".into(),
        501 => "NotImplemented".into(),
        502 => "BadGateway".into(),
        503 => "ServiceUnavailable".into(),
        other => format!("Status{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(snake("listAPIKeys"), "list_api_keys");
        assert_eq!(snake("getGroupByID"), "get_group_by_id");
        assert_eq!(snake("type"), "type_");
        assert_eq!(camel("ACTOR_USER_INACTIVE"), "ActorUserInactive");
        assert_eq!(camel("group_tree"), "GroupTree");
        assert_eq!(camel("self"), "Self_");
        assert_eq!(camel("1.0"), "n10");
        assert_eq!(
            poem_path("/api/v1/spaces/{space_id}/groups/{group_id}"),
            "/api/v1/spaces/:space_id/groups/:group_id"
        );
        assert_eq!(status_variant(418), "Status418");
    }
}
