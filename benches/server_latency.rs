//! The language server as an editor uses it: with `../shared/corpus/real` as the workspace, a
//! 1,000-line manifest open (microservices-demo's release manifests, a Service per Deployment),
//! one keystroke at a time. Each keystroke is a `didChange` followed by a `hover` request,
//! which the server answers only once the change is linted: the time between them is what
//! the editor waits for. Prints p50/p99/max, and the server's memory after reading the
//! workspace against the CLI's peak on the same corpus.
//!
//!     cargo bench --bench server_latency [-- KEYSTROKES]
//!     KUBELINT_CORPUS=dir KUBELINT_DOCUMENT=file cargo bench --bench server_latency

#[path = "../tests/support/lsp.rs"]
mod lsp;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

const DOCUMENT: &str = "GoogleCloudPlatform__microservices-demo/release/kubernetes-manifests.yaml";

fn main() {
    let keystrokes: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(500);
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::var_os("KUBELINT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir.join("../shared/corpus/real"));
    let Ok(corpus) = corpus.canonicalize() else {
        eprintln!("no corpus at {}", corpus.display());
        std::process::exit(2);
    };
    let binary = Path::new(env!("CARGO_BIN_EXE_kubelint"));
    let document = std::env::var_os("KUBELINT_DOCUMENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| corpus.join(DOCUMENT));
    let original = std::fs::read_to_string(&document).expect("the 1,000-line manifest");

    let cli_peak = cli_peak_kib(binary, &corpus);

    let started = Instant::now();
    let mut client = lsp::Client::start_with(binary, &corpus, json!({}));
    let indexed = started.elapsed();
    let after_index = memory_kib(client.child.id());

    let uri = lsp::uri(&document);
    client.open(&uri, &original);
    client.diagnostics(&uri);
    // One character typed into, then deleted from, a label the Services select by: each
    // keystroke changes what the cross-object rules see.
    let at = original
        .find("app: emailservice")
        .expect("the emailservice label")
        + "app: emailservice".len();
    let typed = format!("{}x{}", &original[..at], &original[at..]);
    let mut times = Vec::with_capacity(keystrokes);
    for i in 0..keystrokes + 20 {
        let text = if i % 2 == 0 { &typed } else { &original };
        let sent = Instant::now();
        client.change(&uri, i as i32 + 2, text);
        let response = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        );
        assert!(response.get("error").is_none(), "{response}");
        // The first keystrokes warm the caches.
        if i >= 20 {
            times.push(sent.elapsed());
        }
    }
    let after_typing = memory_kib(client.child.id());
    assert!(client.shutdown().success());

    times.sort();
    let percentile =
        |p: f64| times[((times.len() as f64 * p).ceil() as usize).min(times.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "workspace: {} ({} lines open: {})",
        corpus.display(),
        original.lines().count(),
        document.display()
    );
    println!("workspace read in {:.0} ms", ms(indexed));
    println!(
        "re-lint per keystroke ({} keystrokes): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (targets: p50 <= 10 ms, p99 <= 50 ms)",
        times.len(),
        ms(percentile(0.50)),
        ms(percentile(0.99)),
        ms(*times.last().unwrap())
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    if let (Some(index), Some(typing)) = (after_index, after_typing) {
        println!(
            "server memory: {:.0} MiB peak after reading the workspace, {:.0} MiB peak after typing",
            mib(index.peak),
            mib(typing.peak)
        );
        if let Some(cli) = cli_peak {
            println!(
                "CLI peak on the same corpus: {:.0} MiB; server/CLI = {:.2} (target <= 2)",
                mib(cli),
                typing.peak as f64 / cli as f64
            );
        }
    }
}

struct Memory {
    /// VmHWM: the most resident memory the process has had.
    peak: u64,
}

fn memory_kib(pid: u32) -> Option<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some(Memory {
        peak: field("VmHWM:")?,
    })
}

/// The CLI's peak resident memory on the corpus, by GNU time, when it is installed.
fn cli_peak_kib(binary: &Path, corpus: &Path) -> Option<u64> {
    let out = std::env::temp_dir().join(format!("kubelint-bench-time-{}", std::process::id()));
    Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&out)
        .arg(binary)
        .arg("check")
        .arg(corpus)
        .args(["--format", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let text = std::fs::read_to_string(&out).ok()?;
    let _ = std::fs::remove_file(&out);
    text.lines().last()?.trim().parse().ok()
}
