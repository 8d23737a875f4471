//! Known findings that no longer block: `.keywardignore` (and gitleaks' `.gitleaksignore`).
//!
//! `.keywardignore` holds one finding fingerprint per line, `rule:path:hash`, where the hash is
//! a slow, salted hash of the secret (see [`Finding::fingerprint`]): the file never holds a
//! secret, a recorded finding stays ignored when lines move, and a *new* secret of the same rule
//! in the same file is still reported. The salt is the file's own `salt:` line, made at random
//! when `keyward ignore` first writes the file. `#` starts a comment. `keyward ignore` adds the
//! current findings after asking. keyward 0.1's fast fingerprints (16 hex digits) still match.
//!
//! The file is the repository's, so it is read and written through [`crate::confined`] (never
//! through a symlink, regular files only, bounded), and errors name the file and line, never
//! its content.
//!
//! `.gitleaksignore` lines are `path:rule:line` or `commit:path:rule:line` (gitleaks' own
//! fingerprints); they match the finding that starts on that line of that file, and, with a
//! commit, only in that commit, whichever rule keyward names it with (gitleaks' ids and
//! keyward's differ for the same secret).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::confined;

use keyward_detect::finding::Finding;

/// keyward's ignore file, at the work tree's root.
pub const FILE_NAME: &str = ".keywardignore";

/// gitleaks' ignore file, read too.
pub const GITLEAKS_FILE_NAME: &str = ".gitleaksignore";

const HEADER: &str = "\
# keyward ignore file: findings that no longer block a commit, one fingerprint per line
# (rule:path:salted slow hash of the secret; the secret itself is never stored). Record only
# secrets that are not secret or that were rotated already. Added by `keyward ignore`; edit freely.
";

/// The salt of fingerprints in a repository whose ignore file has none yet (JSON and SARIF
/// still show fingerprints there). The hash stays slow; only precomputation across such
/// repositories is possible.
const DEFAULT_SALT: &[u8] = b"keyward-fingerprint-v2";

/// A malformed ignore file: names the file and line.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct IgnoreError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0 when the file itself could not be read or written).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One `.gitleaksignore` entry.
#[derive(Debug, PartialEq, Eq)]
struct GitleaksEntry {
    commit: Option<String>,
    path: String,
    line: u32,
}

/// The fingerprints in force.
#[derive(Debug, Default)]
pub struct IgnoreList {
    fingerprints: HashSet<String>,
    /// Whether any keyward 0.1 fingerprint is listed (only then is the old hash computed).
    has_legacy: bool,
    gitleaks: Vec<GitleaksEntry>,
    salt: Option<Vec<u8>>,
}

impl IgnoreList {
    /// Reads `.keywardignore` and `.gitleaksignore` in `root`, where they exist.
    ///
    /// # Errors
    /// A file exists but cannot be read, or a line is malformed.
    pub fn load(root: &Path) -> Result<IgnoreList, IgnoreError> {
        let mut list = IgnoreList::default();
        if let Some(text) = read_optional(root, FILE_NAME)? {
            list.add_keyward(Path::new(FILE_NAME), &text)?;
        }
        if let Some(text) = read_optional(root, GITLEAKS_FILE_NAME)? {
            list.add_gitleaks(Path::new(GITLEAKS_FILE_NAME), &text)?;
        }
        Ok(list)
    }

    /// The ignore files as the texts given (a range's base commit holds them): `keyward` is
    /// `.keywardignore`'s, `gitleaks` `.gitleaksignore`'s.
    ///
    /// # Errors
    /// A line is malformed.
    pub fn from_texts(
        keyward: Option<&str>,
        gitleaks: Option<&str>,
    ) -> Result<IgnoreList, IgnoreError> {
        let mut list = IgnoreList::default();
        if let Some(text) = keyward {
            list.add_keyward(Path::new(FILE_NAME), text)?;
        }
        if let Some(text) = gitleaks {
            list.add_gitleaks(Path::new(GITLEAKS_FILE_NAME), text)?;
        }
        Ok(list)
    }

