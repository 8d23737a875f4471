//! Commits as a source: `keyward scan --range`, checked against `git show` commit by commit, and
//! the pre-push hook through real `git push` to a local bare repository.

use serde_json::Value;

use crate::util::{describe, github_token, openai_key, show_added, TestRepo};

/// A history with the kinds of change a range walk meets: edits, a new file, a rename with an
/// edit, a deletion, a file replaced by a folder, a merge.
fn history() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("app.py", "import os\n\nprint('one')\n");
    repo.write("lib/util.py", "def f():\n    return 1\n");
    repo.commit_all("base");
    repo.write("app.py", "import os\n\nprint('one')\nprint('two')\n");
    repo.write("config.yml", "name: demo\nport: 8080\n");
    repo.commit_all("edit and add");
    repo.git(&["mv", "lib/util.py", "lib/helpers.py"]);
    repo.write(
        "lib/helpers.py",
        "def f():\n    return 1\n\ndef g():\n    return 2\n",
    );
    repo.commit_all("rename with an edit");
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", "from the side branch\n");
    repo.commit_all("side");
    repo.git(&["checkout", "-q", "main"]);
    std::fs::remove_file(repo.root.join("config.yml")).unwrap();
    repo.write("docs", "a file for now\n");
    repo.commit_all("delete");
    std::fs::remove_file(repo.root.join("docs")).unwrap();
    repo.write("docs/index.md", "# now a folder\n");
    repo.commit_all("file to folder");
    repo.git(&["merge", "-q", "--no-edit", "--no-ff", "side"]);
    repo
}

#[test]
fn range_added_lines_match_git_show_commit_by_commit() {
    let repo = history();
    let commits = repo.git(&["rev-list", "--reverse", "HEAD"]);
    for commit in commits.lines() {
        let parents = repo.git(&["rev-list", "--parents", "-n", "1", commit]);
        let parent_count = parents.split_whitespace().count() - 1;
        let spec = if parent_count == 0 {
            commit.to_owned()
        } else {
            format!("{commit}~1..{commit}")
        };
        let ours = repo.keyward_range_added_lines(&spec);
        if parent_count > 1 {
            // A merge adds nothing of its own here; what it brings was added by its commits,
            // which are in the range too (git log -p shows no diff for a merge either).
            let merged = repo.keyward_range_added_lines(&format!("{commit}^1..{commit}"));
            assert!(
                merged.iter().any(|l| l.0 == b"side.txt"),
                "side commit missing"
            );
            continue;
        }
        let git = repo.git_commit_added_lines(commit);
        assert!(
            git == ours,
            "commit {commit}\n git show:\n{}\n keyward:\n{}",
            show_added(&git),
            show_added(&ours)
        );
    }
}

fn findings(out: &std::process::Output) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    doc["findings"].as_array().unwrap().clone()
}

