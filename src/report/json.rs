//! The JSON report: a versioned contract that only grows (DESIGN.md, "The JSON contract").

use std::io::Write;

use base64::Engine as _;
use serde::Serialize;

use super::{Report, SecretDisplay};
use keyward_detect::detect::verdict::Suppression;
use keyward_detect::finding::Finding;
use keyward_detect::suggest::{suggest_in, Suggestion};

/// The contract's version; bump only with a change that removes or redefines a field.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    /// Findings left out by an allow comment, an allowlist or an ignore file, each with why:
    /// the audit trail (the first few hundred; the summary counts them all).
    suppressed: Vec<JsonSuppressed<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: JsonSuppression<'a>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    /// `comment`, `allowlist` or `ignore-file`.
    kind: &'static str,
    /// The reason written after the allow marker, or the allowlist's description.
    justification: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    description: &'a str,
    severity: keyward_detect::rules::Severity,
    path: String,
    /// The exact path, base64, when it is not UTF-8 (`path` then shows it with U+FFFD).
    #[serde(skip_serializing_if = "Option::is_none")]
    path_base64: Option<String>,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    secret: String,
    fingerprint: String,
    commit: Option<&'a str>,
    suggestion: Option<Suggestion>,
    rotate: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonSummary {
    files_scanned: usize,
    lines_scanned: usize,
    binary_skipped: usize,
    too_large_skipped: usize,
    too_large_cut: usize,
    findings: usize,
    findings_not_shown: usize,
    suppressed_by_comment: usize,
    suppressed_by_allowlist: usize,
    suppressed_by_ignore_file: usize,
}

/// Writes `report` as one JSON document followed by a newline.
///
/// # Errors
/// Writing to `out` failed.
pub fn render(
    report: &Report<'_>,
    show: SecretDisplay,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let findings = report
        .findings
        .iter()
        .map(|f| json_finding(f, report, show, Some(suggest_in(f, report.project))))
        .collect();
    let suppressed = report
        .suppressed_findings
        .iter()
        .map(|s| JsonSuppressed {
            finding: json_finding(&s.finding, report, show, None),
            suppression: JsonSuppression {
                kind: match s.by {
                    Suppression::Comment { .. } => "comment",
                    Suppression::Allowlist { .. } => "allowlist",
                    Suppression::IgnoreFile => "ignore-file",
                },
                justification: s.by.justification(),
            },
        })
        .collect();
    let doc = Document {
        version: VERSION,
        findings,
        suppressed,
        summary: JsonSummary {
            files_scanned: report.summary.files_scanned,
            lines_scanned: report.summary.lines_scanned,
            binary_skipped: report.summary.binary_skipped,
            too_large_skipped: report.summary.too_large_skipped,
            too_large_cut: report.summary.too_large_cut,
            findings: report.findings.len(),
            findings_not_shown: report.not_shown,
            suppressed_by_comment: report.suppressed.by_comment,
            suppressed_by_allowlist: report.suppressed.by_allowlist,
            suppressed_by_ignore_file: report.ignored,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn json_finding<'a>(
    f: &'a Finding,
    report: &Report<'_>,
    show: SecretDisplay,
    suggestion: Option<Suggestion>,
) -> JsonFinding<'a> {
    JsonFinding {
        rule_id: f.rule.id.as_str(),
        description: &f.rule.description,
        severity: f.rule.severity,
        path: f.path_lossy(),
        path_base64: std::str::from_utf8(&f.path)
            .is_err()
            .then(|| base64::engine::general_purpose::STANDARD.encode(&f.path)),
        line: f.location.line,
        column: f.location.column,
        end_line: f.location.end_line,
        end_column: f.location.end_column,
        secret: show.show(&f.secret),
        fingerprint: f.fingerprint(report.salt),
        commit: f.commit.as_deref(),
        suggestion,
        rotate: f.rule.rotate.as_deref(),
    }
}
