//! `keyward explain`: why a value or a line is (or is not) reported. It runs the detector the
//! repository's config builds, on the same code path as a scan, and prints what became of every
//! rule whose keywords occur: the regex did not match, a check dropped the match (which, and
//! why), an earlier rule holds the bytes, the user suppressed it, or it is reported.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use keyward::ignore::IgnoreList;
use keyward::report::sanitize::{bytes_for_terminal, sanitize};
use keyward::report::SecretDisplay;
use keyward::source::Staged;
use keyward_detect::detect::explain::Skip;
use keyward_detect::detect::verdict::Verdict;
use keyward_detect::detect::{Cover, Explained, Outcome, Site};
use keyward_detect::redact::Secret;
use keyward_detect::{Chunk, Detector};
use serde_json::{json, Value};

use crate::cli::{Cli, ExplainArgs, FormatArg, ScanArgs};
use crate::exit;

/// The largest file `explain FILE:LINE` reads.
const MAX_FILE: u64 = 64 << 20;

/// What is explained: the text, where the line of interest is in it, and the path rules see.
struct Subject {
    /// How the report names it (`app.py:3`, `the value`).
    name: String,
    /// The path the rules see (relative to the work tree), empty for a bare value.
    path: Vec<u8>,
    text: Vec<u8>,
    /// The bytes of the line (or value) of interest.
    focus: std::ops::Range<usize>,
}

/// Runs `keyward explain`: exit 1 when the subject is reported, 0 when not.
pub fn run(cli: &Cli, args: &ExplainArgs) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let root = Staged::open(&cwd)
        .ok()
        .and_then(|s| s.workdir().map(Path::to_path_buf))
        .unwrap_or_else(|| cwd.clone());
    let subject = subject(&cwd, &root, args)?;
    let (detector, _) = super::scan::detector_and_limits(cli, &ScanArgs::default(), &root)?;
    let site = Site::path(&subject.path);
    let chunk = Chunk {
        bytes: &subject.text,
        first_line: 1,
    };
    let explained = detector.explain(site, chunk, subject.focus.clone())?;
    let ignore = IgnoreList::load(&root)?;
    let show = if cli.show_secrets {
        SecretDisplay::Full
    } else {
        SecretDisplay::Redacted
    };
    let view = View {
        detector: &detector,
        text: &subject.text,
        show,
    };
    let reported: Vec<_> = explained
        .findings
        .iter()
        .filter(|f| !ignore.ignores(f))
        .collect();
    match cli.format {
        FormatArg::Human => {
            let mut lines = Vec::new();
            view.human(&explained, "", &mut lines);
            println!("keyward explain: {}", subject.name);
            for line in lines {
                println!("{line}");
            }
            let ignored = explained.findings.len() - reported.len();
            if ignored > 0 {
                println!("  {ignored} of its findings are recorded in the ignore file (.keywardignore / .gitleaksignore): not reported.");
            }
            println!("{}", view.verdict_line(&explained, &reported));
        }
        FormatArg::Json | FormatArg::Sarif => {
            let doc = json!({
                "subject": subject.name,
                "explained": view.json(&explained),
                "reported": reported.iter().map(|f| json!({
                    "rule_id": f.rule.id.as_str(),
                    "line": f.location.line,
                    "column": f.location.column,
                    "secret": show.show(&f.secret),
                })).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
    }
    Ok(if reported.is_empty() {
        exit::CLEAN
    } else {
        exit::FOUND
    })
}

/// Reads what `args` names: FILE:LINE when such a file exists, stdin for `-`, else the value.
fn subject(cwd: &Path, root: &Path, args: &ExplainArgs) -> Result<Subject> {
    if let Some((file, line)) = file_and_line(cwd, &args.what) {
        let text = read_file(&file)?;
        let focus = line_range(&text, line).with_context(|| {
            format!(
                "{} has no line {line}",
                keyward::report::sanitize::path_for_terminal(&file)
            )
        })?;
        let path = repo_path(root, &file);
        return Ok(Subject {
            name: format!("{}:{line}", bytes_for_terminal(&path)),
            path,
            text,
            focus,
        });
    }
    let mut text = if args.what == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_FILE)
            .read_to_end(&mut buf)
            .context("cannot read the value from stdin")?;
        buf
    } else {
        args.what.clone().into_bytes()
    };
    while text.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        text.pop();
    }
    let focus = 0..text.len();
    Ok(Subject {
        name: match &args.path {
            Some(p) => format!("a value, as if in {}", sanitize(p)),
            None => "a value".to_owned(),
        },
        path: args.path.clone().unwrap_or_default().into_bytes(),
        text,
        focus,
    })
}

