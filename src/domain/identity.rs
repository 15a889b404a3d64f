//! Identity documents of applicants (art. 29: the applicant's identity document is required).
//!
//! The number is checked where the document has a published checksum, normalised so that the
//! same document always matches (RULES §1: same number = same applicant), and masked for display.

use chrono::Datelike;

use super::str_enum;

str_enum! {
    pub enum IdDocumentType {
        /// 居民身份证 (GB 11643-1999, 18 characters with an ISO 7064 MOD 11-2 check character).
        ResidentIdCard = "resident_id_card",
        /// 统一社会信用代码 (GB 32100-2015, 18 characters with a mod-31 check character).
        UnifiedSocialCreditCode = "unified_social_credit_code",
        Passport = "passport",
        /// 港澳居民来往内地通行证
        HkMacaoPermit = "hk_macao_permit",
        /// 台湾居民来往大陆通行证
        TaiwanPermit = "taiwan_permit",
        /// 外国人永久居留身份证
        ForeignPermanentResidentId = "foreign_permanent_resident_id",
        Other = "other",
    }
}

impl IdDocumentType {
    /// Whether an applicant of this kind may present this document.
    pub fn fits(self, organisation: bool) -> bool {
        match self {
            Self::UnifiedSocialCreditCode => organisation,
            Self::Other => true,
            _ => !organisation,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("the number must be {0} characters long")]
    Length(usize),
    #[error("the number must be 4 to 32 characters long")]
    LengthRange,
    #[error("the number contains characters this document does not use")]
    Characters,
    #[error("the date of birth in the number is not a real date")]
    BirthDate,
    #[error("the check character does not match: the number is mistyped")]
    Checksum,
}

/// An identity document's number, normalised once and checked against its document type
/// (art. 29). It is never shown nor stored: `Debug` prints the masked form, there is no
/// `Display`, and it leaves only as `masked()` or as the keyed hash (`SecretKey::identity_hash`).
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber {
    doc: IdDocumentType,
    number: String,
}

impl IdNumber {
    /// Normalises the number as typed and checks it (length, characters, check character).
    pub fn parse(doc: IdDocumentType, raw: &str) -> Result<Self, IdNumberError> {
        let number = normalise(raw);
        validate(doc, &number)?;
        Ok(Self { doc, number })
    }

    /// Normalised but not checked: to look a number up (a mistyped one then matches nothing)
    /// or to rate-limit by it before the form is checked.
    pub fn unchecked(doc: IdDocumentType, raw: &str) -> Self {
        Self {
            doc,
            number: normalise(raw),
        }
    }

    pub fn doc_type(&self) -> IdDocumentType {
        self.doc
    }

    /// The form shown and stored, e.g. `1101**********1234`.
    pub fn masked(&self) -> String {
        mask(&self.number)
    }

    /// The normalised number itself: for the keyed hash only (crate::security).
    pub(crate) fn normalised(&self) -> &str {
        &self.number
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({}, {})", self.doc, self.masked())
    }
}

/// Upper-cases and strips spaces, so that "11010519491231002x " and "11010519491231002X" match.
pub fn normalise(number: &str) -> String {
    number
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Validates a normalised number for its document type.
pub fn validate(doc: IdDocumentType, number: &str) -> Result<(), IdNumberError> {
    match doc {
        IdDocumentType::ResidentIdCard => validate_resident_id(number),
        IdDocumentType::UnifiedSocialCreditCode => validate_uscc(number),
        _ => {
            let n = number.chars().count();
            if !(4..=32).contains(&n) {
                return Err(IdNumberError::LengthRange);
            }
            if !number
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(IdNumberError::Characters);
            }
            Ok(())
        }
    }
}

fn validate_resident_id(n: &str) -> Result<(), IdNumberError> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = n.as_bytes();
    if b.len() != 18 {
        return Err(IdNumberError::Length(18));
    }
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err(IdNumberError::Characters);
    }
    let (y, m, d) = (&n[6..10], &n[10..12], &n[12..14]);
    let date = chrono::NaiveDate::from_ymd_opt(
        y.parse().unwrap_or(0),
        m.parse().unwrap_or(0),
        d.parse().unwrap_or(0),
    );
    if !matches!(date, Some(d) if d.year_ce().1 >= 1900) {
        return Err(IdNumberError::BirthDate);
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    if CHECK[(sum % 11) as usize] != b[17] {
        return Err(IdNumberError::Checksum);
    }
    Ok(())
}

