//! `keyward fix`: rewrite the offending lines in the work tree as suggested, move the values to
//! a `.env` that git ignores, and leave the index alone so the user reviews and re-stages.
//!
//! It only ever writes the work tree, and only the lines whose staged text it scanned: a line
//! that differs in the work tree is refused rather than guessed at. Running it twice is a no-op.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::confined;
use crate::report::sanitize::bytes_for_terminal;

use keyward_detect::finding::Finding;
use keyward_detect::suggest::{
    needed_env_import, suggest_in, with_env_import, Language, ProjectFiles,
};

/// Why a fix could not be planned or applied. Nothing is written when planning fails.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// The work tree's line is not the staged one, so the staged scan does not describe it.
    #[error("{path}:{line} in the work tree differs from the staged line; stage or stash your edits and run keyward fix again")]
    Diverged {
        /// The file.
        path: String,
        /// The line number.
        line: u32,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// One line to rewrite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineEdit {
    /// The line number (1-based).
    pub line: u32,
    /// The line as it is.
    pub old: String,
    /// The line as it will be.
    pub new: String,
}

/// Everything a fix will do.
#[derive(Debug, Default)]
pub struct Plan {
    /// Per file (work-tree relative, as git's bytes: names need not be UTF-8), the lines to
    /// rewrite.
    pub edits: BTreeMap<Vec<u8>, Vec<LineEdit>>,
    /// `NAME=value` lines to append to `.env`, in order (values are secrets: never print them).
    pub env: Vec<(String, String)>,
    /// Whether `.env` must be added to `.gitignore`.
    pub ignore_env: bool,
    /// Per rewritten file, the import its new lookups need and it lacks (`import os`…).
    pub imports: BTreeMap<Vec<u8>, &'static str>,
    /// Findings left for the user, with why.
    pub skipped: Vec<String>,
}

impl Plan {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.env.is_empty() && !self.ignore_env
    }
}

/// Plans the fix for `findings` (from a staged scan) in the work tree at `root`; `project`
/// answers the fix's questions about the files around them (what ships, which CI system).
///
/// # Errors
/// A work-tree line differs from the staged one, or a file cannot be read.
pub fn plan(
    root: &Path,
    findings: &[Finding],
    project: &dyn ProjectFiles,
) -> Result<Plan, FixError> {
    let mut plan = Plan::default();
    let env_text = read_optional(root, b".env")?.unwrap_or_default();
    let mut env_names: Vec<String> = env_text
        .lines()
        .filter_map(|l| {
            l.trim_start()
                .strip_prefix("export ")
                .unwrap_or(l.trim_start())
                .split_once('=')
        })
        .map(|(name, _)| name.trim().to_owned())
        .collect();
    let mut files: BTreeMap<Vec<u8>, Vec<String>> = BTreeMap::new();
    for finding in findings {
        let raw_path = finding.path.clone();
        let path = finding.path_lossy();
        let shown = bytes_for_terminal(&raw_path);
        let where_ = format!("{shown}:{}", finding.location.line);
        if Language::from_path(&path) == Language::DotEnv {
            plan.skipped.push(format!(
                "{where_}: the file is itself a .env; remove it from the index (git rm --cached {shown}) and ignore it"
            ));
            continue;
        }
        let suggestion = suggest_in(finding, project);
        let Some(new) = suggestion.replacement else {
            plan.skipped.push(format!(
                "{where_}: no automatic rewrite; {}",
                suggestion.advice
            ));
            continue;
        };
        let staged = String::from_utf8_lossy(&finding.line.text).into_owned();
        let lines = match files.get(&raw_path) {
            Some(lines) => lines,
            None => {
                let text = read_optional(root, &raw_path)?.unwrap_or_default();
                files
                    .entry(raw_path.clone())
                    .or_insert_with(|| split_lines(&text))
            }
        };
        let index = finding.location.line as usize - 1;
        let current = lines
            .get(index)
            .map(|l| l.trim_end_matches(['\n', '\r']).to_owned());
        let edits = plan.edits.entry(raw_path.clone()).or_default();
        if edits.iter().any(|e| e.line == finding.location.line) {
            plan.skipped.push(format!(
                "{where_}: a second secret on a line already being rewritten; fix it by hand"
            ));
            continue;
        }
        match current {
            Some(line) if line == new => {} // already fixed
            Some(line) if line == staged => edits.push(LineEdit {
                line: finding.location.line,
                old: line,
                new,
            }),
            _ => {
                return Err(FixError::Diverged {
                    path: shown,
                    line: finding.location.line,
                })
            }
        }
        if !env_names.contains(&suggestion.env_var) {
            env_names.push(suggestion.env_var.clone());
            plan.env.push((suggestion.env_var, finding.secret.expose()));
        }
    }
    plan.edits.retain(|_, e| !e.is_empty());
    let gitignore = read_optional(root, b".gitignore")?.unwrap_or_default();
    for (path, lines) in &files {
        if plan.edits.get(path).is_some_and(|e| !e.is_empty()) {
            if let Some(import) = needed_env_import(&String::from_utf8_lossy(path), &lines.concat())
            {
                plan.imports.insert(path.clone(), import);
            }
        }
    }
    plan.ignore_env = !ignores_env(&gitignore) && (!plan.env.is_empty() || !env_text.is_empty());
    Ok(plan)
}

