//! Attachments (issue 17): which files a case may carry, known by their content and never by
//! their name; the size limits an upload is held to; who may attach what, and what an answer
//! delivers. Pure: the HTTP layer feeds it the first bytes of an upload and the running size,
//! the service the facts of the case and its files.

use serde::Serialize;

use super::str_enum;

str_enum! {
    /// The kinds of file an office or an applicant may attach: documents, scans and photos,
    /// plain text, and zip archives of them.
    pub enum Kind {
        Pdf = "pdf",
        Png = "png",
        Jpeg = "jpeg",
        Gif = "gif",
        Tiff = "tiff",
        Webp = "webp",
        /// Word, Excel and PowerPoint since 2007 (Office Open XML), and OpenDocument.
        Docx = "docx",
        Xlsx = "xlsx",
        Pptx = "pptx",
        Odf = "odf",
        /// Word, Excel and PowerPoint before 2007 (one compound-file format for the three).
        LegacyOffice = "legacy_office",
        /// UTF-8 text (a BOM allowed), without NUL bytes.
        Text = "text",
        Zip = "zip",
    }
}

impl Kind {
    /// The media type the file is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Gif => "image/gif",
            Self::Tiff => "image/tiff",
            Self::Webp => "image/webp",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Self::Odf => "application/vnd.oasis.opendocument",
            Self::LegacyOffice => "application/x-ole-storage",
            Self::Text => "text/plain; charset=utf-8",
            Self::Zip => "application/zip",
        }
    }
}

str_enum! {
    /// Who gave a file: the applicant (with the application, a correction, a proof) or the
    /// office (the information disclosed, the letter's annexes, its own working files).
    pub enum Source {
        Applicant = "applicant",
        Office = "office",
    }
}

str_enum! {
    /// What a file is for.
    pub enum Purpose {
        /// The applicant's: filed with the application (a scan of the paper form, a sketch).
        Request = "request",
        /// The applicant's: given with a correction (art. 30).
        Correction = "correction",
        /// The applicant's: a proof (identity, entrustment, their special need).
        Proof = "proof",
        /// The office's: the government information itself, delivered with the answer.
        Disclosure = "disclosure",
        /// The office's: an annex to the answer letter (附件), delivered with it.
        Annex = "annex",
        /// The office's: a working file (an original, a division's material), never delivered
        /// and never shown to the applicant.
        Working = "working",
    }
}

impl Purpose {
    pub fn source(self) -> Source {
        match self {
            Self::Request | Self::Correction | Self::Proof => Source::Applicant,
            Self::Disclosure | Self::Annex | Self::Working => Source::Office,
        }
    }

    /// How a clerk or an applicant calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Request => "申请材料",
            Self::Correction => "补正材料",
            Self::Proof => "证明材料",
            Self::Disclosure => "公开的政府信息",
            Self::Annex => "答复书附件",
            Self::Working => "工作材料（仅内部）",
        }
    }
}

/// What is known of a file already on the case, for the rules below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub purpose: Purpose,
    pub staff_only: bool,
    pub delivered: bool,
    /// It is itself the redacted version of another file.
    pub is_redaction: bool,
}

/// Why a file may not be attached (the upload's other facts were fine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The purpose is the other side's (an applicant giving the office's information).
    NotYours,
    /// The case is closed: its file is complete (the answer delivered with what it carried).
    CaseClosed,
    /// A redacted version names a file that is not the office's undelivered information, or is
    /// itself a redaction.
    NotRedactable,
}

/// What an upload becomes: whether only staff may read it, and whether the file it redacts
/// becomes staff-only (a partly disclosed answer carries the redacted version only, art. 37;
/// the original stays with the office).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub staff_only: bool,
    pub withholds_original: bool,
}

