//! Secrets: API tokens stored only as hashes, and keyed hashes of identity numbers.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::domain::identity::IdNumber;

/// Staff tokens and applicant access tokens: 256 random bits, hex, with a prefix that tells
/// which kind a leaked token is.
pub const STAFF_TOKEN_PREFIX: &str = "gks_";
pub const ACCESS_TOKEN_PREFIX: &str = "gka_";
/// The secret in a web page's session cookie (staff console or an applicant's tracking page).
pub const SESSION_PREFIX: &str = "gkw_";

pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    format!("{prefix}{}", hex::encode(bytes))
}

/// Tokens carry 256 bits of entropy, so a plain SHA-256 is enough to store them (as crates.io does).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What an applicant's access token is replaced with in a notice once the notice has gone.
pub const REDACTED_TOKEN: &str = "gka_[redacted]";

/// The text with every applicant access token (`gka_` and 64 hex digits) replaced by
/// `REDACTED_TOKEN`; `None` when there was none.
pub fn redact_access_tokens(text: &str) -> Option<String> {
    const HEX: usize = 64;
    let mut out = String::new();
    let mut rest = text;
    let mut found = false;
    while let Some(i) = rest.find(ACCESS_TOKEN_PREFIX) {
        let after = &rest[i + ACCESS_TOKEN_PREFIX.len()..];
        let is_token =
            after.len() >= HEX && after.as_bytes()[..HEX].iter().all(u8::is_ascii_hexdigit);
        if is_token {
            out.push_str(&rest[..i]);
            out.push_str(REDACTED_TOKEN);
            rest = &after[HEX..];
            found = true;
        } else {
            out.push_str(&rest[..i + ACCESS_TOKEN_PREFIX.len()]);
            rest = after;
        }
    }
    out.push_str(rest);
    found.then_some(out)
}

/// A URL that carries credentials (the SMTP relay's `smtp://user:password@host`). It shows
/// itself, in `Debug`, logs and error messages, with the password replaced; the full text
/// leaves only through `expose`, to the code that connects.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, password and all: for the transport only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with its password (what follows the user name up to the last `@`) as `***`.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return "[not a URL]".into();
        };
        let url = match rest.rsplit_once('@') {
            Some((userinfo, host)) => match userinfo.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => self.0.clone(),
            },
            None => self.0.clone(),
        };
        redact_query_password(&url)
    }
}

/// A password given as a query parameter (`?password=…`, as libpq allows) is hidden too.
fn redact_query_password(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretUrl({:?})", self.redacted())
    }
}

/// So that clap reads it straight from `--smtp-url` / `GONGKAI_SMTP_URL`.
impl std::str::FromStr for SecretUrl {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(s))
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The service's secret key. Identity numbers have little entropy (an 18-digit number with a
/// birth date inside), so they are hashed with a key kept outside the database.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    pub fn from_hex(s: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(s.trim())?;
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("the secret key must be 32 bytes (64 hex digits)"))?;
        Ok(Self(arr))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        Self(bytes)
    }

    /// Reads the key file, creating it (owner-only) on first start.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if path.exists() {
            return Self::from_hex(&std::fs::read_to_string(path)?);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let key = Self::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        std::io::Write::write_all(&mut options.open(path)?, hex::encode(key.0).as_bytes())?;
        Ok(key)
    }

    fn mac(&self, domain: &str, parts: &[&str]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(domain.as_bytes());
        for p in parts {
            mac.update(b"\x1f");
            mac.update(p.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// Matches the same identity document across applications without storing the number.
    pub fn identity_hash(&self, number: &IdNumber) -> String {
        self.mac(
            "identity",
            &[number.doc_type().as_str(), number.normalised()],
        )
    }

    /// The access token of an application filed with an idempotency key: derived, not stored,
    /// so a retry that lost the first answer gets the same token back.
    pub fn derived_access_token(&self, application_id: &str, idempotency_key: &str) -> String {
        let mac = self.mac("access-token", &[application_id, idempotency_key]);
        format!("{ACCESS_TOKEN_PREFIX}{mac}")
    }

    /// A web form's anti-forgery token, bound to the visitor's session (or, before sign-in, to
    /// their form cookie): a page from another site cannot know it.
    pub fn csrf_token(&self, anchor: &str) -> String {
        self.mac("csrf", &[anchor])
    }

    /// Whether `given` is the form token of `anchor`, compared in constant time.
    pub fn csrf_matches(&self, anchor: &str, given: &str) -> bool {
        let expected = self.csrf_token(anchor);
        expected.len() == given.len()
            && expected
                .bytes()
                .zip(given.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Stored in the database so that a service started with another key refuses to run
    /// instead of silently failing to match applicants.
    pub fn fingerprint(&self) -> String {
        self.mac("fingerprint", &[])[..16].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token(STAFF_TOKEN_PREFIX);
        let b = new_token(STAFF_TOKEN_PREFIX);
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn identity_hash_depends_on_key_and_number() {
        let k1 = SecretKey::generate();
        let k2 = SecretKey::generate();
        use crate::domain::identity::IdDocumentType::{Passport, ResidentIdCard};
        let card = IdNumber::unchecked(ResidentIdCard, "11010519491231002X");
        let h = k1.identity_hash(&card);
        // Normalised before hashing: the same document, however typed, is the same applicant.
        assert_eq!(
            h,
            k1.identity_hash(&IdNumber::unchecked(ResidentIdCard, "11010519491231002x "))
        );
        assert_ne!(h, k2.identity_hash(&card));
        assert_ne!(
            h,
            k1.identity_hash(&IdNumber::unchecked(Passport, "11010519491231002X"))
        );
        assert_ne!(k1.fingerprint(), k2.fingerprint());
    }

    #[test]
    fn secret_urls_hide_their_password() {
        for (url, shown) in [
            (
                "smtps://mailer:hunter2@smtp.example.cn:465",
                "smtps://mailer:***@smtp.example.cn:465",
            ),
            // A raw slash or @ in the password does not let part of it through.
            (
                "smtp://mailer:hun/ter@2@relay:587?tls=required",
                "smtp://mailer:***@relay:587?tls=required",
            ),
            ("smtp://relay:25", "smtp://relay:25"),
            // libpq also takes the password as a query parameter.
            (
                "postgres://app@db/gongkai?sslmode=require&password=hunter2",
                "postgres://app@db/gongkai?sslmode=require&password=***",
            ),
            ("hunter2", "[not a URL]"),
        ] {
            let secret = SecretUrl::new(url);
            assert_eq!(secret.redacted(), shown);
            let debug = format!("{secret:?}");
            assert!(
                !debug.contains("hunter") && !debug.contains("ter@2"),
                "{debug}"
            );
            assert_eq!(secret.expose(), url);
        }
        assert_eq!(
            format!("{:?}", SecretKey::from_hex(&"ab".repeat(32)).unwrap()),
            "SecretKey(…)"
        );
    }

    #[test]
    fn key_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secret.key");
        let a = SecretKey::load_or_create(&path).unwrap();
        let b = SecretKey::load_or_create(&path).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
    }
}
