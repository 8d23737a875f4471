//! What the user and scripts see: the human block, the JSON contract, colour, redaction, exit
//! codes, and the replacement line in each language.

use crate::util::{describe, fake, github_token, openai_key, TestRepo};

fn staged_leak(path: &str, line: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("README.md", "# demo\n");
    repo.commit_all("base");
    repo.write(path, format!("// header\n{line}\n"));
    repo.stage(&[path]);
    repo
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn json_report_follows_the_contract() {
    let key = openai_key(9);
    let line = format!("client = OpenAI(api_key=\"{key}\")");
    let repo = staged_leak("src/summarise.py", &line);
    let out = repo.keyward(&["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        describe("keyward --format json", &repo.root, &out)
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["version"], 1);
    let f = &doc["findings"][0];
    assert_eq!(f["rule_id"], "openai-api-key");
    assert_eq!(f["description"], "OpenAI API key");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["path"], "src/summarise.py");
    assert_eq!(f["line"], 2);
    let column = line.find(&key).unwrap() as u64 + 1;
    assert_eq!(f["column"], column, "column points at the secret");
    assert_eq!(f["end_line"], 2);
    assert_eq!(f["end_column"], column + key.len() as u64);
    let shown = f["secret"].as_str().unwrap();
    assert!(
        shown.starts_with("sk-proj-") && shown.contains('…') && shown.len() < 24,
        "{shown}"
    );
    let fingerprint = f["fingerprint"].as_str().unwrap();
    let hash = fingerprint
        .strip_prefix("openai-api-key:src/summarise.py:")
        .expect(fingerprint);
    assert!(hash.len() == 20 && hash.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(f["commit"].is_null());
    assert_eq!(f["suggestion"]["env_var"], "OPENAI_API_KEY");
    assert_eq!(
        f["suggestion"]["replacement"],
        "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"
    );
    assert!(f["suggestion"]["advice"].as_str().unwrap().contains(".env"));
    assert_eq!(f["rotate"], "https://platform.openai.com/api-keys");
    assert_eq!(doc["summary"]["files_scanned"], 1);
    assert_eq!(doc["summary"]["lines_scanned"], 2);
    assert_eq!(doc["summary"]["binary_skipped"], 0);
    assert_eq!(doc["summary"]["findings"], 1);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&key));
}