/// `FILE:LINE` split, when FILE is a regular file (relative to `cwd`) and LINE a number ≥ 1.
fn file_and_line(cwd: &Path, what: &str) -> Option<(PathBuf, u32)> {
    let (file, line) = what.rsplit_once(':')?;
    let line: u32 = line.parse().ok().filter(|n| *n >= 1)?;
    let path = cwd.join(file);
    path.is_file().then_some((path, line))
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    let shown = keyward::report::sanitize::path_for_terminal(path);
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {shown}"))?;
    let mut text = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut text)
        .with_context(|| format!("cannot read {shown}"))?;
    if text.len() as u64 > MAX_FILE {
        bail!("{shown} is larger than {} MiB", MAX_FILE >> 20);
    }
    Ok(text)
}

/// The byte range of 1-based `line` in `text`, without its terminator.
fn line_range(text: &[u8], line: u32) -> Option<std::ops::Range<usize>> {
    let mut start = 0;
    for _ in 1..line {
        start += memchr::memchr(b'\n', &text[start..])? + 1;
    }
    if start > text.len() || (start == text.len() && line > 1 && !text.is_empty()) {
        return None;
    }
    let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |p| start + p);
    let end = if end > start && text[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    Some(start..end)
}

/// The path of `file` in the work tree at `root`, as a scan names it (`/`-separated); the
/// path as given when it lies outside.
fn repo_path(root: &Path, file: &Path) -> Vec<u8> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, file) = (canonical(root), canonical(file));
    let relative = file.strip_prefix(&root).unwrap_or(&file);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/").into_bytes()
}

/// What the explanation is printed with.
struct View<'a> {
    detector: &'a Detector,
    text: &'a [u8],
    show: SecretDisplay,
}

