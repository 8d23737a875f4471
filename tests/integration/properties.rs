//! Property tests (proptest): added lines against a simple reference, a fake secret spliced into
//! random text found exactly once where it was put, and no report that prints a full secret.

use std::sync::OnceLock;

use keyward::report::{human::Style, Report, SecretDisplay, Target};
use keyward::source::{AddedLines, Summary};
use keyward_detect::{Detector, Ruleset};
use proptest::prelude::*;

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| Detector::new(Ruleset::builtin().unwrap(), Vec::new()))
}

/// The length of the longest common subsequence of two line lists (quadratic, obviously right).
fn lcs(a: &[&[u8]], b: &[&[u8]]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diagonal = 0;
        for (j, y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if x == y {
                diagonal + 1
            } else {
                row[j + 1].max(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    body.split(|&b| b == b'\n').collect()
}

/// Files of lines drawn from a small alphabet, so that old and new share many lines.
fn file() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec!["a", "b", "c", "}", "", "  x = 1"]),
        0..40,
    )
    .prop_map(|lines| {
        let mut text = lines.join("\n").into_bytes();
        if !lines.is_empty() {
            text.push(b'\n');
        }
        text
    })
}

/// Filler that no rule reports: common words and code punctuation.
fn filler_line() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "let",
            "value",
            "=",
            "(",
            ")",
            "{",
            "}",
            ";",
            "return",
            "name",
            "the",
            "config",
            "if",
            "else",
            "42",
            "\"hello\"",
            "//",
            "note",
            "print",
            "user",
        ]),
        0..12,
    )
    .prop_map(|words| words.join(" "))
}

const TEMPLATES: &[&str] = &[
    "ghp_{alnum:30}{crc32-base62}",
    "sk-proj-{urlsafe:74}T3BlbkFJ{urlsafe:74}",
    "AKIA{base32:16}",
    "xoxb-{digit:11}-{digit:12}-{alnum:24}",
    "glpat-{urlsafe:20}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn added_lines_are_a_minimal_diff(old in file(), new in file()) {
        let added = keyward::source::added_lines(&old, &new);
        let new_lines = split_lines(&new);
        let old_lines = split_lines(&old);
        let lines = added.lines(&new);
        // Exactly the lines an optimal diff adds: as many as are not in a longest common
        // subsequence…
        prop_assert_eq!(lines.len(), new_lines.len() - lcs(&old_lines, &new_lines));
        // …each reported with its own number and text…
        for (number, text) in &lines {
            let line = new_lines[*number as usize - 1];
            prop_assert_eq!(*text, line);
        }
        // …and the lines kept are, in order, a subsequence of the old file.
        let kept: Vec<&[u8]> = new_lines
            .iter()
            .enumerate()
            .filter(|(i, _)| !lines.iter().any(|(n, _)| *n as usize == i + 1))
            .map(|(_, l)| *l)
            .collect();
        prop_assert_eq!(lcs(&kept, &old_lines), kept.len());
    }

    #[test]
    fn a_spliced_secret_is_found_once_where_it_was_put(
        lines in prop::collection::vec(filler_line(), 1..30),
        at_line in any::<prop::sample::Index>(),
        at_word in any::<prop::sample::Index>(),
        template in prop::sample::select(TEMPLATES),
        seed in any::<u64>(),
    ) {
        let secret = keyward_detect::fake::expand(template, seed).unwrap();
        // A draw as uniform as a typed one (AKIARREAAERZQV2RRFRI) is rightly below the AWS
        // rule's entropy floor: such seeds say nothing about these properties.
        prop_assume!(keyward_detect::detect::entropy::shannon(secret.as_bytes()) >= 3.2);
        let mut lines = lines;
        let row = at_line.index(lines.len());
        let words: Vec<&str> = lines[row].split(' ').filter(|w| !w.is_empty()).collect();
        let split = at_word.index(words.len() + 1);
        let before = words[..split].join(" ");
        let after = words[split..].join(" ");
        let prefix = if before.is_empty() { String::new() } else { format!("{before} ") };
        lines[row] = format!("{prefix}{secret} {after}");
        let text = lines.join("\n") + "\n";
        let findings = detector()
            .scan(b"notes.txt", text.as_bytes(), &AddedLines::all())
            .unwrap();
        prop_assert_eq!(findings.len(), 1, "{:?}", findings.iter().map(|f| f.rule.id.as_str()).collect::<Vec<_>>());
        prop_assert_eq!(findings[0].location.line as usize, row + 1);
        prop_assert_eq!(findings[0].location.column as usize, prefix.len() + 1);
        prop_assert_eq!(findings[0].secret.as_bytes(), secret.as_bytes());
    }

    #[test]
    fn no_report_prints_a_full_secret_unless_asked(
        template in prop::sample::select(TEMPLATES),
        seed in any::<u64>(),
        path in prop::sample::select(vec!["app.py", "src/index.ts", "main.go", ".github/workflows/ci.yml", "README.md", "weird\nname.rs"]),
    ) {
        let secret = keyward_detect::fake::expand(template, seed).unwrap();
        // A draw as uniform as a typed one (AKIARREAAERZQV2RRFRI) is rightly below the AWS
        // rule's entropy floor: such seeds say nothing about these properties.
        prop_assume!(keyward_detect::detect::entropy::shannon(secret.as_bytes()) >= 3.2);
        let text = format!("import os\napi_key = \"{secret}\"\n");
        let findings = detector()
            .scan(path.as_bytes(), text.as_bytes(), &AddedLines::all())
            .unwrap();
        prop_assert!(!findings.is_empty());
        let summary = Summary::default();
        let report = Report {
            findings: &findings,
            summary: &summary,
            target: Target::Staged,
            env_ignored: Some(false),
            ignored: 0,
            salt: b"test-salt",
            not_shown: 0,
            suppressed: Default::default(),
            suppressed_findings: &[],
            project: &keyward_detect::suggest::NoProject,
        };
        for show in [SecretDisplay::Redacted, SecretDisplay::Full] {
            let mut outputs: Vec<Vec<u8>> = Vec::new();
            for color in [false, true] {
                let mut out = Vec::new();
                keyward::report::human::render(&report, show, Style { color }, true, &mut out).unwrap();
                outputs.push(out);
            }
            let mut json = Vec::new();
            keyward::report::json::render(&report, show, &mut json).unwrap();
            outputs.push(json);
            let mut sarif = Vec::new();
            keyward::report::sarif::render(&report, show, &mut sarif).unwrap();
            outputs.push(sarif);
            outputs.push(format!("{:?}", findings).into_bytes());
            for out in &outputs[..outputs.len() - 1] {
                let printed = memchr::memmem::find(out, secret.as_bytes()).is_some();
                prop_assert_eq!(printed, show == SecretDisplay::Full, "{}", String::from_utf8_lossy(out));
            }
            // Debug output (logs, panics) never holds the secret either.
            let debug = outputs.last().unwrap();
            prop_assert!(memchr::memmem::find(debug, secret.as_bytes()).is_none());
        }
    }
}
