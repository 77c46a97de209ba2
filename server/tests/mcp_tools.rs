//! The registry over MCP: every tool listed with its annotations, reads that reach a
//! source through the backend's own token exchange (never the MCP token), writes that
//! show in the dashboard, and an activity trail that says an MCP client did it.

use crate::demo_as_support;
use crate::mcp_support;

use std::collections::BTreeSet;

use demo_as_support::{decode_unverified, now};
use mcp_support::{challenge, request, result_text, Mcp};
use pmt_wire::Snapshot;
use serde_json::{json, Value};

/// `GET /api/activity` with the PWA session: the entries and the raw body.
async fn activity(mcp: &Mcp) -> (Vec<Value>, String) {
    let response = mcp
        .session
        .request(reqwest::Method::GET, "/api/activity?limit=500")
        .send()
        .await
        .expect("GET /api/activity");
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let page: Value = serde_json::from_str(&body).expect("json");
    let entries = page["entries"].as_array().expect("entries").clone();
    (entries, body)
}

fn of_type<'a>(entries: &'a [Value], kind: &str) -> Vec<&'a Value> {
    entries.iter().filter(|e| e["type"] == kind).collect()
}

/// A task the user may dismiss in the plan, and the plan.
async fn dismissible_task(mcp: &Mcp) -> (String, Snapshot) {
    let snapshot = mcp.session.refresh().await;
    let task = snapshot
        .tasks
        .iter()
        .find(|t| !t.dismissed && t.kind.dismissible())
        .expect("the demo day has a dismissible task");
    (task.id.as_str().to_owned(), snapshot.clone())
}

#[tokio::test]
async fn every_registry_tool_is_listed_with_its_schema_and_annotations() {
    let mcp = Mcp::start().await;
    let listed = mcp.tools().await;
    let specs = pmt_server::tools::specs();
    assert_eq!(listed.len(), specs.len());
    for spec in &specs {
        let tool = listed
            .iter()
            .find(|t| t["name"] == spec.name.as_str())
            .unwrap_or_else(|| panic!("{} is not listed", spec.name));
        assert_eq!(tool["title"], spec.title.as_str());
        assert_eq!(tool["description"], spec.description.as_str());
        assert_eq!(tool["inputSchema"], spec.input_schema, "{}", spec.name);
        let hints = &tool["annotations"];
        assert_eq!(hints["readOnlyHint"], !spec.write, "{}", spec.name);
        if spec.write {
            assert_eq!(hints["destructiveHint"], true, "{}", spec.name);
            assert_eq!(hints["idempotentHint"], true, "{}", spec.name);
            assert_eq!(hints["openWorldHint"], false, "{}", spec.name);
        } else if spec.name.starts_with("read_") {
            assert_eq!(hints["openWorldHint"], true, "{}", spec.name);
        }
    }
    let writes: BTreeSet<&str> = listed
        .iter()
        .filter(|t| t["annotations"]["readOnlyHint"] == false)
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        writes,
        BTreeSet::from(["dismiss_task", "restore_task", "set_task_priority"])
    );
}

#[tokio::test]
async fn a_source_read_exchanges_once_records_the_mcp_client_and_never_forwards_the_token() {
    let mcp = Mcp::start().await;
    let message = mcp.call_tool("read_linear", json!({})).await;
    assert_eq!(message["result"]["isError"], false, "{message}");

    let (entries, _) = activity(&mcp).await;
    let by_mcp: Vec<&Value> = entries.iter().filter(|e| e["actor"] == "mcp").collect();
    assert!(!by_mcp.is_empty(), "{entries:?}");
    let group = &by_mcp[0]["group_id"];
    for entry in &by_mcp {
        assert_eq!(entry["group_kind"], "mcp", "{entry}");
        assert_eq!(entry["group_id"], *group, "one request, one group: {entry}");
        assert_eq!(entry["client"], "pmt-mcp-local", "{entry}");
        assert_eq!(entry["user"], "dana@example.com", "{entry}");
    }
    let exchanges = of_type(&entries, "exchange");
    assert_eq!(exchanges.len(), 1, "{exchanges:?}");
    assert_eq!(exchanges[0]["resource"], "urn:pmt:linear");
    assert_eq!(exchanges[0]["outcome"], "ok");
    assert_eq!(exchanges[0]["actor"], "mcp");
    let calls = of_type(&entries, "tool_call");
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["tool"], "read_linear");
    assert_eq!(calls[0]["outcome"], "ok");

    // Linear got a token for Linear alone, exchanged by the backend; never the MCP token.
    let seen = mcp.session.sims().seen_tokens();
    assert!(!seen.is_empty());
    assert!(
        !seen.contains(&mcp.token),
        "the MCP token was passed upstream"
    );
    for token in &seen {
        let (_, claims) = decode_unverified(token);
        assert_eq!(claims["aud"], "urn:pmt:linear");
        assert_eq!(claims["client_id"], mcp.session.demo.client_id.as_str());
    }
}

