//! Hint paths: `body.data[0]["a.b"].id`, `body.data[*].email`, `header.x-name`, as captures
//! name values.

/// Where a hint points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seg {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
    /// `[*]`: every element.
    Any,
}

/// Where a hint path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Root {
    /// `body…`
    Body,
    /// `header.<name>`
    Header,
}

/// Parses `body.data[0]["a.b"].id`, `body[*]` or `header.x-name`.
pub(super) fn parse(text: &str) -> Result<(Root, Vec<Seg>), String> {
    let bad = |why: &str| format!("hint path {text:?}: {why}");
    if let Some(name) = text.strip_prefix("header.") {
        return match name {
            "" => Err(bad("no header name")),
            _ => Ok((Root::Header, vec![Seg::Key(name.to_ascii_lowercase())])),
        };
    }
    let mut rest = text
        .strip_prefix("body")
        .ok_or_else(|| bad("starts with body or header."))?;
    let mut path = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[\"") {
            let end = after.find("\"]").ok_or_else(|| bad("unclosed [\""))?;
            path.push(Seg::Key(after[..end].to_string()));
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or_else(|| bad("unclosed ["))?;
            path.push(match &after[..end] {
                "*" => Seg::Any,
                n => Seg::Index(n.parse().map_err(|_| bad("index is a number or *"))?),
            });
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return Err(bad("empty member name"));
            }
            path.push(Seg::Key(after[..end].to_string()));
            rest = &after[end..];
        } else {
            return Err(bad("expected .member, [index], [*] or [\"member\"]"));
        }
    }
    Ok((Root::Body, path))
}

/// Whether `pattern` (maybe with `[*]`) names `path`.
pub(super) fn covers(pattern: &[Seg], path: &[Seg]) -> bool {
    pattern.len() == path.len()
        && pattern.iter().zip(path).all(|(p, s)| match (p, s) {
            (Seg::Any, Seg::Index(_)) => true,
            (p, s) => p == s,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_members_indexes_and_wildcards() {
        assert_eq!(
            parse(r#"body.a["b.c"][2][*]"#).unwrap().1,
            [
                Seg::Key("a".into()),
                Seg::Key("b.c".into()),
                Seg::Index(2),
                Seg::Any
            ]
        );
        for bad in ["data.x", "body.", "body[x]", "body[1", "header."] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse("header.X-Name").unwrap(),
            (Root::Header, vec![Seg::Key("x-name".into())])
        );
        let pattern = parse("body.a[*]").unwrap().1;
        assert!(covers(&pattern, &[Seg::Key("a".into()), Seg::Index(3)]));
        assert!(!covers(&pattern, &[Seg::Key("a".into())]));
    }
}
