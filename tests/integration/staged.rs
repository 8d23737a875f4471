//! Staged semantics: keyward sees exactly the lines `git diff --cached` adds, in every shape of
//! change git can stage. git is the oracle.

use crate::util::{github_token, TestRepo};

fn base(repo: &TestRepo) {
    repo.write(
        "app.py",
        "import os\n\n\ndef settings():\n    return {\"debug\": False}\n",
    );
    repo.write("lib/util.rs", "pub fn one() -> u32 {\n    1\n}\n");
    repo.commit_all("base");
}

#[test]
fn first_commit_reports_every_staged_line() {
    let repo = TestRepo::new();
    repo.write("a.txt", "one\ntwo\n");
    repo.write("dir/b.txt", "three");
    repo.stage(&["."]);
    assert_eq!(repo.head(), None);
    let lines = repo.assert_same_added_lines();
    assert_eq!(lines.len(), 3);
}

#[test]
fn modified_file_reports_only_its_new_lines() {
    let repo = TestRepo::new();
    base(&repo);
    repo.write(
        "app.py",
        "import os\nimport sys\n\n\ndef settings():\n    return {\"debug\": True}\n",
    );
    repo.stage(&["app.py"]);
    let lines = repo.assert_same_added_lines();
    assert_eq!(lines.len(), 2);
}

#[test]
fn partially_staged_file_scans_the_index_blob() {
    let repo = TestRepo::new();
    base(&repo);
    let token = github_token(1);
    repo.write("app.py", format!("import os\nTOKEN = \"{token}\"\n"));
    repo.stage(&["app.py"]);
    repo.write(
        "app.py",
        "import os\nTOKEN = os.environ[\"GITHUB_TOKEN\"]\n",
    );
    let lines = repo.assert_same_added_lines();
    assert!(lines
        .iter()
        .any(|(_, _, t)| String::from_utf8_lossy(t).contains(&token)));
    assert_eq!(repo.keyward(&[]).status.code(), Some(1));
}

#[test]
fn a_secret_only_in_the_work_tree_is_not_staged() {
    let repo = TestRepo::new();
    base(&repo);
    repo.write("app.py", "import os\nTIMEOUT = 30\n");
    repo.stage(&["app.py"]);
    repo.write(
        "app.py",
        format!("import os\nTIMEOUT = 30\nTOKEN = \"{}\"\n", github_token(2)),
    );
    repo.assert_same_added_lines();
    assert_eq!(repo.keyward(&[]).status.code(), Some(0));
}

#[test]
fn staged_then_deleted_file_is_still_scanned() {
    let repo = TestRepo::new();
    base(&repo);
    repo.write("secret.py", format!("TOKEN = \"{}\"\n", github_token(3)));
    repo.stage(&["secret.py"]);
    std::fs::remove_file(repo.root.join("secret.py")).unwrap();
    assert_eq!(repo.assert_same_added_lines().len(), 1);
    assert_eq!(repo.keyward(&[]).status.code(), Some(1));
}

#[test]
fn intent_to_add_is_not_staged_content() {
    let repo = TestRepo::new();
    base(&repo);
    repo.write("later.py", format!("TOKEN = \"{}\"\n", github_token(4)));
    repo.git(&["add", "-N", "later.py"]);
    assert!(repo.assert_same_added_lines().is_empty());
    assert_eq!(repo.keyward(&[]).status.code(), Some(0));
}

#[test]
fn deletions_and_mode_only_changes_add_nothing() {
    let repo = TestRepo::new();
    base(&repo);
    repo.git(&["rm", "-q", "lib/util.rs"]);
    repo.git(&["update-index", "--chmod=+x", "app.py"]);
    assert!(repo.assert_same_added_lines().is_empty());
}

#[test]
fn an_old_secret_in_context_does_not_block_a_new_line() {
    let repo = TestRepo::new();
    repo.write("settings.py", format!("TOKEN = \"{}\"\n", github_token(5)));
    repo.commit_all("old secret");
    repo.write(
        "settings.py",
        format!("TOKEN = \"{}\"\nTIMEOUT = 30\n", github_token(5)),
    );
    repo.stage(&["settings.py"]);
    assert_eq!(repo.assert_same_added_lines().len(), 1);
    assert_eq!(repo.keyward(&[]).status.code(), Some(0));
}

