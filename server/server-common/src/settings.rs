//! Settings as data: each server lists its [`Setting`]s once (names in priority order, the
//! default, one line of documentation), reads them through a [`Lookup`], and renders the same
//! table into its README and its `--help`.
//!
//! A [`Lookup`] asks, in order: the command-line flags it was given, then each [`Source`] layer
//! (the environment in production, a map in tests; a configuration file could be one more layer
//! below the environment), and within a layer each of the setting's names in order. Values are
//! trimmed, and an empty value counts as unset. When nothing is set the setting's default is read
//! the same way, so a default is written once, in the table, as users see it.
//!
//! Every reader reports a bad value as `invalid <NAME>=<value>: <reason>` ([`SettingError`]),
//! where NAME is the flag or variable that was actually used and the reason says what would be
//! accepted.

use std::fmt::{self, Display};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// One setting: what users may set, under which names, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The variables that set it, first one winning (for example
    /// `["PLYSTRA_SERVER_PORT", "SERVER_PORT"]`).
    pub names: &'static [&'static str],
    /// The command-line flag that overrides every variable (`--port`), if there is one.
    pub flag: Option<&'static str>,
    /// The value used when nothing is set, written as a user would write it; `None` when unset
    /// means "not configured" (the documentation says what happens then).
    pub default: Option<&'static str>,
    /// What the default column says when there is no default (for example "derived from the
    /// public address"); `None` shows "none".
    pub unset: Option<&'static str>,
    /// One line for the README and `--help`. Markdown code spans are allowed.
    pub doc: &'static str,
}

impl Setting {
    /// The name used in messages about the setting as a whole: its first variable.
    pub fn name(&self) -> &'static str {
        self.names.first().copied().unwrap_or("<unnamed>")
    }

    /// The `--help` text of its flag: the first sentence of the documentation (the README has
    /// all of it), the variables and the default.
    pub fn help(&self) -> String {
        let doc = self.doc.replace('`', "");
        let first = doc
            .split_once(". ")
            .map_or(doc.as_str(), |(first, _)| first);
        let doc = first.trim_end_matches('.');
        let default = self.default.or(self.unset).unwrap_or("none");
        format!(
            "{doc} [env: {}] [default: {default}]",
            self.names.join(", ")
        )
    }
}

/// A value that cannot be used: the flag or variable it came from, the value, and what would be
/// accepted instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {name}={value:?}: {reason}")]
pub struct SettingError {
    /// The flag or variable that was actually used (for a default: the setting's first name).
    pub name: &'static str,
    /// What it was set to.
    pub value: String,
    /// What is wrong and what would be accepted.
    pub reason: String,
}

impl SettingError {
    /// A bad `value` of `name`.
    pub fn new(name: &'static str, value: impl Into<String>, reason: impl Display) -> Self {
        SettingError {
            name,
            value: value.into(),
            reason: reason.to_string(),
        }
    }
}

/// One setting that is unsafe in production: the variable to change and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The variable to change.
    pub variable: &'static str,
    /// What is wrong and what to do.
    pub fix: String,
}

/// Where values come from: the environment, a map in tests, a file.
pub trait Source {
    /// The raw value of variable `name`, if it is set.
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Environment;

impl Source for Environment {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<F: Fn(&str) -> Option<String>> Source for F {
    fn get(&self, name: &str) -> Option<String> {
        self(name)
    }
}

/// A value found for a setting, and the flag or variable it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The flag or variable used; for a default, the setting's first name.
    pub name: &'static str,
    /// The value, trimmed.
    pub value: String,
    /// Whether it is the setting's default rather than something a user set.
    pub is_default: bool,
}

impl Found {
    /// The value read by `read`, whose error becomes the reason.
    pub fn parse_with<T, E: Display>(
        self,
        read: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, SettingError> {
        read(&self.value).map_err(|reason| self.invalid(reason))
    }

    /// The error for this value.
    pub fn invalid(&self, reason: impl Display) -> SettingError {
        let reason = if self.is_default {
            format!("{reason} (this is the built-in default, a bug)")
        } else {
            reason.to_string()
        };
        SettingError::new(self.name, self.value.clone(), reason)
    }
}

/// Reads settings: flags first, then each source layer, then the default (see the module docs).
pub struct Lookup<'a> {
    flags: Vec<(&'static str, String)>,
    layers: Vec<Box<dyn Source + 'a>>,
}

impl fmt::Debug for Lookup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags: Vec<_> = self.flags.iter().map(|(flag, _)| *flag).collect();
        f.debug_struct("Lookup")
            .field("flags", &flags)
            .field("layers", &self.layers.len())
            .finish()
    }
}

