//! `kubelint server` driven over stdio as an editor drives it: JSON-RPC messages in, the
//! published diagnostics, code actions and hovers out.

#[path = "support/lsp.rs"]
mod lsp;

use std::path::PathBuf;

use lsp::{Client, uri};
use serde_json::{Value, json};

/// A Deployment whose container runs its application under `sh -c` (shared with tests/neovim.rs).
const DEPLOYMENT: &str = include_str!("data/server/deployment.yaml");

const SERVICE: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
";

/// The rules these tests look at (the others would only make the snapshots longer).
fn selected() -> Value {
    json!({"select": ["shell-form-sigterm", "dangling-service-selector", "missing-readiness-probe"]})
}

/// A workspace folder for one test, removed when it ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("kubelint-server-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir.canonicalize().unwrap())
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One line per diagnostic: its range (1-based, as editors show it), severity, rule and the
/// first line of its message.
fn render(diagnostics: &[Value]) -> String {
    let severity = |s: &Value| match s.as_i64() {
        Some(1) => "error",
        Some(2) => "warning",
        Some(3) => "info",
        _ => "?",
    };
    let at = |p: &Value| {
        format!(
            "{}:{}",
            p["line"].as_i64().unwrap() + 1,
            p["character"].as_i64().unwrap() + 1
        )
    };
    diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}-{} {} [{}] {}\n",
                at(&d["range"]["start"]),
                at(&d["range"]["end"]),
                severity(&d["severity"]),
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap().lines().next().unwrap()
            )
        })
        .collect()
}

/// Applies a client's text edits (0-based lines, UTF-16 characters; these tests are ASCII).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let (line, character) = (
            p["line"].as_u64().unwrap() as usize,
            p["character"].as_u64().unwrap() as usize,
        );
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + character
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

#[test]
fn open_reports_at_the_node_and_an_edit_clears_it() {
    let scratch = Scratch::new("open");
    let file = scratch.write("deployment.yaml", DEPLOYMENT);
    let mut client = Client::start(&scratch.0, json!({}));
    let uri = uri(&file);
    client.open(&uri, DEPLOYMENT);
    let diagnostics = client.diagnostics(&uri);
    insta::assert_snapshot!("open_default_rules", render(&diagnostics));
    let sigterm = diagnostics
        .iter()
        .find(|d| d["code"] == "shell-form-sigterm")
        .unwrap();
    assert_eq!(sigterm["source"], "kubelint");
    assert!(
        sigterm["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("rules.md#shell-form-sigterm")
    );

    // Typed (unsaved): the shell goes, and its finding with it.
    let edited = DEPLOYMENT.replace(
        r#"["sh", "-c", "python migrate.py && python app.py"]"#,
        r#"["python", "app.py"]"#,
    );
    client.change(&uri, 2, &edited);
    let after = client.diagnostics(&uri);
    assert!(!codes(&after).contains(&"shell-form-sigterm"), "{after:?}");
    assert_eq!(after.len(), diagnostics.len() - 1);
    assert!(client.shutdown().success());
}

#[test]
fn a_change_in_one_file_republishes_the_findings_it_causes_in_another() {
    let scratch = Scratch::new("cross");
    let deployment = scratch.write("deployment.yaml", DEPLOYMENT);
    let service = scratch.write("service.yaml", SERVICE);
    // Another workload in the namespace: a Service is only said to select nothing where the
    // run holds the namespace's workloads.
    let worker = DEPLOYMENT.replace("web", "worker");
    scratch.write("worker.yaml", &worker);
    let mut client = Client::start(&scratch.0, selected());
    let (service_uri, deployment_uri) = (uri(&service), uri(&deployment));

    // The Deployment is on disk only: the workspace index resolves the selector.
    client.open(&service_uri, SERVICE);
    assert_eq!(render(&client.diagnostics(&service_uri)), "");

    // Relabelled in the editor, unsaved: the Service now selects nothing.
    client.open(&deployment_uri, DEPLOYMENT);
    let relabelled = DEPLOYMENT.replace("app: web", "app: api");
    client.change(&deployment_uri, 2, &relabelled);
    let service_now = client.diagnostics(&service_uri);
    insta::assert_snapshot!("cross_object_service", render(&service_now));

    // Closed without saving: the file on disk is what counts again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": deployment_uri}}),
    );
    assert_eq!(render(&client.diagnostics(&service_uri)), "");

    // Deleted while the Service is open: saved Service, gone Deployment.
    std::fs::remove_file(&deployment).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": deployment_uri, "type": 3}]}),
    );
    assert_eq!(
        codes(&client.diagnostics(&service_uri)),
        ["dangling-service-selector"]
    );
    assert!(client.shutdown().success());
}

