//! The crate's top-level modules form layers: a module may use the modules below it, never
//! one above it, so no two stages depend on each other and each can be read (and tested) with
//! only what is under it in mind. ARCHITECTURE.md draws the same graph.
//!
//! This reads the sources instead of compiling anything: every `crate::<module>` path outside
//! `#[cfg(test)]` code is an edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first. A module not listed here fails the test: place a new module on purpose.
const LAYERS: &[&str] = &[
    "text",
    "parse",
    "k8s",
    "load",
    "revision",
    "model",
    "schema",
    "diagnostic",
    "index",
    "rules",
    "run_report",
    "suppress",
    "config",
    "baseline",
    "policy",
    "render",
    "lint",
    "fix",
    "report",
    "server",
    "cli",
];

/// Test support (`#[cfg(test)]`) may use anything.
const UNLAYERED: &[&str] = &["testing"];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

/// The source with `#[cfg(test)]` items cut out: from the attribute to the end of the item
/// it annotates (a `mod tests { … }` block, or a single item up to its `;` or closing brace).
fn without_tests(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

fn uses(source: &str) -> BTreeSet<String> {
    // Comments may name any module (`crate::schema` finds what this reports): not a use.
    let code: String = source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| format!("{line}\n"))
        .collect();
    let source = without_tests(&code);
    let mut found = BTreeSet::new();
    for (at, _) in source.match_indices("crate::") {
        let name: String = source[at + "crate::".len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            found.insert(name);
        }
    }
    found
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let top = relative
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned();
            if top == "lib" || top == "main" {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let edges = graph.entry(top.clone()).or_default();
            edges.extend(uses(&source).into_iter().filter(|m| *m != top));
        }
    }
    graph
}

#[test]
fn no_module_uses_a_module_above_it() {
    let graph = module_graph();
    let mut problems = Vec::new();
    for (module, edges) in &graph {
        if UNLAYERED.contains(&module.as_str()) {
            continue;
        }
        let Some(own) = rank(module) else {
            problems.push(format!(
                "`{module}` is not placed in LAYERS (tests/layers.rs)"
            ));
            continue;
        };
        for used in edges {
            match rank(used) {
                Some(r) if r < own => {}
                Some(_) => problems.push(format!("`{module}` uses `{used}`, which is above it")),
                None if UNLAYERED.contains(&used.as_str()) => {
                    problems.push(format!("`{module}` uses test support `{used}`"))
                }
                None => problems.push(format!("`{module}` uses `{used}`, not in LAYERS")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The graph, a line per module (test support left out), as ARCHITECTURE.md shows it.
fn graph_text() -> String {
    module_graph()
        .into_iter()
        .filter(|(module, _)| !UNLAYERED.contains(&module.as_str()))
        .map(|(module, edges)| {
            let edges: Vec<String> = edges.into_iter().collect();
            format!("{module} -> {}\n", edges.join(", "))
        })
        .collect()
}

/// `cargo test --test layers -- --nocapture print_graph` prints the graph ARCHITECTURE.md shows.
#[test]
fn print_graph() {
    print!("{}", graph_text());
}

#[test]
fn architecture_md_shows_the_current_graph() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let layers = &text[text.find("## Layers").expect("a Layers section")..];
    let block = layers
        .split("```")
        .nth(1)
        .expect("the graph in a code block under Layers");
    assert_eq!(
        block.trim(),
        graph_text().trim(),
        "ARCHITECTURE.md's graph is stale; paste the output of \
         `cargo test --test layers -- --nocapture print_graph`"
    );
}

#[test]
fn test_code_is_not_counted() {
    let source = "//! See `crate::lint`.\nuse crate::parse;\n#[cfg(test)]\nmod tests {\n use crate::cli;\n fn f() { { } }\n}\n#[cfg(test)]\nuse crate::report;\nfn g() { crate::model::x(); }\n";
    let found: Vec<String> = uses(source).into_iter().collect();
    assert_eq!(found, ["model", "parse"]);
}
