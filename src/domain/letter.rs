//! The answer letter (政府信息公开申请答复书): rendered once at delivery, as plain text and as
//! printable HTML, from the approved answer. Pure: the same inputs give the same letter.
//!
//! Layout and wording follow GB/T 9704-2012 in letter format (shared/domain/official-documents.md):
//! office name at the top, the document number (发文字号) right-aligned under it, the title
//! centred, the addressee flush left ending with "：", body paragraphs indented two characters,
//! the office's name and the date (2026年11月27日, never with leading zeros) at the foot on the
//! right with room for the seal.

use chrono::{Datelike, NaiveDate};

use super::case::Outcome;
use super::workflow::ProposeDecision;

pub struct LetterInput<'a> {
    pub agency_name: &'a str,
    pub tracking_number: &'a str,
    /// The document number (海政信复〔2026〕4号), when the office has a prefix; otherwise the
    /// letter carries the tracking number in its place.
    pub document_number: Option<&'a str>,
    /// The reconsideration body and the court the office configured for the remedies.
    pub reconsideration_body: Option<&'a str>,
    pub court: Option<&'a str>,
    pub applicant_name: &'a str,
    pub received_on: Option<NaiveDate>,
    pub description: &'a str,
    pub decision: &'a ProposeDecision,
    pub delivered_on: NaiveDate,
    /// The files delivered with the answer (the information itself, annexes), in order.
    pub files: &'a [LetterFile],
}

/// A file delivered with the answer, as the letter's attachments note names it: by its name
/// and its SHA-256, so that the applicant (or a court) can tell the very file that was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterFile {
    pub name: String,
    pub sha256: String,
}

/// A date as official documents write it: 2026年1月5日 (Arabic numerals, no leading zeros).
pub fn cn_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The document number (发文字号): prefix, the full year in hexagonal brackets, the sequence
/// without leading zeros, 号 — 海政信复〔2026〕4号.
pub fn document_number(prefix: &str, year: i32, n: i32) -> String {
    format!("{prefix}〔{year}〕{n}号")
}

/// The applicant's remedies: administrative reconsideration within 60 days (行政复议法 art. 20)
/// or litigation within six months (行政诉讼法 art. 46) of receiving the answer, before the body
/// and the court the office configured; generic wording for what it has not configured.
pub fn remedies(reconsideration_body: Option<&str>, court: Option<&str>) -> String {
    let reconsideration = match reconsideration_body {
        Some(body) => format!("向{body}申请行政复议"),
        None => "依法申请行政复议".to_owned(),
    };
    let litigation = match court {
        Some(court) => format!("向{court}提起行政诉讼"),
        None => "依法向人民法院提起行政诉讼".to_owned(),
    };
    format!(
        "如对本答复不服，可以自收到本答复之日起六十日内{reconsideration}，\
         或者自收到本答复之日起六个月内{litigation}。"
    )
}