#[test]
fn range_scan_names_the_commit_that_added_each_secret() {
    let repo = history();
    let base = repo.head().unwrap();
    repo.write(
        "deploy.sh",
        format!("export GH_TOKEN={}\n", github_token(1)),
    );
    repo.commit_all("add a token");
    let leaking = repo.head().unwrap();
    repo.write("README.md", "# docs\n");
    repo.commit_all("docs");

    let out = repo.keyward(&[
        "scan",
        "--range",
        &format!("{base}..HEAD"),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        describe("scan --range", &repo.root, &out)
    );
    let found = findings(&out);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["commit"], Value::from(leaking.as_str()));
    assert_eq!(found[0]["path"], "deploy.sh");

    // The commits after it add nothing; `A..` means up to HEAD; one revision means its history.
    let out = repo.keyward(&[
        "scan",
        "--range",
        &format!("{leaking}.."),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let out = repo.keyward(&["scan", "--range", "HEAD", "--format", "json"]);
    assert_eq!(findings(&out).len(), 1);
    // A range is a check or an audit, not a push: its report says the check failed.
    let out = repo.keyward(&["scan", "--range", "HEAD"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("The check failed."), "{stderr}");
    assert!(
        !stderr.contains("git push") && !stderr.contains("push was"),
        "{stderr}"
    );

    // A range that does not resolve is an error that names it.
    let out = repo.keyward(&["scan", "--range", "nope..HEAD"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nope"), "{stderr}");
}

/// A clone with a local bare remote and keyward's pre-push hook installed.
pub(crate) fn pushing_repo() -> (TestRepo, std::path::PathBuf) {
    let repo = TestRepo::new();
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
    repo.write("app.py", "print('hi')\n");
    repo.commit_all("base");
    repo.git(&["push", "-q", "origin", "main"]);
    let out = repo.keyward(&["install", "--pre-push"]);
    assert!(
        out.status.success(),
        "{}",
        describe("install --pre-push", &repo.root, &out)
    );
    (repo, remote)
}

fn remote_head(repo: &TestRepo, remote: &std::path::Path, branch: &str) -> Option<String> {
    let out = repo.git_output(&[
        "--git-dir",
        remote.to_str().unwrap(),
        "rev-parse",
        "--verify",
        "-q",
        branch,
    ]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn pre_push_blocks_a_push_whose_commits_add_a_secret() {
    let (repo, remote) = pushing_repo();
    let pushed = remote_head(&repo, &remote, "main");

    // A clean commit goes through.
    repo.write("app.py", "print('hi')\nprint('again')\n");
    repo.commit_all("clean");
    let out = repo.git_output(&["push", "-q", "origin", "main"]);
    assert!(
        out.status.success(),
        "{}",
        describe("git push", &repo.root, &out)
    );
    assert_ne!(remote_head(&repo, &remote, "main"), pushed);

    // A secret committed with --no-verify (past the pre-commit hook) is stopped at the push,
    // even when a later commit deletes it again.
    let pushed = remote_head(&repo, &remote, "main");
    repo.write(
        "app.py",
        format!("client = OpenAI(api_key=\"{}\")\n", openai_key(3)),
    );
    repo.commit_all("leak");
    let leak = repo.head().unwrap();
    repo.write("app.py", "print('hi')\n");
    repo.commit_all("remove it again");
    let out = repo.git_output(&["push", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("OpenAI API key"), "{stderr}");
    assert!(
        stderr.contains(&leak[..12]),
        "the commit is named: {stderr}"
    );
    assert!(stderr.contains("git push --no-verify"), "{stderr}");
    assert!(!stderr.contains(&openai_key(3)), "full key printed");
    assert_eq!(
        remote_head(&repo, &remote, "main"),
        pushed,
        "the remote moved"
    );

    // A new branch is scanned for what the remote does not have yet.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let out = repo.git_output(&["push", "origin", "feature"]);
    assert!(!out.status.success());
    assert_eq!(remote_head(&repo, &remote, "feature"), None);

    // Knowingly: --no-verify.
    let out = repo.git_output(&["push", "-q", "--no-verify", "origin", "main"]);
    assert!(out.status.success());
}

#[test]
fn pre_push_install_chains_an_existing_hook_which_still_reads_the_refs() {
    let repo = TestRepo::new();
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
    repo.write("app.py", "print('hi')\n");
    repo.commit_all("base");
    let hook = repo.root.join(".git/hooks/pre-push");
    let log = repo.root.join("pushed-refs.log");
    let previous = format!("#!/bin/sh\ncat > '{}'\nexit 0\n", log.display());
    std::fs::write(&hook, &previous).unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

    assert!(repo.keyward(&["install", "--pre-push"]).status.success());
    assert!(
        repo.keyward(&["install", "--pre-push"]).status.success(),
        "twice"
    );
    let out = repo.git_output(&["push", "-q", "origin", "main"]);
    assert!(
        out.status.success(),
        "{}",
        describe("git push", &repo.root, &out)
    );
    let refs = std::fs::read_to_string(&log).unwrap();
    assert!(refs.starts_with("refs/heads/main "), "{refs:?}");

    assert!(repo.keyward(&["uninstall", "--pre-push"]).status.success());
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), previous);
    assert!(
        repo.keyward(&["uninstall", "--pre-push"]).status.success(),
        "twice"
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), previous);
}

#[test]
fn a_shallow_clone_scans_its_boundary_commit_as_git_shows_it() {
    let origin = history();
    let url = format!("file://{}", origin.root.display());
    let clone = TestRepo::new();
    let path = clone.root.parent().unwrap().join("shallow");
    clone.git(&["clone", "-q", "--depth", "2", &url, path.to_str().unwrap()]);
    let shallow = TestRepo::at(path);
    assert_eq!(
        shallow
            .git(&["rev-parse", "--is-shallow-repository"])
            .trim(),
        "true"
    );
    // Depth 2 below a merge: both of its parents are boundary commits.
    let boundaries = shallow.git(&["rev-list", "--max-parents=0", "HEAD"]);
    for boundary in boundaries.lines() {
        let ours = shallow.keyward_range_added_lines(boundary);
        let git = shallow.git_commit_added_lines(boundary);
        assert!(!git.is_empty());
        assert!(
            git == ours,
            "{boundary}\ngit show:\n{}\nkeyward:\n{}",
            show_added(&git),
            show_added(&ours)
        );
    }
    let out = shallow.keyward(&["scan", "--range", "HEAD"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("scan --range HEAD in a shallow clone", &shallow.root, &out)
    );
}

#[test]
fn pushing_annotated_tags_scans_the_commits_they_name() {
    let (repo, remote) = pushing_repo();
    // A clean annotated tag, alone and with --follow-tags beside its branch.
    repo.write("app.py", "print('v1')\n");
    repo.commit_all("v1");
    repo.git(&["tag", "-a", "v1.0.0", "-m", "release"]);
    let out = repo.git_output(&["push", "--follow-tags", "origin", "main"]);
    assert!(
        out.status.success(),
        "{}",
        describe("push --follow-tags", &repo.root, &out)
    );
    assert!(remote_head(&repo, &remote, "v1.0.0").is_some());
    // A tag of a tag of a commit that adds a key is blocked as a finding, not an error.
    repo.write(
        "app.py",
        format!("client = OpenAI(api_key=\"{}\")\n", openai_key(31)),
    );
    repo.commit_all("leak");
    repo.git(&["tag", "-a", "inner", "-m", "inner"]);
    repo.git(&["tag", "-a", "outer", "inner", "-m", "outer"]);
    let out = repo.git_output(&["push", "origin", "outer"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("OpenAI API key"), "{stderr}");
    assert!(!stderr.contains("keyward: error"), "{stderr}");
    // A tag of a blob holds no commit: pushed, with a note.
    let blob = repo.git(&["rev-parse", "HEAD~1:app.py"]).trim().to_owned();
    repo.git(&["tag", "-a", "blobtag", &blob, "-m", "a blob"]);
    let out = repo.git_output(&["push", "origin", "blobtag"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn an_internal_error_during_a_push_speaks_of_the_push() {
    let (repo, _remote) = pushing_repo();
    let out = repo.run(
        repo.command(crate::util::keyward_bin())
            .args(["scan", "--pre-push"])
            .env("PRE_COMMIT_TO_REF", "not-a-ref"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("git push --no-verify"), "{stderr}");
    assert!(!stderr.contains("git commit"), "{stderr}");
}

#[test]
fn a_merge_is_scanned_for_the_lines_it_introduces_itself() {
    let repo = TestRepo::new();
    repo.git(&["checkout", "-q", "-b", "main"]);
    repo.write("app.py", "a = 0\n");
    repo.write("other.py", "o = 0\n");
    repo.commit_all("base");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("app.py", "a = 0\nfeature = 1\n");
    // A key the branch itself adds: its commit answers for it, not the merge.
    repo.write("other.py", format!("o = 0\nK = \"{}\"\n", openai_key(51)));
    repo.commit_all("feature");
    let feature = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(&["checkout", "-q", "main"]);
    repo.write("app.py", "a = 0\nmain = 1\n");
    repo.commit_all("main");
    let conflict = repo.git_output(&["merge", "-q", "feature"]);
    assert!(
        !conflict.status.success(),
        "the merge was meant to conflict"
    );
    // The resolution adds a key that is in neither parent.
    repo.write(
        "app.py",
        format!(
            "a = 0\nmain = 1\nfeature = 1\nKEY = \"{}\"\n",
            openai_key(52)
        ),
    );
    repo.git(&["add", "app.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "merge"]);
    let merge = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    // git's own view of what the merge introduces: the lines `--cc` marks added against both.
    let cc = repo.git(&["diff-tree", "--cc", "-p", "HEAD"]);
    let git_own: Vec<&str> = cc
        .lines()
        .filter(|l| l.starts_with("++") && !l.starts_with("+++"))
        .collect();
    assert_eq!(git_own.len(), 1, "{cc}");
    assert!(git_own[0].contains("KEY"), "{cc}");

    let out = repo.keyward(&[
        "scan",
        "--range",
        &format!("{base}..HEAD"),
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["commit"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("app.py".to_owned(), merge.clone(), 4),
            ("other.py".to_owned(), feature.clone(), 2),
        ]
    );
}

#[test]
fn reftable_repositories_commit_scan_ranges_and_push() {
    let repo = TestRepo::with_init_args(&["--ref-format=reftable"]);
    let remote = repo.root.parent().unwrap().join("remote.git");
    repo.git(&[
        "init",
        "-q",
        "--bare",
        "--ref-format=reftable",
        "-b",
        "main",
        remote.to_str().unwrap(),
    ]);
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    assert!(repo.keyward(&["install"]).status.success());
    assert!(repo.keyward(&["install", "--pre-push"]).status.success());

    // The first commit (an unborn HEAD) and a clean second one go through the hook.
    repo.write("app.py", "print('hi')\n");
    repo.stage(&["app.py"]);
    let out = repo.git_output(&["commit", "-q", "-m", "base"]);
    assert!(
        out.status.success(),
        "{}",
        describe("first commit", &repo.root, &out)
    );
    repo.git(&["push", "-q", "origin", "main"]);
    repo.write("app.py", "print('hi')\nprint('again')\n");
    repo.stage(&["app.py"]);
    let out = repo.git_output(&["commit", "-q", "-m", "clean"]);
    assert!(
        out.status.success(),
        "{}",
        describe("clean commit", &repo.root, &out)
    );

    // A staged key is blocked.
    repo.write("app.py", format!("KEY = \"{}\"\n", openai_key(61)));
    repo.stage(&["app.py"]);
    let out = repo.git_output(&["commit", "-q", "-m", "leak"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("OpenAI API key"));

    // Committed past the hook: the range and the push find it.
    repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]);
    let out = repo.keyward(&["scan", "--range", "HEAD~1..HEAD"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        describe("range", &repo.root, &out)
    );
    let out = repo.keyward(&["scan", "--range", "origin/main.."]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        describe("range", &repo.root, &out)
    );
    let out = repo.git_output(&["push", "origin", "main"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("OpenAI API key"),
        "{stderr}"
    );
    // A new branch: what no remote-tracking branch has.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let out = repo.git_output(&["push", "origin", "feature"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("OpenAI API key"),
        "{stderr}"
    );
}

/// A history scan is long work: on a terminal it shows commits done of the total once it has
/// run 300 ms, and `-v` ends with its throughput.
#[test]
fn a_long_history_scan_shows_progress_and_its_throughput() {
    let repo = TestRepo::new();
    // One commit made by fast-import holding many commits' worth of history: 400 commits,
    // each adding a file of a few hundred lines, so that the debug build runs past 300 ms.
    let mut stream = String::new();
    for i in 1..=400 {
        let body: String = (0..200)
            .map(|l| format!("value_{i}_{l} = compute({l}, \"row {i}\")\n"))
            .collect();
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{i}\ncommitter T <t@example.com> {} +0000\ndata 3\nc{}\n{}M 100644 inline f{i}.py\ndata {}\n{body}\n",
            1_700_000_000 + i,
            i % 10,
            if i > 1 { format!("from :{}\n", i - 1) } else { String::new() },
            body.len()
        ));
    }
    let mut child = repo
        .command("git")
        .args(["fast-import", "--quiet"])
        .current_dir(&repo.root)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    repo.git(&["reset", "-q", "--hard", "main"]);

    let typescript = repo.root.join("..").join("typescript");
    let command = format!(
        "{} -v scan --range HEAD",
        crate::util::keyward_bin().display()
    );
    let out = repo.run(
        repo.command("script")
            .args(["-qefc", &command])
            .arg(&typescript)
            .current_dir(&repo.root),
    );
    let shown = std::fs::read_to_string(&typescript).unwrap_or_default()
        + &String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("/400 commits"),
        "no progress of commits on a terminal: {shown}"
    );
    assert!(
        shown.contains("400 commits,") && shown.contains("MB/s"),
        "no throughput with -v: {shown}"
    );
}
