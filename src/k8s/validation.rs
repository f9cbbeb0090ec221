//! The API server's syntax rules for names, label keys and values, port names and the like
//! (`k8s.io/apimachinery/pkg/util/validation` and `pkg/apis/core/validation`), with its
//! wording, so a finding reads as the error `kubectl apply` would print.
//!
//! Each function returns the reasons a value is refused; an empty list means it is valid.
//! The character classes are checked by hand rather than by regex: these run on every name
//! and label of every object.

/// The longest DNS-1123 or DNS-1035 label.
pub const DNS1123_LABEL_MAX: usize = 63;
/// The longest DNS-1123 subdomain.
pub const DNS1123_SUBDOMAIN_MAX: usize = 253;
/// The longest label value, and the name part of a qualified name.
pub const LABEL_VALUE_MAX: usize = 63;
/// The longest IANA service name (a port name).
pub const PORT_NAME_MAX: usize = 15;
/// The largest total size of an object's annotations (keys and values), in bytes.
pub const ANNOTATIONS_TOTAL_MAX: usize = 256 * 1024;

fn max_len(max: usize) -> String {
    format!("must be no more than {max} characters")
}

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, without the length limit.
fn is_label_shape(value: &str) -> bool {
    let (Some(first), Some(last)) = (value.chars().next(), value.chars().last()) else {
        return false;
    };
    is_lower_alnum(first)
        && is_lower_alnum(last)
        && value.chars().all(|c| is_lower_alnum(c) || c == '-')
}

/// A lowercase RFC 1123 label: the names of Namespaces, containers, volumes, ports' owners…
pub fn dns1123_label(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1123_LABEL_MAX {
        errors.push(max_len(DNS1123_LABEL_MAX));
    }
    if !is_label_shape(value) {
        errors.push(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')"
                .to_owned(),
        );
    }
    errors
}

/// A lowercase RFC 1123 subdomain: the names of most objects.
pub fn dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX {
        errors.push(max_len(DNS1123_SUBDOMAIN_MAX));
    }
    if !value.split('.').all(is_label_shape) {
        errors.push(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"
                .to_owned(),
        );
    }
    errors
}

