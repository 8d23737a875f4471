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

    /// A stable identity that names the rule and path and hashes the secret, never holding it:
    /// `rule:path:16 hex digits`. Moving the secret to another line keeps the fingerprint.
    pub fn fingerprint(&self) -> String {
        fingerprint(
            self.rule.id.as_str(),
            &self.path_lossy(),
            self.secret.as_bytes(),
        )
    }
}

/// The fingerprint of a secret found by `rule` in `path` (see [`Finding::fingerprint`]).
pub fn fingerprint(rule: &str, path: &str, secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"keyward-fingerprint-v1\0")
        .chain_update(secret)
        .finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{rule}:{path}:{hex}")
}
