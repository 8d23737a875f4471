//! The installed hook, through real `git commit` in its three forms (each uses a different index
//! file), `core.hooksPath`, chaining an existing hook, worktrees, and install idempotence.

use crate::util::{describe, openai_key, TestRepo};

fn repo_with_hook() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("app.py", "import os\n\nprint('hi')\n");
    repo.commit_all("base");
    let out = repo.keyward(&["install"]);
    assert!(
        out.status.success(),
        "{}",
        describe("keyward install", &repo.root, &out)
    );
    repo
}

fn leak(repo: &TestRepo, path: &str) {
    repo.write(
        path,
        format!(
            "import os\nclient = OpenAI(api_key=\"{}\")\n",
            openai_key(1)
        ),
    );
}

fn assert_blocked(repo: &TestRepo, args: &[&str]) {
    let before = repo.head();
    let out = repo.git_output(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "{}",
        describe(&args.join(" "), &repo.root, &out)
    );
    assert!(stderr.contains("OpenAI API key"), "{stderr}");
    assert!(
        stderr.contains("os.environ[\"OPENAI_API_KEY\"]"),
        "{stderr}"
    );
    assert!(stderr.contains("git commit --no-verify"), "{stderr}");
    assert!(
        !stderr.contains(&openai_key(1)),
        "the key is printed in full"
    );
    assert_eq!(repo.head(), before, "HEAD moved");
}

#[test]
fn git_commit_is_blocked_and_head_does_not_move() {
    let repo = repo_with_hook();
    leak(&repo, "app.py");
    repo.stage(&["app.py"]);
    assert_blocked(&repo, &["commit", "-m", "leak"]);
}

#[test]
fn git_commit_all_is_blocked() {
    let repo = repo_with_hook();
    leak(&repo, "app.py");
    assert_blocked(&repo, &["commit", "-a", "-m", "leak"]);
}

#[test]
fn git_commit_with_a_path_is_blocked() {
    let repo = repo_with_hook();
    repo.write("other.py", "x = 1\n");
    repo.stage(&["other.py"]);
    leak(&repo, "app.py");
    assert_blocked(&repo, &["commit", "app.py", "-m", "leak"]);
}

#[test]
fn a_partial_commit_of_a_clean_path_passes_while_a_secret_is_staged_elsewhere() {
    let repo = repo_with_hook();
    leak(&repo, "leak.py");
    repo.stage(&["leak.py"]);
    repo.write("app.py", "import os\n\nprint('hello')\n");
    let out = repo.git_output(&["commit", "app.py", "-m", "clean path only"]);
    assert!(
        out.status.success(),
        "{}",
        describe("git commit app.py", &repo.root, &out)
    );
}

#[test]
fn a_clean_commit_passes() {
    let repo = repo_with_hook();
    repo.write(
        "app.py",
        "import os\n\nkey = os.environ[\"OPENAI_API_KEY\"]\n",
    );
    repo.stage(&["app.py"]);
    let before = repo.head();
    let out = repo.git_output(&["commit", "-m", "clean"]);
    assert!(
        out.status.success(),
        "{}",
        describe("git commit", &repo.root, &out)
    );
    assert_ne!(repo.head(), before);
}

#[test]
fn no_verify_bypasses_knowingly() {
    let repo = repo_with_hook();
    leak(&repo, "app.py");
    repo.stage(&["app.py"]);
    let out = repo.git_output(&["commit", "--no-verify", "-m", "on purpose"]);
    assert!(out.status.success());
}

#[test]
fn install_honours_core_hooks_path() {
    let repo = TestRepo::new();
    repo.write("app.py", "x = 1\n");
    repo.commit_all("base");
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    assert!(repo.keyward(&["install"]).status.success());
    assert!(repo.root.join(".githooks/pre-commit").is_file());
    assert!(!repo.root.join(".git/hooks/pre-commit").exists());
    leak(&repo, "app.py");
    repo.stage(&["app.py"]);
    assert_blocked(&repo, &["commit", "-m", "leak"]);
}

