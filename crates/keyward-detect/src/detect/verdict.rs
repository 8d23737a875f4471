//! What became of a regex match: reported, dropped by a check, or suppressed by the user's own
//! say-so. Scans act on it; `keyward explain` prints it; reports list the suppressed ones (SARIF
//! `suppressions`), so what an allow comment or an allowlist hides can be audited.

use crate::finding::Finding;

/// What became of one match of a rule's regex.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// It is a finding.
    Reported,
    /// A check judged it no secret (or not this rule's).
    Dropped(Dropped),
    /// It is a secret by every check, and the user said to leave it out.
    Suppressed(Suppression),
}

/// Why a match is not a secret, by the check that said so.
#[derive(Clone, Debug, PartialEq)]
pub enum Dropped {
    /// The rule's checksum (the CRC32 of GitHub and npm tokens, a JWT's structure) fails.
    Checksum,
    /// The rule reads base64 and the value is not base64 of text.
    NotBase64Text,
    /// Less randomness than the rule asks for, in bits per byte.
    Entropy {
        /// The value's Shannon entropy.
        have: f64,
        /// The rule's floor.
        min: f64,
    },
    /// A stand-in: a placeholder, a masked or typed sequence, a published sample key.
    Placeholder,
    /// The value reads as words or an identifier, not as a random string.
    Words,
    /// A URL's password is a stand-in (the user name again, a typed word on a local host).
    UrlStandIn,
    /// A generic rule's value is public by design, named as a fixture, not ASCII, or a
    /// password a person typed; or the file is generated or a translation catalogue.
    GenericStandIn,
    /// A key public by design where it sits (a Firebase app config's API key).
    PublicByDesign,
    /// A URL without credentials, or a reference to another variable (`$TOKEN`).
    Reference,
    /// A part of a presigned URL: it expires, and its credential is a key id and a date.
    Ephemeral,
    /// The bytes are a window of an encoded blob (a `data:` URI, a URL-encoded token), not a
    /// token of their own.
    InsideBlob,
}

impl Dropped {
    /// The check, in words, for `keyward explain`.
    pub fn reason(&self) -> String {
        match self {
            Dropped::Checksum => "its checksum does not verify (not a real token)".into(),
            Dropped::NotBase64Text => "the rule reads base64, and this does not decode to text".into(),
            Dropped::Entropy { have, min } => {
                format!("too little randomness: {have:.2} bits per byte, the rule asks {min:.2}")
            }
            Dropped::Placeholder => {
                "a placeholder (a stand-in word, a masked or typed sequence, a published sample key)"
                    .into()
            }
            Dropped::Words => "it reads as words or an identifier".into(),
            Dropped::UrlStandIn => {
                "the URL's password is a stand-in (the user name, or a typed word on a local host)"
                    .into()
            }
            Dropped::GenericStandIn => "a generic rule's exclusion: public by design, named as a \
                 fixture (mock, fake, invalid…), not ASCII, a typed password, or a generated or \
                 translation file"
                .into(),
            Dropped::PublicByDesign => {
                "public by design where it sits (a Firebase app config ships its API key)".into()
            }
            Dropped::Reference => {
                "a URL without credentials or a reference to another variable, not a value".into()
            }
            Dropped::Ephemeral => "a part of a presigned URL, which expires".into(),
            Dropped::InsideBlob => {
                "a window of an encoded blob (a data: URI, a URL-encoded token), not a token".into()
            }
        }
    }
}

/// Why a secret was left out of the report by the user's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Suppression {
    /// An inline allow comment (`keyward:allow`, `gitleaks:allow`, or
    /// `keyward:allow-next-line` on the line before), with the reason written after it.
    Comment {
        /// The text after the marker, if any (`keyward:allow test key, revoked`).
        reason: Option<String>,
    },
    /// An allowlist of the config.
    Allowlist {
        /// The allowlist's description, if it has one.
        description: Option<String>,
    },
    /// An entry of an ignore file the embedder keeps (keyward's `.keywardignore`, a
    /// `.gitleaksignore`).
    IgnoreFile,
}

impl Suppression {
    /// The reason the user gave, if any.
    pub fn justification(&self) -> Option<&str> {
        match self {
            Suppression::Comment { reason } => reason.as_deref(),
            Suppression::Allowlist { description } => description.as_deref(),
            Suppression::IgnoreFile => None,
        }
    }

    /// What suppressed it, in a few words.
    pub fn kind(&self) -> &'static str {
        match self {
            Suppression::Comment { .. } => "inline allow comment",
            Suppression::Allowlist { .. } => "config allowlist",
            Suppression::IgnoreFile => "ignore file",
        }
    }

    /// Whether the suppression sits in the source beside the secret (SARIF's `inSource`), as
    /// opposed to a file of its own (`external`).
    pub fn in_source(&self) -> bool {
        matches!(self, Suppression::Comment { .. })
    }
}

/// A finding left out of the report, and why.
#[derive(Clone, Debug)]
pub struct SuppressedFinding {
    /// The finding as it would have been reported.
    pub finding: Finding,
    /// What left it out.
    pub by: Suppression,
}

/// The reason written after an allow marker on `line`, up to a comment's closing token: the
/// `test key` of `# keyward:allow test key`, the `fixture` of `<!-- keyward:allow fixture -->`.
pub fn reason_after(line: &[u8], marker_end: usize) -> Option<String> {
    let rest = String::from_utf8_lossy(&line[marker_end.min(line.len())..]).into_owned();
    // `keyward:allow-next-line` also begins with `keyward:allow`.
    let rest = rest.strip_prefix("-next-line").unwrap_or(&rest);
    let rest = rest.trim_start_matches([':', ' ', '\t', '-', '—']);
    let end = ["*/", "-->", "#}", "%>", "}}", "*)"]
        .iter()
        .filter_map(|close| rest.find(close))
        .min()
        .unwrap_or(rest.len());
    let reason = rest[..end].trim();
    (!reason.is_empty()).then(|| reason.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::reason_after;

    fn reason(line: &str, marker: &str) -> Option<String> {
        let at = line.find(marker).unwrap() + marker.len();
        reason_after(line.as_bytes(), at)
    }

    #[test]
    fn the_reason_is_the_text_after_the_marker_up_to_a_comment_close() {
        assert_eq!(
            reason(
                "key = 'x' # keyward:allow test key, revoked",
                "keyward:allow"
            )
            .as_deref(),
            Some("test key, revoked")
        );
        assert_eq!(
            reason("<!-- keyward:allow docs sample -->", "keyward:allow").as_deref(),
            Some("docs sample")
        );
        assert_eq!(
            reason("/* keyward:allow-next-line: fixture */", "keyward:allow").as_deref(),
            Some("fixture")
        );
        assert_eq!(reason("x = 1 // gitleaks:allow", "gitleaks:allow"), None);
        assert_eq!(reason("x = 1 // keyward:allow   ", "keyward:allow"), None);
    }
}
