//! `Finding`: one secret on one added line, with where it is and what rule saw it.

use std::ops::Range;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::redact::Secret;
use crate::rules::RuleInfo;

/// Where a secret is: 1-based lines, 1-based byte columns, pointing at the secret itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Line of the secret's first byte.
    pub line: u32,
    /// Column (bytes) of the secret's first byte.
    pub column: u32,
    /// Line of the secret's last byte.
    pub end_line: u32,
    /// Column (bytes) just past the secret's last byte, as SARIF's `endColumn`.
    pub end_column: u32,
}

/// The line a secret sits on, as much of it as is useful to show and rewrite.
///
/// A 20 MB minified line is not copied whole: the text is a window around the secret and the
/// flags say which ends were cut.
#[derive(Clone, Debug)]
pub struct LineContext {
    /// The line's bytes (or a window of them), without the line terminator.
    pub text: Vec<u8>,
    /// Where the secret is in `text`.
    pub secret: Range<usize>,
    /// Bytes were cut before the window.
    pub cut_before: bool,
    /// Bytes were cut after the window.
    pub cut_after: bool,
}

impl LineContext {
    /// Whether `text` is the whole line, so it can be rewritten.
    pub fn is_whole(&self) -> bool {
        !self.cut_before && !self.cut_after
    }
}

/// One detected secret.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule that matched (id, description, advice).
    pub rule: Arc<RuleInfo>,
    /// The file's path in the repository, as bytes (git paths need not be UTF-8).
    pub path: Vec<u8>,
    /// Where the secret is.
    pub location: Location,
    /// The secret; only ever printed through its redacting methods.
    pub secret: Secret,
    /// The line around it.
    pub line: LineContext,
    /// The commit that added it, for range scans.
    pub commit: Option<String>,
}

impl Finding {
    /// The path for display (lossy UTF-8).
    pub fn path_lossy(&self) -> String {
        String::from_utf8_lossy(&self.path).into_owned()
    }

    /// A stable identity that names the rule and path and a slow, salted hash of the secret:
    /// `rule:path:20 hex digits`. Moving the secret to another line keeps the fingerprint; a
    /// new secret of the same rule in the same file gets another.
    ///
    /// The hash is PBKDF2-HMAC-SHA256 with [`FINGERPRINT_ROUNDS`] rounds and `salt` (keyward
    /// keeps one per repository, in its ignore file), because fingerprints are published (a
    /// committed ignore file, JSON, SARIF uploaded to code scanning): a fast unsalted hash
    /// would let anyone confirm guesses of a weak password offline at billions a second.
    pub fn fingerprint(&self, salt: &[u8]) -> String {
        let digest = pbkdf2_sha256(self.secret.as_bytes(), salt, FINGERPRINT_ROUNDS);
        let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}:{}:{hex}",
            self.rule.id.as_str(),
            fingerprint_path(&self.path)
        )
    }

    /// The fingerprint keyward 0.1 wrote (`rule:path:16 hex digits`, a fast unsalted hash):
    /// still matched, so existing ignore entries keep working, never written any more.
    pub fn legacy_fingerprint(&self) -> String {
        let digest = Sha256::new()
            .chain_update(b"keyward-fingerprint-v1\0")
            .chain_update(self.secret.as_bytes())
            .finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}:{}:{hex}", self.rule.id.as_str(), self.path_lossy())
    }
}

/// PBKDF2 rounds for [`Finding::fingerprint`]: about 10 ms of one core per distinct secret.
pub const FINGERPRINT_ROUNDS: u32 = 20_000;

/// Whether `c` acts on a terminal or reorders the text around it: a control character (escape
/// sequences, line breaks, bell) or a bidirectional mark or override. Text a repository controls
/// (file names, rule texts from its config) must not carry these into an output as they are.
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A path as a fingerprint holds it: one line of printable text. Bytes that could break the line
/// or its parsing (controls, `#`, `%`, bytes that are not UTF-8, bidirectional overrides) are
/// written `%XX`, so a crafted file name cannot add lines to an ignore file.
pub fn fingerprint_path(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for chunk in path.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_unprintable(c) || c == '#' || c == '%' {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// PBKDF2-HMAC-SHA256 (RFC 8018), one 32-byte block.
fn pbkdf2_sha256(password: &[u8], salt: &[u8], rounds: u32) -> [u8; 32] {
    let key = hmac_key(password);
    let mut first = salt.to_vec();
    first.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac_sha256(&key, &first);
    let mut out = u;
    for _ in 1..rounds {
        u = hmac_sha256(&key, &u);
        for (o, b) in out.iter_mut().zip(u) {
            *o ^= b;
        }
    }
    out
}

/// The HMAC key block: keys longer than SHA-256's block are hashed first.
fn hmac_key(key: &[u8]) -> [u8; 64] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    block
}

fn hmac_sha256(key: &[u8; 64], message: &[u8]) -> [u8; 32] {
    let mut inner = Sha256::new();
    inner.update(key.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(key.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_matches_rfc_7914_test_vector() {
        let hex: String = pbkdf2_sha256(b"passwd", b"salt", 1)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn paths_cannot_break_a_line() {
        assert_eq!(fingerprint_path(b"a/b c.py"), "a/b c.py");
        assert_eq!(fingerprint_path(b"x\ny #z%"), "x%0Ay %23z%25");
        assert_eq!(fingerprint_path(b"\xffq"), "%FFq");
    }
}