/// The words that turn a [`Lookup::flag`] setting on, compared case-insensitively.
pub const TRUE_WORDS: [&str; 5] = ["1", "true", "yes", "on", "enabled"];

impl<'a> Lookup<'a> {
    /// Reads `source` only.
    pub fn new(source: impl Source + 'a) -> Self {
        Lookup {
            flags: Vec::new(),
            layers: vec![Box::new(source)],
        }
    }

    /// Reads the process environment.
    pub fn environment() -> Self {
        Lookup::new(Environment)
    }

    /// Reads nothing: every setting has its default.
    pub fn defaults() -> Self {
        Lookup {
            flags: Vec::new(),
            layers: Vec::new(),
        }
    }

    /// Adds `source` below the layers already there (it is asked only for what they lack).
    pub fn then(mut self, source: impl Source + 'a) -> Self {
        self.layers.push(Box::new(source));
        self
    }

    /// A command-line value for `setting`, winning over every variable. `None` (the flag was
    /// not given) changes nothing. Errors about it name the flag.
    pub fn with_flag(mut self, setting: &Setting, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            let flag = setting.flag.unwrap_or_else(|| setting.name());
            self.flags.push((flag, value.to_string()));
        }
        self
    }

    /// What a user set for `setting`, and where: a flag (taken as given), else the first layer
    /// with any of its names (in their order; values trimmed, empty ones counting as unset).
    pub fn found(&self, setting: &Setting) -> Option<Found> {
        let from_flag = setting.flag.and_then(|flag| {
            self.flags
                .iter()
                .find(|(name, _)| *name == flag)
                .map(|(name, value)| (*name, value.clone()))
        });
        let from_layers = || {
            self.layers.iter().find_map(|layer| {
                setting.names.iter().find_map(|name| {
                    layer
                        .get(name)
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty())
                        .map(|v| (*name, v))
                })
            })
        };
        from_flag.or_else(from_layers).map(|(name, value)| Found {
            name,
            value,
            is_default: false,
        })
    }

    /// What a user set, else the default, else `None`.
    pub fn value(&self, setting: &Setting) -> Option<Found> {
        self.found(setting).or_else(|| {
            setting.default.map(|default| Found {
                name: setting.name(),
                value: default.trim().to_string(),
                is_default: true,
            })
        })
    }

    /// The text as set (or the default), `None` when neither is there.
    pub fn text(&self, setting: &Setting) -> Option<String> {
        self.value(setting).map(|found| found.value)
    }

    /// On for `1`, `true`, `yes`, `on` or `enabled` (any case); off for anything else or unset.
    pub fn flag(&self, setting: &Setting) -> bool {
        self.value(setting).is_some_and(|found| {
            TRUE_WORDS
                .iter()
                .any(|word| found.value.eq_ignore_ascii_case(word))
        })
    }

    /// A comma-separated list, items trimmed, empty items dropped. Set to only commas, it is
    /// empty (the default does not come back).
    pub fn list(&self, setting: &Setting) -> Vec<String> {
        self.value(setting)
            .map(|found| split_list(&found.value))
            .unwrap_or_default()
    }

    /// [`Lookup::list`] with each item read by `read`; an error names the item.
    pub fn list_with<T, E: Display>(
        &self,
        setting: &Setting,
        read: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Vec<T>, SettingError> {
        let Some(found) = self.value(setting) else {
            return Ok(Vec::new());
        };
        split_list(&found.value)
            .into_iter()
            .map(|item| {
                read(&item).map_err(|reason| {
                    Found {
                        value: item,
                        ..found.clone()
                    }
                    .invalid(reason)
                })
            })
            .collect()
    }

    /// A whole number above zero.
    pub fn count(&self, setting: &Setting) -> Result<u32, SettingError> {
        self.parse_with(setting, |text| {
            text.parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or("expected a positive whole number")
        })
    }

    /// A span: `90s`, `15m`, `1h`, or a bare number of minutes; above zero.
    pub fn duration(&self, setting: &Setting) -> Result<Duration, SettingError> {
        self.parse_with(setting, |text| {
            parse_duration(text).ok_or("expected a duration such as 90s, 15m or 1h (or minutes)")
        })
    }

    /// The value read with [`FromStr`]; `expected` says what is accepted.
    pub fn parse<T: FromStr>(&self, setting: &Setting, expected: &str) -> Result<T, SettingError> {
        self.parse_with(setting, |text| text.parse::<T>().map_err(|_| expected))
    }

    /// The value read by `read`, whose error becomes the reason. A setting with neither a value
    /// nor a default is an error too (it should have a default, or be read with
    /// [`Lookup::found`]).
    pub fn parse_with<T, E: Display>(
        &self,
        setting: &Setting,
        read: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, SettingError> {
        match self.value(setting) {
            Some(found) => found.parse_with(read),
            None => Err(SettingError::new(
                setting.name(),
                "",
                "has no value and no default (a bug in the settings table)",
            )),
        }
    }

    /// Like [`Lookup::parse_with`] for a setting without a default: `None` when unset.
    pub fn optional_with<T, E: Display>(
        &self,
        setting: &Setting,
        read: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, SettingError> {
        self.value(setting)
            .map(|found| found.parse_with(read))
            .transpose()
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(String::from)
        .collect()
}

/// `90s`, `15m`, `1h`, or a bare number of minutes; `None` for anything else or zero.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "m"),
    };
    let n: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => None,
    }?;
    (seconds > 0).then(|| Duration::from_secs(seconds))
}

