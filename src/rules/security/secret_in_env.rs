use super::super::pod_security::{all_containers, describe};
use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::{Object, is_templated};

declare_rule! {
    /// ## What it does
    /// Reports a container's `env` entry (init, sidecar, regular or ephemeral container)
    /// whose name says it holds a secret and whose `value` is a literal, at the value.
    ///
    /// A name holds a secret when it has a word `PASSWORD`, `PASSWD`, `PASS`, `PASSPHRASE`,
    /// `SECRET`, `TOKEN`, `CREDENTIALS` or `APIKEY`, or two words `API KEY`, `PRIVATE KEY`,
    /// `ACCESS KEY`, `SECRET KEY`, `SIGNING KEY`, `ENCRYPTION KEY` or `AUTH KEY` (words
    /// split at `_`, `-`, `.` and lower-to-upper case changes, compared case-insensitively),
    /// and no word after it says the variable describes or locates the secret (`NAME`,
    /// `FILE`, `PATH`, `URL`, `DIR`, `REF`, `ID`, `LENGTH`, `TTL`, `TYPE`, `KEY`, …):
    /// `TOKEN_URL`, `PASSWORD_FILE`, `SECRET_NAME`, `API_KEY_PATH` are not secrets,
    /// `SECRET_KEY_BASE` and `DB_PASSWORD_PROD` are.
    ///
    /// Never reported: `valueFrom` (a `secretKeyRef` is the fix), an empty value, values
    /// kubelint cannot read or that are filled in later (template placeholders, `$(VAR)`
    /// references to other variables), obvious placeholders (`changeme`, `<password>`,
    /// `xxx`, a to-do marker, `REPLACE_ME`, `your-token`, an upper-case identifier such as
    /// `HF_TOKEN` or `INSERT_API_KEY`…), file paths, `true`/`false`/`yes`/`1`, names that
    /// are settings about a secret (`MYSQL_ALLOW_EMPTY_PASSWORD`,
    /// `MYSQL_RANDOM_ROOT_PASSWORD`: a word such as `ALLOW`, `EMPTY`, `RANDOM`, `SKIP`,
    /// `REQUIRE`, `ENABLE`), and
    /// references into a secret store (`vault:…`, `ref+…://`, `arn:aws:secretsmanager:…`).
    ///
    /// ## Why is this bad
    /// The value is in the repository's history for good, and in the object: anyone who can
    /// read the Deployment (`get` on it, not on Secrets), its `kubectl describe`, or the
    /// manifests' CI logs reads the secret. Rotating it means a commit and a rollout, and the
    /// old value stays in git.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     value: s3cr3t-Pa55
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef:
    ///         name: db
    ///         key: password
    /// ```
    ///
    /// ## Measured
    /// On `../shared/corpus/real`: 38 findings in 25 files, all read. 36 are literal
    /// credentials as deployed (database root and user passwords such as `migration`,
    /// `my-secret-pw`, `password`; MinIO keys; Grafana's admin password; a Sysdig access
    /// key), 2 are a placeholder the rule cannot tell from a key (`nvapi-NVKEY`): 36 of 38.
    /// Narrowed on the way: flags about a password (`MYSQL_ALLOW_EMPTY_PASSWORD: "1"`) and
    /// upper-case identifiers standing for the value (`HF_TOKEN`, `GOOGLE_API_KEY_VAL`,
    /// `INSERT_ETCD_DISCOVERY_TOKEN`, `SECRET`), 8 findings. On by default, an error: a
    /// credential in a manifest is in the repository's history for good. kube-linter's
    /// `env-var-secret` (any literal under a name containing `secret`) is mapped.
    pub struct SecretInEnv => "secret-in-env";
}

