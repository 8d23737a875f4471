//! The built-in rules: every rule matches its examples and none of its counter-examples, and
//! a typical commit compiles only the regexes its keywords call for.

use keyward::source::AddedLines;
use keyward_detect::check::check;
use keyward_detect::{Detector, Ruleset};

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
    assert_eq!(detector.ruleset().parsed_rules(), 0, "no keyword, no rule");
}

#[test]
fn a_rules_multiline_flag_is_known_before_it_is_parsed() {
    let ruleset = Ruleset::builtin().unwrap();
    let unparsed: Vec<bool> = (0..ruleset.len())
        .map(|i| ruleset.is_multiline(i))
        .collect();
    assert_eq!(ruleset.parsed_rules(), 0, "reading the flag parses nothing");
    let parsed: Vec<bool> = ruleset.iter().map(|rule| rule.multiline).collect();
    assert_eq!(unparsed, parsed);
    assert!(unparsed.contains(&true) && unparsed.contains(&false));
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
    let parsed = detector.ruleset().parsed_rules();
    let total = detector.ruleset().len();
    assert!(
        compiled <= 12,
        "{compiled} of {total} regexes compiled for a four-file commit"
    );
    // Built-in rules are parsed only when their keywords occur (and a rule is compiled only
    // once parsed).
    assert!(
        (compiled..=20).contains(&parsed),
        "{parsed} of {total} rules parsed for a four-file commit"
    );
    assert!(total >= 100);
}

/// Every match and group of a rule's pattern, found the way short windows are searched (the
/// bounded backtracker) and the way long ones are (the meta regex: lazy DFA, then captures
/// anchored on each match).
type Groups = Vec<Vec<Option<(usize, usize)>>>;

/// `None` when `hay` is longer than the backtracker takes: the detector then uses the meta
/// regex for it too.
fn by_backtracker(rule: &keyward_detect::rules::Rule, hay: &[u8]) -> Option<Groups> {
    let counter = Default::default();
    let bt = rule.backtracker(&counter).unwrap();
    if hay.len() > bt.max_haystack_len() {
        return None;
    }
    let mut cache = bt.create_cache();
    Some(
        bt.try_captures_iter(&mut cache, hay)
            .map(|caps| {
                let caps = caps.unwrap();
                (0..caps.group_len())
                    .map(|g| caps.get_group(g).map(|s| (s.start, s.end)))
                    .collect()
            })
            .collect(),
    )
}

fn by_meta(rule: &keyward_detect::rules::Rule, hay: &[u8], large: bool) -> Groups {
    let counter = Default::default();
    let regex = rule.regex(&counter, large).unwrap();
    let mut caps = regex.create_captures();
    regex
        .find_iter(hay)
        .map(|m| {
            let input = regex_automata::Input::new(hay)
                .range(m.range())
                .anchored(regex_automata::Anchored::Yes);
            regex.search_captures(&input, &mut caps);
            (0..caps.group_len())
                .map(|g| caps.get_group(g).map(|s| (s.start, s.end)))
                .collect()
        })
        .collect()
}

#[test]
fn short_and_long_searches_find_the_same_matches_and_groups() {
    let ruleset = Ruleset::builtin().unwrap();
    let examples = Ruleset::builtin_examples().unwrap();
    let mut compared = 0;
    for (n, rule) in ruleset.iter().enumerate() {
        let Some(own) = examples.get(rule.id().as_str()) else {
            continue;
        };
        let lines: Vec<String> = own
            .examples
            .iter()
            .chain(&own.counter_examples)
            .enumerate()
            .map(|(i, t)| keyward_detect::fake::expand(t, (n * 100 + i) as u64).unwrap())
            .collect();
        // Each line alone, two lines joined (several matches, leftmost-first order), and each
        // line cut short and run into its neighbour (matches at the window's edges).
        let mut hays: Vec<Vec<u8>> = lines.iter().map(|l| l.clone().into_bytes()).collect();
        for pair in lines.windows(2) {
            hays.push(format!("{}\n{} {}", pair[0], pair[1], pair[0]).into_bytes());
            let (a, b) = (pair[0].as_bytes(), pair[1].as_bytes());
            hays.push([&a[..a.len() / 2], b].concat());
        }
        for hay in &hays {
            let expected = by_meta(rule, hay, false);
            if let Some(backtracked) = by_backtracker(rule, hay) {
                assert_eq!(
                    backtracked,
                    expected,
                    "{}: {:?}",
                    rule.id(),
                    String::from_utf8_lossy(hay)
                );
            }
            assert_eq!(by_meta(rule, hay, true), expected);
            compared += 1;
        }
    }
    assert!(compared > 300, "only {compared} comparisons");
}

/// Counter-examples are checked under either spelling, `counterExamples` (gitleaks' case) and
/// `counter_examples` (the built-in files'): one was once ignored without a word.
#[test]
fn rules_check_reads_counter_examples_under_either_spelling() {
    for field in ["counterExamples", "counter_examples"] {
        let repo = TestRepo::new();
        repo.write(
            ".keyward.toml",
            format!(
                "[[rules]]\nid = \"acme-token\"\nregex = '''acme_[a-z]{{8}}'''\nkeywords = [\"acme_\"]\n\
                 examples = [\"token = acme_{{lower:8}}\"]\n{field} = [\"token = acme_qzjxkvwm\"]\n"
            ),
        );
        let out = repo.keyward(&["rules", "--check"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{field}: {stdout}");
        assert!(
            stdout.contains("acme-token: counter-example 0 matches"),
            "{field}: {stdout}"
        );
    }
}

/// A field keyward does not read (a misspelling) is named, with its file and line, rather than
/// ignored without a word; gitleaks' own fields that keyward leaves alone (`title`) are not.
#[test]
fn a_misspelt_config_field_is_named_with_its_line() {
    let repo = TestRepo::new();
    repo.write(
        ".keyward.toml",
        "[[rules]]\nid = \"acme-token\"\nregex = '''acme_[a-z]{8}'''\nkeywords = [\"acme_\"]\n\
         examples = [\"token = acme_{lower:8}\"]\nenvVar = \"ACME_TOKEN\"\n",
    );
    let out = repo.keyward(&["rules", "--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".keyward.toml:6:1: `rules.0.envVar` is not a field keyward reads"),
        "{stderr}"
    );
    let gitleaks = TestRepo::new();
    gitleaks.write(
        ".gitleaks.toml",
        "title = \"ours\"\n[extend]\nuseDefault = true\n",
    );
    let out = gitleaks.keyward(&["rules", "--check"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
