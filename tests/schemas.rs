//! The embedded schemas are exactly what the generator produces: regenerating them from
//! k8s-openapi (five builds of tools/schemagen, one per Kubernetes version) gives the committed
//! schemas/kubernetes.json.gz, byte for byte once decompressed.
//!
//! Ignored by `cargo test` because it compiles k8s-openapi five times (about a minute and a
//! half on two cores, more on a cold cache); `.ci/run` runs it with `--ignored`.

use std::process::Command;

#[test]
#[ignore = "compiles k8s-openapi once per Kubernetes version; run by .ci/run"]
fn regenerating_the_schemas_gives_the_committed_bundle() {
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new("bash")
        .arg(format!("{root}/scripts/schemas.sh"))
        .arg("--check")
        .current_dir(root)
        // A target directory of its own: the outer `cargo test` may hold the default one.
        .env("CARGO_TARGET_DIR", format!("{root}/target/schemagen"))
        .status()
        .unwrap();
    assert!(status.success(), "scripts/schemas.sh --check failed");
}
