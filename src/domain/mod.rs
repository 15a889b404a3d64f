//! The pure domain core: no I/O, every rule a function of its inputs.

pub mod actions;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod clock;
pub mod date;
pub mod decision;
pub mod fees;
pub mod identity;
pub mod letter;
pub mod notice;
pub mod outbox;
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
