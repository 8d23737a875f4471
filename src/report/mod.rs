//! Reports: findings rendered for a person (human) or a machine (JSON), into any writer.

pub mod human;
pub mod json;
pub mod sanitize;
pub mod sarif;

use crate::source::Summary;
use keyward_detect::finding::Finding;
use keyward_detect::redact::Secret;
use keyward_detect::rules::Severity;

/// What was scanned, for the report's wording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The staged changes: findings block the commit.
    Staged,
    /// Files on disk.
    Paths,
    /// The commits of a range (`--range`, the pre-push hook).
    Commits,
}

/// Everything a report shows.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// The findings, in path and line order.
    pub findings: &'a [Finding],
    /// What was read.
    pub summary: Summary,
    /// What was scanned.
    pub target: Target,
    /// Whether the repository's `.gitignore` ignores `.env`, when known: the advice to keep a
    /// value in `.env` then says whether that is already safe.
    pub env_ignored: Option<bool>,
    /// Findings left out because an ignore file records them.
    pub ignored: usize,
    /// The salt of the repository's fingerprints ([`crate::ignore::IgnoreList::salt`]).
    pub salt: &'a [u8],
}

impl Report<'_> {
    /// Whether any finding blocks (severity `error`).
    pub fn blocks(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule.severity == Severity::Error)
    }
}

/// Whether secrets are shown in full (`--show-secrets`) or redacted (the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SecretDisplay {
    /// Redacted: the default everywhere.
    #[default]
    Redacted,
    /// In full: only on explicit request.
    Full,
}

impl SecretDisplay {
    /// The secret as this setting shows it.
    pub fn show(self, secret: &Secret) -> String {
        match self {
            SecretDisplay::Redacted => secret.redacted(),
            SecretDisplay::Full => secret.expose(),
        }
    }
}

/// The machine formats and the human one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// For a person, on stderr.
    #[default]
    Human,
    /// The JSON contract, on stdout.
    Json,
    /// SARIF 2.1.0, on stdout, for code-scanning uploads.
    Sarif,
}
