//! Tamper evidence for the case record (issue 6). Every case's events form a hash chain: an
//! event's hash is SHA-256 over its content and the hash of the event before it in the same
//! case, so editing, removing or reordering an event breaks the chain from there on.
//!
//! Chains are per case, not per office: a case's events are already written one at a time
//! (each takes the case's next number under the case's row lock), so chaining adds no waiting
//! between unrelated cases. What a per-case chain alone would miss is caught by anchors:
//! the case row counts its events (a removed last event shows), and tracking numbers are
//! numbered without gaps per office and year (a removed case shows).
//!
//! The hashed form, for auditors who verify an export with their own tools: the compact JSON
//! array (no spaces, non-ASCII as is)
//! `["gongkai-event-v1", id, application_id, seq, occurred_at, actor_role, actor_id,
//!   actor_name, action, status_before, status_after, payload, prev_hash]`
//! with `occurred_at` as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds), absent values as
//! `null`, `payload` as the stored JSON text (a string), and the first event's `prev_hash`
//! 64 zeros. The hash is the lower-case hex SHA-256 of that text's UTF-8 bytes.

use chrono::{NaiveDateTime, Timelike};
use sha2::{Digest, Sha256};

/// The `prev_hash` of a case's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an event's hash covers (all of the event but its own hash).
#[derive(Debug, Clone, Copy)]
pub struct EventContent<'a> {
    pub id: &'a str,
    pub application_id: &'a str,
    pub seq: i32,
    pub occurred_at: NaiveDateTime,
    pub actor_role: &'a str,
    pub actor_id: Option<&'a str>,
    pub actor_name: Option<&'a str>,
    pub action: &'a str,
    pub status_before: Option<&'a str>,
    pub status_after: &'a str,
    pub payload: &'a str,
}

/// Instants are kept to the microsecond, the finest both databases store.
pub fn to_micros(t: NaiveDateTime) -> NaiveDateTime {
    t.with_nanosecond(t.nanosecond() / 1000 * 1000)
        .expect("a truncated nanosecond is valid")
}

