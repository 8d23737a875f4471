//! `keyward fix` on real repositories: the work tree is rewritten, the value moves to a private,
//! ignored `.env`, the index never changes, and a second run does nothing.

use std::os::unix::fs::PermissionsExt;

use crate::util::{describe, github_token, openai_key, TestRepo};

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
