//! The OpenAPI description and the served routes must agree, both ways.

use std::collections::BTreeSet;

use serde_json::Value;

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/api/openapi.yaml"))
        .expect("api/openapi.yaml exists");
    serde_norway::from_str(&text).expect("api/openapi.yaml is valid YAML")
}

#[test]
fn the_spec_describes_exactly_the_served_routes() {
    let spec = spec();
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("the spec has paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let served: BTreeSet<_> = gongkai::http::route_table()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_owned()))
        .collect();
    assert_eq!(documented, served);
}

#[test]
fn the_spec_lists_every_action_and_enum_value_the_service_knows() {
    let spec = spec();
    let text = serde_json::to_string(&spec).unwrap();
    let actions: Vec<&str> = gongkai::domain::workflow::ActionKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let statuses: Vec<&str> = gongkai::domain::case::Status::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let outcomes: Vec<&str> = gongkai::domain::case::Outcome::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    for name in actions.iter().chain(&statuses).chain(&outcomes) {
        assert!(
            text.contains(&format!("\"{name}\"")),
            "{name} is not in api/openapi.yaml"
        );
    }
}

#[test]
fn the_spec_lists_exactly_the_notice_templates_the_service_sends() {
    let spec = spec();
    let listed: std::collections::BTreeSet<&str> = spec["components"]["schemas"]["Notice"]
        ["properties"]["template"]["enum"]
        .as_array()
        .expect("Notice.template is an enum")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let sent: std::collections::BTreeSet<&str> =
        gongkai::service::templates::notice_names().collect();
    assert_eq!(listed, sent, "Notice.template in api/openapi.yaml");
}
