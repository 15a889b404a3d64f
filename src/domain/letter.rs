//! The answer letter (政府信息公开申请答复书): rendered once at delivery, as plain text and as
//! printable HTML, from the approved answer. Pure: the same inputs give the same letter.

use chrono::NaiveDate;

use super::case::Outcome;
use super::workflow::ProposeDecision;

pub struct LetterInput<'a> {
    pub agency_name: &'a str,
    pub tracking_number: &'a str,
    pub applicant_name: &'a str,
    pub received_on: Option<NaiveDate>,
    pub description: &'a str,
    pub decision: &'a ProposeDecision,
    pub delivered_on: NaiveDate,
}

/// The applicant's remedies: administrative reconsideration within 60 days (行政复议法 art. 20)
/// or litigation within six months (行政诉讼法 art. 46) of learning of the decision.
pub const REMEDIES: &str = "如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，\
或者自收到本答复之日起六个月内依法向人民法院提起行政诉讼。";

fn opening(o: Outcome) -> &'static str {
    match o {
        Outcome::Disclosed => "经审查，您申请获取的政府信息属于公开范围，本机关予以公开。",
        Outcome::PartlyDisclosed => "经审查，您申请获取的政府信息中部分内容不予公开，其余部分予以公开（条例第三十七条）。",
        o if o.is_withheld() => "经审查，您申请获取的政府信息依法不予公开（条例第三十六条第三项）。",
        Outcome::UnavailableNotHeld => "经检索查找，本机关未制作或获取您申请的政府信息（条例第三十六条第四项）。",
        Outcome::UnavailableNeedsCreation => "您申请的信息需要本机关对现有政府信息进行加工、分析，本机关可以不予提供（条例第三十八条）。",
        Outcome::UnavailableUnclearAfterCorrection => "经补正后，您的申请内容仍不明确，本机关无法提供。",
        o if o.is_not_processed() => "经审查，您的申请依法不予处理。",
        _ => "经审查，现就您的申请答复如下。",
    }
}

/// The letter as plain text, one paragraph a line.
pub fn text(l: &LetterInput<'_>) -> String {
    let d = l.decision;
    let mut out = vec![
        l.agency_name.to_owned(),
        "政府信息公开申请答复书".to_owned(),
        l.tracking_number.to_owned(),
        String::new(),
        format!("{}：", l.applicant_name),
        match l.received_on {
            Some(r) => format!(
                "本机关于{r}收到您提出的政府信息公开申请，申请获取“{}”。",
                l.description
            ),
            None => format!(
                "本机关收到您提出的政府信息公开申请，申请获取“{}”。",
                l.description
            ),
        },
        format!("答复结果：{}。", d.outcome.label()),
        opening(d.outcome).to_owned(),
        d.reasoning.clone(),
    ];
    if let Some(basis) = &d.legal_basis {
        out.push(format!("法律依据：{basis}"));
    }
    for (i, w) in d.withheld.iter().enumerate() {
        out.push(format!(
            "不予公开部分{}：{}；理由：{}（{}）；依据：{}",
            i + 1,
            w.part,
            w.reasoning,
            w.ground.label(),
            w.legal_basis
        ));
    }
    if let Some(place) = &d.public_location {
        out.push(format!(
            "该信息已经公开，您可以通过以下途径获取：{place}（条例第三十六条第一项）。"
        ));
    }
    if d.not_this_office {
        let mut s = "该信息不属于本机关负责公开（条例第三十六条第五项）".to_owned();
        if let Some(office) = &d.responsible_office {
            s.push_str(&format!("，负责公开该信息的机关为{office}"));
        }
        if let Some(contact) = &d.responsible_contact {
            s.push_str(&format!("，联系方式：{contact}"));
        }
        s.push('。');
        out.push(s);
    }
    if let Some(p) = &d.other_procedure {
        out.push(format!(
            "该信息的获取有专门规定，请依照以下程序办理：{p}（条例第三十六条第七项）。"
        ));
    }
    if let Some(e) = &d.earlier_application {
        out.push(format!(
            "您的申请与本机关已答复的申请（{e}）内容相同（条例第三十六条第六项）。"
        ));
    }
    if let Some(c) = &d.convenience_reply {
        out.push(format!("便民答复（不属于正式答复内容）：{c}"));
    }
    out.push(REMEDIES.to_owned());
    out.push(String::new());
    out.push(l.agency_name.to_owned());
    out.push(l.delivered_on.format("%Y年%m月%d日").to_string());
    out.join("\n")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The same letter as a printable HTML page.
pub fn html(l: &LetterInput<'_>) -> String {
    let text = text(l);
    let mut lines = text.lines();
    let agency = escape(lines.next().unwrap_or_default());
    let title = escape(lines.next().unwrap_or_default());
    let number = escape(lines.next().unwrap_or_default());
    let body: String = lines
        .filter(|l| !l.is_empty())
        .map(|l| format!("<p>{}</p>\n", escape(l)))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} {number}</title>\n\
<style>body{{font-family:\"SimSun\",serif;max-width:40em;margin:3em auto;line-height:1.8}}\
h1,h2{{text-align:center}}.no{{text-align:right}}@media print{{body{{margin:0}}}}</style>\n</head>\n<body>\n\
<h1>{agency}</h1>\n<h2>{title}</h2>\n<p class=\"no\">{number}</p>\n{body}</body>\n</html>\n"
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
            applicant_name: "王<五>",
            received_on: "2026-03-02".parse().ok(),
            description: "2025年道路维修合同",
            decision,
            delivered_on: "2026-03-20".parse().unwrap(),
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
            "六十日内",
            "六个月内",
            "2026年03月20日",
        ] {
            assert!(t.contains(needle), "{needle} missing from\n{t}");
        }
        let h = html(&input(&d));
        assert!(h.contains("王&lt;五&gt;") && !h.contains("王<五>"));
        assert!(h.starts_with("<!DOCTYPE html>"));
    }

    #[test]
    fn a_not_held_letter_names_the_responsible_office_and_the_convenience_reply() {
        let mut d = ProposeDecision::new(Outcome::UnavailableNotHeld, "本机关不掌握");
        d.not_this_office = true;
        d.responsible_office = Some("区交通委".into());
        d.responsible_contact = Some("010-12345678".into());
        d.convenience_reply = Some("可向区交通委申请".into());
        let t = text(&input(&d));
        assert!(t.contains("负责公开该信息的机关为区交通委，联系方式：010-12345678"));
        assert!(t.contains("便民答复（不属于正式答复内容）：可向区交通委申请"));
    }
}
