//! Golden files (insta snapshots in `golden/snapshots/`): what applicants and the public read,
//! word for word — the answer letters, every notice, the annual report. A change of wording
//! shows as a diff to review; a missing snapshot fails (CI runs with CI=true, where insta
//! writes nothing and compares only). Update with `INSTA_UPDATE=always cargo test --test api
//! golden` and review the diff before committing it.

mod catalogue;
mod letters;
mod notices;
mod report;

/// Insta settings shared by the golden tests: named by what they show, without the module path
/// or the asserting expression (they change with a file's move, not with the wording).
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}
