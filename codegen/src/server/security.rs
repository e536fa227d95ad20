//! `security.rs` of the server contract: one poem-openapi `SecurityScheme` per scheme of the
//! spec, one enum per distinct list of alternatives, and the `Credential` they all yield.

use std::collections::BTreeSet;

use openapiv3::{APIKeyLocation, ReferenceOr, SecurityScheme};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::{Gen, Op, doc};
use crate::Error;

/// The secret(s) a scheme yields, as held by its `Credential` variant.
enum Secret {
    /// Bearer token or API key.
    One,
    /// HTTP basic.
    UserPassword,
}

/// The extractor type of an operation's security argument, `None` when it is public:
/// `X`, `XOrY`, and with an anonymous alternative `OptionalX`, `OptionalXOrY`.
pub(super) fn scheme_type(op: &Op) -> Option<Ident> {
    if op.security.is_empty() {
        return None;
    }
    let alternatives = op.security.join("Or");
    Some(if op.anonymous {
        format_ident!("Optional{}", alternatives)
    } else {
        format_ident!("{}", alternatives)
    })
}

impl Gen<'_> {
    pub(super) fn security_file(&self) -> Result<TokenStream, Error> {
        let mut items = Vec::new();
        let mut variants = Vec::new();
        let mut names = Vec::new();
        let mut secrets = Vec::new();
        if let Some(components) = &self.spec.components {
            for (name, scheme) in &components.security_schemes {
                let ReferenceOr::Item(scheme) = scheme else {
                    return Err(Error::Generate(format!(
                        "security scheme {name}: $ref not supported"
                    )));
                };
                let ident = format_ident!("{}", name);
                let (attrs, inner, secret, desc) = scheme_attrs(name, scheme)?;
                let convert = match secret {
                    Secret::One => {
                        let field = match scheme {
                            SecurityScheme::HTTP { .. } => quote! { token },
                            _ => quote! { key },
                        };
                        quote! { Credential::#ident(value.0.#field) }
                    }
                    Secret::UserPassword => quote! {
                        Credential::#ident { username: value.0.username, password: value.0.password }
                    },
                };
                let docs = doc(desc);
                items.push(quote! {
                    #docs
                    #[derive(poem_openapi::SecurityScheme)]
                    #attrs
                    pub struct #ident(pub #inner);
                    impl From<#ident> for Credential {
                        fn from(value: #ident) -> Self { #convert }
                    }
                });
                variants.push(ident);
                names.push(name.clone());
                secrets.push(secret);
            }
        }
        let has_cookie = self.spec.components.iter().any(|c| {
            c.security_schemes.values().any(|s| {
                matches!(
                    s,
                    ReferenceOr::Item(SecurityScheme::APIKey {
                        location: APIKeyLocation::Cookie,
                        ..
                    })
                )
            })
        });
        if has_cookie {
            items.push(quote! {
                /// A cookie API key needs poem-openapi's `cookie` feature: without it poem-openapi
                /// cannot read cookies and panics on the first request, so the build fails here.
                const _: Option<poem_openapi::param::Cookie<String>> = None;
            });
        }
        items.extend(self.alternatives());
        Ok(credential(&variants, &names, &secrets, items))
    }

    /// One enum per distinct list of alternatives (poem-openapi tries them in order); with an
    /// anonymous alternative, a fallback variant that yields no credential.
    fn alternatives(&self) -> Vec<TokenStream> {
        let mut combos: BTreeSet<(Vec<String>, bool)> = BTreeSet::new();
        for op in &self.ops {
            if op.security.len() > 1 || op.anonymous {
                combos.insert((op.security.clone(), op.anonymous));
            }
        }
        let mut items = Vec::new();
        for (combo, anonymous) in combos {
            let members: Vec<_> = combo.iter().map(|s| format_ident!("{}", s)).collect();
            let ident = format_ident!("{}", combo.join("Or"));
            if anonymous {
                let optional = format_ident!("Optional{}", ident);
                let docs = format!(" Any one of: {}; or none at all.", combo.join(", "));
                items.push(quote! {
                    #[doc = #docs]
                    #[derive(poem_openapi::SecurityScheme)]
                    pub enum #optional {
                        #( #members(#members), )*
                        /// No credential was presented (or none that a scheme accepts).
                        #[oai(fallback)]
                        Anonymous,
                    }
                    impl From<#optional> for Option<Credential> {
                        fn from(value: #optional) -> Self {
                            match value {
                                #( #optional::#members(inner) => Some(inner.into()), )*
                                #optional::Anonymous => None,
                            }
                        }
                    }
                });
            } else {
                let docs = format!(" Any one of: {}.", combo.join(", "));
                items.push(quote! {
                    #[doc = #docs]
                    #[derive(poem_openapi::SecurityScheme)]
                    pub enum #ident { #( #members(#members), )* }
                    impl From<#ident> for Credential {
                        fn from(value: #ident) -> Self {
                            match value { #( #ident::#members(inner) => inner.into(), )* }
                        }
                    }
                });
            }
        }
        items
    }
}

