//! The built-in rules: every rule matches its examples and none of its counter-examples, and
//! a typical commit compiles only the regexes its keywords call for.

use keyward::rules::check::check;
use keyward::source::AddedLines;
use keyward::{Detector, Ruleset};

use crate::util::{describe, TestRepo};

#[test]
fn every_builtin_rule_passes_the_linter() {
    let detector = Detector::new(Ruleset::builtin().unwrap(), Vec::new());
    let problems = check(&detector);
    let listed: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        listed.join("\n")
    );
}

#[test]
fn rules_check_command_reports_success() {
    let repo = TestRepo::new();
    let out = repo.keyward(&["rules", "--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("keyward rules --check", &repo.root, &out)
    );
    let list = repo.keyward(&["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "openai-api-key",
        "anthropic-api-key",
        "github-pat",
        "aws-access-key-id",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn rules_check_reports_a_broken_user_rule() {
    let repo = TestRepo::new();
    repo.write(
        ".keyward.toml",
        "[[rules]]\nid = \"acme-token\"\nregex = '''acme_[a-z]{8}'''\nkeywords = [\"acme_\"]\nexamples = [\"token = acme_{digit:8}\"]\n",
    );
    let out = repo.keyward(&["rules", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("acme-token: example 0 does not match"));
}

#[test]
fn a_small_commit_compiles_few_regexes() {
    let detector = Detector::new(Ruleset::builtin().unwrap(), Vec::new());
    let file = "import os\n\ndef main():\n    print(os.getcwd())\n";
    let found = detector
        .scan(b"main.py", file.as_bytes(), &AddedLines::all())
        .unwrap();
    assert!(found.is_empty());
    assert_eq!(
        detector.ruleset().compiled_regexes(),
        0,
        "no keyword, no regex"
    );
}
