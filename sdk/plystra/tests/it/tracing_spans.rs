//! One span per call, with method, operation, status, request id, attempts and duration, and no
//! secret anywhere in what is recorded.

use std::sync::{Arc, Mutex};

use plystra::Plystra;
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::wire::{self, REQUEST_ID};

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(String, String, String)>>>);

struct Fields<'a>(&'a Recorder, String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let entry = (
            self.1.clone(),
            field.name().to_string(),
            format!("{value:?}"),
        );
        self.0.0.lock().unwrap().push(entry);
    }
}

impl<S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>> Layer<S>
    for Recorder
{
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        attrs.record(&mut Fields(self, attrs.metadata().name().to_string()));
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let name = ctx
            .span(id)
            .map(|s| s.name().to_string())
            .unwrap_or_default();
        values.record(&mut Fields(self, name));
    }
}

#[tokio::test]
async fn each_call_gets_one_span_without_secrets() {
    let (server, _) = wire::server().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/resource-types"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", REQUEST_ID)
                .set_body_json(wire::list(json!([]), None, false)),
        )
        .mount(&server)
        .await;
    let plystra = Plystra::builder(server.uri())
        .api_key("ply_ak_1.topsecretkey")
        .access_token("ply_at_topsecrettoken")
        .build()
        .unwrap();
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    plystra.resource_types().list().await.unwrap();

    let fields = recorder.0.lock().unwrap().clone();
    let value = |name: &str| {
        fields
            .iter()
            .find(|(span, field, _)| span == "plystra.call" && field == name)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_else(|| panic!("field {name} in {fields:?}"))
    };
    assert_eq!(value("method"), "GET");
    assert_eq!(value("operation"), "\"list_resource_types\"");
    assert_eq!(value("status"), "200");
    assert_eq!(value("request_id"), format!("\"{REQUEST_ID}\""));
    assert_eq!(value("attempts"), "1");
    assert!(value("duration_ms").parse::<u64>().is_ok());
    let spans: std::collections::BTreeSet<_> =
        fields.iter().map(|(span, _, _)| span.as_str()).collect();
    assert_eq!(spans.into_iter().collect::<Vec<_>>(), ["plystra.call"]);
    assert!(!format!("{fields:?}").contains("secret"), "{fields:?}");
}
