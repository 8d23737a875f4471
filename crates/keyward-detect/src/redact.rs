//! The only way a secret becomes text: redacted by default, in full only on request.

use std::fmt;

/// The bytes of a detected secret.
///
/// `Secret` deliberately has no `Display` and a `Debug` that redacts, so a secret cannot reach
/// a log line or a report by accident: callers choose [`Secret::redacted`] or, when the user
/// passed `--show-secrets`, [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps the bytes of a secret.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(bytes.into())
    }

    /// The secret's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is empty (never the case for a finding).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The raw bytes, for hashing and for code that must compare secrets. Not for output.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The full secret as text (lossy for non-UTF-8). Only for `--show-secrets`.
    pub fn expose(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// A form that identifies the key to its owner without letting anyone use it.
    ///
    /// It keeps the provider's fixed prefix (up to the last `-` or `_` in the first 12 bytes,
    /// e.g. `sk-proj-`, `ghp_`), at most two random characters after it, and the last four
    /// characters when the secret is long enough that four characters reveal little. Short
    /// secrets (passwords) keep only two characters.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

/// Redacts `secret` as described on [`Secret::redacted`].
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    // A PEM block: its first line names the key type and is not secret.
    if text.starts_with("-----BEGIN") {
        let first = text.split(['\n', '\r', '\\']).next().unwrap_or("");
        return format!("{first}…");
    }
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    if n <= 8 {
        return format!("{}…", chars.iter().take(1).collect::<String>());
    }
    let prefix_end = chars
        .iter()
        .take(12)
        .rposition(|c| *c == '-' || *c == '_')
        .map(|i| i + 1)
        .unwrap_or(0);
    let (head, tail) = if n >= 24 {
        ((prefix_end + 2).min(n / 3), 4)
    } else {
        ((prefix_end + 2).min(n / 4).max(2), 0)
    };
    let head: String = chars[..head].iter().collect();
    let tail: String = chars[n - tail..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_provider_prefix_and_hides_the_body() {
        let key = format!("sk-proj-{}", "Ab3dEf".repeat(25));
        let shown = redact(key.as_bytes());
        assert!(shown.starts_with("sk-proj-Ab…"), "{shown}");
        assert!(shown.chars().count() < 20);
    }

    #[test]
    fn short_secrets_reveal_almost_nothing() {
        assert_eq!(redact(b"hunter2"), "h…");
        assert_eq!(redact(b"correcthorse12"), "co…");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("ghp_0123456789abcdefghijABCDEFGHIJ012345");
        assert!(!format!("{s:?}").contains("abcdefghij"));
    }
}
