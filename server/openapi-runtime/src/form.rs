//! `application/x-www-form-urlencoded` request bodies.
//!
//! poem-openapi's own `Form<T>` decodes with `serde_urlencoded`, which needs `T: Deserialize` and
//! cannot read a field that repeats (`scopes=a&scopes=b`). These extractors turn the form into a
//! JSON object first, using the field kinds the generator knows from the spec ([`FormFields`]),
//! and then parse it like a JSON body: the same types, enums, renames and error messages.

use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::ParseFromJSON;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::{Map, Value};

use crate::InvalidBody;

const FORM: &str = "application/x-www-form-urlencoded";

/// How the text of one form field becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Kept as a string (strings, enums, date-times).
    String,
    /// An integer, when the text is one.
    Integer,
    /// A number, when the text is one.
    Number,
    /// `true` or `false`.
    Boolean,
}

/// One property of a form body schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormField {
    /// The property name, as sent.
    pub name: &'static str,
    /// What one value is.
    pub kind: FieldKind,
    /// The property is an array: every occurrence of the field adds an item.
    pub is_list: bool,
}

/// A schema used as a form body (implemented by the generated code).
pub trait FormFields {
    /// The properties of the schema; fields not listed are passed on as strings.
    const FIELDS: &'static [FormField];
}

/// A required form body.
///
/// A field sent without a value counts as absent (as OAuth asks of its endpoints, RFC 6749
/// §3.1), and a field that is not an array may appear only once.
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

/// A form body the client may leave out entirely (`requestBody.required: false`): an empty body
/// gives `None`.
#[derive(Debug, Clone)]
pub struct OptionalForm<T>(pub Option<T>);

fn value(kind: FieldKind, text: String) -> Value {
    match kind {
        FieldKind::String => Value::String(text),
        FieldKind::Integer => match text.parse::<i64>() {
            Ok(n) => Value::from(n),
            // Left as text, so the typed parse reports it with the field name.
            Err(_) => Value::String(text),
        },
        FieldKind::Number => match text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            Some(n) => Value::Number(n),
            None => Value::String(text),
        },
        FieldKind::Boolean => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
    }
}

/// Decodes a urlencoded body into the JSON object the schema describes.
pub(crate) fn form_to_json(fields: &[FormField], bytes: &[u8]) -> Result<Value, InvalidBody> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(bytes).map_err(|e| InvalidBody(e.to_string()))?;
    let mut object = Map::new();
    for (name, text) in pairs {
        if text.is_empty() {
            continue;
        }
        let field = fields.iter().find(|f| f.name == name);
        let item = value(field.map_or(FieldKind::String, |f| f.kind), text);
        if field.is_some_and(|f| f.is_list) {
            // Only ever inserted as an array, here.
            if let Value::Array(items) = object
                .entry(name)
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                items.push(item);
            }
        } else if object.contains_key(&name) {
            return Err(InvalidBody(format!(
                "field `{name}` appears more than once"
            )));
        } else {
            object.insert(name, item);
        }
    }
    Ok(Value::Object(object))
}

fn check_content_type(request: &Request) -> poem::Result<()> {
    let Some(content_type) = request.content_type() else {
        return Err(poem_openapi::error::ContentTypeError::ExpectContentType.into());
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case(FORM) {
        Ok(())
    } else {
        Err(poem_openapi::error::ContentTypeError::NotSupported {
            content_type: content_type.to_string(),
        }
        .into())
    }
}

async fn read(body: &mut RequestBody) -> poem::Result<Vec<u8>> {
    match body.take() {
        Ok(body) => Ok(body.into_vec().await?),
        Err(_) => Ok(Vec::new()),
    }
}

fn parse<T: ParseFromJSON + FormFields>(bytes: &[u8]) -> poem::Result<T> {
    let value = form_to_json(T::FIELDS, bytes)?;
    Ok(T::parse_from_json(Some(value)).map_err(|e| InvalidBody(e.into_message()))?)
}

fn request_meta<T: ParseFromJSON>(required: bool) -> Option<MetaRequest> {
    Some(MetaRequest {
        description: None,
        content: vec![MetaMediaType {
            content_type: FORM,
            schema: T::schema_ref(),
        }],
        required,
    })
}

impl<'a, T: ParseFromJSON + FormFields> ApiExtractor<'a> for Form<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        request_meta::<T>(true)
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        check_content_type(request)?;
        let bytes = read(body).await?;
        Ok(Form(parse(&bytes)?))
    }
}

impl<'a, T: ParseFromJSON + FormFields> ApiExtractor<'a> for OptionalForm<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        request_meta::<T>(false)
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let bytes = read(body).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalForm(None));
        }
        check_content_type(request)?;
        Ok(OptionalForm(Some(parse(&bytes)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[FormField] = &[
        FormField {
            name: "scopes",
            kind: FieldKind::String,
            is_list: true,
        },
        FormField {
            name: "limit",
            kind: FieldKind::Integer,
            is_list: false,
        },
        FormField {
            name: "remember",
            kind: FieldKind::Boolean,
            is_list: false,
        },
    ];

    #[test]
    fn repeated_list_fields_collect_and_scalars_are_typed() {
        let value = form_to_json(
            FIELDS,
            b"scopes=a&scopes=b%20c&limit=5&remember=true&state=x+y&empty=",
        )
        .unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "scopes": ["a", "b c"],
                "limit": 5,
                "remember": true,
                "state": "x y",
            })
        );
    }

    #[test]
    fn a_repeated_scalar_is_refused_and_bad_numbers_stay_text() {
        assert!(form_to_json(FIELDS, b"state=a&state=b").is_err());
        assert_eq!(
            form_to_json(FIELDS, b"limit=many").unwrap(),
            serde_json::json!({"limit": "many"})
        );
    }
}
