//! Where a notice (e-mail or `.eml` file) to an applicant or a member of staff stands.

use super::{str_enum, uuid_id};

uuid_id! {
    /// A notice's id in the outbox.
    pub struct NoticeId;
}

str_enum! {
    /// A notice waits for an attempt (`Pending`), went (`Sent`), or gave up after its last
    /// attempt (`Failed`, until a clerk retries it).
    pub enum NoticeStatus {
        Pending = "pending",
        Sent = "sent",
        Failed = "failed",
    }
}

impl NoticeStatus {
    /// The notices still to send: the outbox's depth.
    pub const UNSENT: [NoticeStatus; 2] = [NoticeStatus::Pending, NoticeStatus::Failed];

    /// What a clerk reads for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "待发送",
            Self::Sent => "已发送",
            Self::Failed => "发送失败",
        }
    }
}
