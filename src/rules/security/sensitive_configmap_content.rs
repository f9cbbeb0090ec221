use super::super::{Finding, Options, Rule, declare_rule};
use crate::model::{Object, is_templated};

declare_rule! {
    /// ## What it does
    /// Reports a ConfigMap `data` value that holds a secret, at the value:
    /// - a PEM private key (`-----BEGIN … PRIVATE KEY-----` followed by key material);
    /// - an AWS access key id (`AKIA…`, 20 characters; AWS's documentation example
    ///   `AKIAIOSFODNN7EXAMPLE` excepted);
    /// - a password, token, secret or API key: a literal value under a key whose last word
    ///   says so (`password`, `db_password`, `client-secret`, `apiKey`, `auth.token`), either
    ///   as the data key itself or as a `key=value` / `key: value` line of a configuration
    ///   file held in the value (`spring.datasource.password=…`).
    ///
    /// Never reported, since they are not secrets: keys that name where a secret is rather
    /// than holding it (`password-file`, `secret-name`, `token-path`, `tokenTTL`, …),
    /// values that are empty, templated (`{{ … }}`, `${…}`, `$(…)`), references (paths,
    /// `vault:`, `arn:`, `secretRef`), placeholders (`changeme`, `<password>`, `xxxx`,
    /// `your-token`, `REPLACE_ME`, values naming the key itself), booleans, values with
    /// spaces (sentences, descriptions), and nsswitch.conf's `passwd:` database line.
    ///
    /// ## Why is this bad
    /// ConfigMaps are not secret: the built-in `view` role reads them, they are printed by
    /// `kubectl describe`, copied into logs, diffs and GitOps dashboards, and stored
    /// unencrypted in etcd even where Secrets are encrypted at rest. A key or password in a
    /// ConfigMap is also in the repository it was committed to.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// metadata: {name: api}
    /// data:
    ///   DB_PASSWORD: s3cr3t-Pa55
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Secret
    /// metadata: {name: api}
    /// stringData:
    ///   DB_PASSWORD: s3cr3t-Pa55   # better: created out of band, or by an external-secrets operator
    /// ```
    ///
    /// ## Measured
    /// On by default. On `../shared/corpus/real`: no findings. The first version reported
    /// nsswitch.conf's `passwd: files` in 2 ConfigMaps (fixed: the `passwd` database key is
    /// left out). A grep of the corpus's ConfigMaps for secret-looking keys found only
    /// placeholders and references, which the rule skips as it should: `$dex.github.clientSecret`
    /// (Argo CD's indirection), `AWS_SECRET_ACCESS_KEY: secret` for a local DynamoDB,
    /// `passwordPattern`. A finding is a committed credential, always worth fixing.
    ///
    /// Peers: neither kube-score nor kube-linter checks ConfigMap contents.
    pub struct SensitiveConfigmapContent => "sensitive-configmap-content";
}

/// Words that, as the last word of a key, say its value is a secret.
const SECRET_WORDS: [&str; 9] = [
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "credential",
    "credentials",
    "passphrase",
];

/// Words a key's last word is preceded by when `key` means a secret key (`api_key`,
/// `secret-access-key`, `private_key`).
const KEY_QUALIFIERS: [&str; 5] = ["api", "access", "secret", "private", "signing"];

