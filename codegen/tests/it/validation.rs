//! Unsupported constructs are reported with the operation and the JSON pointer.

use std::path::{Path, PathBuf};

use plystra_codegen::{Contract, Error, parse_spec, render};

fn problems(yaml: &str) -> Vec<String> {
    let spec = parse_spec(Path::new("bad.yaml"), yaml).unwrap();
    let contract = Contract {
        name: "bad".into(),
        spec: PathBuf::from("bad.yaml"),
        client: Some(PathBuf::from("client.rs")),
        server: Some(PathBuf::from("server")),
        ..Contract::default()
    };
    match render(&contract, &spec) {
        Err(Error::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("expected validation problems, got {other}"),
        Ok(_) => panic!("expected validation problems, got generated code"),
    }
}

/// A spec with one operation per `(path, operation yaml)` pair and the given schemas.
fn spec(ops: &[(&str, &str)], schemas: &str) -> String {
    let mut out = String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n");
    for (path, op) in ops {
        out.push_str(&format!("  {path}:\n"));
        for line in op.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str(
        "components:\n  schemas:\n    Thing: {type: object, properties: {id: {type: string}}}\n",
    );
    for line in schemas.lines() {
        out.push_str(&format!("    {line}\n"));
    }
    out
}

const OK: &str = "responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}}";

#[test]
fn duplicate_and_missing_operation_ids() {
    let yaml = spec(
        &[
            (
                "/a",
                &format!("get: {{operationId: getThing, tags: [T], {OK}}}"),
            ),
            (
                "/b",
                &format!("get: {{operationId: getThing, tags: [T], {OK}}}"),
            ),
            ("/c", &format!("get: {{tags: [T], {OK}}}")),
        ],
        "",
    );
    let found = problems(&yaml);
    assert!(
        found.iter().any(
            |p| p == "getThing: /paths/~1b/get: duplicate operationId (also at /paths/~1a/get)"
        ),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p == "GET /c: /paths/~1c/get: missing operationId"),
        "{found:#?}"
    );
}

#[test]
fn responses_need_a_success_or_a_redirect_and_media_types_are_checked() {
    let op = "post:\n  operationId: make\n  tags: [T]\n  requestBody: {content: {application/xml: {schema: {$ref: '#/components/schemas/Thing'}}}}\n  responses:\n    '302': {description: moved}\n    '400': {description: a, content: {image/png: {schema: {type: string}}}}";
    let found = problems(&spec(&[("/things", op)], ""));
    assert_eq!(
        found,
        [
            "make: /paths/~1things/post/requestBody/content/application~1xml: unsupported request media type application/xml",
            "make: /paths/~1things/post/responses/302: a redirect must declare a required `Location` header",
            "make: /paths/~1things/post/responses/400/content/image~1png: unsupported response media type image/png",
        ]
    );
    let op = "get: {operationId: nothing, tags: [T], responses: {'404': {description: gone}}}";
    assert_eq!(
        problems(&spec(&[("/gone", op)], "")),
        [
            "nothing: /paths/~1gone/get/responses: want a 2xx response, or a 3xx redirect when there is none"
        ]
    );
}

#[test]
fn unsupported_schema_constructs_name_their_pointer() {
    let schemas = "Either: {oneOf: [{type: string}, {type: integer}]}\nOuter: {type: object, properties: {inner: {type: object, properties: {x: {type: string}}}, kind: {type: string, enum: [a, b]}}}";
    let found = problems(&spec(
        &[(
            "/a",
            &format!("get: {{operationId: getThing, tags: [T], {OK}}}"),
        )],
        schemas,
    ));
    assert!(
        found.contains(&"/components/schemas/Either: oneOf is not supported".to_string()),
        "{found:#?}"
    );
    assert!(
        found.contains(&"/components/schemas/Outer/properties/inner: inline object with properties: declare it under components.schemas".to_string()),
        "{found:#?}"
    );
    assert!(
        found.contains(&"/components/schemas/Outer/properties/kind: inline enum: declare it under components.schemas".to_string()),
        "{found:#?}"
    );
}

#[test]
fn dangling_references_are_reported() {
    let op = "get: {operationId: getThing, tags: [T], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}}}";
    let found = problems(&spec(&[("/a", op)], ""));
    assert_eq!(
        found,
        [
            "getThing: /paths/~1a/get/responses/200/content/application~1json/schema: unresolved or unsupported $ref \"#/components/schemas/Nope\""
        ]
    );
}

#[test]
fn the_real_spec_is_accepted() {
    let path = crate::root().join("spec/plystra.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let spec = parse_spec(&path, &text).unwrap();
    assert_eq!(spec.paths.paths.len(), 123);
    let contract = Contract {
        name: "plystra".into(),
        spec: path,
        client: None,
        server: Some(PathBuf::from("server")),
        ..Contract::default()
    };
    let files = render(&contract, &spec).unwrap();
    assert_eq!(files.len(), 7);
}

#[test]
fn parameters_forms_headers_and_security_are_checked() {
    let yaml = r#"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    post:
      operationId: postA
      tags: [T]
      security: [{Session: [], Key: []}, {Nope: []}, {}]
      parameters:
        - {name: X-Trace, in: header, schema: {type: string}}
        - {name: sid, in: cookie, schema: {type: string}}
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: '#/components/schemas/Nested'}
      responses:
        '200':
          description: ok
          headers:
            X-Thing: {schema: {type: array, items: {type: string}}}
components:
  securitySchemes:
    Session: {type: apiKey, in: cookie, name: sid}
    Key: {type: http, scheme: basic}
    Flow: {type: oauth2, flows: {}}
  schemas:
    Inner: {type: object, properties: {x: {type: string}}}
    Nested: {type: object, properties: {inner: {$ref: '#/components/schemas/Inner'}, tags: {type: array, items: {type: string}}}}
"#;
    assert_eq!(
        problems(yaml),
        [
            "postA: /paths/~1a/post/parameters/1: sid is a cookie parameter: not supported (use a cookie API-key security scheme)",
            "postA: /paths/~1a/post/requestBody/content/application~1x-www-form-urlencoded/schema: form property \"inner\" must be a scalar, an enum or an array of those",
            "postA: /paths/~1a/post/responses/200/headers/X-Thing: response headers must have an inline scalar schema",
            "postA: /paths/~1a/post/security/0: a requirement combining several schemes is not supported: list them as alternatives",
            "postA: /paths/~1a/post/security/1: unknown security scheme \"Nope\"",
            "/components/securitySchemes/Flow: supported security schemes: http bearer, http basic, apiKey (header, query, cookie)",
        ]
    );
}

/// The problems of `yaml` in a contract that states rules (`access: true`).
fn access_problems(yaml: &str) -> Vec<String> {
    let spec = parse_spec(Path::new("bad.yaml"), yaml).unwrap();
    let contract = Contract {
        name: "bad".into(),
        spec: PathBuf::from("bad.yaml"),
        server: Some(PathBuf::from("server")),
        access: true,
        ..Contract::default()
    };
    match render(&contract, &spec) {
        Err(Error::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("expected validation problems, got {other}"),
        Ok(_) => Vec::new(),
    }
}

const SCHEMES: &str = "securitySchemes: {Bearer: {type: http, scheme: bearer}, Token: {type: apiKey, in: header, name: X-Token}}";

/// `spec` with security schemes.
fn secured(ops: &[(&str, &str)]) -> String {
    spec(ops, "").replace("components:\n", &format!("components:\n  {SCHEMES}\n"))
}

#[test]
fn an_operation_without_a_rule_is_refused_by_name() {
    let found = access_problems(&secured(&[(
        "/things",
        &format!("get: {{operationId: listThings, tags: [T], security: [{{Bearer: []}}], {OK}}}"),
    )]));
    assert_eq!(
        found,
        [
            "listThings: /paths/~1things/get/x-plystra-access: missing x-plystra-access (who may call this operation)"
        ]
    );
    // The same operation with a rule passes.
    let found = access_problems(&secured(&[(
        "/things",
        &format!(
            "get: {{operationId: listThings, tags: [T], security: [{{Bearer: []}}], x-plystra-access: {{permission: things:read}}, {OK}}}"
        ),
    )]));
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn rules_must_agree_with_security_and_parameters() {
    let op = |security: &str, rule: &str| {
        format!(
            "get: {{operationId: getThing, tags: [T], security: {security}, parameters: [{{name: thing_id, in: path, required: true, schema: {{type: string}}}}], x-plystra-access: {rule}, {OK}}}"
        )
    };
    let cases = [
        (
            "[{Bearer: []}]",
            "{public: true}",
            "a public operation must not list security schemes (the SDK would send a credential)",
        ),
        (
            "[]",
            "{authenticated: true}",
            "only a public operation may have no security scheme",
        ),
        (
            "[{Bearer: []}, {}]",
            "{permission: things:read}",
            "an operation with a rule cannot also allow anonymous access (`{}` in security)",
        ),
        (
            "[{Bearer: []}]",
            "{permission: things:read, space: path.space_id}",
            "the rule reads path parameter \"space_id\", which the operation does not declare",
        ),
        (
            "[{Bearer: []}]",
            "{permission: things:read, entity: {kind: thing, id: query.thing_id}}",
            "the rule reads query parameter \"thing_id\", which the operation does not declare",
        ),
        (
            "[{Bearer: []}]",
            "{permission: things:read, or_scheme: Token}",
            "or_scheme \"Token\" must be one of several alternatives in security",
        ),
        (
            "[{Bearer: []}]",
            "{permission: Things}",
            "x-plystra-access: permission \"Things\" is not `domain:action`",
        ),
        (
            "[{Bearer: []}]",
            "{public: true, permission: things:read}",
            "x-plystra-access: exactly one of `public: true`, `authenticated: true`, `permission` is needed",
        ),
        (
            "[{Bearer: []}]",
            "{authenticated: true, space: path.thing_id}",
            "x-plystra-access: space, group, entity, handler_resolved and or_scheme go with a permission",
        ),
        (
            "[{Bearer: []}]",
            "{permission: things:read, space: thing_id}",
            "\"thing_id\" is not a parameter (`path.NAME` or `query.NAME`)",
        ),
    ];
    for (security, rule, message) in cases {
        let found = access_problems(&secured(&[("/things/{thing_id}", &op(security, rule))]));
        let want =
            format!("getThing: /paths/~1things~1{{thing_id}}/get/x-plystra-access: {message}");
        assert_eq!(found, [want], "{rule}");
    }
    let fine = op(
        "[{Token: []}, {Bearer: []}]",
        "{permission: things:read, space: path.thing_id, entity: {kind: thing, id: path.thing_id}, or_scheme: Token}",
    );
    assert_eq!(
        access_problems(&secured(&[("/things/{thing_id}", &fine)])),
        Vec::<String>::new()
    );
}