#[test]
fn pure_rename_adds_nothing_and_an_edited_move_only_its_edits() {
    let repo = TestRepo::new();
    let body: String = (0..40).map(|i| format!("line {i}\n")).collect();
    repo.write(
        "old/legacy.py",
        format!("TOKEN = \"{}\"\n{body}", github_token(6)),
    );
    repo.write("old/moved.py", &body);
    repo.commit_all("base");
    std::fs::create_dir(repo.root.join("new")).unwrap();
    repo.git(&["mv", "old/legacy.py", "new/renamed.py"]);
    repo.git(&["mv", "old/moved.py", "new/moved.py"]);
    repo.write("new/moved.py", format!("{body}extra line\n"));
    repo.stage(&["new/moved.py"]);
    let lines = repo.assert_same_added_lines();
    assert_eq!(lines.len(), 1, "only the edit of the moved file");
    assert_eq!(repo.keyward(&[]).status.code(), Some(0));
}

#[test]
fn a_moved_file_that_was_mostly_rewritten_counts_as_new() {
    let repo = TestRepo::new();
    let body: String = (0..10).map(|i| format!("old line {i}\n")).collect();
    repo.write("a/conf.py", &body);
    repo.commit_all("base");
    repo.git(&["rm", "-q", "a/conf.py"]);
    let new: String = (0..10)
        .map(|i| format!("completely different {i}\n"))
        .collect();
    repo.write("b/conf.py", format!("old line 0\n{new}"));
    repo.stage(&["b/conf.py"]);
    assert_eq!(
        repo.assert_same_added_lines().len(),
        11,
        "every line of the new file"
    );
}

#[test]
fn submodules_are_skipped() {
    let repo = TestRepo::new();
    base(&repo);
    let sub = TestRepo::new();
    sub.write("x.txt", "x\n");
    sub.commit_all("sub");
    let sub_path = sub.root.display().to_string();
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        &sub_path,
        "vendor/sub",
    ]);
    let lines = repo.assert_same_added_lines_without_submodule_line();
    assert!(lines.iter().all(|(p, _, _)| p.as_slice() != b"vendor/sub"));
}

#[test]
fn symlinks_scan_their_target_like_git() {
    let repo = TestRepo::new();
    base(&repo);
    std::os::unix::fs::symlink("app.py", repo.root.join("link.py")).unwrap();
    repo.stage(&["link.py"]);
    assert_eq!(repo.assert_same_added_lines().len(), 1);
}

#[test]
fn binary_is_decided_on_the_new_blob() {
    let repo = TestRepo::new();
    repo.write("blob.bin", b"\x00\x01binary placeholder\n");
    repo.write("data.bin", b"text for now\n");
    repo.commit_all("base");
    // Was binary, is text now: git shows no lines, keyward must scan it all.
    let token = github_token(7);
    repo.write("blob.bin", format!("TOKEN = \"{token}\"\n"));
    // Was text, is binary now: skipped.
    repo.write("data.bin", b"\x00\x00binary\n");
    repo.stage(&["blob.bin", "data.bin"]);
    let ours = repo.keyward_added_lines_in(&repo.root.clone());
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].0, b"blob.bin");
    let out = repo.keyward(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["binary_skipped"], 1);
    assert_eq!(json["findings"][0]["path"], "blob.bin");
}

#[test]
fn crlf_and_missing_final_newline_match_git() {
    let repo = TestRepo::new();
    repo.write("win.txt", "one\r\ntwo\r\nthree");
    repo.commit_all("base");
    repo.write("win.txt", "one\r\ntwo\nthree\r\nfour");
    repo.stage(&["win.txt"]);
    let lines = repo.assert_same_added_lines();
    assert!(lines.iter().any(|(_, _, t)| t.ends_with(b"\r")));
}

#[test]
fn non_utf8_content_and_odd_names_are_bytes() {
    let repo = TestRepo::new();
    base(&repo);
    repo.write("latin1.txt", b"caf\xe9 = 1\nna\xefve\n");
    repo.write("with space/and ünïcode.py", "x = 1\n");
    repo.stage(&["."]);
    repo.assert_same_added_lines();
    let weird: &std::ffi::OsStr = std::os::unix::ffi::OsStrExt::from_bytes(b"odd\nname\xff.txt");
    std::fs::write(repo.root.join(weird), "y = 2\n").unwrap();
    repo.git(&["add", "-A"]);
    repo.assert_same_added_lines();
}

#[test]
fn run_from_a_subdirectory_scans_the_whole_index() {
    let repo = TestRepo::new();
    base(&repo);
    repo.write("top.py", "a = 1\n");
    repo.write("lib/deep/inner.py", "b = 2\n");
    repo.stage(&["."]);
    let deep = repo.root.join("lib/deep");
    assert_eq!(repo.assert_same_added_lines_in(&deep).len(), 2);
}