    /// The salt of this repository's fingerprints.
    pub fn salt(&self) -> &[u8] {
        self.salt.as_deref().unwrap_or(DEFAULT_SALT)
    }

    /// Adds the fingerprints of a `.keywardignore` text.
    ///
    /// # Errors
    /// A line is not a fingerprint.
    pub fn add_keyward(&mut self, origin: &Path, text: &str) -> Result<(), IgnoreError> {
        for (number, line) in text.lines().enumerate() {
            let entry = strip_comment(line);
            if entry.is_empty() {
                continue;
            }
            if let Some(salt) = entry.strip_prefix("salt:") {
                let salt = salt.trim();
                if salt.len() < 16 || !salt.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(IgnoreError {
                        path: origin.to_path_buf(),
                        line: number + 1,
                        message: "a salt: line takes 16 or more hex digits".into(),
                    });
                }
                self.salt = Some(salt.as_bytes().to_vec());
                continue;
            }
            match fingerprint_kind(entry) {
                Some(Kind::Legacy) => self.has_legacy = true,
                Some(Kind::Current) => {}
                None => {
                    return Err(IgnoreError {
                        path: origin.to_path_buf(),
                        line: number + 1,
                        message:
                            "not a fingerprint (rule:path:hash, as `keyward ignore` writes it)"
                                .into(),
                    })
                }
            }
            self.fingerprints.insert(entry.to_owned());
        }
        Ok(())
    }

    /// Adds the entries of a `.gitleaksignore` text.
    ///
    /// # Errors
    /// A line is not a gitleaks fingerprint.
    pub fn add_gitleaks(&mut self, origin: &Path, text: &str) -> Result<(), IgnoreError> {
        for (number, line) in text.lines().enumerate() {
            let entry = strip_comment(line);
            if entry.is_empty() {
                continue;
            }
            let parsed = parse_gitleaks(entry).ok_or_else(|| IgnoreError {
                path: origin.to_path_buf(),
                line: number + 1,
                message: "not a gitleaks fingerprint (path:rule:line or commit:path:rule:line)"
                    .into(),
            })?;
            self.gitleaks.push(parsed);
        }
        Ok(())
    }

    /// How many entries are in force.
    pub fn len(&self) -> usize {
        self.fingerprints.len() + self.gitleaks.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `finding` is a recorded one.
    pub fn ignores(&self, finding: &Finding) -> bool {
        if self.fingerprints.is_empty() && self.gitleaks.is_empty() {
            return false;
        }
        if !self.fingerprints.is_empty()
            && self
                .fingerprints
                .contains(&finding.fingerprint(self.salt()))
        {
            return true;
        }
        if self.has_legacy && self.fingerprints.contains(&finding.legacy_fingerprint()) {
            return true;
        }
        // A `.gitleaksignore` entry names gitleaks' rule, which for the same secret is often
        // not keyward's (`generic-api-key` where keyward names the provider, or reads it as
        // `dotenv-secret`): the path, line and commit identify the finding; the rule does not.
        let path = finding.path_lossy();
        self.gitleaks.iter().any(|g| {
            g.path == path
                && g.line == finding.location.line
                && g.commit.as_deref().is_none_or(|c| {
                    finding
                        .commit
                        .as_deref()
                        .is_some_and(|fc| fc.starts_with(c))
                })
        })
    }

    /// Splits `findings` into those still in force and those an entry records.
    pub fn filter(&self, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Finding>) {
        findings.into_iter().partition(|f| !self.ignores(f))
    }
}

