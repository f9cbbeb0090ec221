//! kubelint: a Kubernetes manifest linter. See ARCHITECTURE.md for how the pieces fit.

pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod fix;
pub mod index;
pub mod k8s;
pub mod lint;
pub mod load;
pub mod model;
pub mod parse;
pub mod policy;
pub mod render;
pub mod report;
pub mod revision;
pub mod rules;
pub mod run_report;
pub mod schema;
pub mod server;
pub mod suppress;
pub mod text;

#[cfg(test)]
pub(crate) mod testing;

pub const HOMEPAGE: &str = "https://github.com/kubelint/kubelint";
