//! The pure domain core: no I/O, every rule a function of its inputs.

pub mod actions;
pub mod attachment;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod clock;
pub mod dashboard;
pub mod date;
pub mod decision;
pub mod fees;
pub mod handling;
pub mod identity;
pub mod labels;
pub mod letter;
pub mod message;
pub mod notice;
pub mod outbox;
pub mod problem_code;
pub mod register;
pub mod report;
pub mod rules;
pub mod text;
pub mod time;
pub mod visibility;
pub mod workflow;

/// Declares a closed set of values that travel as snake_case strings in JSON and in the database.
macro_rules! str_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $s:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $s)] $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s,)+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // `pad`, so that widths such as `{:<8}` apply.
                f.pad(self.as_str())
            }
        }
    };
}
pub(crate) use str_enum;

/// Declares the id of a stored thing: a UUID (version 7, so ids sort by creation) kept as text,
/// parsed where it comes in (a path, a cursor), so that no other text passes for one.
macro_rules! uuid_id {
    ($(#[$meta:meta])* pub struct $name:ident;) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn from_uuid(id: uuid::Uuid) -> Self {
                Self(id.to_string())
            }

            /// Anything but a UUID is none.
            pub fn parse(id: &str) -> Option<Self> {
                uuid::Uuid::parse_str(id).ok().map(|_| Self(id.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(&self.0)
            }
        }
    };
}
pub(crate) use uuid_id;