/// A DNS-1035 label: a Service's name (it becomes a DNS name and environment variables, so
/// it may not start with a digit).
pub fn dns1035_label(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1123_LABEL_MAX {
        errors.push(max_len(DNS1123_LABEL_MAX));
    }
    let starts_with_letter = value.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if !starts_with_letter || !is_label_shape(value) {
        errors.push(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')"
                .to_owned(),
        );
    }
    errors
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`: the name part of a qualified name, and a
/// non-empty label value.
fn is_qualified_shape(value: &str) -> bool {
    let (Some(first), Some(last)) = (value.chars().next(), value.chars().last()) else {
        return false;
    };
    first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A qualified name: a label key or annotation key, `[prefix/]name`, where the prefix is a
/// DNS subdomain and the name at most 63 characters.
pub fn qualified_name(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let (prefix, name) = match value.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, value),
    };
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            errors.push("prefix part must be non-empty".to_owned());
        } else {
            errors.extend(
                dns1123_subdomain(prefix)
                    .into_iter()
                    .map(|e| format!("prefix part {e}")),
            );
        }
    }
    if name.contains('/') {
        errors.push(
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
                .to_owned(),
        );
        return errors;
    }
    if name.is_empty() {
        errors.push("name part must be non-empty".to_owned());
        return errors;
    }
    if name.len() > LABEL_VALUE_MAX {
        errors.push(format!("name part {}", max_len(LABEL_VALUE_MAX)));
    }
    if !is_qualified_shape(name) {
        errors.push(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')"
                .to_owned(),
        );
    }
    errors
}

/// A label value: empty, or at most 63 characters of the qualified name's shape.
pub fn label_value(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > LABEL_VALUE_MAX {
        errors.push(max_len(LABEL_VALUE_MAX));
    }
    if !value.is_empty() && !is_qualified_shape(value) {
        errors.push(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')"
                .to_owned(),
        );
    }
    errors
}

/// An IANA service name, which is what a port name must be: at most 15 characters of
/// `a-z`, `0-9` and `-`, with a letter, no `--`, and no hyphen at either end.
pub fn port_name(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > PORT_NAME_MAX {
        errors.push(max_len(PORT_NAME_MAX));
    }
    if !value.chars().all(|c| is_lower_alnum(c) || c == '-') {
        errors.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_owned(),
        );
    }
    if value.contains("--") {
        errors.push("must not contain consecutive hyphens".to_owned());
    }
    if !value.chars().any(|c| c.is_ascii_lowercase()) {
        errors.push("must contain at least one letter (a-z)".to_owned());
    }
    if value.starts_with('-') || value.ends_with('-') {
        errors.push("must not begin or end with a hyphen".to_owned());
    }
    errors
}

/// A port number: 1 to 65535.
pub fn port_number(value: i64) -> Vec<String> {
    if (1..=65535).contains(&value) {
        Vec::new()
    } else {
        vec!["must be between 1 and 65535, inclusive".to_owned()]
    }
}

/// The release whose API server accepts any printable ASCII but `=` in an environment
/// variable's name (RelaxedEnvironmentVariableValidation, on by default from 1.32, GA in
/// 1.34).
pub const RELAXED_ENV_VAR_NAMES_SINCE: (u32, u32) = (1, 32);

/// An environment variable's name. Before `RELAXED_ENV_VAR_NAMES_SINCE`: letters, digits,
/// `_`, `-` and `.`, not starting with a digit; from it on: printable ASCII but `=`.
pub fn env_var_name(value: &str, relaxed: bool) -> Vec<String> {
    if value.is_empty() {
        return vec!["must be non-empty".to_owned()];
    }
    if relaxed {
        if value.chars().all(|c| (' '..='~').contains(&c) && c != '=') {
            return Vec::new();
        }
        return vec!["a valid environment variable name must consist only of printable ASCII characters other than '='".to_owned()];
    }
    let valid = !value.starts_with(|c: char| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if valid {
        Vec::new()
    } else {
        vec![
            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
                .to_owned(),
        ]
    }
}

/// A name that must be a path segment (RBAC roles and bindings, whose names such as
/// `system:controller:foo` are not DNS names): not `.` or `..`, and no `/` or `%`.
pub fn path_segment_name(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value == "." || value == ".." {
        errors.push(format!("may not be '{value}'"));
    }
    for bad in ['/', '%'] {
        if value.contains(bad) {
            errors.push(format!("may not contain '{bad}'"));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_subdomains_follow_rfc_1123() {
        assert!(dns1123_label("my-app-2").is_empty());
        assert!(dns1123_label("123-abc").is_empty());
        assert!(!dns1123_label("My-App").is_empty());
        assert!(!dns1123_label("app-").is_empty());
        assert!(!dns1123_label("a.b").is_empty());
        assert!(!dns1123_label("").is_empty());
        assert_eq!(
            dns1123_label(&"a".repeat(64)),
            vec!["must be no more than 63 characters"]
        );
        assert!(dns1123_subdomain("example.com").is_empty());
        assert!(!dns1123_subdomain("example..com").is_empty());
        assert!(!dns1123_subdomain("example.com.").is_empty());
        assert!(!dns1123_subdomain("under_score").is_empty());
    }

    #[test]
    fn a_service_name_may_not_start_with_a_digit() {
        assert!(dns1035_label("web").is_empty());
        assert!(!dns1035_label("1web").is_empty());
        assert!(!dns1035_label("-web").is_empty());
    }

    #[test]
    fn qualified_names_take_an_optional_subdomain_prefix() {
        assert!(qualified_name("app.kubernetes.io/name").is_empty());
        assert!(qualified_name("MyName").is_empty());
        assert!(qualified_name("my_name.v2").is_empty());
        assert_eq!(
            qualified_name("/name"),
            vec!["prefix part must be non-empty"]
        );
        assert!(!qualified_name("Example.com/name").is_empty());
        assert!(!qualified_name("a/b/c").is_empty());
        assert!(!qualified_name("example.com/").is_empty());
        assert!(!qualified_name(&"n".repeat(64)).is_empty());
        assert!(!qualified_name("-name").is_empty());
    }

    #[test]
    fn label_values_may_be_empty_but_not_malformed() {
        assert!(label_value("").is_empty());
        assert!(label_value("v1.2_3-x").is_empty());
        assert!(!label_value("v1 ").is_empty());
        assert!(!label_value("a/b").is_empty());
        assert!(!label_value(&"v".repeat(64)).is_empty());
    }

    #[test]
    fn port_names_are_iana_service_names() {
        assert!(port_name("http").is_empty());
        assert!(port_name("http-metrics").is_empty());
        assert!(port_name("h2c").is_empty());
        assert_eq!(
            port_name("prometheus-metrics"),
            vec!["must be no more than 15 characters"]
        );
        assert_eq!(
            port_name("8080"),
            vec!["must contain at least one letter (a-z)"]
        );
        assert_eq!(
            port_name("grpc--web"),
            vec!["must not contain consecutive hyphens"]
        );
        assert_eq!(
            port_name("-http"),
            vec!["must not begin or end with a hyphen"]
        );
        assert!(!port_name("HTTP").is_empty());
        assert!(!port_name("http_alt").is_empty());
    }

    #[test]
    fn port_numbers_are_between_1_and_65535() {
        assert!(port_number(1).is_empty());
        assert!(port_number(65535).is_empty());
        assert!(!port_number(0).is_empty());
        assert!(!port_number(65536).is_empty());
    }

    #[test]
    fn env_var_names_are_relaxed_from_1_32() {
        assert!(env_var_name("JAVA_OPTS", false).is_empty());
        assert!(env_var_name("my.var-1", false).is_empty());
        assert!(!env_var_name("1VAR", false).is_empty());
        assert!(!env_var_name("MY VAR", false).is_empty());
        assert!(env_var_name("1VAR", true).is_empty());
        assert!(env_var_name("MY VAR", true).is_empty());
        assert!(!env_var_name("A=B", true).is_empty());
        assert!(!env_var_name("", true).is_empty());
    }

    #[test]
    fn rbac_names_are_path_segments() {
        assert!(path_segment_name("system:controller:job-controller").is_empty());
        assert!(!path_segment_name("..").is_empty());
        assert!(!path_segment_name("a/b").is_empty());
    }
}

// IP addresses and CIDRs, as the API server parses them in its legacy fields (Service
// `clusterIP`, `externalIPs`, `loadBalancerSourceRanges`, NetworkPolicy `ipBlock`): Go's
// `net.ParseIP` and `ParseCIDR` as k8s.io/utils/net's "sloppy" variants, which also take IPv4
// octets with leading zeros (read as decimal). `StrictIPCIDRValidation` is off by default.

/// An IP address, or `None` when the API server would not parse it.
pub fn parse_ip(value: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = value.parse::<std::net::IpAddr>() {
        return Some(ip);
    }
    let mut octets = [0u8; 4];
    let mut parts = value.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *octet = u8::try_from(part.parse::<u16>().ok()?).ok()?;
    }
    parts
        .next()
        .is_none()
        .then(|| std::net::IpAddr::from(octets))
}

/// A CIDR `address/prefix`: its address and prefix length, or `None` when the API server
/// would not parse it.
pub fn parse_cidr(value: &str) -> Option<(std::net::IpAddr, u8)> {
    let (ip, prefix) = value.split_once('/')?;
    let ip = parse_ip(ip)?;
    if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let prefix: u8 = prefix.parse().ok()?;
    let bits = if ip.is_ipv4() { 32 } else { 128 };
    (prefix <= bits).then_some((ip, prefix))
}

/// The reasons an IP address is refused: `IsValidIPForLegacyField`.
pub fn ip_address(value: &str) -> Vec<String> {
    if parse_ip(value).is_some() {
        Vec::new()
    } else {
        vec!["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)".to_owned()]
    }
}

/// The reasons a CIDR is refused: `IsValidCIDRForLegacyField`.
pub fn cidr(value: &str) -> Vec<String> {
    if parse_cidr(value).is_some() {
        Vec::new()
    } else {
        vec!["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)".to_owned()]
    }
}

/// A wildcard DNS-1123 subdomain, as an Ingress host may be: `*.` and a subdomain.
pub fn wildcard_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > DNS1123_SUBDOMAIN_MAX {
        errors.push(max_len(DNS1123_SUBDOMAIN_MAX));
    }
    let valid = value
        .strip_prefix("*.")
        .is_some_and(|rest| rest.split('.').all(is_label_shape));
    if !valid {
        errors.push(
            "a wildcard RFC 1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com')"
                .to_owned(),
        );
    }
    errors
}

#[cfg(test)]
mod ip_tests {
    use super::*;

    #[test]
    fn ips_and_cidrs_parse_as_the_api_server_parses_them() {
        assert!(ip_address("10.0.0.1").is_empty());
        assert!(ip_address("010.000.000.001").is_empty());
        assert!(ip_address("2001:db8::1").is_empty());
        assert!(!ip_address("10.0.0").is_empty());
        assert!(!ip_address("10.0.0.256").is_empty());
        assert!(!ip_address("example.com").is_empty());
        assert!(cidr("10.0.0.0/8").is_empty());
        assert!(cidr("0.0.0.0/0").is_empty());
        assert!(cidr("2001:db8::/64").is_empty());
        assert!(!cidr("10.0.0.0").is_empty());
        assert!(!cidr("10.0.0.0/33").is_empty());
        assert!(!cidr("10.0.0.0/").is_empty());
    }

    #[test]
    fn wildcard_subdomains_start_with_one_star_label() {
        assert!(wildcard_dns1123_subdomain("*.example.com").is_empty());
        assert!(!wildcard_dns1123_subdomain("*.*.example.com").is_empty());
        assert!(!wildcard_dns1123_subdomain("foo.*.example.com").is_empty());
        assert!(!wildcard_dns1123_subdomain("*example.com").is_empty());
    }
}
