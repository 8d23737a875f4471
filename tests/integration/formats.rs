//! Machine formats and other entry points: SARIF validated against the SARIF 2.1.0 schema,
//! `--report` beside the human report, `scan PATH` honouring `.gitignore`, and the generated
//! completions and man page.

use serde_json::Value;

use crate::util::{describe, github_token, openai_key, TestRepo};

fn sarif_schema() -> jsonschema::Validator {
    let text = include_str!("../fixtures/sarif-schema-2.1.0.json");
    let mut schema: Value = serde_json::from_str(text).expect("schema is JSON");
    // The published schema's `language` patterns have a stray `]` (an erratum that strict
    // validators reject as a regex); they constrain properties keyward does not emit.
    let fixed = fix_language_patterns(&mut schema);
    assert_eq!(fixed, 2, "the schema is not the one expected");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn fix_language_patterns(value: &mut Value) -> usize {
    const ERRATUM: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        Value::String(s) if s == ERRATUM => {
            *s = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".to_owned();
            1
        }
        Value::Array(items) => items.iter_mut().map(fix_language_patterns).sum(),
        Value::Object(map) => map.values_mut().map(fix_language_patterns).sum(),
        _ => 0,
    }
}

fn assert_valid_sarif(doc: &Value) {
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

fn leaky_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("README.md", "# demo\n");
    repo.commit_all("base");
    repo.write(
        "src/app.py",
        format!(
            "import os\nclient = OpenAI(api_key=\"{}\")\n",
            openai_key(41)
        ),
    );
    repo.write(
        "odd name #1.sh",
        format!("export GH_TOKEN={}\n", github_token(42)),
    );
    repo.git(&["add", "-A"]);
    repo
}

#[test]
fn sarif_is_valid_against_the_schema_and_redacts_secrets() {
    let repo = leaky_repo();
    let out = repo.keyward(&["scan", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(!text.contains(&openai_key(41)), "full key in SARIF");
    assert!(!text.contains(&github_token(42)), "full token in SARIF");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_valid_sarif(&doc);
    // The validator does reject what the schema forbids.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(
        !sarif_schema().is_valid(&broken),
        "the schema check cannot fail"
    );
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(result["partialFingerprints"]["keyward/v2"].is_string());
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
    }
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"odd%20name%20%231.sh"), "{uris:?}");
    assert!(uris.contains(&"src/app.py"), "{uris:?}");

    // A clean scan is valid SARIF too, with no results.
    let clean = TestRepo::new();
    clean.write("a.txt", "nothing\n");
    clean.stage(&["a.txt"]);
    let out = clean.keyward(&["scan", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn a_range_scan_in_sarif_carries_the_commit() {
    let repo = leaky_repo();
    repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]);
    let out = repo.keyward(&["scan", "--range", "HEAD", "--format", "sarif"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&doc);
    let commit = repo.head().unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .all(|r| r["properties"]["commit"] == commit.as_str()));
}

#[test]
fn report_writes_a_machine_report_while_the_human_one_goes_to_stderr() {
    let repo = leaky_repo();
    let out = repo.keyward(&["scan", "--report", "keyward.sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("OpenAI API key"), "{stderr}");
    assert!(out.stdout.is_empty());
    let sarif: Value =
        serde_json::from_slice(&std::fs::read(repo.root.join("keyward.sarif")).unwrap()).unwrap();
    assert_valid_sarif(&sarif);

    let out = repo.keyward(&["scan", "-q", "--report", "out/report.json"]);
    assert_eq!(out.status.code(), Some(2), "a missing folder is an error");
    let out = repo.keyward(&["scan", "-q", "--report", "report.json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: Value =
        serde_json::from_slice(&std::fs::read(repo.root.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["findings"].as_array().unwrap().len(), 2);
}

#[test]
fn scan_paths_honours_gitignore_unless_told_not_to() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "build/\n*.log\n");
    repo.write("src/app.py", format!("T = \"{}\"\n", github_token(51)));
    repo.write("build/out.py", format!("T = \"{}\"\n", github_token(52)));
    repo.write("debug.log", format!("token {}\n", github_token(53)));
    repo.write(".env", format!("GH_TOKEN={}\n", github_token(54)));
    let paths = |args: &[&str]| -> Vec<String> {
        let out = repo.keyward(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            describe("scan PATH", &repo.root, &out)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut p: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_owned())
            .collect();
        p.sort();
        p
    };
    assert_eq!(
        paths(&["scan", "--format", "json", "."]),
        [".env", "src/app.py"]
    );
    assert_eq!(
        paths(&["scan", "--format", "json", "--no-gitignore", "."]),
        [".env", "build/out.py", "debug.log", "src/app.py"]
    );
    // A file named directly is scanned even if ignored.
    assert_eq!(
        paths(&["scan", "--format", "json", "debug.log"]),
        ["debug.log"]
    );
    let out = repo.keyward(&["scan", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_and_man_page_are_generated_from_the_cli() {
    let repo = TestRepo::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = repo.keyward(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("range") && text.contains("pre-push") && text.contains("sarif"),
            "{shell}"
        );
    }
    let out = repo.keyward(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH keyward 1"), "{page}");
    assert!(page.contains("ignore"), "{page}");
    assert!(
        std::process::Command::new("sh")
            .arg("-c")
            .arg("command -v bash")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false),
        "bash is needed to check the completion script"
    );
    let out = repo.keyward(&["completions", "bash"]);
    let script = repo.root.join("keyward.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let check = repo.run(repo.command("bash").arg("-n").arg(&script));
    assert!(
        check.status.success(),
        "bash -n rejects the completion script"
    );
}
