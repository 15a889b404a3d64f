//! The HTTP API through the real stack: a server on a loopback port, a fresh database per test.
//! Runs on SQLite by default; set GONGKAI_TEST_POSTGRES_URL to run the same tests on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    reason = "a failed step here should stop with its value"
)]

mod access;
mod accounts;
mod answers;
mod attachments;
mod audit;
#[path = "../../benches/common/mod.rs"]
mod bench_common;
mod browser;
mod browser_scenario;
mod cli;
mod clock;
mod conventions;
mod edges;
mod faults;
mod golden;
mod hardening;
mod helpers;
mod inside;
mod inside_mail;
mod intake;
mod listing;
mod mail;
mod mail_crash;
mod openapi;
mod ops;
mod problems;
mod readme;
mod register;
mod reminders;
mod report;
mod storage;
mod validation;
mod visibility;
mod web_console;
mod web_files;
mod web_forms;
mod web_inside;
mod web_probe;
mod web_public;
mod web_sign_in;
mod web_staff;
mod web_staff_audit;
mod workflow;
