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

#[test]
fn a_typical_commit_compiles_a_small_fraction_of_the_rules() {
    let detector = Detector::new(Ruleset::builtin().unwrap(), Vec::new());
    let files: [(&str, &str); 4] = [
        ("src/api/client.py", "import requests\n\nclass Client:\n    def __init__(self, api_key, base_url):\n        self.api_key = api_key\n        self.session = requests.Session()\n        self.session.headers['Authorization'] = f'Bearer {api_key}'\n"),
        ("web/src/App.tsx", "import { useState } from 'react';\nexport function App() {\n  const [token, setToken] = useState<string | null>(null);\n  return <Login onToken={setToken} />;\n}\n"),
        ("config/settings.yaml", "server:\n  port: 8080\n  password_min_length: 12\ndatabase:\n  url: postgres://localhost/app\n"),
        ("README.md", "# App\n\nSet `OPENAI_API_KEY` in your shell, then run `make dev`.\n"),
    ];
    for (path, text) in files {
        detector
            .scan(path.as_bytes(), text.as_bytes(), &AddedLines::all())
            .unwrap();
    }
    let compiled = detector.ruleset().compiled_regexes();
    let total = detector.ruleset().rules().len();
    assert!(
        compiled <= 12,
        "{compiled} of {total} regexes compiled for a four-file commit"
    );
    assert!(total >= 100);
}