/// The sentence the answer opens with: the outcome and the article it rests on.
fn opening(d: &ProposeDecision) -> &'static str {
    match d.outcome {
        // Art. 36(5): not this office's to disclose. Counted as not held (report row 四1), but
        // the letter says what it is, not that the office searched and found nothing.
        Outcome::UnavailableNotHeld if d.not_this_office => {
            "经审查，您申请公开的信息不属于本机关负责公开的政府信息，本机关不予提供（条例第三十六条第五项）。"
        }
        Outcome::Disclosed => "经审查，您申请获取的政府信息属于公开范围，本机关予以公开（条例第三十六条第二项）。",
        Outcome::PartlyDisclosed => "经审查，您申请获取的政府信息中部分内容不予公开，其余部分予以公开（条例第三十七条）。",
        o if o.is_withheld() => "经审查，您申请获取的政府信息依法不予公开（条例第三十六条第三项）。",
        Outcome::UnavailableNotHeld => "经检索查找，本机关未制作或获取您申请的政府信息（条例第三十六条第四项）。",
        Outcome::UnavailableNeedsCreation => "您申请的信息需要本机关对现有政府信息进行加工、分析，本机关可以不予提供（条例第三十八条）。",
        Outcome::UnavailableUnclearAfterCorrection => "经补正后，您的申请内容仍不明确，本机关无法提供（条例第三十条）。",
        // The five 不予处理 grounds, each with its own article.
        Outcome::NotProcessedPetition => "经审查，您是以政府信息公开申请的形式进行信访、投诉、举报等活动，本机关不作为政府信息公开申请处理，您可以通过信访、投诉、举报等相应渠道提出（条例第三十九条第一款）。",
        Outcome::NotProcessedRepeat => "经审查，本机关已就您提出的政府信息公开申请作出答复，您重复申请公开相同的政府信息，本机关不予重复处理（条例第三十六条第六项）。",
        Outcome::NotProcessedPublication => "经审查，您申请获取的是政府公报、报刊、书籍等公开出版物，本机关不作为政府信息公开申请处理，您可以通过公开发行渠道获取（条例第三十九条第二款）。",
        Outcome::NotProcessedExcessive => "您申请公开政府信息的数量、频次明显超过合理范围，经本机关要求说明理由，本机关认为申请理由不合理，对您的申请不予处理（条例第三十五条）。",
        // No article of the Regulations names this ground; it is row （五）5 of the annual
        // report format (国办公开办函〔2021〕30号). What we rely on: asking the office to confirm
        // or re-issue information the applicant already has does not ask to obtain government
        // information (art. 2, 27); art. 39 ¶1 tells the office to answer a request that takes
        // the form of a disclosure application but seeks something else by not treating it as
        // one. Hence 参照 (by analogy), not 依照, and the clerk's legal_basis may say more.
        Outcome::NotProcessedConfirmation => "经审查，您的申请是要求本机关对您已获取的信息予以确认或者重新出具，不属于获取政府信息的申请，本机关不作为政府信息公开申请处理（参照条例第三十九条第一款）。",
        _ => "经审查，本机关对您的申请作出如下处理。",
    }
}

/// The parts of the letter, top to bottom; `text` and `html` lay them out.
struct Letter {
    office: String,
    /// The document number, or the tracking number for an office without a prefix.
    number: String,
    title: &'static str,
    addressee: String,
    body: Vec<String>,
    /// The attachments note (附件说明): "1. name（SHA-256：…）" for each file.
    annexes: Vec<String>,
    date: String,
}

pub const TITLE: &str = "政府信息公开申请答复书";

fn compose(l: &LetterInput<'_>) -> Letter {
    let d = l.decision;
    let received = match l.received_on {
        Some(r) => format!("于{}", cn_date(r)),
        None => String::new(),
    };
    let mut body = vec![
        format!(
            "本机关{received}收到您提出的政府信息公开申请（申请编号：{}），申请获取“{}”。\
             本机关依照《中华人民共和国政府信息公开条例》（以下简称条例）办理，现答复如下。",
            l.tracking_number, l.description
        ),
        format!("答复结果：{}。", d.outcome.label()),
        opening(d).to_owned(),
        d.reasoning.clone(),
    ];
    if let Some(basis) = &d.legal_basis {
        body.push(format!("法律依据：{basis}"));
    }
    for (i, w) in d.withheld.iter().enumerate() {
        body.push(format!(
            "不予公开部分{}：{}；理由：{}（{}）；依据：{}",
            i + 1,
            w.part,
            w.reasoning,
            w.ground.label(),
            w.legal_basis
        ));
    }
    if let Some(place) = &d.public_location {
        body.push(if d.outcome == Outcome::NotProcessedPublication {
            format!("您可以通过以下途径获取：{place}。")
        } else {
            format!("该信息已经公开，您可以通过以下途径获取：{place}（条例第三十六条第一项）。")
        });
    }
    if d.not_this_office {
        // The opening gave the ground (art. 36(5)); here the office responsible, where known.
        let mut s = String::new();
        if let Some(office) = &d.responsible_office {
            s.push_str(&format!("负责公开该信息的机关为{office}"));
        }
        if let Some(contact) = &d.responsible_contact {
            s.push_str(if s.is_empty() {
                "负责公开该信息的机关的"
            } else {
                "，"
            });
            s.push_str(&format!("联系方式：{contact}"));
        }
        if !s.is_empty() {
            s.push('。');
            body.push(s);
        }
    }
    if let Some(p) = &d.other_procedure {
        body.push(format!(
            "该信息的获取有专门规定，请依照以下程序办理：{p}（条例第三十六条第七项）。"
        ));
    }
    if let Some(e) = &d.earlier_application {
        body.push(format!("本机关此前已答复的申请编号为{e}。"));
    }
    if let Some(c) = &d.convenience_reply {
        body.push(format!("便民答复（不属于正式答复内容）：{c}"));
    }
    body.push(remedies(l.reconsideration_body, l.court));
    Letter {
        office: l.agency_name.to_owned(),
        number: l.document_number.unwrap_or(l.tracking_number).to_owned(),
        title: TITLE,
        addressee: format!("{}：", l.applicant_name),
        body,
        annexes: l
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{}. {}（SHA-256：{}）", i + 1, f.name, f.sha256))
            .collect(),
        date: cn_date(l.delivered_on),
    }
}