/// Adds the fingerprints of `findings` that `root`'s `.keywardignore` does not hold yet,
/// creating the file (with a header and a random salt) if needed; returns how many were added.
/// Each line carries a comment naming the rule and line, never the secret.
///
/// # Errors
/// The file is not a regular file in the work tree, cannot be read or written, or is malformed.
pub fn append(root: &Path, findings: &[Finding]) -> Result<usize, IgnoreError> {
    let path = PathBuf::from(FILE_NAME);
    let existing = read_optional(root, FILE_NAME)?.unwrap_or_default();
    let mut known = IgnoreList::default();
    known.add_keyward(&path, &existing)?;
    let mut text = existing.clone();
    if existing.is_empty() {
        text.push_str(HEADER);
    } else if !existing.ends_with('\n') {
        text.push('\n');
    }
    if known.salt.is_none() {
        let salt = random_salt();
        text.push_str(&format!("salt:{salt}\n"));
        known.salt = Some(salt.into_bytes());
    }
    let mut added = 0;
    for finding in findings {
        if known.ignores(finding) {
            continue;
        }
        let fingerprint = finding.fingerprint(known.salt());
        if known.fingerprints.insert(fingerprint.clone()) {
            let commit = finding
                .commit
                .as_deref()
                .map(|c| format!(" in {}", &c[..c.len().min(12)]))
                .unwrap_or_default();
            // The comment is one line of plain text whatever the rule's description holds.
            let description: String = finding
                .rule
                .description
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            text.push_str(&format!(
                "{fingerprint}  # {description} at line {}{commit}\n",
                finding.location.line
            ));
            added += 1;
        }
    }
    if added > 0 {
        let mode = confined::mode(root, &path).unwrap_or(0o644);
        confined::write(root, &path, text.as_bytes(), mode).map_err(|e| IgnoreError {
            path,
            line: 0,
            message: e.to_string(),
        })?;
    }
    Ok(added)
}

/// 128 random bits as hex, for a new ignore file's salt.
fn random_salt() -> String {
    format!(
        "{:016x}{:016x}",
        confined::random_u64(),
        confined::random_u64()
    )
}

fn read_optional(root: &Path, name: &str) -> Result<Option<String>, IgnoreError> {
    confined::read(root, Path::new(name), confined::MAX_CONFIG_SIZE)
        .map(|bytes| bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
        .map_err(|e| IgnoreError {
            path: PathBuf::from(name),
            line: 0,
            message: format!("cannot read: {e}"),
        })
}

/// The line without a `#` comment (at its start, or after whitespace) and surrounding blanks.
fn strip_comment(line: &str) -> &str {
    let line = line.trim();
    if line.starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => line[..at].trim_end(),
        None => line,
    }
}

/// Which fingerprint an entry is: keyward 0.1's (16 hex digits) or the current one (20).
enum Kind {
    Legacy,
    Current,
}

fn fingerprint_kind(entry: &str) -> Option<Kind> {
    let (rule, rest) = entry.split_once(':')?;
    let (path, hash) = rest.rsplit_once(':')?;
    if rule.is_empty() || path.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match hash.len() {
        16 => Some(Kind::Legacy),
        20 => Some(Kind::Current),
        _ => None,
    }
}

fn parse_gitleaks(entry: &str) -> Option<GitleaksEntry> {
    let (rest, line) = entry.rsplit_once(':')?;
    let line: u32 = line.parse().ok()?;
    let (rest, rule) = rest.rsplit_once(':')?;
    let (commit, path) = match rest.split_once(':') {
        Some((first, path))
            if matches!(first.len(), 40 | 64) && first.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            (Some(first.to_ascii_lowercase()), path)
        }
        _ => (None, rest),
    };
    (!rule.is_empty() && !path.is_empty()).then(|| GitleaksEntry {
        commit,
        path: path.to_owned(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_gitleaks, strip_comment, GitleaksEntry};

    #[test]
    fn gitleaks_fingerprints_parse_with_and_without_a_commit() {
        let id = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            parse_gitleaks(&format!("{id}:src/a:b.py:generic-api-key:12")),
            Some(GitleaksEntry {
                commit: Some(id.into()),
                path: "src/a:b.py".into(),
                line: 12
            })
        );
        assert_eq!(parse_gitleaks("x.py:rule:3").unwrap().commit, None);
        assert_eq!(parse_gitleaks("x.py:rule:three"), None);
    }

    #[test]
    fn comments_are_stripped() {
        assert_eq!(strip_comment("  # all of it"), "");
        assert_eq!(strip_comment("a:b:c  # tail"), "a:b:c");
        assert_eq!(strip_comment("a:b#c:d"), "a:b#c:d");
    }
}
