//! Kubernetes minor versions.

/// A Kubernetes minor version, such as 1.33.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

impl KubeVersion {
    /// The version rules target unless told otherwise: the newest one kubelint knows.
    pub const NEWEST: KubeVersion = KubeVersion {
        major: 1,
        minor: 37,
    };

    /// `1.33`, `v1.33`, or a release such as `1.33.4` (the patch release does not matter).
    pub fn parse(text: &str) -> Option<KubeVersion> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let mut parts = text.split('.');
        let (major, minor) = (parts.next()?, parts.next()?);
        let patch = parts.next();
        if parts.next().is_some() || patch.is_some_and(|p| p.parse::<u32>().is_err()) {
            return None;
        }
        Some(KubeVersion {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion::NEWEST
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::KubeVersion;

    #[test]
    fn versions_parse_and_order_by_number() {
        let v = |text| KubeVersion::parse(text);
        assert_eq!(
            v("1.33"),
            Some(KubeVersion {
                major: 1,
                minor: 33
            })
        );
        assert_eq!(v("v1.33.4"), v("1.33"));
        assert_eq!(v("1.9").map(|v| v.to_string()).as_deref(), Some("1.9"));
        assert!(v("1.9") < v("1.10"));
        for bad in ["1", "1.x", "1.33.x", "1.33.4.5", ""] {
            assert_eq!(v(bad), None, "{bad}");
        }
    }
}