#[test]
fn sparse_index_is_expanded() {
    let repo = TestRepo::new();
    repo.write("in/a.txt", "a\n");
    repo.write("out/b.txt", "b\n");
    repo.commit_all("base");
    repo.git(&["sparse-checkout", "init", "--cone", "--sparse-index"]);
    repo.git(&["sparse-checkout", "set", "in"]);
    repo.write("in/a.txt", "a\nnew line\n");
    repo.stage(&["in/a.txt"]);
    assert_eq!(repo.assert_same_added_lines().len(), 1);
}

#[test]
fn sha256_repositories_work() {
    let repo = TestRepo::with_init_args(&["--object-format=sha256"]);
    repo.write("a.txt", "one\n");
    repo.commit_all("base");
    repo.write("a.txt", "one\ntwo\n");
    repo.stage(&["a.txt"]);
    assert_eq!(repo.assert_same_added_lines().len(), 1);
}

#[test]
fn linked_worktrees_use_their_own_index() {
    let repo = TestRepo::new();
    base(&repo);
    let wt = repo.add_worktree("feature");
    std::fs::write(
        wt.join("feature.py"),
        format!("TOKEN = \"{}\"\n", github_token(8)),
    )
    .unwrap();
    let out = repo.run(
        repo.command("git")
            .args(["add", "feature.py"])
            .current_dir(&wt),
    );
    assert!(out.status.success());
    assert!(
        repo.keyward_added_lines_in(&repo.root.clone()).is_empty(),
        "main work tree has nothing staged"
    );
    assert_eq!(repo.keyward_added_lines_in(&wt).len(), 1);
    assert_eq!(repo.keyward_in(&wt, &[]).status.code(), Some(1));
}

impl TestRepo {
    /// git shows a new submodule as `+Subproject commit <sha>`; keyward skips submodules, so
    /// compare everything else.
    fn assert_same_added_lines_without_submodule_line(&self) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        let mut git: Vec<_> = self
            .git_added_lines()
            .into_iter()
            .filter(|(_, _, t)| !t.starts_with(b"Subproject commit "))
            .collect();
        git.sort();
        let ours = self.keyward_added_lines_in(&self.root.clone());
        assert_eq!(git, ours);
        ours
    }
}

#[test]
fn cache_tree_shortcut_sees_every_change_in_a_wide_tree() {
    let repo = TestRepo::new();
    for d in 0..30 {
        for f in 0..5 {
            repo.write(format!("pkg{d}/sub/f{f}.py"), format!("x = {d}{f}\n"));
        }
    }
    repo.commit_all("base");
    // Changes deep in some directories, a deletion, a new directory, a rename across them.
    repo.write("pkg3/sub/f1.py", "x = 31\ny = 1\n");
    repo.write("pkg17/sub/new.py", "z = 1\n");
    repo.write("fresh/dir/a.py", "a = 1\n");
    repo.git(&["rm", "-q", "pkg9/sub/f0.py"]);
    repo.git(&["mv", "pkg20/sub/f2.py", "pkg21/sub/moved.py"]);
    repo.stage(&["."]);
    assert_eq!(
        repo.assert_same_added_lines().len(),
        3,
        "the pure rename adds nothing"
    );
    // After a commit the cache tree is whole again; one more change is still seen.
    repo.git(&["commit", "-q", "--no-verify", "-m", "more"]);
    repo.write("pkg29/sub/f4.py", "x = 294\nw = 2\n");
    repo.stage(&["pkg29/sub/f4.py"]);
    assert_eq!(repo.assert_same_added_lines().len(), 1);
    // `git reset` rewrites the index from HEAD: nothing is staged, nothing is seen.
    repo.git(&["reset", "-q"]);
    assert!(repo.assert_same_added_lines().is_empty());
}

#[test]
fn a_large_modified_file_reads_both_versions_and_sees_only_its_edits() {
    // Over 4 MiB, the new and old blobs are inflated on two threads; the old one packed (as a
    // committed file usually is after gc), the new one loose, as staged.
    let repo = TestRepo::new();
    let line = |i: usize| format!("export const value{i} = compute({i}, \"{:040}\");\n", i * 7);
    let old: String = (0..80_000).map(line).collect();
    assert!(old.len() > 4 * 1024 * 1024);
    repo.write("web/bundle.js", &old);
    repo.commit_all("base");
    repo.git(&["gc", "-q"]);
    let token = github_token(11);
    let mut new = old.replace(
        "export const value40000 ",
        &format!("const GITHUB_TOKEN = \"{token}\";\nexport const value40000 "),
    );
    new.push_str("export const tail = 1;\n");
    repo.write("web/bundle.js", &new);
    repo.stage(&["web/bundle.js"]);
    let lines = repo.assert_same_added_lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let out = repo.keyward(&["scan", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["line"], 40_001);
}