#[test]
fn clean_json_report_has_no_findings_and_exit_zero() {
    let repo = staged_leak("a.py", "x = 1");
    let out = repo.keyward(&["scan", "--staged", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn human_report_has_every_part_of_the_contract() {
    let key = openai_key(10);
    let repo = staged_leak(
        "src/summarise.py",
        &format!("client = OpenAI(api_key=\"{key}\")"),
    );
    let out = repo.keyward(&[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for part in [
        "1 secret in the staged changes. The commit was blocked.",
        "src/summarise.py:2:26  OpenAI API key (openai-api-key)",
        "^^^^",
        "why:",
        "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])",
        "OPENAI_API_KEY=... in your shell or in a .env file that git ignores",
        "https://platform.openai.com/api-keys",
        "keyward:allow",
        "git commit --no-verify",
    ] {
        assert!(err.contains(part), "missing {part:?} in:\n{err}");
    }
    assert!(!err.contains(&key), "full key printed");
    assert!(out.stdout.is_empty(), "the human report goes to stderr");
    insta::assert_snapshot!("human_report_python", err);
}

#[test]
fn show_secrets_prints_the_secret_in_full() {
    let key = github_token(11);
    let repo = staged_leak("deploy.sh", &format!("export GITHUB_TOKEN={key}"));
    let out = repo.keyward(&["--show-secrets", "--format", "json"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&key));
    let human = repo.keyward(&["--show-secrets"]);
    assert!(stderr(&human).contains(&key));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let repo = staged_leak("a.js", &format!("const t = '{}';", github_token(12)));
    assert!(stderr(&repo.keyward(&["--color", "always"])).contains("\x1b["));
    assert!(!stderr(&repo.keyward(&["--color", "never"])).contains("\x1b["));
    // Not a terminal: auto means no colour.
    assert!(!stderr(&repo.keyward(&[])).contains("\x1b["));
    repo.set_env("NO_COLOR", "1");
    assert!(!stderr(&repo.keyward(&["--color", "auto"])).contains("\x1b["));
}

#[test]
fn replacement_lines_in_each_language() {
    let key = openai_key(13);
    let cases = [
        ("app.py", format!("client = OpenAI(api_key=\"{key}\")"), "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"),
        ("web/app.ts", format!("const openai = new OpenAI({{ apiKey: '{key}' }});"), "const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });"),
        ("index.js", format!("const key = `{key}`;"), "const key = process.env.OPENAI_API_KEY;"),
        ("main.go", format!("\tclient := openai.NewClient(\"{key}\")"), "\tclient := openai.NewClient(os.Getenv(\"OPENAI_API_KEY\"))"),
        ("src/main.rs", format!("    let key = \"{key}\";"), "    let key = std::env::var(\"OPENAI_API_KEY\").expect(\"OPENAI_API_KEY is not set\");"),
        (".github/workflows/ci.yml", format!("      OPENAI_API_KEY: {key}"), "      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}"),
    ];
    for (path, line, expected) in cases {
        let repo = staged_leak(path, &line);
        let out = repo.keyward(&["--format", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            doc["findings"][0]["suggestion"]["replacement"], expected,
            "{path}"
        );
    }
}

#[test]
fn inline_allow_markers_let_a_line_through() {
    for marker in ["# keyward:allow", "# gitleaks:allow"] {
        let repo = staged_leak(
            "t.py",
            &format!("TOKEN = \"{}\"  {marker}", github_token(14)),
        );
        assert_eq!(repo.keyward(&[]).status.code(), Some(0), "{marker}");
    }
}

#[test]
fn outside_a_repository_it_fails_closed_with_the_bypass() {
    let repo = TestRepo::new();
    let outside = tempfile::tempdir().unwrap();
    let out = repo.run(
        repo.command(crate::util::keyward_bin())
            .current_dir(outside.path())
            .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap()),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("cannot open the git repository"), "{err}");
    assert!(err.contains("git commit --no-verify"), "{err}");
}

#[test]
fn a_malformed_config_names_the_file_and_line() {
    let repo = staged_leak("a.py", "x = 1");
    repo.write(
        ".keyward.toml",
        "[allowlist]\npaths = [\n  'ok',\n  3,\n]\n",
    );
    let out = repo.keyward(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(".keyward.toml:4:"), "{err}");
    assert!(err.contains("--no-verify"), "{err}");
}

#[test]
fn a_usage_error_exits_two() {
    let repo = TestRepo::new();
    let out = repo.keyward(&["--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--no-verify"));
}

#[test]
fn config_allowlists_a_path() {
    let repo = staged_leak(
        "tests/fixtures/keys.py",
        &format!("TOKEN = \"{}\"", github_token(15)),
    );
    assert_eq!(repo.keyward(&[]).status.code(), Some(1));
    repo.write(
        ".keyward.toml",
        "[allowlist]\npaths = ['''^tests/fixtures/''']\n",
    );
    assert_eq!(repo.keyward(&[]).status.code(), Some(0));
}

#[test]
fn scan_paths_reads_whole_files() {
    let repo = TestRepo::new();
    repo.write(
        "conf/settings.py",
        format!("A = 1\nAWS_KEY = \"{}\"\n", fake("AKIA{base32:16}", 3)),
    );
    repo.write("conf/clean.py", "B = 2\n");
    let out = repo.keyward(&["scan", "conf", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"][0]["path"], "conf/settings.py");
    assert_eq!(doc["findings"][0]["line"], 2);
    assert_eq!(doc["summary"]["files_scanned"], 2);
}

#[test]
fn terminal_control_characters_in_content_are_neutralised() {
    let key = github_token(16);
    let repo = staged_leak(
        "evil.py",
        &format!("TOKEN = \"{key}\"  # \x1b]0;pwned\x07 \u{202e}"),
    );
    let err = stderr(&repo.keyward(&["--color", "never"]));
    assert!(
        !err.contains('\x1b') && !err.contains('\u{202e}'),
        "{err:?}"
    );
}

#[test]
fn a_key_in_a_browser_exposed_variable_says_the_call_belongs_on_a_server() {
    let repo = staged_leak(
        "web/.env.local",
        &format!("NEXT_PUBLIC_OPENAI_API_KEY={}", openai_key(17)),
    );
    let out = repo.keyward(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let advice = doc["findings"][0]["suggestion"]["advice"].as_str().unwrap();
    assert_eq!(doc["findings"][0]["rule_id"], "openai-api-key");
    assert!(
        advice.contains("browser") && advice.contains("server"),
        "{advice}"
    );
}

#[test]
fn a_staged_env_file_is_told_to_leave_the_index() {
    let repo = staged_leak(
        ".env",
        &format!("SESSION_SECRET={}", fake("{alnum:32}", 18)),
    );
    let out = repo.keyward(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"][0]["rule_id"], "dotenv-secret");
    let advice = doc["findings"][0]["suggestion"]["advice"].as_str().unwrap();
    assert!(
        advice.contains("git rm --cached .env") && advice.contains(".gitignore"),
        "{advice}"
    );
}

#[test]
fn human_report_snapshots_in_several_languages() {
    let key = openai_key(19);
    let cases = [
        (
            "human_report_typescript",
            "web/src/ai.ts",
            format!("const openai = new OpenAI({{ apiKey: '{key}' }});"),
        ),
        (
            "human_report_go",
            "cmd/main.go",
            format!("\tclient := openai.NewClient(\"{key}\")"),
        ),
        (
            "human_report_workflow",
            ".github/workflows/ci.yml",
            format!("          OPENAI_API_KEY: {key}"),
        ),
    ];
    for (name, path, line) in cases {
        let repo = staged_leak(path, &line);
        repo.write(".gitignore", ".env\n");
        let err = stderr(&repo.keyward(&["--color", "never"]));
        assert!(!err.contains(&key));
        insta::assert_snapshot!(name, err);
    }
}

#[test]
fn human_report_snapshot_with_colour() {
    let repo = staged_leak("app.py", &format!("TOKEN = \"{}\"", github_token(20)));
    let err = stderr(&repo.keyward(&["--color", "always"]));
    assert!(err.contains("\x1b["));
    insta::assert_snapshot!("human_report_colour", err);
}

#[test]
fn the_report_says_when_env_is_not_ignored_yet() {
    let repo = staged_leak("app.py", &format!("TOKEN = \"{}\"", github_token(21)));
    assert!(stderr(&repo.keyward(&[])).contains(".env is not in this repository's .gitignore yet"));
    repo.write(".gitignore", ".env\n");
    assert!(!stderr(&repo.keyward(&[])).contains(".env is not in this repository's .gitignore yet"));
}
