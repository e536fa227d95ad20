//! The SDK client: progenitor used as a library.

use openapiv3::OpenAPI;

use crate::Error;

/// Builder style with one extension trait per tag, as in Oxide's SDK: builder methods accept anything
/// convertible and report a missing required field from `send()`, so adding an optional parameter
/// to the spec does not break callers.
pub(crate) fn render(spec: &OpenAPI) -> Result<String, Error> {
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Separate);
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(spec)
        .map_err(|e| Error::Generate(format!("progenitor: {e}")))?;
    crate::format_file(tokens, "")
}