/// The words of a key: split at `-`, `_`, `.`, `/` and at lower-to-upper case changes.
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if matches!(c, '-' | '_' | '.' | '/' | ' ') {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a key names a secret value (rather than where one is, or a setting about one).
fn secret_key(key: &str) -> bool {
    let words = words(key);
    let Some(last) = words.last() else {
        return false;
    };
    // `tls-secret`, `pull-secret`: the name of a Secret object.
    if last == "secret"
        && words.len() >= 2
        && matches!(
            words[words.len() - 2].as_str(),
            "tls" | "pull" | "k8s" | "kubernetes" | "image" | "registry" | "docker"
        )
    {
        return false;
    }
    if SECRET_WORDS.contains(&last.as_str()) {
        return true;
    }
    // `apiKey`, `secret_access_key`, `private-key`.
    last == "key" && words.len() >= 2 && KEY_QUALIFIERS.contains(&words[words.len() - 2].as_str())
}

/// Whether a value under a secret-looking key is a literal secret rather than a placeholder,
/// a reference or a setting.
fn literal_secret(key: &str, value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    if v.len() < 4 || v.contains(char::is_whitespace) || is_templated(v) {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "null" | "none" | "nil" | "yes" | "no"
    ) || v.starts_with('/')
        || v.starts_with("$(")
        || v.starts_with('$')
        || v.starts_with('%')
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']'))
        || v.starts_with('*')
        || v.chars().all(|c| c == v.chars().next().unwrap_or('x'))
    {
        return false;
    }
    const REFERENCES: [&str; 8] = [
        "vault:",
        "arn:",
        "secretref",
        "file:",
        "env:",
        "ref+",
        "projects/",
        "@microsoft.keyvault",
    ];
    if REFERENCES.iter().any(|r| lower.starts_with(r))
        || lower.contains("://") && !lower.contains('@')
    {
        return false;
    }
    const PLACEHOLDERS: [&str; 14] = [
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "replace",
        "your",
        "example",
        "dummy",
        "placeholder",
        "redacted",
        "xxxx",
        "****",
        "todo",
        "fixme",
    ];
    if PLACEHOLDERS.iter().any(|p| lower.contains(p)) {
        return false;
    }
    // A Secret object's name (`oidc-client-tls`, `db-secret`) or a signing algorithm under a
    // `*key` (`rs256`), not key material.
    let dns_name = v
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if dns_name
        && ["-tls", "-secret", "-secrets", "-creds", "-credentials"]
            .iter()
            .any(|s| lower.ends_with(s))
    {
        return false;
    }
    const ALGORITHMS: [&str; 6] = ["rs", "hs", "es", "ps", "rsa", "ecdsa"];
    if ALGORITHMS.iter().any(|a| {
        lower
            .strip_prefix(a)
            .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
    }) {
        return false;
    }
    // A value that repeats its key's words (`password: password`, `token: my-token`).
    !words(key)
        .iter()
        .any(|w| w.len() >= 4 && lower.contains(w.as_str()))
}

/// A PEM private key with key material after its header (not `-----BEGIN PRIVATE KEY-----\n...`).
fn private_key(value: &str) -> bool {
    // A bundle may hold certificates before its key: look at every block.
    value
        .match_indices("-----BEGIN ")
        .any(|(start, _)| private_key_block(&value[start + 11..]))
}

/// One PEM block, from just after its `-----BEGIN `.
fn private_key_block(rest: &str) -> bool {
    let Some(end) = rest.find("-----") else {
        return false;
    };
    if !rest[..end].ends_with("PRIVATE KEY") {
        return false;
    }
    let body: String = rest[end + 5..]
        .lines()
        .take_while(|l| !l.starts_with("-----END"))
        .collect::<Vec<_>>()
        .concat();
    let material = body
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
        .count();
    material >= 64 && !body.contains("...")
}

/// An AWS access key id: `AKIA` and 16 upper-case letters or digits, as a whole word.
fn aws_access_key(value: &str) -> Option<&str> {
    let bytes = value.as_bytes();
    let mut from = 0;
    while let Some(pos) = value[from..].find("AKIA") {
        let start = from + pos;
        let end = start + 20;
        from = start + 4;
        if end > bytes.len() {
            break;
        }
        let candidate = &value[start..end];
        let id_char = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        let bounded = (start == 0 || !bytes[start - 1].is_ascii_alphanumeric())
            && (end == bytes.len() || !bytes[end].is_ascii_alphanumeric());
        if bounded && candidate.bytes().all(id_char) && candidate != "AKIAIOSFODNN7EXAMPLE" {
            return Some(candidate);
        }
    }
    None
}

