//! Kubernetes resource quantities (`500m`, `1Gi`, `129e6`), compared exactly.
//!
//! The API server keeps quantities as exact decimals; comparing floats would call `0.1` and
//! `100m` different or `1Gi` and `1073741824` equal only by luck. We hold a quantity as an
//! integer count of nano-units, which represents every suffix exactly; a value finer than a
//! nano-unit rounds up, as the API server's canonical form does.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    nanos: i128,
}

impl Quantity {
    pub const ZERO: Quantity = Quantity { nanos: 0 };

    /// The quantity as a count of nano-units (`1` is 10⁹): the exact value CEL's quantity
    /// arithmetic works on.
    pub fn nanos(self) -> i128 {
        self.nanos
    }

    pub fn from_nanos(nanos: i128) -> Quantity {
        Quantity { nanos }
    }

    pub fn parse(text: &str) -> Option<Quantity> {
        let s = text.trim();
        let (negative, s) = match s.as_bytes().first()? {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let number_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (number, suffix) = s.split_at(number_end);
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        if (int_part.is_empty() && frac_part.is_empty()) || frac_part.contains('.') {
            return None;
        }
        let (mut exp10, binary_shift): (i32, u32) = match suffix {
            "" => (0, 0),
            "n" => (-9, 0),
            "u" => (-6, 0),
            "m" => (-3, 0),
            "k" => (3, 0),
            "M" => (6, 0),
            "G" => (9, 0),
            "T" => (12, 0),
            "P" => (15, 0),
            "E" => (18, 0),
            "Ki" => (0, 10),
            "Mi" => (0, 20),
            "Gi" => (0, 30),
            "Ti" => (0, 40),
            "Pi" => (0, 50),
            "Ei" => (0, 60),
            s if s.starts_with(['e', 'E']) => (s[1..].parse::<i32>().ok()?, 0),
            _ => return None,
        };
        let mut mantissa: i128 = 0;
        for c in int_part.chars().chain(frac_part.chars()) {
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(c.to_digit(10)? as i128)?;
        }
        // Scale to nano-units; an absurd exponent (`1e2147483647`) is no quantity.
        exp10 = exp10
            .checked_sub(i32::try_from(frac_part.len()).ok()?)?
            .checked_add(9)?;
        let mut nanos = mantissa.checked_mul(1i128.checked_shl(binary_shift)?)?;
        if exp10 >= 0 {
            nanos = nanos.checked_mul(10i128.checked_pow(exp10 as u32)?)?;
        } else {
            let divisor = 10i128
                .checked_pow(exp10.unsigned_abs())
                .unwrap_or(i128::MAX);
            nanos = nanos / divisor + i128::from(nanos % divisor != 0);
        }
        Some(Quantity {
            nanos: if negative { -nanos } else { nanos },
        })
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    pub fn is_positive(&self) -> bool {
        self.nanos > 0
    }

    pub fn saturating_add(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
        }
    }
}

/// What the `invalid-resources` rule asks of a quantity: its sign, whether it is whole, and
/// divisibility by a hugepage size.
impl Quantity {
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// A whole number of units (`2`, `1k`), as extended resources must be.
    pub fn is_integer(&self) -> bool {
        self.nanos % 1_000_000_000 == 0
    }

    /// Whether the quantity is a whole multiple of `unit` (a positive page size).
    pub fn is_multiple_of(&self, unit: Quantity) -> bool {
        unit.nanos > 0 && self.nanos % unit.nanos == 0
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn equal_forms_compare_equal() {
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1Gi"), q("1073741824"));
        assert_eq!(q("129e6"), q("129M"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q("0.1"), q("100m"));
        assert_eq!(q("1E3"), q("1k"));
        assert!(q("1G") < q("1Gi"));
        assert!(q("0").is_zero());
        assert!(q("1n").is_positive());
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        for bad in [
            "",
            "abc",
            "1.2.3",
            "1Gb",
            "Mi",
            "1 Gi",
            "--1",
            // Exponents that overflow: no quantity, never a panic.
            "1e2147483647",
            "1.5e-2147483648",
        ] {
            assert!(Quantity::parse(bad).is_none(), "{bad}");
        }
    }
}