/// The first marker of the generated settings table in a README.
pub const README_BEGIN: &str = "<!-- settings:begin -->";
/// The last marker of the generated settings table in a README.
pub const README_END: &str = "<!-- settings:end -->";

/// The settings as a Markdown table: variables (first wins), flag, default, meaning.
pub fn markdown_table(settings: &[&Setting]) -> String {
    let mut out = String::from(
        "| Variable (first one set wins) | Flag | Default | Meaning |\n|---|---|---|---|\n",
    );
    for setting in settings {
        let names: Vec<String> = setting.names.iter().map(|n| format!("`{n}`")).collect();
        let flag = setting.flag.map_or("—".to_string(), |f| format!("`{f}`"));
        let default = match (setting.default, setting.unset) {
            (Some(default), _) => format!("`{default}`"),
            (None, Some(unset)) => unset.to_string(),
            (None, None) => "none".to_string(),
        };
        out.push_str(&format!(
            "| {} | {flag} | {default} | {} |\n",
            names.join(", "),
            setting.doc.replace('|', "\\|")
        ));
    }
    out
}

/// `readme` with the text between [`README_BEGIN`] and [`README_END`] replaced by `table`;
/// `None` when the markers are missing.
pub fn splice_readme(readme: &str, table: &str) -> Option<String> {
    let start = readme.find(README_BEGIN)? + README_BEGIN.len();
    let end = start + readme[start..].find(README_END)?;
    Some(format!("{}\n{table}{}", &readme[..start], &readme[end..]))
}

