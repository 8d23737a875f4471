//! The real pre-commit framework, installing keyward from its `.pre-commit-hooks.yaml` (a
//! `language: rust` hook, so pre-commit builds it with `cargo install`), blocking a commit.
//! The test fails, not skips, when `pre-commit` is missing: CI installs it.

use std::path::{Path, PathBuf};

use crate::util::{describe, openai_key, TestRepo};

/// The files pre-commit needs to build keyward from a repository.
const PROJECT_FILES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "build.rs",
    "src",
    "crates",
    "hooks",
    ".pre-commit-hooks.yaml",
    "README.md",
];

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

/// The real user's cargo and rustup homes: the harness gives git a fresh HOME, but cargo must
/// still find its registry cache and toolchain.
fn tool_homes() -> Vec<(&'static str, String)> {
    let home = std::env::var("HOME").unwrap_or_default();
    vec![
        (
            "CARGO_HOME",
            std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{home}/.cargo")),
        ),
        (
            "RUSTUP_HOME",
            std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{home}/.rustup")),
        ),
    ]
}

#[test]
fn pre_commit_framework_blocks_a_staged_key() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));

    // A repository holding keyward itself, as pre-commit clones it from `repo:`.
    let hook_repo = TestRepo::new();
    for name in PROJECT_FILES {
        copy_tree(&manifest.join(name), &hook_repo.root.join(name));
    }
    hook_repo.commit_all("keyward");
    let rev = hook_repo.git(&["rev-parse", "HEAD"]).trim().to_owned();

    let repo = TestRepo::new();
    for (key, value) in tool_homes() {
        repo.set_env(key, value);
    }
    repo.set_env(
        "PRE_COMMIT_HOME",
        repo.root
            .parent()
            .unwrap()
            .join("pre-commit-cache")
            .display()
            .to_string(),
    );
    // Reuse one target folder across runs so pre-commit's `cargo install` builds incrementally.
    repo.set_env(
        "CARGO_TARGET_DIR",
        manifest.join("target/pre-commit").display().to_string(),
    );
    repo.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: keyward\n      - id: keyward-pre-push\n",
            hook_repo.root.display()
        ),
    );
    repo.write("app.py", "import os\n");
    repo.commit_all("base");

    let install = repo.run(repo.command("pre-commit").args([
        "install",
        "--hook-type",
        "pre-commit",
        "--hook-type",
        "pre-push",
    ]));
    assert!(
        install.status.success(),
        "{}",
        describe(
            "pre-commit install (is pre-commit installed? pip install pre-commit)",
            &repo.root,
            &install
        )
    );
    let setup = repo.run(repo.command("pre-commit").args(["install-hooks"]));
    assert!(
        setup.status.success(),
        "{}",
        describe("pre-commit install-hooks", &repo.root, &setup)
    );

    // A clean commit passes through the framework.
    repo.write(
        "app.py",
        "import os\n\nKEY = os.environ[\"OPENAI_API_KEY\"]\n",
    );
    repo.stage(&["app.py"]);
    let clean = repo.git_output(&["commit", "-m", "clean"]);
    assert!(
        clean.status.success(),
        "{}",
        describe("git commit (clean)", &repo.root, &clean)
    );

    // A staged key is blocked, and HEAD stays where it was.
    let head = repo.head();
    repo.write(
        "app.py",
        format!(
            "import os\n\nclient = OpenAI(api_key=\"{}\")\n",
            openai_key(21)
        ),
    );
    repo.stage(&["app.py"]);
    let out = repo.git_output(&["commit", "-m", "leak"]);
    assert!(
        !out.status.success(),
        "{}",
        describe("git commit (leak)", &repo.root, &out)
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("OpenAI API key") && all.contains("os.environ[\"OPENAI_API_KEY\"]"),
        "{all}"
    );
    assert!(!all.contains(&openai_key(21)));
    assert_eq!(repo.head(), head);

    // Past the commit hook knowingly, the same key is stopped by the pre-push hook.
    let remote = repo.root.parent().unwrap().join("remote.git");
    repo.git(&[
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        remote.to_str().unwrap(),
    ]);
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    let out = repo.git_output(&["push", "-q", "origin", "main"]);
    assert!(
        out.status.success(),
        "{}",
        describe("git push (clean)", &repo.root, &out)
    );
    repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]);
    let out = repo.git_output(&["push", "origin", "main"]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("OpenAI API key"), "{all}");
    assert!(!all.contains(&openai_key(21)));

    // What `pre-commit run` names is what is scanned: the committed key is in app.py as it
    // is now, and in the commits after the pushed main.
    let run = |args: &[&str]| {
        let out = repo.run(repo.command("pre-commit").arg("run").args(args));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), all)
    };
    for args in [
        &["--all-files"][..],
        &["--files", "app.py"],
        &["--from-ref", "origin/main", "--to-ref", "HEAD"],
    ] {
        let (passed, all) = run(args);
        assert!(!passed, "pre-commit run {args:?} passed: {all}");
        assert!(all.contains("OpenAI API key"), "{args:?}: {all}");
    }
    let (passed, all) = run(&["--files", ".pre-commit-config.yaml"]);
    assert!(passed, "a clean named file: {all}");
    // Removed in a later commit: the files are clean, the commits still carry the key.
    repo.write("app.py", "import os\n");
    repo.git(&["commit", "-q", "--no-verify", "-am", "remove it"]);
    let (passed, all) = run(&["--all-files"]);
    assert!(passed, "--all-files on clean files: {all}");
    let (passed, all) = run(&["--from-ref", "origin/main", "--to-ref", "HEAD"]);
    assert!(!passed && all.contains("OpenAI API key"), "{all}");
}