/// Where a new file goes: `uploader` is who gives it, `redacts` the file it is a redacted
/// version of, if any.
pub fn place(
    uploader: Source,
    purpose: Purpose,
    case_closed: bool,
    redacts: Option<Held>,
) -> Result<Placed, Placement> {
    if purpose.source() != uploader {
        return Err(Placement::NotYours);
    }
    if case_closed {
        return Err(Placement::CaseClosed);
    }
    if let Some(original) = redacts {
        let redactable = purpose == Purpose::Disclosure
            && original.purpose == Purpose::Disclosure
            && !original.delivered
            && !original.is_redaction;
        if !redactable {
            return Err(Placement::NotRedactable);
        }
    }
    Ok(Placed {
        staff_only: purpose == Purpose::Working,
        withholds_original: redacts.is_some(),
    })
}

/// Whether the answer delivers a file: the office's information and annexes, not yet
/// delivered, unless staff-only (working files, and originals whose redacted version goes).
pub fn delivered_with_answer(h: &Held) -> bool {
    matches!(h.purpose, Purpose::Disclosure | Purpose::Annex) && !h.staff_only && !h.delivered
}

/// Which files an answer e-mail carries: all of them when together they fit `limit` bytes (the
/// default is 10 MiB), none otherwise (the e-mail then links to the tracking page). All or none,
/// so that the applicant never has to work out which file came by which way.
pub fn attach_to_email(sizes: &[u64], limit: u64) -> bool {
    !sizes.is_empty() && sizes.iter().sum::<u64>() <= limit
}

/// How many leading bytes `sniff` wants to see (fewer for a smaller file).
pub const HEAD_BYTES: usize = 8192;

/// The kind of a file from its first bytes (`HEAD_BYTES`, or the whole file if smaller); `None`
/// for anything not allowed, whatever its name says.
pub fn sniff(head: &[u8]) -> Option<Kind> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"%PDF-") {
        return Some(Kind::Pdf);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(Kind::Png);
    }
    if starts(b"\xff\xd8\xff") {
        return Some(Kind::Jpeg);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(Kind::Gif);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some(Kind::Tiff);
    }
    if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Some(Kind::Webp);
    }
    if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Some(Kind::LegacyOffice);
    }
    if starts(b"PK\x03\x04") {
        return Some(zipped(head));
    }
    text(head).then_some(Kind::Text)
}

/// A zip archive, or an office document that is one: told by the names of its first entries.
fn zipped(head: &[u8]) -> Kind {
    let has = |name: &[u8]| head.windows(name.len()).any(|w| w == name);
    // OpenDocument stores its media type uncompressed as the first entry.
    if has(b"mimetypeapplication/vnd.oasis.opendocument") {
        return Kind::Odf;
    }
    if has(b"[Content_Types].xml") || has(b"_rels/.rels") {
        if has(b"word/") {
            return Kind::Docx;
        }
        if has(b"xl/") {
            return Kind::Xlsx;
        }
        if has(b"ppt/") {
            return Kind::Pptx;
        }
    }
    Kind::Zip
}

/// UTF-8 text: no NUL byte, no control characters but tab, line breaks and form feed, and valid
/// UTF-8 except possibly a character cut at the end of the head.
fn text(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let valid = match std::str::from_utf8(body) {
        Ok(_) => true,
        // A character cut by the end of the head (at most 3 bytes of it) is not an error.
        Err(e) => e.error_len().is_none() && body.len() - e.valid_up_to() < 4,
    };
    valid
        && !body
            .iter()
            .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
}

/// The size limits of uploads (configurable per deployment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// One file, in bytes (default 20 MiB).
    pub per_file: u64,
    /// All the files of one case together, in bytes (default 100 MiB).
    pub per_case: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_file: 20 * 1024 * 1024,
            per_case: 100 * 1024 * 1024,
        }
    }
}

/// Why an upload is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The file is larger than one file may be.
    FileTooLarge { limit: u64 },
    /// With this file the case would hold more than a case may.
    CaseFull { limit: u64, held: u64 },
    /// Its content is none of the allowed kinds (an empty file included).
    KindNotAllowed,
}