/// Compares the README at `path` with `table` between the markers. With `UPDATE_README=1` in
/// the environment it rewrites the README instead. The error says how to regenerate, with
/// `how` naming the command.
pub fn check_readme(path: &Path, table: &str, how: &str) -> Result<(), String> {
    let shown = path.display();
    let readme = std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let wanted = splice_readme(&readme, table)
        .ok_or_else(|| format!("{shown} lacks the {README_BEGIN} / {README_END} markers"))?;
    if wanted == readme {
        return Ok(());
    }
    if std::env::var("UPDATE_README").is_ok_and(|v| v == "1") {
        return std::fs::write(path, wanted).map_err(|e| format!("cannot write {shown}: {e}"));
    }
    Err(format!(
        "the settings table in {shown} is not the one the settings table in the code renders; \
         regenerate it with `UPDATE_README=1 {how}`"
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const PORT: Setting = Setting {
        names: &["PLYSTRA_SERVER_PORT", "SERVER_PORT"],
        flag: Some("--port"),
        default: Some("8080"),
        unset: None,
        doc: "Port to listen on.",
    };
    const WINDOW: Setting = Setting {
        names: &["WINDOW"],
        flag: None,
        default: Some("15m"),
        unset: None,
        doc: "A span.",
    };
    const SECRET: Setting = Setting {
        names: &["SECRET"],
        flag: None,
        default: None,
        unset: None,
        doc: "A secret.",
    };

    fn lookup(pairs: &[(&str, &str)]) -> Lookup<'static> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Lookup::new(move |name: &str| map.get(name).cloned())
    }

    #[test]
    fn names_are_asked_in_priority_order_and_flags_win() {
        let both = lookup(&[("SERVER_PORT", "9000"), ("PLYSTRA_SERVER_PORT", "9001")]);
        assert_eq!(both.parse::<u16>(&PORT, "a port"), Ok(9001));
        let upstream = lookup(&[("SERVER_PORT", "9000"), ("PLYSTRA_SERVER_PORT", "  ")]);
        assert_eq!(upstream.parse::<u16>(&PORT, "a port"), Ok(9000));
        let flagged = lookup(&[("PLYSTRA_SERVER_PORT", "9001")]).with_flag(&PORT, Some(7));
        assert_eq!(flagged.parse::<u16>(&PORT, "a port"), Ok(7));
        assert_eq!(
            lookup(&[]).parse::<u16>(&PORT, "a port"),
            Ok(8080),
            "the default"
        );
        let found = upstream.found(&PORT).unwrap();
        assert_eq!((found.name, found.value.as_str()), ("SERVER_PORT", "9000"));
    }

    #[test]
    fn a_lower_layer_is_asked_only_for_what_the_upper_lacks() {
        let file = |name: &str| (name == "SERVER_PORT" || name == "WINDOW").then(|| "5".into());
        let l = lookup(&[("PLYSTRA_SERVER_PORT", "9001")]).then(file);
        assert_eq!(l.parse::<u16>(&PORT, "a port"), Ok(9001));
        assert_eq!(l.duration(&WINDOW), Ok(Duration::from_secs(300)));
    }

    #[test]
    fn an_invalid_value_names_the_variable_used_and_what_is_expected() {
        let err = lookup(&[("SERVER_PORT", "http")])
            .parse::<u16>(&PORT, "expected a port number")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid SERVER_PORT=\"http\": expected a port number"
        );
        let err = lookup(&[])
            .with_flag(&PORT, Some("x"))
            .parse::<u16>(&PORT, "expected a port number")
            .unwrap_err();
        assert!(err.to_string().starts_with("invalid --port=\"x\""), "{err}");
        let err = lookup(&[("WINDOW", "soon")]).duration(&WINDOW).unwrap_err();
        assert_eq!(err.name, "WINDOW");
        assert!(err.reason.contains("90s"), "{err}");
        let err = lookup(&[("WINDOW", "0")]).count(&WINDOW).unwrap_err();
        assert!(err.to_string().contains("positive"), "{err}");
        let err = lookup(&[("WINDOW", "1.2.3.4, nope")])
            .list_with(&WINDOW, |item| item.parse::<std::net::IpAddr>())
            .unwrap_err();
        assert_eq!((err.name, err.value.as_str()), ("WINDOW", "nope"));
    }

    #[test]
    fn durations_take_seconds_minutes_hours_or_bare_minutes() {
        for (text, seconds) in [("90s", 90), ("15m", 900), ("1h", 3600), ("5", 300)] {
            assert_eq!(
                parse_duration(text),
                Some(Duration::from_secs(seconds)),
                "{text}"
            );
        }
        for bad in [
            "0",
            "0s",
            "",
            "soon",
            "-5",
            "1d",
            "1.5h",
            "15 m",
            "99999999999999999999h",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn flags_lists_and_text() {
        let l = lookup(&[
            ("A", "Enabled"),
            ("B", "nope"),
            ("L", " x , y,,"),
            ("E", " , "),
        ]);
        let named = |name: &'static str| Setting {
            names: Box::leak(Box::new([name])),
            flag: None,
            default: None,
            unset: None,
            doc: "",
        };
        assert!(l.flag(&named("A")) && !l.flag(&named("B")) && !l.flag(&named("C")));
        assert_eq!(l.list(&named("L")), ["x", "y"]);
        assert!(l.list(&named("E")).is_empty());
        assert_eq!(l.text(&SECRET), None);
        assert_eq!(l.optional_with(&SECRET, |t| t.parse::<u8>()), Ok(None));
        assert!(
            lookup(&[])
                .parse_with(&SECRET, |t| t.parse::<u8>())
                .is_err()
        );
    }

    #[test]
    fn the_table_renders_and_splices_between_the_markers() {
        let table = markdown_table(&[&PORT, &SECRET]);
        assert!(table.contains(
            "| `PLYSTRA_SERVER_PORT`, `SERVER_PORT` | `--port` | `8080` | Port to listen on. |"
        ));
        assert!(table.contains("| `SECRET` | — | none | A secret. |"));
        let readme = format!("intro\n{README_BEGIN}\nold\n{README_END}\nrest\n");
        let spliced = splice_readme(&readme, "new\n").unwrap();
        assert_eq!(
            spliced,
            format!("intro\n{README_BEGIN}\nnew\n{README_END}\nrest\n")
        );
        assert_eq!(splice_readme("no markers", "x"), None);
        assert_eq!(
            PORT.help(),
            "Port to listen on [env: PLYSTRA_SERVER_PORT, SERVER_PORT] [default: 8080]"
        );
    }
}