impl View<'_> {
    fn rule_id(&self, index: usize) -> String {
        self.detector
            .ruleset()
            .rule(index)
            .info
            .id
            .as_str()
            .to_owned()
    }

    fn secret(&self, text: &[u8], span: &std::ops::Range<usize>) -> String {
        self.show.show(&Secret::new(&text[span.clone()]))
    }

    /// One line per rule and match, indented by `indent`, into `out`.
    fn human(&self, explained: &Explained, indent: &str, out: &mut Vec<String>) {
        self.human_in(self.text, explained, indent, out);
    }

    fn human_in(&self, text: &[u8], explained: &Explained, indent: &str, out: &mut Vec<String>) {
        if explained.site_allowed {
            out.push(format!(
                "{indent}  a config allowlist lets this whole file through (by its path or commit): no rule runs on it."
            ));
        }
        if explained.candidates.is_empty() {
            out.push(format!(
                "{indent}  no rule's keywords occur here, so no rule looks at it."
            ));
        }
        for &(index, skip) in &explained.candidates {
            let id = self.rule_id(index);
            let traced: Vec<_> = explained
                .traced
                .iter()
                .filter(|t| t.rule == index)
                .collect();
            if let Some(skip) = skip {
                let why = match skip {
                    Skip::Path => "its keyword occurs, but the rule is for other paths",
                    Skip::RequiredWordMissing => {
                        "its keyword occurs, but not a word it also requires nearby"
                    }
                };
                out.push(format!("{indent}  - {id}: {why}."));
                continue;
            }
            if traced.is_empty() {
                out.push(format!(
                    "{indent}  - {id}: its keyword occurs; its regex does not match."
                ));
                continue;
            }
            for t in traced {
                let secret = self.secret(text, &t.secret);
                let outcome = match &t.outcome {
                    Outcome::Judged(Verdict::Reported) => "REPORTED".to_owned(),
                    Outcome::Judged(Verdict::Dropped(why)) => format!("dropped: {}", why.reason()),
                    Outcome::Judged(Verdict::Suppressed(by)) => match by.justification() {
                        Some(reason) => {
                            format!("suppressed by an {}: {}", by.kind(), sanitize(reason))
                        }
                        None => format!("suppressed by a {}", by.kind()),
                    },
                    Outcome::Covered { by, cover } => {
                        let how = match cover {
                            Cover::Reported => "reported",
                            Cover::Suppressed => "suppressed",
                            Cover::Rejected => "rejected as its own format",
                        };
                        format!(
                            "not judged: rule {} {how} these bytes first",
                            self.rule_id(*by)
                        )
                    }
                };
                out.push(format!("{indent}  - {id}: matched {secret} → {outcome}."));
            }
        }
        for decoded in &explained.decoded {
            out.push(format!(
                "{indent}  base64 {} decodes to text; in it:",
                self.secret(text, &decoded.span)
            ));
            self.human_in(
                &decoded.text,
                &decoded.explained,
                &format!("{indent}  "),
                out,
            );
        }
    }

    fn verdict_line(&self, explained: &Explained, reported: &[&keyward_detect::Finding]) -> String {
        if reported.is_empty() {
            let suppressed = explained
                .traced
                .iter()
                .any(|t| matches!(t.outcome, Outcome::Judged(Verdict::Suppressed(_))));
            return if suppressed {
                "verdict: not reported (suppressed; `keyward scan --no-allow-comments` ignores allow comments)."
                    .to_owned()
            } else {
                "verdict: not reported.".to_owned()
            };
        }
        let ids: Vec<&str> = reported.iter().map(|f| f.rule.id.as_str()).collect();
        let blocks = reported
            .iter()
            .any(|f| f.rule.severity == keyward_detect::rules::Severity::Error);
        format!(
            "verdict: reported as {}{}",
            ids.join(", "),
            if blocks {
                "; it blocks a commit."
            } else {
                " (a warning; it does not block)."
            }
        )
    }

    fn json(&self, explained: &Explained) -> Value {
        self.json_in(self.text, explained)
    }

    fn json_in(&self, text: &[u8], explained: &Explained) -> Value {
        let rules: Vec<Value> = explained
            .candidates
            .iter()
            .map(|&(index, skip)| {
                let matches: Vec<Value> = explained
                    .traced
                    .iter()
                    .filter(|t| t.rule == index)
                    .map(|t| {
                        let (outcome, detail) = match &t.outcome {
                            Outcome::Judged(Verdict::Reported) => ("reported", Value::Null),
                            Outcome::Judged(Verdict::Dropped(why)) => {
                                ("dropped", Value::from(why.reason()))
                            }
                            Outcome::Judged(Verdict::Suppressed(by)) => (
                                "suppressed",
                                json!({"by": by.kind(), "justification": by.justification()}),
                            ),
                            Outcome::Covered { by, .. } => {
                                ("covered", Value::from(self.rule_id(*by)))
                            }
                        };
                        json!({
                            "secret": self.secret(text, &t.secret),
                            "outcome": outcome,
                            "detail": detail,
                        })
                    })
                    .collect();
                json!({
                    "rule_id": self.rule_id(index),
                    "skipped": skip.map(|s| match s {
                        Skip::Path => "path",
                        Skip::RequiredWordMissing => "required-word-missing",
                    }),
                    "matches": matches,
                })
            })
            .collect();
        let decoded: Vec<Value> = explained
            .decoded
            .iter()
            .map(|decoded| {
                json!({
                    "encoded": self.secret(text, &decoded.span),
                    "explained": self.json_in(&decoded.text, &decoded.explained),
                })
            })
            .collect();
        json!({
            "site_allowed": explained.site_allowed,
            "rules": rules,
            "base64_decoded": decoded,
        })
    }
}
