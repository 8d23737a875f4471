//! The fix in every language: (path, staged line) → replacement line, and the replacement
//! parses or compiles with the real tool where the machine has one (python3, node, bash, rustc).

use std::process::Command;

use keyward::source::AddedLines;
use keyward_detect::suggest::suggest;
use keyward_detect::{Detector, Ruleset};

use crate::util::openai_key;

/// (path, staged line with `{S}` for the key, expected replacement).
const CASES: &[(&str, &str, &str)] = &[
    ("app.py", "client = OpenAI(api_key=\"{S}\")", "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"),
    ("app.py", "headers = {\"Authorization\": \"Bearer {S}\"}", "headers = {\"Authorization\": \"Bearer \" + os.environ[\"OPENAI_API_KEY\"]}"),
    ("web/app.js", "const openai = new OpenAI({ apiKey: '{S}' });", "const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });"),
    ("web/app.ts", "const key = `{S}`;", "const key = process.env.OPENAI_API_KEY;"),
    ("main.go", "\tclient := openai.NewClient(\"{S}\")", "\tclient := openai.NewClient(os.Getenv(\"OPENAI_API_KEY\"))"),
    ("src/main.rs", "    let key = \"{S}\";", "    let key = std::env::var(\"OPENAI_API_KEY\").expect(\"OPENAI_API_KEY is not set\");"),
    ("App.java", "    String key = \"{S}\";", "    String key = System.getenv(\"OPENAI_API_KEY\");"),
    ("App.kt", "val key = \"{S}\"", "val key = System.getenv(\"OPENAI_API_KEY\")"),
    ("Program.cs", "var key = \"{S}\";", "var key = Environment.GetEnvironmentVariable(\"OPENAI_API_KEY\");"),
    ("app.rb", "client = OpenAI::Client.new(access_token: \"{S}\")", "client = OpenAI::Client.new(access_token: ENV.fetch(\"OPENAI_API_KEY\"))"),
    ("index.php", "$key = '{S}';", "$key = getenv('OPENAI_API_KEY');"),
    ("App.swift", "let key = \"{S}\"", "let key = ProcessInfo.processInfo.environment[\"OPENAI_API_KEY\"]"),
    ("main.c", "const char *key = \"{S}\";", "const char *key = getenv(\"OPENAI_API_KEY\");"),
    ("deploy.sh", "curl -H \"Authorization: Bearer {S}\" https://api.openai.com/v1/models", "curl -H \"Authorization: Bearer ${OPENAI_API_KEY}\" https://api.openai.com/v1/models"),
    ("run.ps1", "$key = \"{S}\"", "$key = $env:OPENAI_API_KEY"),
    (".github/workflows/ci.yml", "          OPENAI_API_KEY: {S}", "          OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}"),
    ("docker-compose.yml", "      OPENAI_API_KEY: {S}", "      OPENAI_API_KEY: ${OPENAI_API_KEY}"),
    ("k8s/deployment.yaml", "              value: \"{S}\"", "              valueFrom: {secretKeyRef: {name: app-secrets, key: openai-api-key}}"),
    ("infra/main.tf", "  api_key = \"{S}\"", "  api_key = var.openai_api_key"),
    ("Dockerfile", "ENV OPENAI_API_KEY={S}", "# OPENAI_API_KEY is passed at run time (docker run -e OPENAI_API_KEY), or as a build secret (RUN --mount=type=secret,id=openai_api_key)"),
    ("analysis.ipynb", "    \"client = OpenAI(api_key=\\\"{S}\\\")\\n\",", "    \"client = OpenAI(api_key=os.environ[\\\"OPENAI_API_KEY\\\"])\\n\","),
    ("docs/setup.md", "export OPENAI_API_KEY={S}", "export OPENAI_API_KEY=<OPENAI_API_KEY>"),
];

fn replacement(detector: &Detector, path: &str, line: &str) -> Option<String> {
    let text = format!("{line}\n");
    let findings = detector
        .scan(path.as_bytes(), text.as_bytes(), &AddedLines::all())
        .unwrap();
    let finding = findings
        .first()
        .unwrap_or_else(|| panic!("no finding for {path}: {line}"));
    suggest(finding).replacement
}

#[test]
fn replacement_lines_in_every_language() {
    let detector = Detector::new(Ruleset::builtin().unwrap(), Vec::new());
    let key = openai_key(31);
    let mut failures = Vec::new();
    for (path, line, expected) in CASES {
        let got = replacement(&detector, path, &line.replace("{S}", &key));
        if got.as_deref() != Some(*expected) {
            failures.push(format!(
                "{path}\n   line: {line}\n    got: {got:?}\n   want: {expected}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} wrong:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

fn run(program: &str, args: &[&str], input: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input");
    std::fs::write(&file, input).unwrap();
    let mut cmd = Command::new(program);
    cmd.args(args).arg(&file).current_dir(dir.path());
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed for this test: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn replacements_parse_with_the_real_tools() {
    let detector = Detector::new(Ruleset::builtin().unwrap(), Vec::new());
    let key = openai_key(32);
    let fix =
        |path: &str, line: &str| replacement(&detector, path, &line.replace("{S}", &key)).unwrap();

    let py = fix("app.py", "client = OpenAI(api_key=\"{S}\")");
    let (ok, err) = run(
        "python3",
        &["-m", "py_compile"],
        &format!("import os\nOpenAI = dict\n{py}\n"),
    );
    assert!(ok, "python3 rejects {py}: {err}");

    let js = fix(
        "web/app.js",
        "const openai = new OpenAI({ apiKey: '{S}' });",
    );
    let (ok, err) = run(
        "node",
        &["--check"],
        &format!("class OpenAI {{ constructor(o) {{}} }}\n{js}\n"),
    );
    assert!(ok, "node rejects {js}: {err}");

    let sh = fix(
        "deploy.sh",
        "curl -H \"Authorization: Bearer {S}\" https://api.openai.com/v1/models",
    );
    let (ok, err) = run("bash", &["-n"], &format!("{sh}\n"));
    assert!(ok, "bash rejects {sh}: {err}");

    let rs = fix("src/main.rs", "    let key = \"{S}\";");
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("lib.rs");
    std::fs::write(
        &source,
        format!("pub fn key() -> String {{\n{rs}\n    key\n}}\n"),
    )
    .unwrap();
    let out = Command::new("rustc")
        .args(["--edition", "2021", "--crate-type", "lib", "-o"])
        .arg(dir.path().join("lib.rlib"))
        .arg(&source)
        .output()
        .expect("rustc is needed for this test");
    assert!(
        out.status.success(),
        "rustc rejects {rs}: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A notebook's line is a JSON string holding Python: both must parse.
    let nb = fix(
        "analysis.ipynb",
        "    \"client = OpenAI(api_key=\\\"{S}\\\")\\n\",",
    );
    let check = format!(
        "import json\nsrc = json.loads('[' + {nb:?}.strip().rstrip(',') + ']')[0]\ncompile('import os\\nOpenAI = dict\\n' + src, 'nb', 'exec')\n"
    );
    let (ok, err) = run("python3", &[], &check);
    assert!(ok, "the notebook line does not parse: {nb}: {err}");
}