#[test]
fn code_actions_fix_suppress_and_fix_all() {
    let scratch = Scratch::new("actions");
    let file = scratch.write("deployment.yaml", DEPLOYMENT);
    let mut client = Client::start(&scratch.0, selected());
    let uri = uri(&file);
    client.open(&uri, DEPLOYMENT);
    let diagnostics = client.diagnostics(&uri);
    let sigterm = diagnostics
        .iter()
        .find(|d| d["code"] == "shell-form-sigterm")
        .unwrap()
        .clone();
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": sigterm["range"],
            "context": {"diagnostics": [sigterm]},
        }),
    );
    let actions = response["result"].as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    insta::assert_debug_snapshot!("code_action_titles", titles);

    // The fix: `exec` before the last command, nothing else changed.
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    let fixed = apply(DEPLOYMENT, fix["edit"]["changes"][&uri].as_array().unwrap());
    assert_eq!(
        fixed,
        DEPLOYMENT.replace("&& python app.py", "&& exec python app.py")
    );
    client.change(&uri, 2, &fixed);
    assert!(!codes(&client.diagnostics(&uri)).contains(&"shell-form-sigterm"));

    // The suppression comment, on its own line above the finding.
    client.change(&uri, 3, DEPLOYMENT);
    client.diagnostics(&uri);
    let suppress = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Suppress"))
        .unwrap();
    let suppressed = apply(
        DEPLOYMENT,
        suppress["edit"]["changes"][&uri].as_array().unwrap(),
    );
    assert!(suppressed.contains(
        "          # kubelint-ignore: shell-form-sigterm -- TODO: say why\n          command:"
    ));
    client.change(&uri, 4, &suppressed);
    assert!(!codes(&client.diagnostics(&uri)).contains(&"shell-form-sigterm"));

    // Fix all, as an editor asks for it on save: only that kind.
    client.change(&uri, 5, DEPLOYMENT);
    client.diagnostics(&uri);
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        }),
    );
    let actions = response["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.kubelint");
    let all = apply(
        DEPLOYMENT,
        actions[0]["edit"]["changes"][&uri].as_array().unwrap(),
    );
    assert_eq!(all, fixed);
    assert!(client.shutdown().success());
}

#[test]
fn hover_shows_the_rule_documentation() {
    let scratch = Scratch::new("hover");
    let text = DEPLOYMENT.replace(
        "    spec:\n      containers:",
        "    spec:\n      # kubelint-ignore: missing-readiness-probe -- batch worker, no traffic\n      containers:",
    );
    let file = scratch.write("deployment.yaml", &text);
    let mut client = Client::start(&scratch.0, selected());
    let uri = uri(&file);
    client.open(&uri, &text);
    let diagnostics = client.diagnostics(&uri);
    let sigterm = diagnostics
        .iter()
        .find(|d| d["code"] == "shell-form-sigterm")
        .unwrap();
    let hover = |client: &mut Client, position: Value| {
        let response = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        response["result"]["contents"]["value"]
            .as_str()
            .map(|s| s.lines().next().unwrap().to_owned())
    };
    assert_eq!(
        hover(&mut client, sigterm["range"]["start"].clone()).as_deref(),
        Some("# shell-form-sigterm (lifecycle, warning)")
    );
    // On the rule id of the comment (line 16, inside `missing-readiness-probe`).
    assert_eq!(
        hover(&mut client, json!({"line": 15, "character": 30})).as_deref(),
        Some("# missing-readiness-probe (probes, warning)")
    );
    // Nowhere in particular, and past the end of the file: nothing, not an error.
    assert_eq!(hover(&mut client, json!({"line": 0, "character": 0})), None);
    assert_eq!(
        hover(&mut client, json!({"line": 9999, "character": 9999})),
        None
    );
    assert!(client.shutdown().success());
}

#[test]
fn protocol_edge_cases() {
    let scratch = Scratch::new("edges");
    let mut client = Client::start(&scratch.0, json!({"select": ["no-such-rule"]}));

    // An unsaved buffer with no file, with a character outside the Basic Multilingual Plane
    // before the finding (two UTF-16 code units).
    let untitled = "untitled:Untitled-1";
    let text = DEPLOYMENT.replace("name: web\n  namespace", "name: web # 🚀\n  namespace");
    client.open(untitled, &text);
    let diagnostics = client.diagnostics(untitled);
    assert!(
        codes(&diagnostics).contains(&"shell-form-sigterm"),
        "a bad `select` falls back to the defaults: {diagnostics:?}"
    );

    // Positions that are not in the file.
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": untitled},
            "range": {"start": {"line": 500, "character": 3}, "end": {"line": 900, "character": 99}},
            "context": {"diagnostics": [], "only": ["quickfix"]},
        }),
    );
    assert_eq!(response["result"], json!([]), "{response}");

    // A document the server was never told about, and a method it does not have.
    let response = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.yaml"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(response["result"], Value::Null);
    let response = client.request("textDocument/definition", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    let response = client.request("textDocument/hover", json!({"bad": true}));
    assert_eq!(response["error"]["code"], -32602, "{response}");

    // After `shutdown`, requests are refused and `exit` ends the process with 0.
    let response = client.request("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    let response = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": untitled}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(response["error"]["code"], -32600, "{response}");
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let scratch = Scratch::new("exit");
    let mut client = Client::start(&scratch.0, json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}

#[test]
fn a_ten_megabyte_file_is_linted_and_the_server_stays_responsive() {
    let scratch = Scratch::new("large");
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("---\n");
        text.push_str(&DEPLOYMENT.replace("name: web\n", &format!("name: web-{n}\n")));
        n += 1;
    }
    let file = scratch.write("large.yaml", &text);
    let mut client = Client::start(&scratch.0, selected());
    let uri = uri(&file);
    client.open(&uri, &text);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(
        diagnostics
            .iter()
            .filter(|d| d["code"] == "shell-form-sigterm")
            .count(),
        n
    );
    let response = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(response["result"], Value::Null);
    assert!(client.shutdown().success());
}
