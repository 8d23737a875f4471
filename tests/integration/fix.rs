//! `keyward fix` on real repositories: the work tree is rewritten, the value moves to a private,
//! ignored `.env`, the index never changes, and a second run does nothing.

use std::os::unix::fs::PermissionsExt;

use crate::util::{describe, github_token, openai_key, tool_accepts, TestRepo};

fn leaked_repo() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("app.py", "import os\n\nprint('hi')\n");
    repo.write(".gitignore", "__pycache__/\n");
    repo.commit_all("base");
    let key = openai_key(41);
    repo.write(
        "app.py",
        format!("import os\n\nclient = OpenAI(api_key=\"{key}\")\r\nprint('hi')\n"),
    );
    repo.stage(&["app.py"]);
    (repo, key)
}

fn index(repo: &TestRepo) -> String {
    repo.git(&["ls-files", "-s", "--debug"])
}

#[test]
fn fix_rewrites_the_work_tree_moves_the_value_and_leaves_the_index() {
    let (repo, key) = leaked_repo();
    let before = index(&repo);
    let out = repo.keyward(&["fix"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("keyward fix", &repo.root, &out)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(&key),
        "the key was printed"
    );

    let app = std::fs::read_to_string(repo.root.join("app.py")).unwrap();
    assert_eq!(
        app,
        "import os\n\nclient = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\r\nprint('hi')\n"
    );
    let env = repo.root.join(".env");
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        format!("OPENAI_API_KEY={key}\n")
    );
    assert_eq!(
        std::fs::metadata(&env).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let gitignore = std::fs::read_to_string(repo.root.join(".gitignore")).unwrap();
    assert!(
        gitignore.starts_with("__pycache__/\n") && gitignore.lines().any(|l| l == ".env"),
        "{gitignore}"
    );
    assert_eq!(index(&repo), before, "the index changed");
    assert!(
        repo.git(&["status", "--porcelain", "--ignored"])
            .contains("!! .env"),
        ".env is not ignored"
    );

    // Second run: nothing to do, nothing written.
    let again = repo.keyward(&["fix"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to fix"));
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        format!("OPENAI_API_KEY={key}\n")
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".gitignore")).unwrap(),
        gitignore
    );

    // Re-staged, the commit is clean.
    repo.stage(&["app.py", ".gitignore"]);
    assert_eq!(repo.keyward(&[]).status.code(), Some(0));
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let (repo, key) = leaked_repo();
    let out = repo.keyward(&["fix", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("+client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"),
        "{diff}"
    );
    assert!(diff.contains("+.env"), "{diff}");
    assert!(!diff.contains(&key), "the key was printed in full");
    assert!(!repo.root.join(".env").exists());
    assert!(std::fs::read_to_string(repo.root.join("app.py"))
        .unwrap()
        .contains(&key));
}

#[test]
fn fix_refuses_when_the_work_tree_line_differs_from_the_staged_one() {
    let (repo, key) = leaked_repo();
    repo.write(
        "app.py",
        format!("import os\n\nclient = OpenAI(api_key=\"{key}\", timeout=5)\nprint('hi')\n"),
    );
    let out = repo.keyward(&["fix"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("app.py:3 in the work tree differs"));
    assert!(
        !repo.root.join(".env").exists(),
        "wrote .env although it refused"
    );
}

#[test]
fn fix_keeps_an_existing_env_and_ignore() {
    let repo = TestRepo::new();
    repo.write(".gitignore", ".env\n");
    repo.write("deploy.js", "const x = 1;\n");
    repo.commit_all("base");
    std::fs::write(repo.root.join(".env"), "DEBUG=1").unwrap();
    let token = github_token(42);
    repo.write(
        "deploy.js",
        format!("const x = 1;\nconst token = '{token}';\n"),
    );
    repo.stage(&["deploy.js"]);
    assert_eq!(repo.keyward(&["fix"]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".env")).unwrap(),
        format!("DEBUG=1\nGITHUB_TOKEN={token}\n")
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".gitignore")).unwrap(),
        ".env\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join("deploy.js")).unwrap(),
        "const x = 1;\nconst token = process.env.GITHUB_TOKEN;\n"
    );
}

#[test]
fn fix_refuses_to_write_keys_into_a_tracked_env() {
    let (repo, _) = leaked_repo();
    repo.write(".env", "DEBUG=1\n");
    repo.git(&["add", ".env"]);
    let before_env = std::fs::read(repo.root.join(".env")).unwrap();
    let before_index = index(&repo);
    let out = repo.keyward(&["fix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("git rm --cached .env"), "{stderr}");
    assert_eq!(std::fs::read(repo.root.join(".env")).unwrap(), before_env);
    assert_eq!(index(&repo), before_index);
}

#[test]
fn every_rewritten_file_still_parses_with_its_languages_own_tool() {
    let repo = TestRepo::new();
    repo.write("README.md", "# x\n");
    repo.commit_all("base");
    let key = |seed| openai_key(seed);
    repo.write(
        "app.py",
        format!("\"\"\"The app.\"\"\"\nfrom __future__ import annotations\n\nclient = OpenAI(api_key=\"{}\")\n", key(51)),
    );
    repo.write(
        "key.c",
        format!("// reads the key\nint main(void) {{\n    const char *key = \"{}\";\n    return key == 0;\n}}\n", key(52)),
    );
    repo.write(
        "deploy.sh",
        format!("#!/bin/sh\nexport OPENAI_API_KEY=\"{}\"\n", key(53)),
    );
    repo.write(
        "lib.rs",
        format!(
            "pub fn client() {{\n    let key = \"{}\";\n    drop(key);\n}}\n",
            key(54)
        ),
    );
    repo.write(
        "app.js",
        format!("const key = \"{}\";\nconsole.log(key.length);\n", key(55)),
    );
    repo.git(&["add", "-A"]);
    let out = repo.keyward(&["fix"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("fix", &repo.root, &out)
    );
    let python = std::fs::read_to_string(repo.root.join("app.py")).unwrap();
    assert!(python.contains("import os\n"), "{python}");
    let c = std::fs::read_to_string(repo.root.join("key.c")).unwrap();
    assert!(c.contains("#include <stdlib.h>"), "{c}");
    let dir = repo.root.clone();
    let mut checks: Vec<(&str, Vec<&str>)> = vec![
        ("python3", vec!["-m", "py_compile", "app.py"]),
        ("cc", vec!["-fsyntax-only", "-Wall", "-Werror", "key.c"]),
        ("bash", vec!["-n", "deploy.sh"]),
        (
            "rustc",
            vec![
                "--crate-type",
                "lib",
                "--edition",
                "2021",
                "--emit",
                "metadata",
                // Into the test's own folder: rustc renames its output into place, and a
                // rename onto /dev/null (as root) would replace the device with a file.
                "--out-dir",
                "rustc-out",
                "lib.rs",
            ],
        ),
    ];
    // Node is not everywhere cargo is; where it is, the rewritten JavaScript must parse too.
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok()
    {
        checks.push(("node", vec!["--check", "app.js"]));
    }
    for (program, args) in checks {
        let (ok, output) = tool_accepts(program, &args, &dir);
        let file = args.iter().rev().find(|a| a.contains('.')).unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            ok,
            "{program} rejects the rewritten {file}:\n{text}\n{output}"
        );
    }
}
