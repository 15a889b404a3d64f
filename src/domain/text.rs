//! What a person's text must be to be taken: visible, on one line where it heads an e-mail,
//! and an address the mailer can use. Pure checks, used by the forms and the workflow inputs.

/// Characters that show nothing on their own: whitespace, controls, and format characters
/// (zero-width spaces and joiners, bidirectional controls, the byte order mark, soft hyphen,
/// variation selectors, tags, Hangul fillers, the blank Braille pattern).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Text that shows something: not only whitespace or invisible characters.
pub fn visible_text(text: &str) -> Result<(), validator::ValidationError> {
    if text.chars().all(is_invisible) {
        return Err(validator::ValidationError::new("blank").with_message(
            "must contain visible characters, not only spaces or invisible ones".into(),
        ));
    }
    Ok(())
}

/// A text a person writes out (a statement, a description, the reasons): 1 to 10,000
/// characters, some of them visible.
pub fn written_text(text: &str) -> Result<(), validator::ValidationError> {
    sized(text, 10_000)
}

/// A reason given with a step (an extension, a waiver, a longer period): 1 to 2,000 characters.
pub fn reason_text(text: &str) -> Result<(), validator::ValidationError> {
    sized(text, 2_000)
}

/// A short label a clerk gives or picks (a consultation's id): 1 to 64 characters.
pub fn label_text(text: &str) -> Result<(), validator::ValidationError> {
    sized(text, 64)
}

/// Validator's `length(min = 1, max)` (same code and parameters, so the same message) and then
/// `visible_text`: one rule instead of the same two attributes on every such field.
fn sized(text: &str, max: u64) -> Result<(), validator::ValidationError> {
    let n = text.chars().count() as u64;
    if !(1..=max).contains(&n) {
        let mut e = validator::ValidationError::new("length");
        e.add_param("min".into(), &1u64);
        e.add_param("max".into(), &max);
        return Err(e);
    }
    visible_text(text)
}

/// A name or number on one line: visible, and without control characters (CR, LF, tab…):
/// a name may head an e-mail, where a line break would start a header of its own.
pub fn one_line_text(text: &str) -> Result<(), validator::ValidationError> {
    visible_text(text)?;
    if text.chars().any(char::is_control) {
        return Err(validator::ValidationError::new("control_character")
            .with_message("must be one line, without control characters".into()));
    }
    Ok(())
}

/// An address the mailer can deliver to: what validator's `email` accepts is not always an
/// address lettre can put in a header, and a notice that can never go must not be queued.
pub fn mail_address(address: &str) -> Result<(), validator::ValidationError> {
    match address.parse::<lettre::Address>() {
        Ok(_) => Ok(()),
        Err(_) => Err(validator::ValidationError::new("email")
            .with_message("is not an e-mail address the mailer can use".into())),
    }
}