#[test]
fn install_keeps_and_chains_an_existing_hook_and_uninstall_restores_it() {
    let repo = TestRepo::new();
    repo.write("app.py", "x = 1\n");
    repo.commit_all("base");
    let hook = repo.root.join(".git/hooks/pre-commit");
    let original = "#!/bin/sh\necho previous-hook-ran >&2\nexit 0\n";
    std::fs::write(&hook, original).unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

    assert!(repo.keyward(&["install"]).status.success());
    assert!(repo.keyward(&["install"]).status.success(), "install twice");
    assert!(repo
        .root
        .join(".git/hooks/pre-commit.keyward-chained")
        .is_file());

    repo.write("app.py", "x = 2\n");
    repo.stage(&["app.py"]);
    let out = repo.git_output(&["commit", "-m", "clean"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("previous-hook-ran"),
        "chained hook did not run"
    );

    leak(&repo, "app.py");
    repo.stage(&["app.py"]);
    assert_blocked(&repo, &["commit", "-m", "leak"]);

    assert!(repo.keyward(&["uninstall"]).status.success());
    assert!(
        repo.keyward(&["uninstall"]).status.success(),
        "uninstall twice"
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), original);
    assert!(!repo
        .root
        .join(".git/hooks/pre-commit.keyward-chained")
        .exists());
}

#[test]
fn install_from_a_linked_worktree_uses_the_shared_hooks() {
    let repo = TestRepo::new();
    repo.write("app.py", "x = 1\n");
    repo.commit_all("base");
    let wt = repo.add_worktree("feature");
    assert!(repo.keyward_in(&wt, &["install"]).status.success());
    assert!(repo.root.join(".git/hooks/pre-commit").is_file());
    std::fs::write(wt.join("leak.py"), format!("k = \"{}\"\n", openai_key(1))).unwrap();
    let add = repo.run(
        repo.command("git")
            .args(["add", "leak.py"])
            .current_dir(&wt),
    );
    assert!(add.status.success());
    let out = repo.run(
        repo.command("git")
            .args(["commit", "-m", "leak"])
            .current_dir(&wt),
    );
    assert!(
        !out.status.success(),
        "{}",
        describe("git commit in worktree", &wt, &out)
    );
}

#[test]
fn the_hook_script_works_when_copied_by_hand() {
    let repo = TestRepo::new();
    repo.write("app.py", "x = 1\n");
    repo.commit_all("base");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks/pre-commit");
    let hook = repo.root.join(".git/hooks/pre-commit");
    std::fs::copy(script, &hook).unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    leak(&repo, "app.py");
    repo.stage(&["app.py"]);
    // The unpinned script finds `keyward` on PATH, as after `cargo install`.
    let bin_dir = crate::util::keyward_bin()
        .parent()
        .unwrap()
        .display()
        .to_string();
    repo.set_env(
        "PATH",
        format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default()),
    );
    assert_blocked(&repo, &["commit", "-m", "leak"]);
}

