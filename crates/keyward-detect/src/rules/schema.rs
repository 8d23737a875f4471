//! The TOML form of rules: a superset of gitleaks' `[[rules]]`, so `.gitleaks.toml` files read as is.

use serde::Deserialize;

/// One rules file: built-in `src/rules/*.toml` or a user's config.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesFile {
    /// The rules the file defines.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
}

/// One rule as written in TOML.
///
/// Field names follow gitleaks (`secretGroup`, `keywords`, `path`, `entropy`) so that its
/// configs map directly; keyward adds what it needs to explain and fix a finding (`env`,
/// `rotate`, `why`), `checksum`, and examples that the test suite and `keyward rules --check`
/// verify.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSpec {
    /// Kebab-case identifier, unique in the ruleset.
    pub id: String,
    /// What the secret is, for people: "OpenAI API key".
    #[serde(default)]
    pub description: String,
    /// The pattern, in Rust `regex` syntax, matched against bytes of added lines.
    ///
    /// Three shorthands keep the rule files readable and consistent (gitleaks has none, so they
    /// only appear in keyward's own rules): `{START}` is a token's left boundary (start of line,
    /// a non-alphanumeric byte, or a JSON escape such as `\n`), `{END}` its right boundary (a
    /// byte outside `[A-Za-z0-9_-]`, or the end), and `{ASSIGN}` what lies between a name and
    /// its value in code and config (`_API_KEY = "`, `": "`, `.Client("`, `: `).
    pub regex: Option<String>,
    /// The capture group holding the secret; by default group 1 if there is one, else the match.
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret; below it the match is noise.
    pub entropy: Option<f64>,
    /// Case-insensitive literals, one of which must occur in the text for the regex to run.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A finer, second prefilter for rules whose keywords are common words: case-insensitive
    /// literals (provider names), one of which must occur near a keyword hit for the regex to
    /// be compiled and run.
    #[serde(default)]
    pub requires: Vec<String>,
    /// A regex on the file path; the rule only applies to matching paths.
    pub path: Option<String>,
    /// The regex must see several lines at once (PEM blocks, paired keys). Without it a rule
    /// runs only on the lines around its keyword hits. Defaults to `false` for built-in rules
    /// and `true` for a user's, whose gitleaks-style patterns may span lines.
    pub multiline: Option<bool>,
    /// Reject values that read as identifiers or words (`oldTokens.length`,
    /// `Access-Control-Allow-Headers`, `user_password_confirmation`): for generic rules,
    /// whose keyword is a common word and whose value has no fixed format.
    pub reject_identifiers: Option<bool>,
    /// Free-form labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `error` blocks the commit (default); `warning` is reported only.
    pub severity: Option<String>,
    /// The environment variable the fix reads the secret from, e.g. `OPENAI_API_KEY`.
    pub env: Option<String>,
    /// Where the owner revokes and rotates the key.
    pub rotate: Option<String>,
    /// One line: what happens if this secret is public.
    pub why: Option<String>,
    /// A checksum or structure the token format carries (`github-crc32`, `npm-crc32`, `jwt`);
    /// a token that fails it is an example or a typo, not a live key.
    pub checksum: Option<String>,
    /// `base64`: the matched value is base64 of the secret (a Kubernetes `Secret`'s `data`);
    /// the entropy and placeholder checks apply to the decoded value.
    pub decode: Option<String>,
    /// Lines the rule must match. `{gen:N}` style templates are expanded by [`crate::fake`],
    /// so no literal key is stored in the source.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Lines the rule must not match (placeholders, look-alikes). Read as `counterExamples`
    /// or `counter_examples`: the built-in files and many users write the latter, and a
    /// misspelt field is otherwise ignored without a word.
    #[serde(default, alias = "counter_examples")]
    pub counter_examples: Vec<String>,
    /// The file path the examples are checked under (for rules with a `path`).
    pub example_path: Option<String>,
    /// Per-rule allowlists, gitleaks' `[[rules.allowlists]]`.
    #[serde(default)]
    pub allowlists: Vec<AllowlistSpec>,
    /// gitleaks' older, singular `[rules.allowlist]`; read as one more entry of `allowlists`.
    pub allowlist: Option<AllowlistSpec>,
    /// gitleaks' composite rules (`[[rules.required]]`): not supported; a config that uses them
    /// gets a warning, and the rule reports its own matches alone.
    #[serde(default)]
    pub required: Vec<serde::de::IgnoredAny>,
}

/// An allowlist: any match of a listed pattern lets a finding through.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowlistSpec {
    /// What this allowlist is for.
    #[serde(default)]
    pub description: String,
    /// Regexes; what they are matched against is `regex_target`.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// `secret` (default), `match` or `line`.
    pub regex_target: Option<String>,
    /// Regexes on the file path.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Substrings of the secret that mark it as not a secret.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Commits (full or abbreviated ids) whose findings are allowed: for `--range` scans.
    #[serde(default)]
    pub commits: Vec<String>,
    /// `OR` (default): any criterion allows; `AND`: every criterion that is set must match.
    pub condition: Option<String>,
    /// For a global `[[allowlists]]`: the rule ids it applies to (all rules when empty).
    #[serde(default)]
    pub target_rules: Vec<String>,
}
