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
    /// The commits of a range (`--range`): a CI check or an audit.
    Commits,
    /// The commits a push sends (the pre-push hook): findings block the push.
    Push,
}

/// Everything a report shows.
#[derive(Clone, Copy)]
pub struct Report<'a> {
    /// The findings, in path and line order.
    pub findings: &'a [Finding],
    /// What was read.
    pub summary: &'a Summary,
    /// What was scanned.
    pub target: Target,
    /// Whether the repository's `.gitignore` ignores `.env`, when known: the advice to keep a
    /// value in `.env` then says whether that is already safe.
    pub env_ignored: Option<bool>,
    /// Findings left out because an ignore file records them.
    pub ignored: usize,
    /// The salt of the repository's fingerprints ([`crate::ignore::IgnoreList::salt`]).
    pub salt: &'a [u8],
    /// Findings found but left out of the report (too many in one file).
    pub not_shown: usize,
    /// Matches that allow comments and allowlists kept out of the report.
    pub suppressed: keyward_detect::detect::Suppressed,
    /// The suppressed findings themselves (by comment, allowlist or ignore file; the first
    /// few hundred), which JSON and SARIF list so a reviewer can audit them.
    pub suppressed_findings: &'a [keyward_detect::detect::verdict::SuppressedFinding],
    /// The project around the findings, which the fix reads (what ships, which CI system).
    pub project: &'a dyn keyward_detect::suggest::ProjectFiles,
}

impl Report<'_> {
    /// Whether the report fails the commit or check: a finding of severity `error`, or, for
    /// a range of commits (a pull request's check, a push), a file too large to scan whole.
    /// The range's own config cannot raise the limit (it comes from the base), so a key
    /// after the limit's worth of padding cannot slip through a check that says it passed.
    pub fn blocks(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.rule.severity == Severity::Error)
            || self.unscanned_blocks()
    }

    /// Whether files too large to scan whole fail the report on their own (see
    /// [`Report::blocks`]).
    pub fn unscanned_blocks(&self) -> bool {
        matches!(self.target, Target::Commits | Target::Push) && self.summary.too_large() > 0
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
