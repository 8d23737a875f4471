//! The human report: where the secret is, what it is, why it matters and the line to write instead.

use std::io::{self, Write};

use owo_colors::OwoColorize;

use super::sanitize::sanitize;
use super::{Report, SecretDisplay, Target};
use keyward_detect::finding::Finding;
use keyward_detect::rules::Severity;
use keyward_detect::suggest::suggest_in;

/// Colour on or off, decided once by the binary from `--color`, `NO_COLOR` and the terminal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Whether to emit ANSI colours.
    pub color: bool,
}

impl Style {
    fn paint(self, text: &str, f: impl Fn(&str) -> String) -> String {
        if self.color {
            f(text)
        } else {
            text.to_owned()
        }
    }
}

/// What was not scanned whole because of its size, which files, and how to scan them.
fn too_large_note(report: &Report<'_>) -> String {
    let summary = report.summary;
    let mut names: Vec<String> = summary
        .too_large_paths
        .iter()
        .map(|p| super::sanitize::bytes_for_terminal(p))
        .collect();
    if summary.too_large() > names.len() {
        names.push(format!("and {} more", summary.too_large() - names.len()));
    }
    let (level, consequence) = if report.unscanned_blocks() {
        (
            "error",
            " The check fails: a secret past the limit would go unseen. Raise [limits] \
             maxFileSize in the base's .keyward.toml or with --config, or review these files.",
        )
    } else {
        (
            "note",
            " Raise [limits] maxFileSize in .keyward.toml to scan them whole.",
        )
    };
    let mut parts = Vec::new();
    if summary.too_large_cut > 0 {
        parts.push(format!(
            "{} scanned up to the size limit only",
            summary.too_large_cut
        ));
    }
    if summary.too_large_skipped > 0 {
        parts.push(format!(
            "{} not scanned (stored packed, they cannot be read in part)",
            summary.too_large_skipped
        ));
    }
    format!(
        "keyward: {level}: files larger than the size limit: {} ({}).{consequence}",
        parts.join(", "),
        names.join(", ")
    )
}

/// What was found and not reported, by cause, when anything was: the audit trail (`-v`).
fn suppressions_line(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let s = report.suppressed;
    if s.by_comment + s.by_allowlist + report.ignored == 0 {
        return Ok(());
    }
    writeln!(
        out,
        "keyward: suppressed: {} by inline allow comments, {} by config allowlists, {} by \
         ignore files (.keywardignore / .gitleaksignore).",
        s.by_comment, s.by_allowlist, report.ignored
    )?;
    for hidden in report.suppressed_findings.iter().take(SUPPRESSED_LISTED) {
        let f = &hidden.finding;
        let reason = hidden
            .by
            .justification()
            .map(|r| format!(": {}", sanitize(r)))
            .unwrap_or_default();
        writeln!(
            out,
            "keyward:   {}:{} {} (by {}{reason})",
            super::sanitize::bytes_for_terminal(&f.path),
            f.location.line,
            f.rule.id.as_str(),
            hidden.by.kind()
        )?;
    }
    let more = report
        .suppressed_findings
        .len()
        .saturating_sub(SUPPRESSED_LISTED);
    if more > 0 {
        writeln!(
            out,
            "keyward:   … and {more} more (--format json lists them)."
        )?;
    }
    Ok(())
}

/// How many suppressed findings `-v` lists by name.
const SUPPRESSED_LISTED: usize = 20;

/// Writes the report. Prints nothing when there are no findings unless `verbose`.
///
/// # Errors
/// Writing to `out` failed.
pub fn render(
    report: &Report<'_>,
    show: SecretDisplay,
    style: Style,
    verbose: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let n = report.findings.len();
    if report.summary.too_large() > 0 {
        let note = too_large_note(report);
        writeln!(out, "{}", style.paint(&note, |t| t.yellow().to_string()))?;
    }
    if n == 0 {
        if verbose {
            writeln!(
                out,
                "keyward: no secrets in {} added lines of {} files ({} binary skipped).",
                report.summary.lines_scanned,
                report.summary.files_scanned,
                report.summary.binary_skipped
            )?;
        }
        if verbose {
            suppressions_line(report, out)?;
        }
        return Ok(());
    }
    let noun = if n == 1 { "secret" } else { "secrets" };
    let place = match report.target {
        Target::Staged => "the staged changes",
        Target::Paths => "the scanned files",
        Target::Commits => "the scanned commits",
        Target::Push => "the commits being pushed",
    };
    let verdict = match (report.target, report.blocks()) {
        (Target::Staged, true) => " The commit was blocked.",
        (Target::Staged, false) => " Warnings only: the commit may go ahead.",
        (Target::Push, true) => " The push was blocked.",
        (Target::Commits, true) => " The check failed.",
        _ => "",
    };
    let head = format!("keyward: {n} {noun} in {place}.{verdict}");
    writeln!(
        out,
        "{}\n",
        style.paint(&head, |t| t.red().bold().to_string())
    )?;
    for finding in report.findings {
        finding_block(finding, report, show, style, out)?;
    }
    if report.target == Target::Staged {
        writeln!(
            out,
            "To rewrite these lines and move the values to .env: keyward fix (--dry-run to preview)."
        )?;
    }
    writeln!(
        out,
        "Not a secret? Add `keyward:allow` in a comment on that line (or `keyward:allow-next-line` \
         on the line before), or list it in .keyward.toml."
    )?;
    writeln!(
        out,
        "Already rotated, or in history you cannot rewrite? `keyward ignore` records it in .keywardignore."
    )?;
    match report.target {
        Target::Staged => writeln!(out, "To commit anyway, knowingly: git commit --no-verify")?,
        Target::Push => writeln!(out, "To push anyway, knowingly: git push --no-verify")?,
        Target::Commits | Target::Paths => {}
    }
    if verbose {
        suppressions_line(report, out)?;
    }
    Ok(())
}