#[test]
fn a_missing_binary_fails_closed() {
    let repo = repo_with_hook();
    repo.write("app.py", "x = 2\n");
    repo.stage(&["app.py"]);
    let out = repo.run(
        repo.command("git")
            .args(["commit", "-m", "x"])
            .env("KEYWARD_BIN", "/nonexistent/keyward"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-verify"));
}

/// Hook managers (husky, lefthook, pre-commit's own installer) own `core.hooksPath` or the hook
/// file. Both ways of adding keyward work: a line in the manager's hook (as the README shows),
/// or `keyward install`, which chains the manager's hook instead of replacing it.
#[test]
fn hook_manager_setups_with_core_hooks_path() {
    let repo = TestRepo::new();
    repo.write("app.py", "x = 1\n");
    repo.commit_all("base");
    repo.git(&["config", "core.hooksPath", ".husky"]);
    let marker = repo.root.join("manager-ran");
    let manager_hook = format!(
        "#!/bin/sh\n# husky-style hook\ntouch '{}'\n\"{}\" scan --staged\n",
        marker.display(),
        crate::util::keyward_bin().display()
    );
    repo.write(".husky/pre-commit", &manager_hook);
    std::fs::set_permissions(
        repo.root.join(".husky/pre-commit"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();

    // keyward called from the manager's own hook.
    leak(&repo, "app.py");
    repo.stage(&["app.py"]);
    assert_blocked(&repo, &["commit", "-m", "leak"]);
    assert!(marker.exists());

    // keyward installed in front of it: the manager's hook is kept and still runs.
    assert!(repo.keyward(&["install"]).status.success());
    assert!(repo
        .root
        .join(".husky/pre-commit.keyward-chained")
        .is_file());
    std::fs::remove_file(&marker).unwrap();
    assert_blocked(&repo, &["commit", "-m", "leak"]);
    assert!(
        !marker.exists(),
        "the chained hook ran although keyward blocked"
    );
    repo.write("app.py", "x = 2\n");
    repo.stage(&["app.py"]);
    let out = repo.git_output(&["commit", "-q", "-m", "clean"]);
    assert!(
        out.status.success(),
        "{}",
        describe("git commit", &repo.root, &out)
    );
    assert!(
        marker.exists(),
        "the manager's hook did not run after keyward"
    );
    assert!(repo.keyward(&["uninstall"]).status.success());
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".husky/pre-commit")).unwrap(),
        manager_hook
    );
}

#[test]
fn install_all_blocks_a_merge_that_commits_by_itself_and_uninstall_all_removes_every_hook() {
    let repo = TestRepo::new();
    repo.write("app.py", "import os\n");
    repo.commit_all("base");
    let out = repo.keyward(&["install", "--all"]);
    assert!(
        out.status.success(),
        "{}",
        describe("install --all", &repo.root, &out)
    );
    let hooks = repo.root.join(".git/hooks");
    for name in ["pre-commit", "pre-merge-commit", "pre-push"] {
        assert!(hooks.join(name).is_file(), "{name} not installed");
    }
    // A branch that carries a key past its own hook, then merged: `git merge` commits by
    // itself and runs pre-merge-commit, not pre-commit.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    leak(&repo, "feature.py");
    repo.git(&["add", "feature.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]);
    repo.git(&["checkout", "-q", "-"]);
    repo.write("main.py", "print('main')\n");
    repo.commit_all("main moves on");
    let before = repo.head();
    let out = repo.git_output(&["merge", "--no-ff", "-m", "merge", "feature"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("OpenAI API key"), "{stderr}");
    assert!(stderr.contains("git merge --no-verify"), "{stderr}");
    assert_eq!(repo.head(), before, "the merge was committed");
    repo.git(&["merge", "--abort"]);

    let out = repo.keyward(&["uninstall", "--all"]);
    assert!(
        out.status.success(),
        "{}",
        describe("uninstall --all", &repo.root, &out)
    );
    for name in ["pre-commit", "pre-merge-commit", "pre-push"] {
        assert!(!hooks.join(name).exists(), "{name} left behind");
    }
}

#[test]
fn a_key_committed_in_two_halves_is_blocked_by_the_commit_that_completes_it() {
    let repo = repo_with_hook();
    let key = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        crate::util::fake("{base64:64}\n{base64:64}\n{base64:64}\n{base64:40}", 5)
    );
    let lines: Vec<&str> = key.split_inclusive('\n').collect();
    repo.write("deploy/key.pem", lines[..2].concat());
    repo.git(&["add", "deploy/key.pem"]);
    let out = repo.git_output(&["commit", "-q", "-m", "first half"]);
    assert!(
        out.status.success(),
        "{}",
        describe("first half", &repo.root, &out)
    );
    repo.write("deploy/key.pem", &key);
    repo.git(&["add", "deploy/key.pem"]);
    let out = repo.git_output(&["commit", "-q", "-m", "the rest"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("private-key"), "{stderr}");
}

#[test]
fn an_unresolved_merge_says_which_paths_were_not_scanned() {
    let repo = TestRepo::new();
    repo.write("app.py", "a = 0\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("app.py", "a = 1\n");
    repo.commit_all("other");
    repo.git(&["checkout", "-q", "-"]);
    repo.write("app.py", "a = 2\n");
    repo.commit_all("main");
    let _ = repo.git_output(&["merge", "other"]);
    let out = repo.keyward(&["scan"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unresolved merge conflicts were not scanned") && stderr.contains("app.py"),
        "{stderr}"
    );
}