pub fn timestamp(t: NaiveDateTime) -> String {
    to_micros(t).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn event_hash(e: &EventContent<'_>, prev_hash: &str) -> String {
    let canonical = serde_json::json!([
        "gongkai-event-v1",
        e.id,
        e.application_id,
        e.seq,
        timestamp(e.occurred_at),
        e.actor_role,
        e.actor_id,
        e.actor_name,
        e.action,
        e.status_before,
        e.status_after,
        e.payload,
        prev_hash,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// What is wrong at the first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The event's content no longer matches its hash (edited).
    HashMismatch,
    /// The event does not point at the hash of the event before it (one removed or reordered).
    BrokenLink,
    /// The events are not numbered 1, 2, 3… (one removed or inserted).
    SequenceGap { expected: i32 },
    /// The case row counts more events than there are (the last ones removed), or fewer.
    CountMismatch { recorded: i32, found: i32 },
    /// An event that never got its hash.
    Unchained,
    /// A tracking number is missing from its office's and year's series (a case removed).
    MissingCase { tracking_number: String },
    /// A file's record on the case differs from what its upload event recorded (its SHA-256,
    /// size or name changed, or a record without its event).
    AttachmentNotAsRecorded { attachment_id: String },
    /// A stored file's content no longer has the SHA-256 it was stored under (altered).
    FileAltered { sha256: String },
}

/// Whether a file's record on the case is what its upload event (`attach_file`) recorded: the
/// chain covers the event, so a record that matches it is covered too.
pub fn attachment_as_recorded(
    (id, name, size, sha256): (&str, &str, i64, &str),
    event_action: &str,
    payload: &serde_json::Value,
) -> bool {
    event_action == "attach_file"
        && payload["attachment_id"] == id
        && payload["name"] == name
        && payload["size"] == size
        && payload["sha256"] == sha256
}

/// Walks one case's chain; the events must come in `seq` order, each with its stored hashes.
pub struct ChainCheck {
    expected_seq: i32,
    prev: String,
}

impl Default for ChainCheck {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS.to_owned(),
        }
    }
}

impl ChainCheck {
    /// Checks the next event of the case.
    pub fn next(
        &mut self,
        e: &EventContent<'_>,
        prev_hash: Option<&str>,
        hash: Option<&str>,
    ) -> Result<(), Problem> {
        let (Some(prev_hash), Some(hash)) = (prev_hash, hash) else {
            return Err(Problem::Unchained);
        };
        if e.seq != self.expected_seq {
            return Err(Problem::SequenceGap {
                expected: self.expected_seq,
            });
        }
        if prev_hash != self.prev {
            return Err(Problem::BrokenLink);
        }
        if event_hash(e, prev_hash) != hash {
            return Err(Problem::HashMismatch);
        }
        self.expected_seq += 1;
        self.prev = hash.to_owned();
        Ok(())
    }

    /// Checks the chain's length against the case row's count of its events.
    pub fn finish(&self, recorded: i32) -> Result<(), Problem> {
        let found = self.expected_seq - 1;
        if found == recorded {
            Ok(())
        } else {
            Err(Problem::CountMismatch { recorded, found })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(seq: i32, payload: &'a str) -> EventContent<'a> {
        EventContent {
            id: "e",
            application_id: "a",
            seq,
            occurred_at: chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
                .unwrap()
                .and_hms_nano_opt(1, 2, 3, 456_789_123)
                .unwrap(),
            actor_role: "clerk",
            actor_id: Some("u"),
            actor_name: None,
            action: "accept",
            status_before: Some("registered"),
            status_after: "accepted",
            payload,
        }
    }

    /// A chain of three events: (content, prev_hash, hash).
    fn chain() -> Vec<(EventContent<'static>, String, String)> {
        let mut prev = GENESIS.to_owned();
        (1..=3)
            .map(|seq| {
                let e = event(seq, "{\"note\":\"申请人\"}");
                let h = event_hash(&e, &prev);
                let link = (e, prev.clone(), h.clone());
                prev = h;
                link
            })
            .collect()
    }

    fn check(links: &[(EventContent<'_>, String, String)], count: i32) -> Result<(), Problem> {
        let mut c = ChainCheck::default();
        for (e, p, h) in links {
            c.next(e, Some(p), Some(h))?;
        }
        c.finish(count)
    }

    #[test]
    fn the_hash_is_of_the_documented_form() {
        let e = event(1, "{}");
        let text = r#"["gongkai-event-v1","e","a",1,"2026-03-02T01:02:03.456789Z","clerk","u",null,"accept","registered","accepted","{}","0000000000000000000000000000000000000000000000000000000000000000"]"#;
        assert_eq!(event_hash(&e, GENESIS), hex::encode(Sha256::digest(text)));
        // Nanoseconds the databases cannot keep do not change it.
        let mut same = e;
        same.occurred_at = to_micros(e.occurred_at);
        assert_eq!(event_hash(&same, GENESIS), event_hash(&e, GENESIS));
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(check(&chain(), 3), Ok(()));
    }

    #[test]
    fn an_edit_a_removal_a_reordering_and_a_lost_tail_each_break_it() {
        let mut edited = chain();
        edited[1].0.payload = "{\"note\":\"改过\"}";
        assert_eq!(check(&edited, 3), Err(Problem::HashMismatch));

        let mut removed = chain();
        removed.remove(1);
        assert_eq!(
            check(&removed, 3),
            Err(Problem::SequenceGap { expected: 2 })
        );

        let mut renumbered = chain();
        renumbered.remove(1);
        renumbered[1].0.seq = 2; // hides the gap, not the link
        assert_eq!(check(&renumbered, 3), Err(Problem::BrokenLink));

        let mut swapped = chain();
        swapped.swap(1, 2);
        assert!(check(&swapped, 3).is_err());

        let mut tail = chain();
        tail.pop();
        assert_eq!(
            check(&tail, 3),
            Err(Problem::CountMismatch {
                recorded: 3,
                found: 2
            })
        );
    }

    #[test]
    fn a_file_s_record_must_be_what_its_upload_event_says() {
        let payload = serde_json::json!({
            "attachment_id": "f1", "name": "合同.pdf", "size": 1234, "sha256": "ab12",
        });
        let record = ("f1", "合同.pdf", 1234, "ab12");
        assert!(attachment_as_recorded(record, "attach_file", &payload));
        for altered in [
            ("f1", "合同.pdf", 1234, "ab13"),
            ("f1", "合同.pdf", 1235, "ab12"),
            ("f1", "合同(2).pdf", 1234, "ab12"),
            ("f2", "合同.pdf", 1234, "ab12"),
        ] {
            assert!(!attachment_as_recorded(altered, "attach_file", &payload));
        }
        assert!(!attachment_as_recorded(record, "deliver", &payload));
    }
}
