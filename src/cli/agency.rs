//! `gongkai agency …`: offices and their settings.

use clap::Subcommand;
use gongkai::db::models::Agency;
use gongkai::service::{admin, divisions};

use super::context::Context;

#[derive(Subcommand)]
pub enum AgencyCommand {
    /// Set the sender address, sender name and signature of an office's notices.
    SetSender {
        #[arg(long)]
        code: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        /// The closing line of every notice (default: the office's name).
        #[arg(long)]
        signature: Option<String>,
    },
    /// Set how many applications from one applicant in a month are flagged to clerks (art. 35).
    SetThreshold {
        #[arg(long)]
        code: String,
        #[arg(long)]
        art35_monthly_threshold: i32,
    },
    /// Set what an office's answer letters say: the document-number prefix (海政信复 gives
    /// 海政信复〔2026〕4号) and the reconsideration body and court named in the remedies. Options
    /// left out keep their value; "" clears one.
    SetLetter {
        #[arg(long, visible_alias = "code")]
        agency: String,
        #[arg(long)]
        prefix: Option<String>,
        /// e.g. 北京市海淀区人民政府 (行政复议法 art. 20: usually the government at the same level).
        #[arg(long)]
        reconsideration_body: Option<String>,
        /// e.g. 北京市海淀区人民法院.
        #[arg(long)]
        court: Option<String>,
        /// Working days a case reopened after a justified late correction gets (default 20).
        #[arg(long)]
        reopen_working_days: Option<i32>,
    },
    /// Set how applicants pay processing fees: the payee and a bank account, a channel, or both.
    /// Until this is set the office cannot send fee notices.
    SetPayment {
        #[arg(long, visible_alias = "code")]
        agency: String,
        #[arg(long)]
        payee: String,
        /// Bank and account number.
        #[arg(long)]
        account: Option<String>,
        /// Other ways to pay (a payment platform and its reference, a counter and its hours).
        #[arg(long)]
        channel: Option<String>,
    },
    /// Set the working days a case reopened after a justified late correction gets.
    SetReopenDays {
        #[arg(long, visible_alias = "code")]
        agency: String,
        #[arg(long)]
        working_days: i32,
    },
    /// Set how the office works inside: one or two approval levels (the head of the disclosure
    /// unit, then the leader in charge), the working days a division has to reply to a
    /// forwarding, and whether divisions see the applicant's identity. Options left out keep
    /// their value.
    SetHandling {
        #[arg(long, visible_alias = "code")]
        agency: String,
        #[arg(long)]
        approval_levels: Option<i32>,
        #[arg(long)]
        forwarding_days: Option<i32>,
        #[arg(long)]
        divisions_see_applicant: Option<bool>,
    },
    /// Set from how many distinct applicants in 12 months the annual review of the register
    /// proposes a document for proactive disclosure (art. 44; default 3).
    SetReviewThreshold {
        #[arg(long, visible_alias = "code")]
        agency: String,
        #[arg(long)]
        applicants: i32,
    },
    /// List the offices with their settings.
    List,
    /// Add an office; its code starts every tracking number (CODE-2026-000001).
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
    },
}

pub fn run(ctx: &Context, command: &AgencyCommand) -> anyhow::Result<()> {
    let services = ctx.services()?;
    let conn = &mut *services.conn()?;
    match command {
        AgencyCommand::SetSender {
            code,
            email,
            name,
            signature,
        } => {
            let agency =
                admin::set_sender(conn, code, email, name.as_deref(), signature.as_deref())?;
            println!("{}: notices are sent from {}", agency.code, email);
        }
        AgencyCommand::SetThreshold {
            code,
            art35_monthly_threshold,
        } => {
            let agency = admin::set_art35_threshold(conn, code, *art35_monthly_threshold)?;
            println!(
                "{}: more than {} applications a month from one applicant are flagged",
                agency.code, agency.art35_monthly_threshold
            );
        }
        AgencyCommand::SetLetter {
            agency,
            prefix,
            reconsideration_body,
            court,
            reopen_working_days,
        } => {
            let mut a = admin::set_letter(
                conn,
                agency,
                prefix.as_deref(),
                reconsideration_body.as_deref(),
                court.as_deref(),
            )?;
            if let Some(days) = reopen_working_days {
                a = admin::set_reopen_working_days(conn, agency, *days)?;
            }
            print_agency(&a);
        }
        AgencyCommand::SetPayment {
            agency,
            payee,
            account,
            channel,
        } => {
            let a =
                admin::set_payment(conn, agency, payee, account.as_deref(), channel.as_deref())?;
            print_agency(&a);
        }
        AgencyCommand::SetReopenDays {
            agency,
            working_days,
        } => print_agency(&admin::set_reopen_working_days(
            conn,
            agency,
            *working_days,
        )?),
        AgencyCommand::SetHandling {
            agency,
            approval_levels,
            forwarding_days,
            divisions_see_applicant,
        } => {
            let a = admin::agency_by_code(conn, agency)?;
            let settings = divisions::HandlingSettings {
                approval_levels: *approval_levels,
                forwarding_working_days: *forwarding_days,
                divisions_see_applicant: *divisions_see_applicant,
            };
            print_agency(&divisions::set_handling(conn, &a, &settings)?);
        }
        AgencyCommand::SetReviewThreshold { agency, applicants } => print_agency(
            &gongkai::service::register::set_review_threshold(conn, agency, *applicants)?,
        ),
        AgencyCommand::List => {
            for a in admin::agencies(conn)? {
                print_agency(&a);
            }
        }
        AgencyCommand::Add { code, name } => {
            let agency = admin::add_agency(conn, code, name)?;
            println!("added agency {} ({})", agency.code, agency.name);
        }
    }
    Ok(())
}

/// An office and its settings, a few lines each ("-" for unset).
fn print_agency(a: &Agency) {
    let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    println!("{}  {}", a.code, a.name);
    println!(
        "  sender: {} {}  signature: {}",
        or_unset(&a.sender_email),
        or_unset(&a.sender_name),
        or_unset(&a.signature)
    );
    println!(
        "  art. 35 threshold: {} a month  reopening period: {} working days",
        a.art35_monthly_threshold, a.reopen_working_days
    );
    println!(
        "  letter prefix: {}  reconsideration body: {}  court: {}",
        or_unset(&a.letter_prefix),
        or_unset(&a.reconsideration_body),
        or_unset(&a.court)
    );
    println!(
        "  fees paid to: {}  account: {}  channel: {}",
        or_unset(&a.payee),
        or_unset(&a.payment_account),
        or_unset(&a.payment_channel)
    );
    println!(
        "  approval levels: {}  divisions reply within: {} working days  divisions see the applicant: {}",
        a.approval_levels,
        a.forwarding_working_days,
        if a.divisions_see_applicant { "yes" } else { "no" }
    );
    println!(
        "  register review proposes from: {} applicants",
        a.register_review_threshold
    );
}
