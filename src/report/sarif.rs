//! SARIF 2.1.0, the format code-scanning services accept (GitHub's `upload-sarif`, GitLab,
//! Azure DevOps): one run, the rules that produced findings, and one result per finding with
//! its location, a redacted secret and a stable fingerprint.
//!
//! Columns are 1-based byte columns, as in the other reports; secrets are ASCII, so on the
//! lines that matter bytes and UTF-16 code units agree.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{json, Value};

use super::{Report, SecretDisplay};
use keyward_detect::detect::verdict::Suppression;
use keyward_detect::finding::Finding;
use keyward_detect::rules::Severity;
use keyward_detect::suggest::{suggest_in, ProjectFiles};

/// The schema a SARIF log names.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes `report` as a SARIF 2.1.0 log followed by a newline.
///
/// # Errors
/// Writing to `out` failed.
pub fn render(
    report: &Report<'_>,
    show: SecretDisplay,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // The rules that produced findings, in id order; results point at them by index.
    let mut rules: BTreeMap<&str, &Finding> = BTreeMap::new();
    let hidden = report.suppressed_findings.iter().map(|s| &s.finding);
    for f in report.findings.iter().chain(hidden) {
        rules.entry(f.rule.id.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rule_objects: Vec<Value> = rules.values().map(|f| rule(f)).collect();
    let mut results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            result(
                f,
                index[f.rule.id.as_str()],
                show,
                report.salt,
                report.project,
            )
        })
        .collect();
    // Suppressed findings are results too, marked as such: code scanning shows them as
    // dismissed, with the reason, so a suppression is reviewed like any other change.
    results.extend(report.suppressed_findings.iter().map(|s| {
        let mut value = result(
            &s.finding,
            index[s.finding.rule.id.as_str()],
            show,
            report.salt,
            report.project,
        );
        value["suppressions"] = json!([suppression(&s.by)]);
        value
    }));
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "keyward",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rule_objects,
                }
            },
            "originalUriBaseIds": {
                "%SRCROOT%": { "description": { "text": "The root of the repository's work tree." } }
            },
            "results": results,
            "properties": {
                "filesScanned": report.summary.files_scanned,
                "linesScanned": report.summary.lines_scanned,
                "binarySkipped": report.summary.binary_skipped,
                "tooLargeSkipped": report.summary.too_large_skipped,
                "tooLargeCut": report.summary.too_large_cut,
                "findingsNotShown": report.not_shown,
                "suppressedByComment": report.suppressed.by_comment,
                "suppressedByAllowlist": report.suppressed.by_allowlist,
                "suppressedByIgnoreFile": report.ignored,
            }
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// A SARIF `suppression` object: in the source (an allow comment) or external (an allowlist,
/// an ignore file), accepted, with the user's reason as its justification.
fn suppression(by: &Suppression) -> Value {
    let mut value = json!({
        "kind": if by.in_source() { "inSource" } else { "external" },
        "status": "accepted",
    });
    let justification = match by.justification() {
        Some(reason) => format!("{}: {reason}", by.kind()),
        None => by.kind().to_owned(),
    };
    value["justification"] = Value::from(justification);
    value
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(example: &Finding) -> Value {
    let info = &example.rule;
    let mut help = String::from(
        "Do not commit credentials: read them from the environment or a secret manager.",
    );
    if let Some(env) = &info.env {
        help.push_str(&format!(" Read it from {env} instead."));
    }
    if let Some(rotate) = &info.rotate {
        help.push_str(&format!(
            " If it may have left your machine, revoke and rotate it: {rotate}"
        ));
    }
    let mut tags = vec!["security".to_owned(), "secret".to_owned()];
    tags.extend(info.tags.iter().cloned());
    json!({
        "id": info.id.as_str(),
        "name": pascal_case(info.id.as_str()),
        "shortDescription": { "text": info.description },
        "fullDescription": {
            "text": info.why.clone().unwrap_or_else(|| format!("A committed {} can be used by anyone who reads the repository.", info.description))
        },
        "help": { "text": help },
        "defaultConfiguration": { "level": level(info.severity) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": match info.severity { Severity::Error => "9.0", Severity::Warning => "5.0" },
        }
    })
}

fn result(
    f: &Finding,
    rule_index: usize,
    show: SecretDisplay,
    salt: &[u8],
    project: &dyn ProjectFiles,
) -> Value {
    let secret = show.show(&f.secret);
    let fix = suggest_in(f, project);
    let mut message = format!("{} found: {secret}.", f.rule.description);
    match (fix.ships, &fix.endpoint) {
        (Some(ships), Some(endpoint)) => message.push_str(&format!(
            " This file ships inside {}: no variable keeps the key secret there. Move it to {} that reads {} on the server.",
            ships.what(),
            endpoint.kind,
            fix.env_var
        )),
        _ => message.push_str(&format!(
            " Read it from the environment variable {} instead.",
            fix.env_var
        )),
    }
    let snippet = if show == SecretDisplay::Full {
        String::from_utf8_lossy(&f.line.text).into_owned()
    } else {
        redacted_line(f, &secret)
    };
    let mut properties = serde_json::Map::new();
    properties.insert("secret".into(), Value::from(secret));
    if let Some(commit) = &f.commit {
        properties.insert("commit".into(), Value::from(commit.as_str()));
    }
    properties.insert("advice".into(), Value::from(fix.advice.as_str()));
    if let Some(replacement) = &fix.replacement {
        properties.insert("replacement".into(), Value::from(replacement.as_str()));
    }
    json!({
        "ruleId": f.rule.id.as_str(),
        "ruleIndex": rule_index,
        "level": level(f.rule.severity),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.path), "uriBaseId": "%SRCROOT%" },
                "region": {
                    "startLine": f.location.line,
                    "startColumn": f.location.column,
                    "endLine": f.location.end_line,
                    "endColumn": f.location.end_column,
                    "snippet": { "text": snippet },
                }
            }
        }],
        "partialFingerprints": { "keyward/v2": f.fingerprint(salt) },
        "properties": properties,
    })
}

/// The finding's line with the secret replaced by its redacted form.
fn redacted_line(f: &Finding, redacted: &str) -> String {
    let text = &f.line.text;
    let span = f.line.secret.clone();
    let end = span.end.min(text.len());
    let start = span.start.min(end);
    format!(
        "{}{redacted}{}",
        String::from_utf8_lossy(&text[..start]),
        String::from_utf8_lossy(&text[end..])
    )
}

/// A repository path as a relative URI reference: unreserved bytes and `/` as they are, every
/// other byte percent-encoded (spaces, `#`, `%`, non-UTF-8 bytes).
fn uri(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn pascal_case(id: &str) -> String {
    id.split(['-', '_', '.'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{pascal_case, uri};

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri(b"src/app.py"), "src/app.py");
        assert_eq!(uri(b"my dir/#1.txt"), "my%20dir/%231.txt");
        assert_eq!(uri(b"caf\xc3\xa9"), "caf%C3%A9");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("openai-api-key"), "OpenaiApiKey");
    }
}