/// The `#[oai(...)]` attributes, the poem-openapi extractor, the secret and the description of
/// one scheme.
fn scheme_attrs<'s>(
    name: &str,
    scheme: &'s SecurityScheme,
) -> Result<(TokenStream, TokenStream, Secret, Option<&'s str>), Error> {
    Ok(match scheme {
        SecurityScheme::HTTP {
            scheme,
            bearer_format,
            description,
            ..
        } if scheme.eq_ignore_ascii_case("bearer") => {
            let format = bearer_format
                .as_deref()
                .map(|f| quote! { , bearer_format = #f });
            (
                quote! { #[oai(rename = #name, ty = "bearer" #format)] },
                quote! { poem_openapi::auth::Bearer },
                Secret::One,
                description.as_deref(),
            )
        }
        SecurityScheme::HTTP {
            scheme,
            description,
            ..
        } if scheme.eq_ignore_ascii_case("basic") => (
            quote! { #[oai(rename = #name, ty = "basic")] },
            quote! { poem_openapi::auth::Basic },
            Secret::UserPassword,
            description.as_deref(),
        ),
        SecurityScheme::APIKey {
            location,
            name: key,
            description,
            ..
        } => {
            let key_in = match location {
                APIKeyLocation::Header => "header",
                APIKeyLocation::Query => "query",
                APIKeyLocation::Cookie => "cookie",
            };
            (
                quote! { #[oai(rename = #name, ty = "api_key", key_name = #key, key_in = #key_in)] },
                quote! { poem_openapi::auth::ApiKey },
                Secret::One,
                description.as_deref(),
            )
        }
        _ => {
            return Err(Error::Generate(format!(
                "security scheme {name}: only http bearer, http basic and API keys are supported"
            )));
        }
    })
}

/// The `Credential` enum: one variant per scheme, holding what it presented.
fn credential(
    variants: &[Ident],
    names: &[String],
    secrets: &[Secret],
    items: Vec<TokenStream>,
) -> TokenStream {
    let decls = variants
        .iter()
        .zip(secrets)
        .map(|(v, secret)| match secret {
            Secret::One => quote! { #v(String), },
            Secret::UserPassword => quote! { #v { username: String, password: String }, },
        });
    let patterns: Vec<_> = variants
        .iter()
        .zip(secrets)
        .map(|(v, secret)| match secret {
            Secret::One => quote! { Credential::#v(_) },
            Secret::UserPassword => quote! { Credential::#v { .. } },
        })
        .collect();
    let secret_arms = variants
        .iter()
        .zip(secrets)
        .map(|(v, secret)| match secret {
            Secret::One => quote! { Credential::#v(secret) => secret, },
            Secret::UserPassword => quote! { Credential::#v { password, .. } => password, },
        });
    let has_basic = secrets.iter().any(|s| matches!(s, Secret::UserPassword));
    let username = has_basic.then(|| {
        let arms = variants
            .iter()
            .zip(secrets)
            .map(|(v, secret)| match secret {
                Secret::One => quote! { Credential::#v(_) => None, },
                Secret::UserPassword => {
                    quote! { Credential::#v { username, .. } => Some(username), }
                }
            });
        quote! {
            /// The user name of an HTTP basic credential.
            pub fn username(&self) -> Option<&str> {
                match self { #( #arms )* }
            }
        }
    });
    let secret_doc = if has_basic {
        " The presented secret (token, key, or the password of HTTP basic)."
    } else {
        " The presented secret (token or key)."
    };
    let probe = variants
        .first()
        .zip(secrets.first())
        .map(|(first, secret)| {
            let value = match secret {
                Secret::One => quote! { Credential::#first(String::new()) },
                Secret::UserPassword => quote! {
                    Credential::#first { username: String::new(), password: String::new() }
                },
            };
            quote! {
                impl crate::runtime::Probe for Credential {
                    fn probe() -> Self { #value }
                }
            }
        });
    quote! {
        /// The credential a request presented, by the security scheme that accepted it.
        ///
        /// `Debug` never prints the secret.
        #[derive(Clone, PartialEq, Eq)]
        pub enum Credential { #( #decls )* }
        impl Credential {
            /// The name of the security scheme in the spec.
            pub fn scheme(&self) -> &'static str {
                match self { #( #patterns => #names, )* }
            }
            #[doc = #secret_doc]
            pub fn secret(&self) -> &str {
                match self { #( #secret_arms )* }
            }
            #username
        }
        impl std::fmt::Debug for Credential {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "Credential::{}(<redacted>)", self.scheme())
            }
        }
        #probe
        #( #items )*
    }
}
