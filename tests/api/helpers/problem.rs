//! One way to check a refusal: its status, the RFC 9457 media type and its `code`.

use std::fmt::Display;

use super::Reply;

/// Asserts that `r` is a problem (`application/problem+json`) with `status` and `code`; `code`
/// is anything that displays as the snake_case code (a string, or a code enum).
#[track_caller]
pub fn assert_problem(r: &Reply, status: u16, code: impl Display) {
    assert_eq!(r.status.as_u16(), status, "{}", r.body);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json"),
        "{}",
        r.body
    );
    assert_eq!(r.code(), code.to_string(), "{}", r.body);
}