/// The words of an environment variable's name, upper-cased: `dbPassword` and
/// `DB_PASSWORD` both give `[DB, PASSWORD]`.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Words that, after the secret's name, say the variable describes or locates the secret
/// rather than holding it: `TOKEN_URL`, `PASSWORD_FILE`, `SECRET_NAME`, `API_KEY_PATH`.
const ABOUT_THE_SECRET: &[&str] = &[
    "NAME",
    "NAMES",
    "FILE",
    "FILES",
    "PATH",
    "URL",
    "URI",
    "DIR",
    "DIRECTORY",
    "REF",
    "ID",
    "ARN",
    "ENDPOINT",
    "HOST",
    "PORT",
    "LENGTH",
    "LEN",
    "TTL",
    "TIMEOUT",
    "EXPIRY",
    "EXPIRATION",
    "EXPIRES",
    "TYPE",
    "MOUNT",
    "LOCATION",
    "NAMESPACE",
    "PROVIDER",
    "SIZE",
    "HEADER",
    "FIELD",
    "FORMAT",
    "ENV",
    "VAR",
    "COUNT",
    "LIMIT",
    "MIN",
    "MAX",
    "AUDIENCE",
    "ISSUER",
    "SOURCE",
    "STORE",
    "MODE",
    "POLICY",
    "ROTATION",
    "VERSION",
    "PREFIX",
    "SUFFIX",
    "REGEX",
    "PATTERN",
    "ALGORITHM",
    "ALG",
    "COMMAND",
    "CMD",
    "SCRIPT",
    "METHOD",
    "DURATION",
    "LIFETIME",
    "AGE",
    "INTERVAL",
    "PERIOD",
    "REFRESH",
    "RESET",
    "HASH",
    "HASHED",
    "SALT",
    "ROUNDS",
    "COST",
    "KIND",
    "LABEL",
    "SELECTOR",
    "KEY",
    "SCOPE",
    "SCOPES",
    "BACKEND",
    "CACHE",
    "COOKIE",
    "VOLUME",
    "REVIEW",
];

/// Whether a variable of this name holds a secret (see the rule's doc).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    // A setting about the secret, not the secret: MYSQL_ALLOW_EMPTY_PASSWORD,
    // MYSQL_RANDOM_ROOT_PASSWORD, REQUIRE_TOKEN.
    if words.iter().any(|w| {
        matches!(
            w.as_str(),
            "ALLOW"
                | "EMPTY"
                | "RANDOM"
                | "GENERATE"
                | "SKIP"
                | "ENABLE"
                | "ENABLED"
                | "DISABLE"
                | "DISABLED"
                | "REQUIRE"
                | "REQUIRED"
                | "USE"
                | "NO"
        )
    }) {
        return false;
    }
    // The last word that names a secret; `KEY` only after a word that makes it one.
    let secret_at = (0..words.len()).rev().find(|&i| {
        let word = words[i].as_str();
        matches!(
            word,
            "PASSWORD"
                | "PASSWD"
                | "PASS"
                | "PASSPHRASE"
                | "SECRET"
                | "SECRETS"
                | "TOKEN"
                | "CREDENTIALS"
                | "APIKEY"
                | "PRIVATEKEY"
                | "SECRETKEY"
                | "ACCESSKEY"
        ) || (word == "KEY"
            && i > 0
            && matches!(
                words[i - 1].as_str(),
                "API" | "PRIVATE" | "ACCESS" | "SECRET" | "SIGNING" | "ENCRYPTION" | "AUTH"
            ))
    });
    let Some(at) = secret_at else { return false };
    // `TLS_SECRET`, `IMAGE_PULL_SECRET`, `KUBERNETES_SECRET`: the name of a Secret object.
    if matches!(words[at].as_str(), "SECRET" | "SECRETS")
        && at > 0
        && matches!(
            words[at - 1].as_str(),
            "TLS" | "PULL" | "KUBERNETES" | "K8S" | "IMAGE" | "REGISTRY" | "MANAGER" | "DOCKER"
        )
    {
        return false;
    }
    !words[at + 1..]
        .iter()
        .any(|w| ABOUT_THE_SECRET.contains(&w.as_str()))
}

/// A value shaped like the name of a Secret object (`db-password`, `my-secret`, `ingress-tls`):
/// lower case, a DNS name, ending in the kind of thing it is. A literal secret may contain such
/// a word (`my-secret-pw`, `supersecret`) but does not end with it after a dash.
fn names_a_secret_object(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && [
            "-secret",
            "-secrets",
            "-password",
            "-token",
            "-tls",
            "-creds",
            "-credentials",
        ]
        .iter()
        .any(|suffix| value.ends_with(suffix))
}