/// The letter as plain text, one paragraph a line; body paragraphs start with two full-width
/// spaces (the two-character indent).
pub fn text(l: &LetterInput<'_>) -> String {
    let letter = compose(l);
    let mut out = vec![
        letter.office.clone(),
        letter.number,
        letter.title.to_owned(),
        String::new(),
        letter.addressee,
    ];
    out.extend(letter.body.iter().map(|p| format!("\u{3000}\u{3000}{p}")));
    // GB/T 9704: one blank line below the body, two characters in, "附件：" and the numbered
    // names, the later ones aligned under the first.
    for (i, a) in letter.annexes.iter().enumerate() {
        if i == 0 {
            out.push(String::new());
            out.push(format!("\u{3000}\u{3000}附件：{a}"));
        } else {
            out.push(format!("{}{a}", "\u{3000}".repeat(5)));
        }
    }
    out.push(String::new());
    out.push(letter.office);
    out.push(letter.date);
    out.join("\n")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Print styles after GB/T 9704: A4 with its margins (37 mm top, 28 mm binding side), 16 pt
/// FangSong body with a two-character first-line indent, 22 pt centred title, 28.9 pt lines
/// (22 lines in the 225 mm type area), the signature block on the right with four characters
/// of space after it and room above for the seal, page numbers "— 1 —" in size 4 on the outside
/// edge (right on odd pages, left on even).
const STYLE: &str = r#"@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
@page :right { @bottom-right { content: "— " counter(page) " —"; font-family: SimSun, "Noto Serif CJK SC", serif; font-size: 14pt; margin-right: 1em; } }
@page :left { @bottom-left { content: "— " counter(page) " —"; font-family: SimSun, "Noto Serif CJK SC", serif; font-size: 14pt; margin-left: 1em; } }
body { font-family: FangSong, STFangsong, "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 28.9pt; color: #000; max-width: 156mm; margin: 2em auto; }
.office { font-family: "FZXiaoBiaoSong-B05S", STZhongsong, "Noto Serif CJK SC", serif; font-size: 22pt; line-height: 1.4; text-align: center; color: #c00; margin: 0; padding-bottom: 4mm; border-bottom: 1px solid #c00; }
.number { text-align: right; margin: 4mm 0 0; }
h1 { font-family: "FZXiaoBiaoSong-B05S", STZhongsong, "Noto Serif CJK SC", serif; font-size: 22pt; line-height: 1.5; font-weight: normal; text-align: center; margin: 1em 0; }
p { margin: 0; }
.addressee { text-indent: 0; }
.body { text-indent: 2em; text-align: justify; }
.closing { break-inside: avoid; page-break-inside: avoid; }
.annexes { margin-top: 28.9pt; padding-left: 2em; }
.annexes p { word-break: break-all; }
.annexes p + p { padding-left: 3em; }
.signature { width: max-content; margin: 3em 4em 0 auto; padding: 6mm 0; text-align: center; }
@media print { body { margin: 0; max-width: none; } }"#;

/// The same letter as a printable HTML page.
pub fn html(l: &LetterInput<'_>) -> String {
    let letter = compose(l);
    let paragraph = |p: &String| format!("<p class=\"body\">{}</p>\n", escape(p));
    // The last paragraph goes with the signature onto its page: a signature and seal are never
    // printed alone on a page of their own.
    let (last, rest) = letter.body.split_last().expect("a letter has a body");
    let body: String = rest.iter().map(paragraph).collect();
    let last = paragraph(last);
    let annexes: String = letter
        .annexes
        .iter()
        .enumerate()
        .map(|(i, a)| match i {
            0 => format!("<p>附件：{}</p>", escape(a)),
            _ => format!("<p>{}</p>", escape(a)),
        })
        .collect();
    let annexes = match annexes.is_empty() {
        true => annexes,
        false => format!("<div class=\"annexes\">{annexes}</div>\n"),
    };
    let (office, number, title) = (
        escape(&letter.office),
        escape(&letter.number),
        escape(letter.title),
    );
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>{title} {number}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n\
<p class=\"office\">{office}</p>\n<p class=\"number\">{number}</p>\n<h1>{title}</h1>\n\
<p class=\"addressee\">{}</p>\n{body}<div class=\"closing\">\n{last}{annexes}\
<div class=\"signature\"><p>{office}</p><p>{}</p></div>\n</div>\n</body>\n</html>\n",
        escape(&letter.addressee),
        escape(&letter.date),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::WithheldPart;

    fn input(decision: &ProposeDecision) -> LetterInput<'_> {
        LetterInput {
            agency_name: "北京市海淀区人民政府",
            tracking_number: "BJHD-2026-000001",
            document_number: None,
            reconsideration_body: None,
            court: None,
            applicant_name: "王<五>",
            received_on: "2026-03-02".parse().ok(),
            description: "2025年道路维修合同",
            decision,
            delivered_on: "2026-03-20".parse().unwrap(),
            files: &[],
        }
    }

    #[test]
    fn a_partly_disclosed_letter_gives_every_withheld_part_and_the_remedies() {
        let mut d = ProposeDecision::new(Outcome::PartlyDisclosed, "单价部分涉及商业秘密");
        d.legal_basis = Some("条例第十五条".into());
        d.withheld.push(WithheldPart {
            part: "合同单价".into(),
            ground: Outcome::WithheldThirdPartyRights,
            legal_basis: "条例第十五条".into(),
            reasoning: "第三方不同意公开".into(),
        });
        let t = text(&input(&d));
        for needle in [
            "北京市海淀区人民政府",
            "BJHD-2026-000001",
            "部分公开",
            "不予公开部分1：合同单价",
            "保护第三方合法权益",
            "六十日内依法申请行政复议",
            "六个月内依法向人民法院提起行政诉讼",
            "本机关于2026年3月2日收到",
            "\n2026年3月20日",
        ] {
            assert!(t.contains(needle), "{needle} missing from\n{t}");
        }
        let h = html(&input(&d));
        assert!(h.contains("王&lt;五&gt;") && !h.contains("王<五>"));
        assert!(h.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn the_attachments_note_names_each_delivered_file_with_its_hash_below_the_body() {
        let d = ProposeDecision::new(Outcome::Disclosed, "属于公开范围");
        let files = [
            LetterFile {
                name: "2025年道路维修合同.pdf".into(),
                sha256: "a".repeat(64),
            },
            LetterFile {
                name: "<附>清单.xlsx".into(),
                sha256: "b".repeat(64),
            },
        ];
        let mut l = input(&d);
        l.files = &files;
        let t = text(&l);
        let first = format!(
            "\n\n\u{3000}\u{3000}附件：1. 2025年道路维修合同.pdf（SHA-256：{}）\n",
            "a".repeat(64)
        );
        assert!(t.contains(&first), "{t}");
        let second = format!(
            "\n{}2. <附>清单.xlsx（SHA-256：{}）\n\n",
            "\u{3000}".repeat(5),
            "b".repeat(64)
        );
        assert!(t.contains(&second), "{t}");
        // Below the remedies, above the signature.
        let (remedies, note, date) = (
            t.find("六个月内").unwrap(),
            t.find("附件：").unwrap(),
            t.rfind("2026年3月20日").unwrap(),
        );
        assert!(remedies < note && note < date);
        let h = html(&l);
        assert!(h.contains("<div class=\"annexes\"><p>附件：1. 2025年道路维修合同.pdf"));
        assert!(h.contains("<p>2. &lt;附&gt;清单.xlsx"));
        // No files, no note.
        assert!(!text(&input(&d)).contains("附件"));
    }

    #[test]
    fn dates_never_have_leading_zeros() {
        let d = |s: &str| cn_date(s.parse().unwrap());
        assert_eq!(d("2026-01-05"), "2026年1月5日");
        assert_eq!(d("2026-11-27"), "2026年11月27日");
        assert_eq!(d("2026-10-01"), "2026年10月1日");
        let decision = ProposeDecision::new(Outcome::Disclosed, "x");
        let mut i = input(&decision);
        i.received_on = "2026-01-05".parse().ok();
        i.delivered_on = "2026-02-03".parse().unwrap();
        for letter in [text(&i), html(&i)] {
            assert!(letter.contains("于2026年1月5日收到"), "{letter}");
            assert!(letter.contains("2026年2月3日"), "{letter}");
            assert!(
                !letter.contains("年0") && !letter.contains("月0"),
                "{letter}"
            );
            assert!(!letter.contains("2026-01-05") && !letter.contains("2026-02-03"));
        }
    }

    #[test]
    fn the_document_number_is_the_prefix_the_year_in_hexagonal_brackets_and_the_sequence() {
        assert_eq!(document_number("海政信复", 2026, 4), "海政信复〔2026〕4号");
        assert_eq!(
            document_number("海政信复", 2027, 120),
            "海政信复〔2027〕120号"
        );
        let decision = ProposeDecision::new(Outcome::Disclosed, "x");
        let mut i = input(&decision);
        i.document_number = Some("海政信复〔2026〕4号");
        let t = text(&i);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(
            &lines[..3],
            ["北京市海淀区人民政府", "海政信复〔2026〕4号", TITLE]
        );
        // The tracking number stays in the body, so the applicant can match letter and case.
        assert!(t.contains("申请编号：BJHD-2026-000001"), "{t}");
        let h = html(&i);
        assert!(
            h.contains("<p class=\"number\">海政信复〔2026〕4号</p>"),
            "{h}"
        );
        // Without a prefix, the tracking number takes its place.
        i.document_number = None;
        assert_eq!(text(&i).lines().nth(1), Some("BJHD-2026-000001"));
    }

    #[test]
    fn the_remedies_name_the_configured_body_and_court() {
        let decision = ProposeDecision::new(Outcome::Disclosed, "x");
        let mut i = input(&decision);
        i.reconsideration_body = Some("北京市海淀区人民政府");
        i.court = Some("北京市海淀区人民法院");
        let t = text(&i);
        assert!(
            t.contains(
                "可以自收到本答复之日起六十日内向北京市海淀区人民政府申请行政复议，\
                 或者自收到本答复之日起六个月内向北京市海淀区人民法院提起行政诉讼。"
            ),
            "{t}"
        );
        assert!(!t.contains("依法"), "{t}");
        // Only one configured: the other stays generic.
        i.reconsideration_body = None;
        let t = text(&i);
        assert!(t.contains("六十日内依法申请行政复议"), "{t}");
        assert!(
            t.contains("六个月内向北京市海淀区人民法院提起行政诉讼"),
            "{t}"
        );
    }

    #[test]
    fn the_layout_follows_the_official_document_format() {
        let decision = ProposeDecision::new(Outcome::Disclosed, "经审查予以公开");
        let i = input(&decision);
        let t = text(&i);
        let lines: Vec<&str> = t.lines().collect();
        // Addressee flush left with a full-width colon; body paragraphs indented two characters.
        assert_eq!(lines[4], "王<五>：");
        assert!(lines[5].starts_with("\u{3000}\u{3000}本机关于"), "{t}");
        assert!(
            lines[5]
                .ends_with("《中华人民共和国政府信息公开条例》（以下简称条例）办理，现答复如下。"),
            "the Regulations are named in full before the first 条例: {t}"
        );
        assert_eq!(lines[lines.len() - 2], "北京市海淀区人民政府");
        let h = html(&i);
        for needle in [
            "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }",
            r#"font-family: FangSong, STFangsong, "Noto Serif CJK SC", serif; font-size: 16pt"#,
            "font-size: 22pt",
            "text-align: center",
            ".body { text-indent: 2em",
            ".addressee { text-indent: 0; }",
            "margin: 3em 4em 0 auto",
            "<p class=\"addressee\">王&lt;五&gt;：</p>",
            "<h1>政府信息公开申请答复书</h1>",
            "<div class=\"signature\"><p>北京市海淀区人民政府</p><p>2026年3月20日</p></div>",
            "counter(page)",
        ] {
            assert!(h.contains(needle), "{needle} missing from\n{h}");
        }
        // The remedies, the last paragraph, share a block with the signature (never alone).
        let closing = &h[h.find("<div class=\"closing\">").expect("a closing block")..];
        assert!(closing.find("如对本答复不服") < closing.find("class=\"signature\""));
    }

    #[test]
    fn a_not_this_office_letter_opens_with_art_36_5_and_names_the_responsible_office() {
        let mut d = ProposeDecision::new(Outcome::UnavailableNotHeld, "本机关不掌握");
        d.not_this_office = true;
        d.responsible_office = Some("区交通委".into());
        d.responsible_contact = Some("010-12345678".into());
        d.convenience_reply = Some("可向区交通委申请".into());
        let t = text(&input(&d));
        assert!(
            t.contains("经审查，您申请公开的信息不属于本机关负责公开的政府信息"),
            "{t}"
        );
        assert!(t.contains("（条例第三十六条第五项）"), "{t}");
        assert!(
            !t.contains("第三十六条第四项") && !t.contains("经检索查找"),
            "{t}"
        );
        assert!(t.contains("负责公开该信息的机关为区交通委，联系方式：010-12345678。"));
        assert!(t.contains("便民答复（不属于正式答复内容）：可向区交通委申请"));
        // Not held and nothing more: the art. 36(4) opening.
        let d = ProposeDecision::new(Outcome::UnavailableNotHeld, "未找到");
        let t = text(&input(&d));
        assert!(t.contains("经检索查找") && t.contains("（条例第三十六条第四项）"));
        assert!(!t.contains("第三十六条第五项"), "{t}");
    }

    #[test]
    fn every_outcome_family_opens_with_its_own_ground_and_article() {
        let cases: &[(Outcome, &str, &str)] = &[
            (Outcome::Disclosed, "予以公开", "条例第三十六条第二项"),
            (
                Outcome::PartlyDisclosed,
                "部分内容不予公开",
                "（条例第三十七条）",
            ),
            (
                Outcome::WithheldStateSecret,
                "依法不予公开",
                "（条例第三十六条第三项）",
            ),
            (
                Outcome::WithheldAdministrativeQuery,
                "依法不予公开",
                "（条例第三十六条第三项）",
            ),
            (
                Outcome::UnavailableNotHeld,
                "未制作或获取",
                "（条例第三十六条第四项）",
            ),
            (
                Outcome::UnavailableNeedsCreation,
                "加工、分析",
                "（条例第三十八条）",
            ),
            (
                Outcome::UnavailableUnclearAfterCorrection,
                "仍不明确",
                "（条例第三十条）",
            ),
            (
                Outcome::NotProcessedPetition,
                "信访、投诉、举报",
                "（条例第三十九条第一款）",
            ),
            (
                Outcome::NotProcessedRepeat,
                "不予重复处理",
                "（条例第三十六条第六项）",
            ),
            (
                Outcome::NotProcessedPublication,
                "公开出版物",
                "（条例第三十九条第二款）",
            ),
            (
                Outcome::NotProcessedExcessive,
                "明显超过合理范围",
                "（条例第三十五条）",
            ),
            (
                Outcome::NotProcessedConfirmation,
                "确认或者重新出具",
                "（参照条例第三十九条第一款）",
            ),
            (Outcome::Other, "作出如下处理", "处理。"),
        ];
        let mut openings = std::collections::HashSet::new();
        for (outcome, ground, article) in cases {
            let d = ProposeDecision::new(*outcome, "理由");
            let t = text(&input(&d));
            let opening = t
                .lines()
                .find(|l| l.contains(ground) && !l.contains("答复结果"))
                .unwrap_or_else(|| panic!("{outcome}: no {ground} in\n{t}"));
            assert!(
                opening.contains(article),
                "{outcome}: {article} not in {opening}"
            );
            assert!(
                t.contains(&format!("答复结果：{}。", outcome.label())),
                "{t}"
            );
            if outcome.is_not_processed() {
                // Each 不予处理 ground has its own sentence, not a shared generic one.
                assert!(openings.insert(opening.to_owned()), "{outcome}: {opening}");
                assert!(!t.contains("经审查，您的申请依法不予处理。"), "{t}");
            }
        }
        assert_eq!(
            Outcome::ALL.iter().filter(|o| o.is_not_processed()).count(),
            openings.len()
        );
    }

    #[test]
    fn a_repeat_application_names_the_earlier_answer_and_a_publication_where_to_get_it() {
        let mut d = ProposeDecision::new(Outcome::NotProcessedRepeat, "与前次申请相同");
        d.earlier_application = Some("BJHD-2026-000007".into());
        let t = text(&input(&d));
        assert!(
            t.contains("本机关此前已答复的申请编号为BJHD-2026-000007。"),
            "{t}"
        );
        let mut d = ProposeDecision::new(Outcome::NotProcessedPublication, "属于出版物");
        d.public_location = Some("新华书店".into());
        let t = text(&input(&d));
        assert!(t.contains("您可以通过以下途径获取：新华书店。"), "{t}");
        assert!(!t.contains("第三十六条第一项"), "{t}");
    }
}
