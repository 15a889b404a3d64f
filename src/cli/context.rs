//! The one way every subcommand reaches the database: the URL and secret key from the global
//! options, opened on demand with a single connection.

use std::path::PathBuf;

use gongkai::db::DatabaseUrl;
use gongkai::security::SecretKey;
use gongkai::service::Services;
use gongkai::startup::{default_key_file, open_services};

pub struct Context {
    pub url: DatabaseUrl,
    pub key: SecretKey,
}

impl Context {
    pub fn new(
        database_url: &str,
        secret_key: Option<&str>,
        secret_key_file: Option<&PathBuf>,
    ) -> anyhow::Result<Self> {
        let url = DatabaseUrl::parse(database_url)?;
        let key = match secret_key {
            Some(hex) => SecretKey::from_hex(hex)?,
            None => {
                let path = secret_key_file
                    .cloned()
                    .unwrap_or_else(|| default_key_file(&url));
                SecretKey::load_or_create(&path)
                    .map_err(|e| anyhow::anyhow!("secret key file {}: {e}", path.display()))?
            }
        };
        Ok(Self { url, key })
    }

    /// Opens (creating and migrating) the database, checks the key and prepares the services.
    /// A command runs alone, so one connection is enough.
    pub fn services(&self) -> anyhow::Result<Services> {
        open_services(&self.url, self.key.clone(), 1)
    }
}

/// Who runs a command, for the record: as given, or the login name.
pub fn operator(given: Option<&str>) -> String {
    given
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
