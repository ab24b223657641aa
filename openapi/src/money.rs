//! Money without floating point.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// An amount in US dollars, held as whole cents.
///
/// On the wire it is a JSON number with at most two decimals (`9.99`); a value with more
/// decimals, a negative value or one above [`Money::MAX_CENTS`] is refused when decoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    cents: i64,
}

impl Money {
    /// The largest accepted amount: 100,000.00.
    pub const MAX_CENTS: i64 = 10_000_000;
    /// Zero.
    pub const ZERO: Money = Money { cents: 0 };

    /// An amount from whole cents.
    pub const fn from_cents(cents: i64) -> Money {
        Money { cents }
    }

    /// The amount in whole cents.
    pub const fn cents(self) -> i64 {
        self.cents
    }

    /// Whether the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.cents == 0
    }

    /// Parses `"9.99"`, `"10"` or `"0.5"`; refuses signs, exponents and a third decimal.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, f),
            None => (text, ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotADecimal);
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotADecimal);
        }
        let frac_trimmed = frac.trim_end_matches('0');
        if frac_trimmed.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::TooLarge)?;
        let mut frac_cents: i64 = 0;
        for (i, b) in frac_trimmed.bytes().enumerate() {
            let digit = i64::from(b - b'0');
            frac_cents += if i == 0 { digit * 10 } else { digit };
        }
        let cents = whole
            .checked_mul(100)
            .and_then(|c| c.checked_add(frac_cents))
            .ok_or(MoneyError::TooLarge)?;
        if cents > Money::MAX_CENTS {
            return Err(MoneyError::TooLarge);
        }
        Ok(Money { cents })
    }

    /// The amount as a float, for display and analytics only.
    pub fn as_f64(self) -> f64 {
        self.cents as f64 / 100.0
    }
}

/// Why a number is not a valid amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Negative, not a number, or in exponent form.
    #[error("must be a non-negative decimal number")]
    NotADecimal,
    /// More than two decimals.
    #[error("must have at most two decimals")]
    TooManyDecimals,
    /// Above [`Money::MAX_CENTS`].
    #[error("must be at most 100000.00")]
    TooLarge,
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.cents / 100, self.cents % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = serde_json::Number::deserialize(deserializer)?;
        // Display of a finite f64 is its shortest round-trip form ("9.99", "1e21").
        Money::parse(&number.to_string()).map_err(de::Error::custom)
    }
}

impl JsonSchema for Money {
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "number",
            "minimum": 0,
            "maximum": 100000,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_two_decimals() {
        assert_eq!(Money::parse("9.99").unwrap().cents(), 999);
        assert_eq!(Money::parse("0.5").unwrap().cents(), 50);
        assert_eq!(Money::parse("10").unwrap().cents(), 1000);
        assert_eq!(Money::parse("1.50").unwrap().to_string(), "1.50");
        assert_eq!(Money::parse("2.100").unwrap().cents(), 210);
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        assert_eq!(Money::parse("9.999"), Err(MoneyError::TooManyDecimals));
        assert_eq!(Money::parse("-1"), Err(MoneyError::NotADecimal));
        assert_eq!(Money::parse("1e3"), Err(MoneyError::NotADecimal));
        assert_eq!(Money::parse("100000.01"), Err(MoneyError::TooLarge));
        assert_eq!(Money::parse(".5"), Err(MoneyError::NotADecimal));
    }

    #[test]
    fn round_trips_as_a_json_number() {
        let m: Money = serde_json::from_str("9.99").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "9.99");
        assert!(serde_json::from_str::<Money>("\"9.99\"").is_err());
    }
}