/// Whether a literal value is a stand-in, a reference or a setting rather than a secret
/// (`name` is the variable's name: a value that repeats it is a placeholder).
fn is_not_a_secret(name: &str, value: &str) -> bool {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    let bare: String = lower
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    value.is_empty()
        || is_templated(value)
        || value.contains("$(")
        || value.starts_with('/')
        || (value.starts_with('<') && value.ends_with('>'))
        || matches!(
            lower.as_str(),
            "true" | "false" | "none" | "null" | "nil" | "-"
        )
        || matches!(
            lower.as_str(),
            "0" | "1" | "yes" | "no" | "on" | "off" | "enabled" | "disabled"
        )
        || names_a_secret_object(value)
        || bare.is_empty()
        || is_constant_name(name, value)
        || bare.chars().all(|c| c == 'x' || c == '*')
        || bare.contains("changeme")
        || bare.contains("replaceme")
        || bare.contains("changeit")
        || bare.starts_with("your")
        || bare.starts_with("todo")
        || bare.starts_with("placeholder")
        || bare.starts_with("dummy")
        || bare.starts_with("redacted")
        || bare.starts_with("example")
        || lower.starts_with("vault:")
        || lower.starts_with("ref+")
        || lower.starts_with("arn:aws:secretsmanager:")
        || lower.starts_with("arn:aws:ssm:")
}

/// An upper-case identifier standing for the value (`HF_TOKEN`, `GOOGLE_API_KEY_VAL`,
/// `INSERT_ETCD_DISCOVERY_TOKEN`, `SECRET`): a placeholder someone is to replace.
fn is_constant_name(name: &str, value: &str) -> bool {
    let identifier = value
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && value.starts_with(|c: char| c.is_ascii_uppercase());
    identifier && (value.contains('_') || words(name).iter().any(|w| w == value))
}

impl Rule for SecretInEnv {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        let Some(pod) = &object.pod else { return };
        for container in all_containers(pod) {
            let Some(env) = container.get("env") else {
                continue;
            };
            for var in env.items() {
                let Some(name) = var.get_str("name") else {
                    continue;
                };
                if is_templated(name) || !is_secret_name(name) {
                    continue;
                }
                let Some(value) = var.get_some("value") else {
                    continue;
                };
                let Some(text) = value.as_str() else { continue };
                if is_not_a_secret(name, text) {
                    continue;
                }
                out.push(
                    Finding::new(
                        value,
                        format!(
                            "`{name}` of {} is a literal secret: anyone who can read the \
                             manifest, the repository's history or the pod spec reads it",
                            describe(&container)
                        ),
                    )
                    .help(format!(
                        "move the value into a Secret and use `valueFrom: {{secretKeyRef: \
                         {{name: <secret>, key: <key>}}}}` for `{name}`, then rotate it: it \
                         stays in the repository's history"
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_not_a_secret, is_secret_name};

    #[test]
    fn secret_names() {
        for name in [
            "PASSWORD",
            "DB_PASSWORD",
            "dbPassword",
            "POSTGRES_PASS",
            "GITHUB_TOKEN",
            "CLIENT_SECRET",
            "AWS_SECRET_ACCESS_KEY",
            "API_KEY",
            "apiKey",
            "STRIPE_APIKEY",
            "JWT_PRIVATE_KEY",
            "GOOGLE_CREDENTIALS",
            "SECRET_KEY_BASE",
            "SECRET_BLAH",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in [
            "TOKEN_URL",
            "PASSWORD_FILE",
            "SECRET_NAME",
            "TOKEN_PATH",
            "KEY",
            "SSH_KEY_PATH",
            "PUBLIC_KEY",
            "PASSWORD_MIN_LENGTH",
            "CACHE_KEY",
            "BYPASS",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MYSQL_RANDOM_ROOT_PASSWORD",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn placeholders() {
        for value in [
            "",
            "changeme",
            "CHANGE_ME",
            "<your-password>",
            "xxxx",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "$(OTHER)",
            "/var/run/secrets/token",
            "your-api-key",
            "vault:secret/data/db#password",
            "PASSWORD",
            "INSERT_DB_PASSWORD",
            "1",
        ] {
            assert!(is_not_a_secret("DB_PASSWORD", value), "{value}");
        }
        for value in ["s3cr3t", "hunter2", "ghp_0123456789abcdef"] {
            assert!(!is_not_a_secret("DB_PASSWORD", value), "{value}");
        }
    }
}
