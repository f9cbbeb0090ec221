//! kubelint's schema generator.
//!
//! `dump OUT.json` (built with one `v1_XX` feature) writes the JSON Schemas k8s-openapi
//! derives for every resource kind of that Kubernetes version, untouched.
//! `pack DUMPS_DIR SCHEMAS_DIR [--check]` (built with no feature, so without k8s-openapi)
//! makes them strict, deduplicates the definitions shared between versions and writes the
//! compressed bundle kubelint embeds. `scripts/schemas.sh` runs both.

mod strict;

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{Map, Value, json};

/// The Kubernetes versions kubelint validates against, oldest first.
pub const VERSIONS: [&str; 5] = ["1.33", "1.34", "1.35", "1.36", "1.37"];
const BUNDLE: &str = "kubernetes.json.gz";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["dump", out] => dump(Path::new(out)),
        ["pack", dumps, schemas] => pack(Path::new(dumps), Path::new(schemas), false),
        ["pack", dumps, schemas, "--check"] => pack(Path::new(dumps), Path::new(schemas), true),
        _ => Err(
            "usage: kubelint-schemagen dump OUT.json | pack DUMPS_DIR SCHEMAS_DIR [--check]".into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kubelint-schemagen: {message}");
            ExitCode::FAILURE
        }
    }
}

// Defines `for_each_resource!`, the kinds of the enabled version (see build.rs).
include!(concat!(env!("OUT_DIR"), "/resources.rs"));

#[cfg(kubernetes_version)]
fn dump(out: &Path) -> Result<(), String> {
    struct State {
        generator: schemars::SchemaGenerator,
        kinds: BTreeMap<String, BTreeMap<String, String>>,
    }
    fn visit<T: k8s_openapi::Resource + schemars::JsonSchema>(state: &mut State) {
        let reference = state.generator.subschema_for::<T>();
        let name = reference
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
            .expect("k8s-openapi resources are named schemas")
            .to_owned();
        state
            .kinds
            .entry(T::API_VERSION.to_owned())
            .or_default()
            .insert(T::KIND.to_owned(), name);
    }

    let settings = schemars::generate::SchemaSettings::draft2020_12();
    let mut state = State {
        generator: settings.into_generator(),
        kinds: BTreeMap::new(),
    };
    for_each_resource!(visit, &mut state);
    let definitions: BTreeMap<String, Value> = state
        .generator
        .definitions()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let version = env!("KUBERNETES_VERSION");
    let document =
        json!({ "kubernetes": version, "kinds": state.kinds, "definitions": definitions });
    let text = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    std::fs::write(out, text + "\n").map_err(|e| format!("{}: {e}", out.display()))
}

#[cfg(not(kubernetes_version))]
fn dump(_: &Path) -> Result<(), String> {
    Err("dump needs a Kubernetes version: build with --features v1_XX".into())
}

/// The bundle: per version, its kinds and which deduplicated body each definition uses.
fn pack(dumps: &Path, schemas: &Path, check: bool) -> Result<(), String> {
    let mut bodies: Vec<Value> = Vec::new();
    let mut body_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut versions = Map::new();
    for version in VERSIONS {
        let path = dumps.join(format!("{version}.json"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let dump: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let kinds = dump["kinds"]
            .as_object()
            .ok_or("dump without kinds")?
            .clone();
        let mut definitions = dump["definitions"]
            .as_object()
            .ok_or("dump without definitions")?
            .clone();
        strict::apply(version, &kinds, &mut definitions)?;
        let mut names = Map::new();
        for (name, body) in definitions {
            let key = serde_json::to_string(&body).map_err(|e| e.to_string())?;
            let index = *body_index.entry(key).or_insert_with(|| {
                bodies.push(body);
                bodies.len() - 1
            });
            names.insert(name, json!(index));
        }
        versions.insert(
            version.to_owned(),
            json!({ "kinds": kinds, "definitions": names }),
        );
    }
    let bundle = json!({
        "generator": "tools/schemagen from k8s-openapi 0.29.0; regenerate with scripts/schemas.sh",
        "versions": versions,
        "bodies": bodies,
    });
    let text = serde_json::to_string(&bundle).map_err(|e| e.to_string())? + "\n";
    let target = schemas.join(BUNDLE);
    if check {
        let committed = read_gzip(&target)?;
        if committed != text {
            return Err(format!(
                "{} differs from what the generator produces now: run scripts/schemas.sh and commit",
                target.display()
            ));
        }
        eprintln!("{}: identical to a fresh generation", target.display());
        return Ok(());
    }
    write_gzip(&target, &text)?;
    eprintln!(
        "{}: {} versions, {} distinct definitions",
        target.display(),
        VERSIONS.len(),
        bodies.len()
    );
    Ok(())
}

fn read_gzip(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text)
}

/// Written beside the target and renamed over it, so an interrupted run never leaves a
/// truncated bundle that the next kubelint build would embed.
fn write_gzip(path: &Path, text: &str) -> Result<(), String> {
    let temporary: PathBuf = path.with_extension("gz.tmp");
    let file =
        std::fs::File::create(&temporary).map_err(|e| format!("{}: {e}", temporary.display()))?;
    let mut encoder = flate2::GzBuilder::new().write(file, flate2::Compression::best());
    encoder
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    encoder
        .finish()
        .map_err(|e| e.to_string())?
        .sync_all()
        .map_err(|e| e.to_string())?;
    std::fs::rename(&temporary, path).map_err(|e| format!("{}: {e}", path.display()))
}