/// Applies `plan` to the work tree at `root`: rewrites lines (keeping each line's ending),
/// appends to `.env` (created readable by its owner only), and adds `.env` to `.gitignore`.
///
/// # Errors
/// A file cannot be read or written. Each file is replaced whole through a temporary file, so a
/// failure leaves it as it was.
pub fn apply(root: &Path, plan: &Plan) -> Result<(), FixError> {
    for (path, edits) in &plan.edits {
        let text = read_optional(root, path)?.unwrap_or_default();
        let mut lines = split_lines(&text);
        for edit in edits {
            let slot = &mut lines[edit.line as usize - 1];
            let ending = &slot[slot.trim_end_matches(['\n', '\r']).len()..];
            *slot = format!("{}{ending}", edit.new);
        }
        let mut rewritten = lines.concat();
        // The lookup's import (`import os`, Go's "os", Foundation, <stdlib.h>) where missing.
        if let Some(with) = with_env_import(&String::from_utf8_lossy(path), &rewritten) {
            rewritten = with;
        }
        let mode = confined::mode(root, rel(path)).unwrap_or(0o644);
        write(root, path, &rewritten, mode)?;
    }
    if !plan.env.is_empty() {
        let existing = read_optional(root, b".env")?.unwrap_or_default();
        let mut text = existing.clone();
        if !existing.is_empty() && !existing.ends_with('\n') {
            text.push('\n');
        }
        for (name, value) in &plan.env {
            text.push_str(&format!("{name}={value}\n"));
        }
        write(root, b".env", &text, 0o600)?;
    }
    if plan.ignore_env {
        let existing = read_optional(root, b".gitignore")?.unwrap_or_default();
        let sep = if existing.is_empty() || existing.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        let mode = confined::mode(root, rel(b".gitignore")).unwrap_or(0o644);
        write(
            root,
            b".gitignore",
            &format!("{existing}{sep}# local secrets (keyward fix)\n.env\n"),
            mode,
        )?;
    }
    Ok(())
}

/// The plan as a diff for `--dry-run`, with secret values redacted.
pub fn render_diff(plan: &Plan) -> String {
    let mut out = String::new();
    for (raw_path, edits) in &plan.edits {
        let path = bytes_for_terminal(raw_path);
        out.push_str(&format!("--- a/{path}\n+++ b/{path}\n"));
        for e in edits {
            out.push_str(&format!(
                "@@ line {} @@\n-{}\n+{}\n",
                e.line,
                crate::report::sanitize::sanitize(&redact_line(&e.old)),
                crate::report::sanitize::sanitize(&e.new)
            ));
        }
        if let Some(import) = plan.imports.get(raw_path) {
            out.push_str(&format!(
                "@@ imports @@\n+{}\n",
                crate::report::sanitize::sanitize(import)
            ));
        }
    }
    if !plan.env.is_empty() {
        out.push_str("--- a/.env\n+++ b/.env (mode 0600)\n");
        for (name, value) in &plan.env {
            out.push_str(&format!(
                "+{name}={}\n",
                keyward_detect::redact::redact(value.as_bytes())
            ));
        }
    }
    if plan.ignore_env {
        out.push_str("--- a/.gitignore\n+++ b/.gitignore\n+.env\n");
    }
    out
}

fn redact_line(line: &str) -> String {
    // The old line holds the secret: show only its shape.
    let cut: String = line.chars().take(40).collect();
    if line.chars().count() > 40 {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Whether `.gitignore` text ignores a root `.env`.
pub fn ignores_env(gitignore: &str) -> bool {
    gitignore.lines().map(str::trim).any(|l| {
        matches!(
            l,
            ".env" | "/.env" | ".env*" | "/.env*" | "*.env" | ".env.*" | "**/.env"
        )
    })
}

fn split_lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_owned).collect()
}

fn rel(path: &[u8]) -> &Path {
    Path::new(OsStr::from_bytes(path))
}

/// Reads a work-tree file through [`confined`]: no symlink followed, regular files only.
fn read_optional(root: &Path, path: &[u8]) -> Result<Option<String>, FixError> {
    confined::read(root, rel(path), MAX_FIX_FILE)
        .map(|bytes| bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
        .map_err(|source| FixError::Io {
            action: "read",
            path: PathBuf::from(bytes_for_terminal(path)),
            source,
        })
}

/// Replaces a work-tree file whole through [`confined::write`]: a temporary file created
/// exclusively beside it, renamed over it; a symlink is replaced, never written through.
fn write(root: &Path, path: &[u8], text: &str, mode: u32) -> Result<(), FixError> {
    confined::write(root, rel(path), text.as_bytes(), mode).map_err(|source| FixError::Io {
        action: "write",
        path: PathBuf::from(bytes_for_terminal(path)),
        source,
    })
}

/// The largest file `keyward fix` rewrites (the scan's own limit is far above any source file).
const MAX_FIX_FILE: u64 = 100 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::ignores_env;

    #[test]
    fn recognises_an_ignored_env() {
        assert!(ignores_env("target\n.env\n"));
        assert!(ignores_env("*.env"));
        assert!(!ignores_env(".env.example\n"));
        assert!(!ignores_env(""));
    }
}
