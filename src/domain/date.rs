//! Dates as the API takes them: `YYYY-MM-DD` exactly (ISO 8601 calendar dates, four-digit year,
//! two-digit month and day). chrono's own parser also takes `2026-1-5` or `+2026-01-05`; a date
//! written two ways would make two readings of one request possible, so those are refused.
//!
//! Use with serde: `#[serde(with = "crate::domain::date::strict")]` on a `NaiveDate` field,
//! `#[serde(default, with = "crate::domain::date::strict_option")]` on an `Option<NaiveDate>`.

use chrono::NaiveDate;

/// What a refused date is told.
pub const EXPECTED: &str = "a date written YYYY-MM-DD";

/// `YYYY-MM-DD` and nothing else, and a day that exists.
pub fn parse(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

struct Visitor;

impl serde::de::Visitor<'_> for Visitor {
    type Value = NaiveDate;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<NaiveDate, E> {
        parse(s).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(s), &self))
    }
}

/// A required `NaiveDate` field.
pub mod strict {
    use chrono::NaiveDate;

    pub fn serialize<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(d, s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        d.deserialize_str(super::Visitor)
    }
}

/// An optional `NaiveDate` field (with `#[serde(default)]`, so that it may be left out).
pub mod strict_option {
    use chrono::NaiveDate;

    pub fn serialize<S: serde::Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(d, s)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        struct Opt;
        impl<'de> serde::de::Visitor<'de> for Opt {
            type Value = Option<NaiveDate>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(super::EXPECTED)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                d.deserialize_str(super::Visitor).map(Some)
            }
            // Query strings have no null: a value there is the date itself.
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
                super::Visitor.visit_str(s).map(Some)
            }
        }
        d.deserialize_option(Opt)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_yyyy_mm_dd_is_a_date() {
        assert!(super::parse("2026-01-05").is_some());
        for bad in [
            "2026-1-5",
            "2026-01-5",
            "+2026-01-05",
            "2026-02-30",
            " 2026-01-05",
            "20260105",
            "2026/01/05",
            "２０２６-01-05",
        ] {
            assert!(super::parse(bad).is_none(), "{bad}");
        }
    }
}
