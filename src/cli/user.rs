//! `gongkai user …`: staff accounts and their API tokens.

use clap::Subcommand;
use gongkai::domain::case::UserId;
use gongkai::domain::workflow::Role;
use gongkai::service::admin::{self, Manager};
use gongkai::service::divisions;
use gongkai::service::sign_in;

use super::context::Context;

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum StaffRole {
    Clerk,
    Approver,
    Auditor,
    Admin,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a staff user; prints the API token (shown once) as the last line.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: StaffRole,
        /// Required for clerks and approvers; auditors and admins may be bound to none.
        #[arg(long)]
        agency: Option<String>,
        /// Where the daily digest and overdue alerts go (clerks and approvers).
        #[arg(long)]
        email: Option<String>,
        /// The name to sign in to the web console with (then set a password with set-password).
        #[arg(long)]
        login: Option<String>,
        /// Clerks of a division (处室): its code (see `gongkai division add`); they then see and
        /// answer only what is forwarded to it.
        #[arg(long)]
        division: Option<String>,
        /// The clerk heads the division.
        #[arg(long, requires = "division")]
        head: bool,
        /// Approvers: the level they approve at, 1 (head of the disclosure unit, the default)
        /// or 2 (the leader in charge, 分管领导).
        #[arg(long)]
        approval_level: Option<i32>,
    },
    /// Move a clerk into a division (or out of it with --division ""), or set an approver's
    /// approval level.
    SetPlacement {
        #[arg(long)]
        id: String,
        #[arg(long)]
        division: Option<String>,
        #[arg(long)]
        head: bool,
        #[arg(long)]
        approval_level: Option<i32>,
    },
    /// Give a user a login name for the web console (or change it).
    SetLogin {
        #[arg(long)]
        id: String,
        #[arg(long)]
        login: String,
    },
    /// Set a user's console password, read from standard input (one line; never a flag, so it
    /// stays out of the shell's history and the process list). Ends their open sessions.
    SetPassword {
        #[arg(long)]
        id: String,
        /// Read the password from standard input (required: there is no other way).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set (or with no --email, clear) the address a user's digest and alerts go to.
    SetEmail {
        #[arg(long)]
        id: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// List staff users (never their tokens): all, or one office's.
    List {
        #[arg(long)]
        agency: Option<String>,
    },
    /// Disable a user: their token is refused (401) at once.
    Disable {
        #[arg(long)]
        id: String,
    },
    /// Re-enable a disabled user.
    Enable {
        #[arg(long)]
        id: String,
    },
    /// Give a user a new API token, printed (once) as the last line; the old one stops working
    /// at once.
    RotateToken {
        #[arg(long)]
        id: String,
    },
}

pub fn run(ctx: &Context, command: &UserCommand) -> anyhow::Result<()> {
    let services = ctx.services()?;
    let conn = &mut *services.conn()?;
    match command {
        UserCommand::Add {
            name,
            role,
            agency,
            email,
            login,
            division,
            head,
            approval_level,
        } => {
            let role = match role {
                StaffRole::Clerk => Role::Clerk,
                StaffRole::Approver => Role::Approver,
                StaffRole::Auditor => Role::Auditor,
                StaffRole::Admin => Role::Admin,
            };
            let placement = divisions::Placement {
                division: division.as_deref(),
                head: *head,
                approval_level: *approval_level,
            };
            let (user, token) = admin::add_placed_user(
                conn,
                name,
                role,
                agency.as_deref(),
                email.as_deref(),
                &placement,
            )?;
            println!("added {} {} ({})", user.role, user.name, user.id);
            if let Some(login) = login {
                sign_in::set_login(conn, &user.id, login)?;
                println!("console login: {} (set a password with gongkai user set-password --id {} --password-stdin)", login.trim().to_lowercase(), user.id);
            }
            println!("API token (shown once; send it as Authorization: Bearer TOKEN):");
            println!("{token}");
        }
        UserCommand::SetPlacement {
            id,
            division,
            head,
            approval_level,
        } => {
            let placement = divisions::Placement {
                division: division.as_deref(),
                head: *head,
                approval_level: *approval_level,
            };
            let user = divisions::place_user(conn, id, &placement)?;
            let level = user.approval_level;
            match user.division_id {
                Some(_) => println!(
                    "{} works in a division{}",
                    user.name,
                    if user.division_head {
                        " (its head)"
                    } else {
                        ""
                    }
                ),
                None if user.role == Role::Approver => {
                    println!("{} approves at level {level}", user.name)
                }
                None => println!("{} works for the office itself", user.name),
            }
        }
        UserCommand::SetLogin { id, login } => {
            sign_in::set_login(conn, &user_id(id)?, login)?;
            println!(
                "{id} signs in to the console as {}",
                login.trim().to_lowercase()
            );
        }
        UserCommand::SetPassword { id, .. } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            sign_in::set_password(conn, &user_id(id)?, password)?;
            println!("the password of {id} is set; their open console sessions have ended");
        }
        UserCommand::SetEmail { id, email } => {
            admin::set_user_email(conn, id, email.as_deref())?;
            match email {
                Some(e) => println!("reminders for {id} go to {e}"),
                None => println!("{id} gets no reminders"),
            }
        }
        UserCommand::List { agency } => {
            for u in admin::list_users(conn, Manager::CommandLine, agency.as_deref())? {
                print_user(&u);
            }
        }
        UserCommand::Disable { id } => print_user(&admin::disable_user(
            conn,
            Manager::CommandLine,
            id,
            chrono::Utc::now(),
        )?),
        UserCommand::Enable { id } => {
            print_user(&admin::enable_user(conn, Manager::CommandLine, id)?)
        }
        UserCommand::RotateToken { id } => {
            let (u, token) = admin::rotate_token(conn, Manager::CommandLine, id)?;
            print_user(&u);
            println!("new API token (shown once; the old one no longer works):");
            println!("{token}");
        }
    }
    Ok(())
}

/// A staff user on one line (never a token or its hash).
fn print_user(u: &admin::UserView) {
    println!(
        "{}  {:<8} {}  office: {}  e-mail: {}  {}  last used: {}{}",
        u.id,
        u.role,
        u.name,
        u.agency.as_deref().unwrap_or("-"),
        u.email.as_deref().unwrap_or("-"),
        match &u.disabled_at {
            Some(at) => format!("disabled since {at}"),
            None => "enabled".into(),
        },
        u.last_used_on
            .map_or_else(|| "never".to_owned(), |d| d.to_string()),
        // Inside the office (issue 16), last so that the columns before it stay where they were.
        match (&u.division, u.approval_level) {
            (Some(d), _) if u.division_head => format!("  division: {d} (head)"),
            (Some(d), _) => format!("  division: {d}"),
            (None, Some(level)) => format!("  approves at level {level}"),
            (None, None) => String::new(),
        },
    );
}

fn user_id(id: &str) -> anyhow::Result<UserId> {
    UserId::parse(id.trim())
        .ok_or_else(|| anyhow::anyhow!("{id:?} is not a user id (see gongkai user list)"))
}
