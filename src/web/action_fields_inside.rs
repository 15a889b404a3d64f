//! The inputs of the actions inside the office (domain::handling): assigning the case,
//! forwarding it to divisions, and a division's reply. The choices (people, divisions,
//! forwardings) come with the page's `Fill`, read from the office's staffing.

use super::action_fields::{b, opts, B};
use super::action_forms::Fill;
use crate::domain::case::Outcome;
use crate::domain::workflow::ActionKind;

/// The inputs of `assign`, `reassign`, `forward` and `reply_to_forwarding`.
pub(super) fn fields(kind: ActionKind, fill: &Fill<'_>) -> B {
    use ActionKind as A;
    let c = &fill.choices;
    match kind {
        A::Assign => b()
            .select(
                "assignee_id",
                "承办人",
                true,
                c.handlers.clone(),
                "本机关的经办人或审批人（处室人员不能承办）。",
            )
            .f(
                "reason",
                "说明",
                "textarea",
                false,
                super::action_fields::NOTE,
            ),
        A::Reassign => b()
            .select(
                "assignee_id",
                "新承办人",
                true,
                c.handlers.clone(),
                "本机关的经办人或审批人。",
            )
            .f("reason", "改派理由", "textarea", true, "记入办理记录。"),
        A::Forward => {
            let mut d = b()
                .f(
                    "divisions[]",
                    "转办处室",
                    "checkboxes",
                    true,
                    "可选多个处室，每个处室分别回复。",
                )
                .f(
                    "asked",
                    "转办事项",
                    "textarea",
                    true,
                    "请处室提出的办理意见，如：是否制作或保存该信息、能否公开及依据。",
                )
                .f(
                    "due_on",
                    "内部期限",
                    "date",
                    false,
                    "不填则按本机关设置的处室回复工作日数计算。内部期限不是法定期限。",
                );
            if let Some(first) = d.fields.first_mut() {
                first.options = c.divisions.clone();
            }
            d
        }
        A::ReplyToForwarding => {
            let mut d = b()
                .select(
                    "forwarding_id",
                    "答复的转办",
                    false,
                    c.open_forwardings.clone(),
                    "只有一项转办待回复时可不选。",
                )
                .select(
                    "outcome",
                    "建议的答复类型",
                    true,
                    opts(Outcome::ALL, Outcome::as_str, Outcome::label),
                    "",
                )
                .f("reasoning", "理由", "textarea", true, "")
                .f("legal_basis", "法律依据", "text", false, "");
            for i in 1..=3 {
                d = d.f(
                    "documents[]",
                    match i {
                        1 => "涉及的文件 1",
                        2 => "涉及的文件 2",
                        _ => "涉及的文件 3",
                    },
                    "text",
                    false,
                    if i == 1 {
                        "文件标题或文号，每栏一件。"
                    } else {
                        ""
                    },
                );
            }
            if c.open_forwardings.len() == 1 {
                if let Some(first) = d.fields.first_mut() {
                    first.value = c.open_forwardings[0].0.clone();
                }
            }
            d
        }
        _ => b(),
    }
}