fn finding_block(
    f: &Finding,
    report: &Report<'_>,
    show: SecretDisplay,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let env_ignored = report.env_ignored;
    let loc = f.location;
    let path = sanitize(&f.path_lossy());
    let severity = match f.rule.severity {
        Severity::Error => "",
        Severity::Warning => " [warning]",
    };
    let commit = f
        .commit
        .as_deref()
        .map(|c| format!(" in commit {}", &c[..c.len().min(12)]))
        .unwrap_or_default();
    let title = format!(
        "{}  {} ({}){severity}{commit}",
        style.paint(&format!("{path}:{}:{}", loc.line, loc.column), |t| t
            .bold()
            .to_string()),
        sanitize(&f.rule.description),
        sanitize(f.rule.id.as_str())
    );
    writeln!(out, "  {title}")?;

    let gutter = loc.line.to_string();
    let pad = " ".repeat(gutter.len());
    let (shown, caret_at, caret_len) = shown_line(f, show);
    writeln!(out, "    {gutter} | {shown}")?;
    let carets = "^".repeat(caret_len.max(1));
    writeln!(
        out,
        "    {pad} | {}{}",
        " ".repeat(caret_at),
        style.paint(&carets, |t| t.red().to_string())
    )?;

    if let Some(why) = &f.rule.why {
        writeln!(
            out,
            "  {}   {}",
            style.paint("why:", |t| t.yellow().to_string()),
            sanitize(why)
        )?;
    }
    let suggestion = suggest_in(f, report.project);
    let fix = style.paint("fix:", |t| t.green().to_string());
    match &suggestion.replacement {
        Some(line) => {
            writeln!(out, "  {fix}   read it from the environment instead:")?;
            writeln!(
                out,
                "    {gutter} | {}",
                style.paint(&sanitize(line), |t| t.green().to_string())
            )?;
            writeln!(out, "    {pad}   and {}.", sanitize(&suggestion.advice))?;
        }
        None => writeln!(out, "  {fix}   {}.", sanitize(&suggestion.advice))?,
    }
    if let Some(endpoint) = &suggestion.endpoint {
        writeln!(
            out,
            "  {}   {}:",
            style.paint("server:", |t| t.green().to_string()),
            sanitize(&format!(
                "{}, {}; {}",
                endpoint.path, endpoint.kind, endpoint.secret_setup
            ))
        )?;
        for code in endpoint.code.lines() {
            writeln!(
                out,
                "    {pad} | {}",
                style.paint(&sanitize(code), |t| t.green().to_string())
            )?;
        }
    }
    if env_ignored == Some(false) && suggestion.advice.contains(".env file that git ignores") {
        writeln!(
            out,
            "  note:  .env is not in this repository's .gitignore yet; `keyward fix` adds it."
        )?;
    }
    if let Some(rotate) = &f.rule.rotate {
        writeln!(
            out,
            "  if this key was ever pushed or shared, revoke and rotate it: {}",
            sanitize(rotate)
        )?;
    }
    writeln!(out)
}

/// The line as shown: sanitized, the secret redacted, with the caret position and width in
/// characters.
fn shown_line(f: &Finding, show: SecretDisplay) -> (String, usize, usize) {
    let text = &f.line.text;
    let span = f.line.secret.clone();
    let before = sanitize(&String::from_utf8_lossy(&text[..span.start]));
    let after = sanitize(&String::from_utf8_lossy(&text[span.end..]));
    let secret = sanitize(&show.show(&f.secret));
    let lead = if f.line.cut_before { "…" } else { "" };
    let trail = if f.line.cut_after { "…" } else { "" };
    let caret_at = lead.chars().count() + before.chars().count();
    let caret_len = secret.chars().count();
    (
        format!("{lead}{before}{secret}{after}{trail}"),
        caret_at,
        caret_len,
    )
}
