//! Config on real repositories: `.keyward.toml` allowlists (path, regex, stopword, inline in both
//! spellings), an existing `.gitleaks.toml` as teams write them, `[extend] path`, the ignore
//! files and `keyward ignore`.

use serde_json::Value;

use crate::util::{describe, fake, github_token, openai_key, TestRepo};

/// Runs `keyward scan --format json` and returns (exit code, findings as (rule, path, line)).
fn scan_json(repo: &TestRepo, extra: &[&str]) -> (i32, Vec<(String, String, u64)>) {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    let out = repo.keyward(&args);
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}", describe("keyward scan", &repo.root, &out)));
    let findings = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), findings)
}

fn base_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("README.md", "# demo\n");
    repo.commit_all("base");
    repo
}

fn stage_leaks(repo: &TestRepo) {
    repo.write(
        "app.py",
        format!(
            "import os\nclient = OpenAI(api_key=\"{}\")\n",
            openai_key(11)
        ),
    );
    repo.write(
        "docs/example.py",
        format!("TOKEN = \"{}\"\n", github_token(12)),
    );
    repo.write(
        "deploy.sh",
        format!("export GH_TOKEN={}\n", github_token(13)),
    );
    repo.git(&["add", "-A"]);
}

#[test]
fn without_config_every_leak_is_found() {
    let repo = base_repo();
    stage_leaks(&repo);
    let (code, findings) = scan_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 3, "{findings:?}");
}

#[test]
fn keyward_toml_allowlists_paths_regexes_and_stopwords() {
    let repo = base_repo();
    stage_leaks(&repo);
    let openai = openai_key(11);
    // Path allowlist: docs/ is allowed.
    repo.write(".keyward.toml", "[allowlist]\npaths = ['''^docs/''']\n");
    let (_, findings) = scan_json(&repo, &[]);
    let paths: Vec<&str> = findings.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(paths, ["app.py", "deploy.sh"]);

    // Regex on the line.
    repo.write(
        ".keyward.toml",
        "[[allowlists]]\nregexTarget = 'line'\nregexes = ['''^export GH_TOKEN=''']\n",
    );
    let (_, findings) = scan_json(&repo, &[]);
    let paths: Vec<&str> = findings.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(paths, ["app.py", "docs/example.py"]);

    // Stopword in the secret: a slice of the OpenAI key.
    let stopword = &openai[20..32];
    repo.write(
        ".keyward.toml",
        format!("[allowlist]\nstopwords = ['{stopword}']\n"),
    );
    let (_, findings) = scan_json(&repo, &[]);
    assert!(
        findings.iter().all(|f| f.0 != "openai-api-key"),
        "{findings:?}"
    );
    assert_eq!(findings.len(), 2);

    // A per-rule allowlist applies to that rule only; AND needs every criterion.
    repo.write(
        ".keyward.toml",
        "[[rules]]\nid = 'github-pat'\n[[rules.allowlists]]\ncondition = 'AND'\n\
         paths = ['''\\.sh$''']\nregexTarget = 'line'\nregexes = ['''export''']\n",
    );
    let (_, findings) = scan_json(&repo, &[]);
    let paths: Vec<&str> = findings.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(paths, ["app.py", "docs/example.py"]);
}

#[test]
fn inline_allow_in_both_spellings() {
    let repo = base_repo();
    repo.write(
        "a.py",
        format!(
            "A = \"{}\"  # keyward:allow\nB = \"{}\"  # gitleaks:allow\nC = \"{}\"\n",
            github_token(1),
            github_token(2),
            github_token(3)
        ),
    );
    repo.stage(&["a.py"]);
    let (code, findings) = scan_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings, [("github-pat".into(), "a.py".into(), 3)]);
}

