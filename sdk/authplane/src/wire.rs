//! Serde helpers for the JWT and introspection shapes that allow more than one form.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// `aud` may be one string or an array of strings (RFC 7519 §4.1.3).
pub(crate) fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// An optional [`one_or_many`].
pub(crate) fn one_or_many_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "one_or_many")] Vec<String>);
    Ok(Option::<Wrap>::deserialize(d)?
        .map(|Wrap(values)| values)
        .unwrap_or_default())
}

/// A `NumericDate`: seconds since the epoch, possibly with a fraction (RFC 7519 §2), truncated.
pub(crate) fn numeric_date<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(d)?;
    number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.is_finite())
                // `as` saturates, which is what a date beyond i64 should do.
                .map(|f| f as i64)
        })
        .ok_or_else(|| D::Error::custom("not a NumericDate"))
}

/// An optional [`numeric_date`].
pub(crate) fn numeric_date_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "numeric_date")] i64);
    Ok(Option::<Wrap>::deserialize(d)?.map(|Wrap(seconds)| seconds))
}