#[test]
fn install_script_builds_installs_the_hook_and_scans() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let repo = TestRepo::new();
    for (key, value) in tool_homes() {
        repo.set_env(key, value);
    }
    repo.set_env(
        "CARGO_TARGET_DIR",
        manifest.join("target/pre-commit").display().to_string(),
    );
    let root = repo.root.parent().unwrap().join("install-root");
    repo.set_env("KEYWARD_ROOT", root.display().to_string());
    repo.write("app.py", "import os\n");
    repo.commit_all("base");

    let out = repo.run(repo.command("bash").arg(manifest.join("install.sh")));
    assert!(
        out.status.success(),
        "{}",
        describe("install.sh", &repo.root, &out)
    );
    assert!(root.join("bin/keyward").is_file());
    let hook = std::fs::read_to_string(repo.root.join(".git/hooks/pre-commit")).unwrap();
    assert!(
        hook.contains(&root.join("bin/keyward").display().to_string()),
        "hook pinned to the installed binary"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no secrets"),
        "it scanned what is staged"
    );

    repo.write(
        "app.py",
        format!("import os\nKEY = \"{}\"\n", openai_key(22)),
    );
    repo.stage(&["app.py"]);
    let commit = repo.git_output(&["commit", "-m", "leak"]);
    assert!(
        !commit.status.success(),
        "{}",
        describe("git commit", &repo.root, &commit)
    );
}

/// `keyward scan --framework FILES`, as the framework calls it, without the framework: the
/// file list and PRE_COMMIT_*_REF decide what is scanned.
#[test]
fn framework_mode_reads_what_the_file_list_means() {
    let repo = TestRepo::new();
    // An old key already committed in old.py, before keyward was installed.
    repo.write("old.py", format!("OLD = \"{}\"\n", openai_key(41)));
    repo.write("app.py", "import os\n");
    repo.commit_all("base");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();

    // At commit time: the staged files, and only their staged lines.
    repo.write("old.py", format!("OLD = \"{}\"\nX = 1\n", openai_key(41)));
    repo.stage(&["old.py"]);
    let out = repo.keyward(&["scan", "--framework", "old.py"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("commit time", &repo.root, &out)
    );
    // No files at all (a commit that only deletes): the staged changes, whole.
    let out = repo.keyward(&["scan", "--framework"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("no files", &repo.root, &out)
    );

    // `--all-files` / `--files`: a named file without staged changes means files to audit.
    let out = repo.keyward(&["scan", "--framework", "app.py", "old.py"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        describe("all files", &repo.root, &out)
    );
    let out = repo.keyward(&["scan", "--framework", "app.py"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("a clean file", &repo.root, &out)
    );

    // `--from-ref/--to-ref`: the commits between them, whatever the files.
    repo.git(&["commit", "-q", "--no-verify", "-m", "x"]);
    repo.write("new.py", format!("NEW = \"{}\"\n", openai_key(42)));
    repo.commit_all("leak");
    repo.write("new.py", "NEW = None\n");
    repo.commit_all("unleak");
    repo.set_env("PRE_COMMIT_FROM_REF", base);
    repo.set_env("PRE_COMMIT_TO_REF", "HEAD");
    let out = repo.keyward(&["scan", "--framework", "new.py"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("new.py") && !stderr.contains("old.py"),
        "{stderr}"
    );
}
