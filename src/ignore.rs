//! Known findings that no longer block: `.keywardignore` (and gitleaks' `.gitleaksignore`).
//!
//! `.keywardignore` holds one finding fingerprint per line, `rule:path:hash`, where the hash is
//! of the secret (see [`keyward_detect::finding::fingerprint`]): the file never holds a secret, a
//! recorded finding stays ignored when lines move, and a *new* secret of the same rule in the
//! same file is still reported. `#` starts a comment. `keyward ignore` appends the current
//! findings after asking.
//!
//! `.gitleaksignore` lines are `path:rule:line` or `commit:path:rule:line` (gitleaks' own
//! fingerprints); they match a finding of that rule (gitleaks ids mapped onto keyward's) that
//! starts on that line of that file, and, with a commit, only in that commit.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use keyward_detect::config::gitleaks;
use keyward_detect::finding::Finding;

/// keyward's ignore file, at the work tree's root.
pub const FILE_NAME: &str = ".keywardignore";

/// gitleaks' ignore file, read too.
pub const GITLEAKS_FILE_NAME: &str = ".gitleaksignore";

const HEADER: &str = "\
# keyward ignore file: findings that no longer block a commit, one fingerprint per line
# (rule:path:hash of the secret; the secret itself is never stored). Record only secrets that are
# not secret or that were rotated already. Added by `keyward ignore`; edit freely.
";

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
    rule: String,
    line: u32,
}

/// The fingerprints in force.
#[derive(Debug, Default)]
pub struct IgnoreList {
    fingerprints: HashSet<String>,
    gitleaks: Vec<GitleaksEntry>,
}

impl IgnoreList {
    /// Reads `.keywardignore` and `.gitleaksignore` in `root`, where they exist.
    ///
    /// # Errors
    /// A file exists but cannot be read, or a line is malformed.
    pub fn load(root: &Path) -> Result<IgnoreList, IgnoreError> {
        let mut list = IgnoreList::default();
        if let Some(text) = read_optional(&root.join(FILE_NAME))? {
            list.add_keyward(&root.join(FILE_NAME), &text)?;
        }
        if let Some(text) = read_optional(&root.join(GITLEAKS_FILE_NAME))? {
            list.add_gitleaks(&root.join(GITLEAKS_FILE_NAME), &text)?;
        }
        Ok(list)
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
            if !is_fingerprint(entry) {
                return Err(IgnoreError {
                    path: origin.to_path_buf(),
                    line: number + 1,
                    message: format!(
                        "{entry:?} is not a fingerprint (rule:path:16 hex digits, as `keyward ignore` writes)"
                    ),
                });
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
                message: format!("{entry:?} is not a gitleaks fingerprint (path:rule:line or commit:path:rule:line)"),
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
        if self.fingerprints.contains(&finding.fingerprint()) {
            return true;
        }
        let rule = finding.rule.id.as_str();
        let path = finding.path_lossy();
        self.gitleaks.iter().any(|g| {
            (g.rule == rule || gitleaks::alias(&g.rule) == Some(rule))
                && g.path == path
                && g.line == finding.location.line
                && g.commit.as_deref().is_none_or(|c| {
                    finding
                        .commit
                        .as_deref()
                        .is_some_and(|fc| fc.starts_with(c))
                })
        })
    }

    /// Splits `findings` into those still in force and the number ignored.
    pub fn filter(&self, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
        let before = findings.len();
        let kept: Vec<Finding> = findings.into_iter().filter(|f| !self.ignores(f)).collect();
        let ignored = before - kept.len();
        (kept, ignored)
    }
}

/// Appends the fingerprints of `findings` that `root`'s `.keywardignore` does not hold yet,
/// creating the file (with a header) if needed; returns how many were added. Each line carries
/// a comment naming the rule and line, never the secret.
///
/// # Errors
/// The file cannot be read or written.
pub fn append(root: &Path, findings: &[Finding]) -> Result<usize, IgnoreError> {
    let path = root.join(FILE_NAME);
    let io_err = |e: std::io::Error| IgnoreError {
        path: path.clone(),
        line: 0,
        message: e.to_string(),
    };
    let existing = read_optional(&path)?.unwrap_or_default();
    let mut known = IgnoreList::default();
    known.add_keyward(&path, &existing)?;
    let mut text = String::new();
    if existing.is_empty() {
        text.push_str(HEADER);
    } else if !existing.ends_with('\n') {
        text.push('\n');
    }
    let mut added = 0;
    for finding in findings {
        let fingerprint = finding.fingerprint();
        if known.fingerprints.insert(fingerprint.clone()) {
            let commit = finding
                .commit
                .as_deref()
                .map(|c| format!(" in {}", &c[..c.len().min(12)]))
                .unwrap_or_default();
            text.push_str(&format!(
                "{fingerprint}  # {} at line {}{commit}\n",
                finding.rule.description, finding.location.line
            ));
            added += 1;
        }
    }
    if added > 0 {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io_err)?;
        file.write_all(text.as_bytes()).map_err(io_err)?;
        file.sync_all().map_err(io_err)?;
    }
    Ok(added)
}

fn read_optional(path: &Path) -> Result<Option<String>, IgnoreError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(IgnoreError {
            path: path.to_path_buf(),
            line: 0,
            message: format!("cannot read: {e}"),
        }),
    }
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

fn is_fingerprint(entry: &str) -> bool {
    let Some((rule, rest)) = entry.split_once(':') else {
        return false;
    };
    let Some((path, hash)) = rest.rsplit_once(':') else {
        return false;
    };
    !rule.is_empty()
        && !path.is_empty()
        && hash.len() == 16
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
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
        rule: rule.to_owned(),
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
                rule: "generic-api-key".into(),
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