#[test]
fn disabled_rules_and_a_broken_config_named_with_its_line() {
    let repo = base_repo();
    stage_leaks(&repo);
    // With the GitHub rule off, the generic rules still see the tokens; with them off too,
    // only the OpenAI key is left.
    repo.write(".keyward.toml", "disabledRules = ['github-pat']\n");
    let (_, findings) = scan_json(&repo, &[]);
    assert!(findings.iter().all(|f| f.0 != "github-pat"), "{findings:?}");
    repo.write(
        ".keyward.toml",
        "disabledRules = ['github-pat', 'generic-secret', 'generic-secret-config']\n",
    );
    let (_, findings) = scan_json(&repo, &[]);
    assert_eq!(findings, [("openai-api-key".into(), "app.py".into(), 2)]);

    repo.write(
        ".keyward.toml",
        "[[rules]]\nid = 'mine'\nkeywords = ['x']\nregex = '''(unclosed'''\n",
    );
    let out = repo.keyward(&["scan"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(".keyward.toml:2:1"), "{stderr}");
    assert!(stderr.contains("git commit --no-verify"), "{stderr}");
}

/// A `.gitleaks.toml` as teams write it: the defaults, a custom rule for an internal token
/// format, a global allowlist and a rule allowlist in gitleaks' older singular spelling, a
/// disabled default rule under its gitleaks id.
const GITLEAKS_TOML: &str = r#"
title = "acme gitleaks config"

[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-internal-token"
description = "Acme internal service token"
regex = '''\b(acme_[a-z0-9]{32})\b'''
secretGroup = 1
keywords = ["acme_"]
tags = ["internal"]

[[rules]]
id = "github-pat"
[rules.allowlist]
paths = ['''(^|/)fixtures/''']

[allowlist]
description = "vendored code and docs"
paths = ['''(^|/)vendor/''', '''\.md$''']
regexes = ['''acme_0{32}''']
"#;

#[test]
fn an_existing_gitleaks_config_works_as_it_is() {
    let repo = base_repo();
    repo.write(".gitleaks.toml", GITLEAKS_TOML);
    let internal = fake("acme_{lower:16}{digit:16}", 5);
    repo.write(
        "service.py",
        format!(
            "ACME = \"{internal}\"\nNULL = \"acme_{}\"\nclient = OpenAI(api_key=\"{}\")\n",
            "0".repeat(32),
            openai_key(6)
        ),
    );
    repo.write("fixtures/gh.txt", format!("token: {}\n", github_token(7)));
    repo.write("vendor/lib.py", format!("K = \"{}\"\n", openai_key(8)));
    repo.write("notes.md", format!("key {}\n", openai_key(9)));
    repo.write("ci.sh", format!("GH_TOKEN={}\n", github_token(10)));
    repo.write(
        "settings.py",
        format!("api_key = \"{}\"\n", fake("{alnum:24}", 3)),
    );
    repo.git(&["add", "-A"]);
    let (code, mut findings) = scan_json(&repo, &[]);
    findings.sort();
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        [
            ("acme-internal-token".into(), "service.py".into(), 1),
            ("github-pat".into(), "ci.sh".into(), 1),
            ("openai-api-key".into(), "service.py".into(), 3),
        ],
        "custom rule, default rules, allowlists and the disabled generic rule"
    );
}

#[test]
fn a_gitleaks_config_without_extend_uses_only_its_own_rules_and_extend_path_chains() {
    let repo = base_repo();
    repo.write(
        ".gitleaks.toml",
        "[[rules]]\nid = 'acme'\nregex = '''acme_[a-z0-9]{32}'''\n",
    );
    let internal = fake("acme_{lower:16}{digit:16}", 1);
    repo.write(
        "a.py",
        format!("A = \"{internal}\"\nB = \"{}\"\n", github_token(2)),
    );
    repo.git(&["add", "-A"]);
    let (_, findings) = scan_json(&repo, &[]);
    assert_eq!(findings, [("acme".into(), "a.py".into(), 1)]);

    // A .keyward.toml takes precedence, and can build on the gitleaks file with [extend] path:
    // its rules, plus the defaults it asks for.
    repo.write(
        ".keyward.toml",
        "[extend]\npath = '.gitleaks.toml'\nuseDefault = true\n",
    );
    let (_, mut findings) = scan_json(&repo, &[]);
    findings.sort();
    assert_eq!(
        findings,
        [
            ("acme".into(), "a.py".into(), 1),
            ("github-pat".into(), "a.py".into(), 2)
        ]
    );
}

#[test]
fn untranslatable_gitleaks_parts_are_reported_not_dropped() {
    let repo = base_repo();
    repo.write(
        ".gitleaks.toml",
        "[extend]\nuseDefault = true\n[[rules]]\nid = 'pair'\nregex = '''pair_[a-z]{8}'''\n\
         [[rules.required]]\nid = 'other'\nwithinLines = 2\n",
    );
    repo.write("a.txt", "x\n");
    repo.stage(&["a.txt"]);
    let out = repo.keyward(&["scan"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning"), "{stderr}");
    assert!(stderr.contains("[[rules.required]]"), "{stderr}");

    repo.write(
        ".gitleaks.toml",
        "[extend]\nurl = 'https://example.invalid/gitleaks.toml'\n",
    );
    let out = repo.keyward(&["scan"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".gitleaks.toml:2") && stderr.contains("url"),
        "{stderr}"
    );
}

#[test]
fn the_ignore_file_suppresses_exactly_the_recorded_finding() {
    let repo = base_repo();
    repo.write("a.py", format!("TOKEN = \"{}\"\n", github_token(21)));
    repo.stage(&["a.py"]);

    // Without a terminal and without --yes nothing is written.
    let out = repo.keyward(&["ignore"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!repo.root.join(".keywardignore").exists());

    let out = repo.keyward(&["ignore", "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        describe("keyward ignore", &repo.root, &out)
    );
    let recorded = std::fs::read_to_string(repo.root.join(".keywardignore")).unwrap();
    assert!(recorded.contains("github-pat:a.py:"), "{recorded}");
    assert!(
        !recorded.contains(&github_token(21)),
        "the ignore file holds the secret"
    );
    let (code, findings) = scan_json(&repo, &[]);
    assert_eq!((code, findings.len()), (0, 0));

    // The same secret on another line stays ignored; a new one of the same rule in the same
    // file does not.
    repo.write(
        "a.py",
        format!(
            "import os\n\nTOKEN = \"{}\"\nOTHER = \"{}\"\n",
            github_token(21),
            github_token(22)
        ),
    );
    repo.stage(&["a.py"]);
    let (code, findings) = scan_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings, [("github-pat".into(), "a.py".into(), 4)]);

    // Recording twice adds nothing twice.
    repo.keyward(&["ignore", "--yes"]);
    repo.keyward(&["ignore", "--yes"]);
    let recorded = std::fs::read_to_string(repo.root.join(".keywardignore")).unwrap();
    assert_eq!(
        recorded.matches("github-pat:a.py:").count(),
        2,
        "{recorded}"
    );
}

#[test]
fn gitleaksignore_entries_are_honoured_and_a_malformed_ignore_file_is_an_error() {
    let repo = base_repo();
    repo.write(
        "a.py",
        format!(
            "A = \"{}\"\nB = \"{}\"\n",
            github_token(31),
            github_token(32)
        ),
    );
    repo.stage(&["a.py"]);
    repo.write(".gitleaksignore", "# known\na.py:github-pat:1\n");
    let (_, findings) = scan_json(&repo, &[]);
    assert_eq!(findings, [("github-pat".into(), "a.py".into(), 2)]);

    repo.write(".keywardignore", "not a fingerprint\n");
    let out = repo.keyward(&["scan"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(".keywardignore:1"), "{stderr}");
}

#[test]
fn the_readme_config_example_is_valid() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```toml\n  [extend]")
        .expect("README has the .keyward.toml example");
    let body = &readme[start + "```toml\n".len()..];
    let body = &body[..body.find("```").unwrap()];
    let text: String = body
        .lines()
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let config = keyward_detect::config::Config::parse(".keyward.toml", &text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let detector = config.detector().unwrap();
    assert!(detector.ruleset().get("acme-token").is_some());
    assert!(detector.ruleset().get("aws-access-key-id").is_none());
}

#[test]
fn the_users_own_rule_wins_over_a_built_in_generic_rule() {
    let rule =
        "id = \"acme-token\"\nregex = '''\\b(acme_[a-z0-9]{32})\\b'''\nkeywords = [\"acme_\"]\n";
    for (name, config) in [
        (".keyward.toml", format!("[[rules]]\n{rule}")),
        (
            ".gitleaks.toml",
            format!("[extend]\nuseDefault = true\n\n[[rules]]\n{rule}"),
        ),
    ] {
        let repo = base_repo();
        repo.write(name, config);
        let value = format!("acme_{}", fake("{lower:16}{digit:16}", 71));
        repo.write("app.py", format!("TOKEN = \"{value}\"\n"));
        repo.git(&["add", "-A"]);
        let (code, findings) = scan_json(&repo, &[]);
        assert_eq!(code, 1, "{name}");
        assert_eq!(
            findings,
            [("acme-token".into(), "app.py".into(), 1)],
            "{name}"
        );
    }
}

#[test]
fn a_gitleaksignore_entry_silences_its_line_whatever_keyward_calls_the_rule() {
    let repo = base_repo();
    repo.write(
        "a.py",
        format!("A = \"{}\"\nB = \"{}\"\n", openai_key(33), openai_key(34)),
    );
    repo.stage(&["a.py"]);
    // gitleaks calls these `generic-api-key` (or `openai-api-key`); keyward names them its way.
    repo.write(".gitleaksignore", "a.py:generic-api-key:1\n");
    let (_, findings) = scan_json(&repo, &[]);
    assert_eq!(findings, [("openai-api-key".into(), "a.py".into(), 2)]);
}

#[test]
fn allow_comments_on_the_line_before_can_be_turned_off_and_are_counted() {
    let repo = base_repo();
    repo.write(
        "settings.json",
        format!(
            "{{\n  // keyward:allow-next-line (a rotated test key)\n  \"key\": \"{}\",\n  \"other\": \"{}\"\n}}\n",
            openai_key(81),
            openai_key(82)
        ),
    );
    repo.write(
        "app.py",
        format!("KEY = \"{}\"  # keyward:allow\n", openai_key(83)),
    );
    repo.git(&["add", "-A"]);
    // The line after the marker and the line with one are allowed; the next line is not.
    let (code, findings) = scan_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        findings,
        [("openai-api-key".into(), "settings.json".into(), 4)]
    );
    let out = repo.keyward(&["scan", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["suppressed_by_comment"], 2);
    // A reviewer's CI check sees everything.
    let (_, findings) = scan_json(&repo, &["--no-allow-comments"]);
    assert_eq!(findings.len(), 3, "{findings:?}");
    let out = repo.keyward(&["scan", "-v"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("suppressed: 2 by inline allow comments"),
        "{stderr}"
    );
}

#[test]
fn a_gitleaks_config_on_gitleaks_defaults_brings_gitleaks_default_allowlist() {
    let leak = format!("const key = \"{}\";\n", openai_key(91));
    for (name, config, expected) in [
        (".gitleaks.toml", "[extend]\nuseDefault = true\n", 1),
        (".keyward.toml", "[extend]\nuseDefault = true\n", 3),
    ] {
        let repo = base_repo();
        repo.write(name, config);
        repo.write("node_modules/lib/index.js", &leak);
        repo.write("vendor/github.com/acme/x/key.go", &leak);
        repo.write("src/app.js", &leak);
        repo.git(&["add", "-A"]);
        let (_, findings) = scan_json(&repo, &[]);
        assert_eq!(findings.len(), expected, "{name}: {findings:?}");
        let out = repo.keyward(&["scan", "-v"]);
        let said = String::from_utf8_lossy(&out.stderr).contains("default global allowlist");
        assert_eq!(said, name == ".gitleaks.toml");
    }
}

/// What gitleaks' own default config holds reads as gitleaks reads it: braces that start no
/// repetition are literal (RE2), and a path-only rule (a file reported by its name) is named
/// as skipped rather than failing the scan, and so blocking the commit.
#[test]
fn gitleaks_literal_braces_and_path_only_rules_do_not_block() {
    let repo = base_repo();
    repo.write(
        ".gitleaks.toml",
        "[[rules]]\nid = 'acme'\nregex = '''acme_[a-z0-9]{32}'''\n\
         [[rules.allowlists]]\nregexTarget = 'line'\nregexes = ['''\\$?{{[^}]+}}''']\n\
         [[rules]]\nid = 'pkcs12-file'\npath = '''(?i)\\.p(?:12|fx)$'''\n",
    );
    let key = fake("acme_{lower:16}{digit:16}", 3);
    repo.write(
        "a.py",
        format!("A = \"{key}\"\nB = \"{key}\"  # ${{{{ACME}}}}\n"),
    );
    repo.git(&["add", "-A"]);
    let out = repo.keyward(&["scan"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("\"pkcs12-file\"") && stderr.contains("is skipped"),
        "{stderr}"
    );
    // Only line 1: the `${{ACME}}` line is allowed.
    let (_, findings) = scan_json(&repo, &[]);
    assert_eq!(findings, [("acme".into(), "a.py".into(), 1)]);
}