/// The first `key=value` or `key: value` line of a configuration file whose key names a secret
/// and whose value is a literal: (key, line number within the value, 1-based).
fn secret_line(value: &str) -> Option<(&str, usize)> {
    value.lines().enumerate().find_map(|(i, line)| {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with("//") || line.starts_with(';') {
            return None;
        }
        let (key, val) = match (line.find('='), line.find(": ")) {
            (Some(e), Some(c)) => line.split_at(e.min(c)),
            (Some(e), None) => line.split_at(e),
            (None, Some(c)) => line.split_at(c),
            (None, None) => return None,
        };
        let key = key.trim().trim_start_matches("export ").trim_matches('"');
        // nsswitch.conf names its databases `passwd:` and `shadow:`.
        if key == "passwd" {
            return None;
        }
        let val = val[1..].trim().trim_end_matches(',').trim_end_matches(';');
        (!key.is_empty()
            && !key.contains(char::is_whitespace)
            && secret_key(key)
            && literal_secret(key, val))
        .then_some((key, i + 1))
    })
}

impl Rule for SensitiveConfigmapContent {
    fn check_object<'d>(
        &self,
        object: &Object<'d>,
        _options: &Options,
        out: &mut Vec<Finding<'d>>,
    ) {
        if object.kind != "ConfigMap" || !crate::k8s::group_of(object.api_version).is_empty() {
            return;
        }
        let Some(data) = object.root.get("data") else {
            return;
        };
        let name = object.name.unwrap_or("?");
        for (key_node, value_node) in data.entries() {
            let (Some(key), Some(value)) = (key_node.key_text(), value_node.raw()) else {
                continue;
            };
            if value_node.is_null() {
                continue;
            }
            let what = if private_key(value) {
                format!("a PEM private key in `{key}`")
            } else if let Some(id) = aws_access_key(value) {
                format!("an AWS access key id (`{id}`) in `{key}`")
            } else if !value.contains('\n') && secret_key(key) && literal_secret(key, value) {
                format!("a literal value under `{key}`, a key that names a secret")
            } else if let Some((line_key, line)) =
                secret_line(value).filter(|_| value.contains('\n'))
            {
                format!("a literal `{line_key}` in `{key}` (line {line} of the value)")
            } else {
                continue;
            };
            out.push(
                Finding::new(
                    value_node,
                    format!(
                        "ConfigMap `{name}` holds {what}: ConfigMaps are readable by \
                         every subject with `view`, printed by `kubectl describe` and unencrypted \
                         in etcd, and the value is in the repository"
                    ),
                )
                .help(format!(
                    "move `{key}` to a Secret (created out of band or by an external-secrets \
                     operator, not committed) and reference it with `secretKeyRef` or a secret \
                     volume; rotate the value, it has been exposed"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for k in [
            "password",
            "DB_PASSWORD",
            "clientSecret",
            "api-key",
            "apiKey",
            "auth.token",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            assert!(secret_key(k), "{k}");
        }
        for k in [
            "password-file",
            "secret-name",
            "tokenTTL",
            "token_path",
            "key",
            "monkey",
            "passwordMinLength",
        ] {
            assert!(!secret_key(k), "{k}");
        }
    }

    #[test]
    fn literals_and_placeholders() {
        assert!(literal_secret("password", "s3cr3t-Pa55"));
        for v in [
            "",
            "changeme",
            "<password>",
            "${DB_PASSWORD}",
            "{{ .Values.p }}",
            "xxxxxx",
            "/etc/secret",
            "true",
            "my password here",
            "password123",
        ] {
            assert!(!literal_secret("password", v), "{v}");
        }
    }

    #[test]
    fn aws_keys() {
        assert_eq!(
            aws_access_key("id=AKIAABCDEFGHIJKLMNOP"),
            Some("AKIAABCDEFGHIJKLMNOP")
        );
        assert_eq!(aws_access_key("AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(aws_access_key("XAKIAABCDEFGHIJKLMNOP"), None);
    }
}
