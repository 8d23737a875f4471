//! `keyward explain` and the audit trail of suppressions, on real repositories through the real
//! binary: what explain says about a line matches what a scan of the same staged line does, and
//! every suppressed finding (allow comment, allowlist, ignore file) shows up in JSON and SARIF
//! with its reason.

use std::io::Write as _;
use std::process::Stdio;

use serde_json::Value;

use crate::util::{describe, github_token, keyward_bin, openai_key, TestRepo};

fn base_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("README.md", "# demo\n");
    repo.commit_all("base");
    repo
}

/// `keyward explain ARGS` as (exit code, stdout).
fn explain(repo: &TestRepo, args: &[&str]) -> (i32, String) {
    let mut all = vec!["explain"];
    all.extend_from_slice(args);
    let out = repo.keyward(&all);
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "{}",
        describe("keyward explain", &repo.root, &out)
    );
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// `keyward scan --format json EXTRA` on the staged changes, parsed.
fn scan_doc(repo: &TestRepo, extra: &[&str]) -> Value {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    let out = repo.keyward(&args);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}", describe("keyward scan", &repo.root, &out)))
}

/// The staged scan's findings as (rule, line).
fn scanned(repo: &TestRepo) -> Vec<(String, u64)> {
    scan_doc(repo, &[])["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A GitHub token whose checksum is wrong: its last character changed.
fn bad_checksum_token(seed: u64) -> String {
    let mut token = github_token(seed);
    let last = token.pop().unwrap();
    token.push(if last == 'A' { 'B' } else { 'A' });
    token
}

#[test]
fn explain_says_which_check_decides_each_line_and_agrees_with_the_scan() {
    let repo = base_repo();
    let key = openai_key(201);
    let lines = [
        format!("client = OpenAI(api_key=\"{key}\")"),
        format!("GH_TOKEN = \"{}\"", bad_checksum_token(202)),
        "API_KEY = \"your-api-key-here-xxxxxxxxxxxxxxxx\"".to_owned(),
        format!(
            "TOKEN = \"{}\"  # keyward:allow rotated in March, test fixture",
            openai_key(203)
        ),
        "print('hello')".to_owned(),
    ];
    repo.write("app.py", lines.join("\n") + "\n");
    repo.stage(&["app.py"]);
    // The scan reports line 1 only.
    assert_eq!(scanned(&repo), [("openai-api-key".to_owned(), 1)]);

    let (code, out) = explain(&repo, &["app.py:1"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("openai-api-key: matched sk-proj-"), "{out}");
    assert!(out.contains("→ REPORTED"), "{out}");
    assert!(
        out.contains("generic-secret: matched")
            && out.contains("openai-api-key reported these bytes first"),
        "{out}"
    );
    assert!(out.contains("verdict: reported as openai-api-key"), "{out}");
    assert!(
        !out.contains(&key),
        "explain printed the key in full:\n{out}"
    );

    let (code, out) = explain(&repo, &["app.py:2"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("checksum does not verify"), "{out}");
    assert!(out.contains("verdict: not reported."), "{out}");

    let (code, out) = explain(&repo, &["app.py:3"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("dropped: a placeholder") || out.contains("does not match"),
        "{out}"
    );

    let (code, out) = explain(&repo, &["app.py:4"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("suppressed by an inline allow comment: rotated in March, test fixture"),
        "{out}"
    );

    let (code, out) = explain(&repo, &["app.py:5"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no rule's keywords occur here"), "{out}");

    // A line past the end is an error that names the file, not a silent "not reported".
    let out = repo.keyward(&["explain", "app.py:99"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        describe("explain", &repo.root, &out)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("app.py has no line 99"));
}

#[test]
fn explain_reads_a_value_from_stdin_and_decodes_base64() {
    let repo = base_repo();
    let key = openai_key(211);
    let mut child = std::process::Command::new(keyward_bin())
        .args(["explain", "-"])
        .current_dir(&repo.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("OPENAI_API_KEY={key}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("verdict: reported as openai-api-key"),
        "{stdout}"
    );

    // A key wrapped in base64 (a Kubernetes Secret's data) is explained inside the decoding.
    use base64::Engine as _;
    let wrapped = base64::engine::general_purpose::STANDARD.encode(&key);
    let (code, stdout) = explain(&repo, &[&format!("  OPENAI_API_KEY: {wrapped}")]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("decodes to text; in it:"), "{stdout}");
    assert!(
        stdout.contains("verdict: reported as openai-api-key"),
        "{stdout}"
    );
}

#[test]
fn suppressed_findings_are_listed_with_their_reasons_in_json_and_sarif() {
    let repo = base_repo();
    repo.write(
        ".keyward.toml",
        "[[allowlists]]\ndescription = 'sample keys of the SDK docs'\npaths = ['''^docs/''']\nregexes = ['''.''']\ncondition = 'AND'\n",
    );
    repo.commit_all("config");
    repo.write(
        "app.py",
        format!(
            "A = \"{}\"  # keyward:allow revoked 2026-11, kept for the test\nB = \"{}\"\nC = \"{}\"\n",
            openai_key(221),
            openai_key(222),
            openai_key(223)
        ),
    );
    repo.write("docs/sample.py", format!("KEY = \"{}\"\n", openai_key(224)));
    repo.git(&["add", "-A"]);
    // Record line 3's finding in .keywardignore, as a user who rotated it would.
    let recorded = repo.keyward(&["ignore", "--yes"]);
    assert!(
        recorded.status.success(),
        "{}",
        describe("ignore", &repo.root, &recorded)
    );
    // Now only B (line 2) is new; A, C and the docs sample are suppressed three ways.
    repo.write(
        "app.py",
        format!(
            "A = \"{}\"  # keyward:allow revoked 2026-11, kept for the test\nB = \"{}\"\nC = \"{}\"\n",
            openai_key(221),
            openai_key(225),
            openai_key(223)
        ),
    );
    repo.git(&["add", "-A"]);
    let doc = scan_doc(&repo, &[]);
    let findings: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(findings, [2], "{doc:#}");
    let mut suppressed: Vec<(String, u64, String, Option<String>)> = doc["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_owned(),
                s["line"].as_u64().unwrap(),
                s["suppression"]["kind"].as_str().unwrap().to_owned(),
                s["suppression"]["justification"]
                    .as_str()
                    .map(str::to_owned),
            )
        })
        .collect();
    suppressed.sort();
    assert_eq!(
        suppressed,
        [
            (
                "app.py".to_owned(),
                1,
                "comment".to_owned(),
                Some("revoked 2026-11, kept for the test".to_owned())
            ),
            ("app.py".to_owned(), 3, "ignore-file".to_owned(), None),
            (
                "docs/sample.py".to_owned(),
                1,
                "allowlist".to_owned(),
                Some("sample keys of the SDK docs".to_owned())
            ),
        ],
        "{doc:#}"
    );
    for s in doc["suppressed"].as_array().unwrap() {
        assert!(
            s["secret"].as_str().unwrap().contains('…'),
            "not redacted: {s}"
        );
    }

    // SARIF: the same three as results carrying `suppressions`, the finding without.
    let out = repo.keyward(&["scan", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\n{}", describe("keyward scan", &repo.root, &out)));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{sarif:#}");
    let kinds: Vec<(bool, Option<&str>)> = results
        .iter()
        .map(|r| {
            (
                r.get("suppressions").is_some(),
                r["suppressions"][0]["kind"].as_str(),
            )
        })
        .collect();
    assert_eq!(kinds.iter().filter(|(s, _)| !s).count(), 1);
    assert_eq!(kinds.iter().filter(|k| k.1 == Some("inSource")).count(), 1);
    assert_eq!(kinds.iter().filter(|k| k.1 == Some("external")).count(), 2);
    let justified: Vec<&str> = results
        .iter()
        .filter_map(|r| r["suppressions"][0]["justification"].as_str())
        .collect();
    assert!(
        justified.contains(&"inline allow comment: revoked 2026-11, kept for the test"),
        "{justified:?}"
    );

    // With --no-allow-comments the commented line is a finding, not a suppression.
    let doc = scan_doc(&repo, &["--no-allow-comments"]);
    let lines: Vec<u64> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 2], "{doc:#}");
    assert_eq!(doc["summary"]["suppressed_by_comment"], 0);

    // -v names each suppressed finding and its reason.
    let out = repo.keyward(&["scan", "-v"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "app.py:1 openai-api-key (by inline allow comment: revoked 2026-11, kept for the test)"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "docs/sample.py:1 openai-api-key (by config allowlist: sample keys of the SDK docs)"
        ),
        "{err}"
    );
}

/// Shapes from the false alarms of a real-history survey (a published reCAPTCHA test secret, a
/// test name that begins `live_`, a sandbox token ending in a typed run, a typed walk under a
/// secret name, a test double's value, a value spelling its name, words run together, a badge
/// token): a staged scan stays quiet, and explain names the check that decided each.
#[test]
fn false_alarm_shapes_from_real_histories_stay_quiet_and_explain_says_why() {
    let repo = base_repo();
    let lines = [
        // Google publishes this secret for automated tests; it passes every verification.
        "RECAPTCHA_PRIVATE_KEY = \"6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe\"",
        "def test_live_payment_intent_is_refunded_after_capture(self):",
        "item_access_token = \"access-development-5678\"",
        "api_secret = \"Qz1Xy2Wv3Ut4Sr5Qp6On7Ml8Kj9Ih0Gf1Ed2Cb3\"",
        // A value a test double puts in place for one test.
        "    mocker.patch(\"acme.api_key\", \"sk_test_Vb7QmZr2Lx9Kw4\")",
        // A value that spells its own name.
        "    \"privateKey\": \"0X-PRIVATE-KEY-GOES-HERE-PRIVATE-KEY\",",
        // Words run together under a key's name.
        "    connection_params = {\"secret-key\": \"everybodyenjoysarainyafternoon\"}",
        // A status badge's read-only token.
        "[![CI](https://ci.example.com/acme/sdk.svg?token=Zq8Rw2Lm5Xv9Tp3Kd7&branch=main)](https://ci.example.com/acme/sdk)",
    ];
    repo.write("tests/test_payments.py", lines.join("\n") + "\n");
    repo.stage(&["tests/test_payments.py"]);
    assert_eq!(scanned(&repo), Vec::<(String, u64)>::new());
    let expected = [
        "dropped: a placeholder",
        "dropped: it reads as words or an identifier",
        "dropped: a placeholder",
        "dropped: a generic rule's exclusion",
        "dropped: a generic rule's exclusion",
        "dropped: a generic rule's exclusion",
        "dropped: a generic rule's exclusion",
        "dropped: a generic rule's exclusion",
    ];
    for (i, want) in expected.iter().enumerate() {
        let (code, out) = explain(&repo, &[&format!("tests/test_payments.py:{}", i + 1)]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains(want), "line {}: want {want:?}\n{out}", i + 1);
    }
}

/// More shapes from a second survey of public histories, each in the kind of file it came
/// from: a version pin under a name containing `token`, a docs search index, a translation
/// catalogue, a font inside an SVG, a presigned URL, a JWT test vector, a Firebase app config,
/// a DocSearch config. None is reported; a real key staged beside them is.
#[test]
fn generated_files_translations_blobs_presigned_urls_and_test_vectors_stay_quiet() {
    use base64::Engine as _;
    let repo = base_repo();
    repo.write(
        "tox.ini",
        "[testenv]\ndeps =\n    py3.9-langchain-notiktoken-v0.1.20: certifi==2026.5.20\n",
    );
    repo.write(
        "docs/build/html/searchindex.js",
        // keyward:allow-next-line (the test's point: generic rules do not read these files)
        "Search.setIndex({\"docnames\":[\"docs/source/_rst/acme.rest.api.v2010.account.sip.credential_list\",\"docs/source/_rst/acme.rest.api.v2010.account.sip.domain_list\"]})\n",
    );
    repo.write(
        "src/locales/de/translation.json",
        // keyward:allow-next-line (translations, as the test says)
        "{\n  \"Signing secret\": \"Signaturgeheimnis\",\n  \"Client secret\": \"Klientlegitimationsoplysninger\"\n}\n",
    );
    let font = crate::util::fake("{base64:120}EAAACNgQ5{alnum:160}{base64:120}", 301);
    repo.write(
        "assets/banner.svg",
        format!("<style>@font-face {{ src: url(\"data:font/ttf;base64,{font}\"); }}</style>\n"),
    );
    let key_id = crate::util::fake("ASIA{upper:16}", 302);
    let signature = crate::util::fake("{hex:64}", 303);
    repo.write(
        "tests/__fixtures__/notion.json",
        format!("{{\"url\": \"https://files.s3.amazonaws.com/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={key_id}%2F20250311%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date=20250311T120000Z&X-Amz-Expires=3600&X-Amz-Signature={signature}\"}}\n"),
    );
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let vector = format!(
        "{}.{}.{}",
        e.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        e.encode(r#"{"name":"test"}"#),
        crate::util::fake("{urlsafe:43}", 304)
    );
    repo.write(
        "tools/jwt_test.go",
        format!("\ttoken := ParseUnverified(\"{vector}\")\n"),
    );
    // Firebase's app config ships its API key by design; a docs site's DocSearch key is
    // search-only.
    let firebase_key = crate::util::fake("AIza{urlsafe:35}", 306);
    repo.write(
        "ios/App/GoogleService-Info.plist",
        format!("<key>API_KEY</key>\n<string>{firebase_key}</string>\n"),
    );
    let search_key = crate::util::fake("{hex:32}", 307);
    repo.write(
        "docs/docusaurus.config.js",
        format!("    algolia: {{\n      apiKey: \"{search_key}\",\n    }},\n"),
    );
    let real = openai_key(305);
    repo.write("settings.py", format!("OPENAI_API_KEY = \"{real}\"\n"));
    repo.git(&["add", "-A"]);
    let doc = scan_doc(&repo, &[]);
    let found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("settings.py".to_owned(), "openai-api-key".to_owned())],
        "{doc:#}"
    );
}

/// A Kubernetes Secret whose base64 decodes to a word (a sample manifest's demo password) is
/// reported as a warning that says so, and does not block; a random value still blocks.
#[test]
fn a_secret_manifest_holding_a_word_is_a_warning() {
    use base64::Engine as _;
    let repo = base_repo();
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let manifest = |value: &str| {
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\ntype: Opaque\ndata:\n  password: {value}\n")
    };
    repo.write("k8s/secret.yaml", manifest(&b64("quobyteadmin")));
    repo.stage(&["k8s/secret.yaml"]);
    let out = repo.keyward(&["scan", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("scan", &repo.root, &out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &doc["findings"][0];
    assert_eq!(finding["rule_id"], "kubernetes-secret-data", "{doc:#}");
    assert_eq!(finding["severity"], "warning", "{doc:#}");
    assert!(finding["description"]
        .as_str()
        .unwrap()
        .contains("decodes to a word"));

    let random = crate::util::fake("{alnum:24}", 401);
    repo.write("k8s/secret.yaml", manifest(&b64(&random)));
    repo.stage(&["k8s/secret.yaml"]);
    let out = repo.keyward(&["scan", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        describe("scan", &repo.root, &out)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["findings"][0]["severity"], "error", "{doc:#}");
}
