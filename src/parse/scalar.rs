//! Plain-scalar resolution as Kubernetes reads YAML.
//!
//! `kubectl` and the API server decode YAML through sigs.k8s.io/yaml, which uses go-yaml v2:
//! YAML 1.1 booleans (`yes`, `on`, `y`), octal `0644`, hex, binary and `_` separators. A
//! linter that resolves `0644` as the decimal 644 would disagree with the cluster, so we
//! follow go-yaml v2 rather than the YAML 1.2 core schema saphyr itself would apply.

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str,
}

/// Resolves an untagged plain scalar.
pub fn resolve_plain(raw: &str) -> ScalarValue {
    match raw {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarValue::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return ScalarValue::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return ScalarValue::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return ScalarValue::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return ScalarValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return ScalarValue::Float(f64::NAN),
        _ => {}
    }
    let first = raw.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return ScalarValue::Str;
    }
    if let Some(i) = parse_int(raw) {
        return ScalarValue::Int(i);
    }
    if is_float(raw) {
        let cleaned: String = raw.chars().filter(|&c| c != '_').collect();
        if let Ok(f) = cleaned.parse::<f64>() {
            return ScalarValue::Float(f);
        }
    }
    ScalarValue::Str
}

/// Resolves a scalar carrying an explicit core tag (`!!int "8080"`).
pub fn resolve_tagged(raw: &str, suffix: &str) -> ScalarValue {
    match suffix {
        "str" => ScalarValue::Str,
        "null" => ScalarValue::Null,
        "bool" | "int" | "float" => match resolve_plain(raw) {
            ScalarValue::Str | ScalarValue::Null => ScalarValue::Str,
            v => v,
        },
        _ => ScalarValue::Str,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` after go-yaml removed the `_` separators.
fn parse_int(raw: &str) -> Option<i64> {
    let cleaned: String;
    let s = if raw.contains('_') {
        cleaned = raw.chars().filter(|&c| c != '_').collect();
        cleaned.as_str()
    } else {
        raw
    };
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, h)
    } else if let Some(b) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, b)
    } else if let Some(o) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, o)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// go-yaml v2's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`,
/// with `_` separators allowed in the digits.
fn is_float(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && (b[*i].is_ascii_digit() || b[*i] == b'_') {
            *i += 1;
        }
        *i > start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    } else {
        if !digits(&mut i) {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScalarValue::*;

    #[test]
    fn follows_go_yaml_v2() {
        assert_eq!(resolve_plain("0644"), Int(420));
        assert_eq!(resolve_plain("0x1F"), Int(31));
        assert_eq!(resolve_plain("0b101"), Int(5));
        assert_eq!(resolve_plain("1_000"), Int(1000));
        assert_eq!(resolve_plain("-42"), Int(-42));
        assert_eq!(resolve_plain("8080"), Int(8080));
        assert_eq!(resolve_plain("yes"), Bool(true));
        assert_eq!(resolve_plain("Off"), Bool(false));
        assert_eq!(resolve_plain("~"), Null);
        assert_eq!(resolve_plain("1.5"), Float(1.5));
        assert_eq!(resolve_plain("129e6"), Float(129e6));
        assert_eq!(resolve_plain("09"), Float(9.0));
        assert_eq!(resolve_plain("1.2.3"), Str);
        assert_eq!(resolve_plain("500m"), Str);
        assert_eq!(resolve_plain("http"), Str);
        assert_eq!(resolve_plain("-"), Str);
        assert_eq!(resolve_plain("99999999999999999999"), Float(1e20));
    }

    #[test]
    fn explicit_tags_win() {
        assert_eq!(resolve_tagged("8080", "str"), Str);
        assert_eq!(resolve_tagged("8080", "int"), Int(8080));
    }
}