impl Limits {
    /// Checks a file's size so far against the limits, as it streams in: `held` is what the case
    /// already holds. Called on every chunk, so an oversized upload stops at the first chunk
    /// over the limit.
    pub fn check(&self, size_so_far: u64, held: u64) -> Result<(), Refusal> {
        if size_so_far > self.per_file {
            return Err(Refusal::FileTooLarge {
                limit: self.per_file,
            });
        }
        if held.saturating_add(size_so_far) > self.per_case {
            return Err(Refusal::CaseFull {
                limit: self.per_case,
                held,
            });
        }
        Ok(())
    }
}

/// A file name as given, made safe to keep and to offer back in `Content-Disposition`: the last
/// path segment only, no control characters, at most 200 characters; `None` if nothing is left.
pub fn file_name(given: &str) -> Option<String> {
    let last = given
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(given)
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    let name: String = last.trim().chars().take(200).collect();
    (!name.is_empty() && name != "." && name != "..").then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip's local header for one entry, as the start of an archive looks.
    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for n in names {
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[
                20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ]);
            out.extend_from_slice(&(n.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b"\x03\x00compressed");
        }
        out
    }

    #[test]
    fn files_are_known_by_their_content() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
            Some(Kind::Pdf)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Kind::Png));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some(Kind::Jpeg));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some(Kind::Gif));
        assert_eq!(sniff(b"II*\0\x08\0\0\0"), Some(Kind::Tiff));
        assert_eq!(sniff(b"RIFF\x24\0\0\0WEBPVP8 "), Some(Kind::Webp));
        assert_eq!(
            sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0"),
            Some(Kind::LegacyOffice)
        );
        let docx = zip_with(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        assert_eq!(sniff(&docx), Some(Kind::Docx));
        let xlsx = zip_with(&["[Content_Types].xml", "xl/workbook.xml"]);
        assert_eq!(sniff(&xlsx), Some(Kind::Xlsx));
        let pptx = zip_with(&["[Content_Types].xml", "ppt/presentation.xml"]);
        assert_eq!(sniff(&pptx), Some(Kind::Pptx));
        let mut odt = b"PK\x03\x04".to_vec();
        odt.extend_from_slice(b"....mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt), Some(Kind::Odf));
        assert_eq!(sniff(&zip_with(&["扫描件/1.jpg"])), Some(Kind::Zip));
        assert_eq!(
            sniff("关于申请公开的补正说明\r\n第二行\t制表".as_bytes()),
            Some(Kind::Text)
        );
        assert_eq!(sniff(b"\xef\xbb\xbfwith a BOM"), Some(Kind::Text));
    }

    #[test]
    fn a_file_that_lies_about_its_type_is_refused_whatever_its_name() {
        // An executable, a script with NULs, a shell archive: none of the kinds.
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0"), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01\0"), None);
        assert_eq!(sniff(b"text\0with a NUL"), None);
        assert_eq!(sniff(b"\x1b[31mterminal codes"), None);
        assert_eq!(sniff(b"\xc3\x28 invalid UTF-8"), None);
        assert_eq!(sniff(b""), None);
        // A PDF's name on an image is still an image: the name is never read.
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), Some(Kind::Png));
    }

    #[test]
    fn a_character_cut_at_the_end_of_the_head_is_still_text() {
        let mut head = "公开".repeat(10).into_bytes();
        head.extend_from_slice(&"开".as_bytes()[..2]);
        assert_eq!(sniff(&head), Some(Kind::Text));
        // But a bad byte inside is not.
        let mut bad = "公开".as_bytes().to_vec();
        bad.push(0xff);
        bad.extend_from_slice("公开".as_bytes());
        assert_eq!(sniff(&bad), None);
    }

    #[test]
    fn limits_stop_an_upload_at_the_first_byte_over() {
        let l = Limits::default();
        assert_eq!(l.check(20 * 1024 * 1024, 0), Ok(()));
        assert_eq!(
            l.check(20 * 1024 * 1024 + 1, 0),
            Err(Refusal::FileTooLarge {
                limit: 20 * 1024 * 1024
            })
        );
        let held = 90 * 1024 * 1024;
        assert_eq!(l.check(10 * 1024 * 1024, held), Ok(()));
        assert_eq!(
            l.check(10 * 1024 * 1024 + 1, held),
            Err(Refusal::CaseFull {
                limit: 100 * 1024 * 1024,
                held
            })
        );
    }

    fn held(purpose: Purpose) -> Held {
        Held {
            purpose,
            staff_only: purpose == Purpose::Working,
            delivered: false,
            is_redaction: false,
        }
    }

    #[test]
    fn each_side_attaches_its_own_kind_of_file_while_the_case_is_open() {
        use Purpose::*;
        for p in [Request, Correction, Proof] {
            assert!(place(Source::Applicant, p, false, None).is_ok());
            assert_eq!(
                place(Source::Office, p, false, None),
                Err(Placement::NotYours)
            );
        }
        for p in [Disclosure, Annex, Working] {
            assert_eq!(
                place(Source::Applicant, p, false, None),
                Err(Placement::NotYours)
            );
        }
        assert_eq!(
            place(Source::Office, Working, false, None),
            Ok(Placed {
                staff_only: true,
                withholds_original: false
            })
        );
        assert_eq!(
            place(Source::Applicant, Correction, true, None),
            Err(Placement::CaseClosed)
        );
    }

    #[test]
    fn a_redacted_version_withholds_its_original_which_is_then_never_delivered() {
        let original = held(Purpose::Disclosure);
        let placed = place(Source::Office, Purpose::Disclosure, false, Some(original)).unwrap();
        assert_eq!(
            placed,
            Placed {
                staff_only: false,
                withholds_original: true
            }
        );
        let withheld = Held {
            staff_only: true,
            ..original
        };
        assert!(!delivered_with_answer(&withheld));
        assert!(delivered_with_answer(&original));
        // Only the office's undelivered information is redacted, and only once.
        for bad in [
            held(Purpose::Annex),
            held(Purpose::Working),
            Held {
                delivered: true,
                ..original
            },
            Held {
                is_redaction: true,
                ..original
            },
        ] {
            assert_eq!(
                place(Source::Office, Purpose::Disclosure, false, Some(bad)),
                Err(Placement::NotRedactable),
                "{bad:?}"
            );
        }
        assert_eq!(
            place(Source::Office, Purpose::Annex, false, Some(original)),
            Err(Placement::NotRedactable)
        );
    }

    #[test]
    fn an_answer_delivers_the_office_s_information_and_annexes_once() {
        assert!(delivered_with_answer(&held(Purpose::Annex)));
        for p in [Purpose::Working, Purpose::Request, Purpose::Correction] {
            assert!(!delivered_with_answer(&held(p)), "{p}");
        }
        let sent = Held {
            delivered: true,
            ..held(Purpose::Disclosure)
        };
        assert!(!delivered_with_answer(&sent));
    }

    #[test]
    fn the_e_mail_carries_all_the_files_up_to_its_limit_or_none() {
        let mib = 1024 * 1024;
        assert!(attach_to_email(&[4 * mib, 6 * mib], 10 * mib));
        assert!(!attach_to_email(&[4 * mib, 6 * mib + 1], 10 * mib));
        assert!(!attach_to_email(&[], 10 * mib));
    }

    #[test]
    fn names_keep_their_last_segment_without_control_characters() {
        assert_eq!(
            file_name("C:\\扫描\\身份证.pdf").as_deref(),
            Some("身份证.pdf")
        );
        assert_eq!(file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(file_name("a\r\nb.txt").as_deref(), Some("ab.txt"));
        assert_eq!(file_name("dir/"), None);
        assert_eq!(file_name(".."), None);
        assert_eq!(
            file_name(&"长".repeat(300)).map(|n| n.chars().count()),
            Some(200)
        );
    }
}