#[tokio::test]
async fn every_read_tool_answers_and_no_token_value_reaches_the_trail() {
    let mcp = Mcp::start().await;
    let reads: Vec<String> = pmt_server::tools::specs()
        .into_iter()
        .filter(|s| !s.write)
        .map(|s| s.name)
        .collect();
    for name in &reads {
        let message = mcp.call_tool(name, json!({})).await;
        assert_eq!(message["result"]["isError"], false, "{name}: {message}");
        assert!(!result_text(&message).is_empty(), "{name}");
    }
    let (entries, body) = activity(&mcp).await;
    let calls = of_type(&entries, "tool_call");
    assert_eq!(calls.len(), reads.len(), "{calls:?}");
    assert!(calls.iter().all(|c| c["actor"] == "mcp"));
    let groups: BTreeSet<&str> = calls
        .iter()
        .filter_map(|c| c["group_id"].as_str())
        .collect();
    assert_eq!(
        groups.len(),
        reads.len(),
        "each MCP request is its own group"
    );

    let mut secrets = mcp.session.sims().seen_tokens();
    secrets.push(mcp.token.clone());
    secrets.push(mcp.session.token.clone());
    for secret in &secrets {
        let signature = secret.rsplit('.').next().expect("signature");
        assert!(
            !body.contains(signature),
            "a token is in the activity trail"
        );
    }
    assert!(
        !body.contains("eyJ"),
        "something JWT-like is in the activity trail"
    );
}

#[tokio::test]
async fn a_write_through_mcp_shows_in_the_dashboard_and_the_trail() {
    let mcp = Mcp::start().await;
    let (id, _) = dismissible_task(&mcp).await;
    let message = mcp
        .call_tool("dismiss_task", json!({ "task_id": id }))
        .await;
    assert_eq!(message["result"]["isError"], false, "{message}");

    let tasks = mcp.session.tasks().await;
    let task = tasks
        .tasks
        .iter()
        .find(|t| t.id.as_str() == id)
        .expect("the task is still listed");
    assert!(
        task.dismissed,
        "the dashboard does not show the MCP client's dismissal"
    );

    let (entries, _) = activity(&mcp).await;
    let call = of_type(&entries, "tool_call")
        .into_iter()
        .find(|c| c["tool"] == "dismiss_task")
        .expect("the dismissal is recorded");
    assert_eq!(call["actor"], "mcp");
    assert_eq!(call["write"], true);
    assert_eq!(call["outcome"], "ok");

    let restored = mcp
        .call_tool("restore_task", json!({ "task_id": id }))
        .await;
    assert_eq!(restored["result"]["isError"], false, "{restored}");
    let tasks = mcp.session.tasks().await;
    assert!(tasks
        .tasks
        .iter()
        .any(|t| t.id.as_str() == id && !t.dismissed));
}

#[tokio::test]
async fn a_read_only_token_reads_but_gets_403_for_a_write() {
    let mcp = Mcp::start().await;
    let (id, _) = dismissible_task(&mcp).await;
    let read_only = mcp
        .forge(&mcp.claims(&mcp.mcp_resource(), "plan.read", now() + 600))
        .await;
    let listed = mcp.rpc_with(&read_only, "tools/list", json!({})).await;
    assert!(listed["result"]["tools"].is_array(), "{listed}");

    let call = request(
        "tools/call",
        json!({ "name": "dismiss_task", "arguments": { "task_id": id } }),
    );
    let response = mcp.post(Some(&read_only), &call).await;
    assert_eq!(response.status(), 403);
    let value = challenge(&response);
    assert!(value.contains("error=\"insufficient_scope\""), "{value}");
    assert!(value.contains("scope=\"plan.read plan.write\""), "{value}");
    assert!(value.contains(&format!("resource_metadata=\"{}\"", mcp.metadata_url())));
    let tasks = mcp.session.tasks().await;
    assert!(tasks
        .tasks
        .iter()
        .any(|t| t.id.as_str() == id && !t.dismissed));
}

#[tokio::test]
async fn bad_calls_get_a_protocol_error_or_an_error_result_never_a_crash() {
    let mcp = Mcp::start().await;
    let unknown = mcp.call_tool("send_email", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");

    let missing = mcp.call_tool("dismiss_task", json!({})).await;
    assert_eq!(missing["result"]["isError"], true, "{missing}");
    assert!(result_text(&missing).contains("task_id"), "{missing}");

    let no_such = mcp
        .call_tool("dismiss_task", json!({ "task_id": "linear:NOPE-1" }))
        .await;
    assert_eq!(no_such["result"]["isError"], true, "{no_such}");

    let (entries, _) = activity(&mcp).await;
    let calls = of_type(&entries, "tool_call");
    assert!(calls.iter().all(|c| c["outcome"] != "ok"), "{calls:?}");
    assert!(calls.iter().any(|c| c["tool"] == "send_email"), "{calls:?}");
}
