//! The error catalogue: every problem code with its status and titles, and the problems the
//! service answers with fixed wording, in Chinese and in English. A change of wording (or a new
//! code) shows as a diff to review.

use gongkai::domain::case::Status;
use gongkai::domain::message::Language;
use gongkai::domain::problem_code::ProblemCode;
use gongkai::domain::workflow::{ActionKind, Role, WorkflowError};
use gongkai::http::problem::{title, ApiError};
use gongkai::service::ServiceError;

#[test]
fn every_code_has_one_status_and_a_title_in_both_languages() {
    let _s = super::settings().bind_to_scope();
    let table: String = ProblemCode::ALL
        .iter()
        .map(|c| {
            let status = c.status();
            format!(
                "{status} {c} | {} | {}\n",
                title(status, Language::Zh),
                title(status, Language::En)
            )
        })
        .collect();
    insta::assert_snapshot!("catalogue_codes", table);
}

#[test]
fn the_fixed_problems_read_as_reviewed_in_both_languages() {
    let _s = super::settings().bind_to_scope();
    let problems = [
        ServiceError::Unauthenticated,
        ServiceError::NotFound,
        ServiceError::NoSuchAgency,
        ServiceError::NoLetter,
        ServiceError::VersionConflict {
            expected: 2,
            current: 3,
        },
        ServiceError::IdempotencyKeyReused,
        ServiceError::Internal("a template failed: this text must not be shown".into()),
        ServiceError::Workflow {
            error: WorkflowError::NotAllowed {
                action: ActionKind::Approve,
                role: Role::Approver,
                status: Status::Registered,
            },
            allowed: vec!["accept"],
        },
        ServiceError::Workflow {
            error: WorkflowError::RoleNotAllowed {
                action: ActionKind::Approve,
                role: Role::Clerk,
            },
            allowed: vec![],
        },
    ];
    let mut out = String::new();
    for p in problems {
        let api = ApiError::from(p);
        for language in [Language::Zh, Language::En] {
            out.push_str(&api.to_json(language));
            out.push('\n');
        }
    }
    assert!(!out.contains("must not be shown"), "{out}");
    insta::assert_snapshot!("catalogue_problems", out);
}