fn validate_uscc(n: &str) -> Result<(), IdNumberError> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    if n.len() != 18 {
        return Err(IdNumberError::Length(18));
    }
    let values: Option<Vec<usize>> = n.chars().map(|c| ALPHABET.find(c)).collect();
    let values = values.ok_or(IdNumberError::Characters)?;
    let sum: usize = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    if (31 - sum % 31) % 31 != values[17] {
        return Err(IdNumberError::Checksum);
    }
    Ok(())
}

/// Shows a quarter of the number at each end at most four characters, e.g. `1101**********1234`.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let keep = (chars.len() / 4).min(4);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep || i >= chars.len() - keep {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_checksum() {
        assert_eq!(
            validate(IdDocumentType::ResidentIdCard, "11010519491231002X"),
            Ok(())
        );
        assert_eq!(
            validate(IdDocumentType::ResidentIdCard, "110101199003077758"),
            Ok(())
        );
        assert_eq!(
            validate(IdDocumentType::ResidentIdCard, "110101199003077757"),
            Err(IdNumberError::Checksum)
        );
        assert_eq!(
            validate(IdDocumentType::ResidentIdCard, "110101199002307753"),
            Err(IdNumberError::BirthDate)
        );
        assert_eq!(
            validate(IdDocumentType::ResidentIdCard, "1101011990030777"),
            Err(IdNumberError::Length(18))
        );
        assert_eq!(
            validate(IdDocumentType::ResidentIdCard, "11010119900307775A"),
            Err(IdNumberError::Characters)
        );
    }

    #[test]
    fn social_credit_code_checksum() {
        assert_eq!(
            validate(
                IdDocumentType::UnifiedSocialCreditCode,
                "91350100M000100Y43"
            ),
            Ok(())
        );
        assert_eq!(
            validate(
                IdDocumentType::UnifiedSocialCreditCode,
                "91350100M000100Y44"
            ),
            Err(IdNumberError::Checksum)
        );
        // I, O, S, V and Z are not in the code's alphabet.
        assert_eq!(
            validate(
                IdDocumentType::UnifiedSocialCreditCode,
                "91350100M000100I43"
            ),
            Err(IdNumberError::Characters)
        );
    }

    #[test]
    fn normalising_and_masking() {
        assert_eq!(normalise(" 11010519491231002x "), "11010519491231002X");
        assert_eq!(mask("110105194912311234"), "1101**********1234");
        assert_eq!(mask("E12345678"), "E1*****78");
        assert_eq!(mask("AB12"), "A**2");
    }

    #[test]
    fn id_number_is_parsed_once_and_never_printed() {
        let n = IdNumber::parse(IdDocumentType::ResidentIdCard, " 11010519491231002x ").unwrap();
        assert_eq!(n.masked(), "1101**********002X");
        let debug = format!("{n:?}");
        assert!(!debug.contains("11010519491231002X"), "{debug}");
        assert!(debug.contains("1101**********002X"), "{debug}");
        assert_eq!(
            IdNumber::parse(IdDocumentType::ResidentIdCard, "110101199003077757"),
            Err(IdNumberError::Checksum)
        );
        assert_eq!(
            IdNumber::unchecked(IdDocumentType::ResidentIdCard, "11010519491231002x"),
            n
        );
    }

    #[test]
    fn documents_fit_applicant_kind() {
        assert!(IdDocumentType::UnifiedSocialCreditCode.fits(true));
        assert!(!IdDocumentType::UnifiedSocialCreditCode.fits(false));
        assert!(!IdDocumentType::ResidentIdCard.fits(true));
        assert!(IdDocumentType::Other.fits(true) && IdDocumentType::Other.fits(false));
    }
}
