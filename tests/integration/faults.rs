//! Hostile repositories, bad input and faults: each is a defined outcome (exit 2 with the cause
//! and the bypass, or a clear note), nothing is written into `.git`, concurrent scans agree.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::util::{describe, github_token, openai_key, TestRepo};

fn staged_leak() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("app.py", "import os\n");
    repo.commit_all("base");
    repo.write(
        "app.py",
        format!(
            "import os\nclient = OpenAI(api_key=\"{}\")\n",
            openai_key(61)
        ),
    );
    repo.stage(&["app.py"]);
    repo
}

fn assert_fails_closed(repo: &TestRepo, out: &Output, cause: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        describe("keyward", &repo.root, out)
    );
    assert!(
        stderr.contains(cause),
        "cause {cause:?} not named: {stderr}"
    );
    assert!(stderr.contains("git commit --no-verify"), "{stderr}");
}

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                out.insert(
                    entry.path().display().to_string(),
                    (meta.len(), meta.modified().unwrap()),
                );
            }
        }
    }
    out
}

fn loose_object_path(repo: &TestRepo, id: &str) -> std::path::PathBuf {
    repo.root.join(".git/objects").join(&id[..2]).join(&id[2..])
}

#[test]
fn a_corrupt_index_fails_closed_naming_it() {
    let repo = staged_leak();
    std::fs::write(repo.root.join(".git/index"), b"DIRC\0\0\0\x02garbage").unwrap();
    let out = repo.keyward(&["scan"]);
    assert_fails_closed(&repo, &out, "index");
}

#[test]
fn a_missing_or_corrupt_staged_blob_fails_closed_naming_the_file() {
    let repo = staged_leak();
    let id = repo.git(&["rev-parse", ":app.py"]).trim().to_owned();
    let object = loose_object_path(&repo, &id);
    let intact = std::fs::read(&object).unwrap();
    // Cut short: a valid start of a zlib stream, then nothing.
    std::fs::write(&object, &intact[..intact.len() / 2]).unwrap();
    let out = repo.keyward(&["scan"]);
    assert_fails_closed(&repo, &out, "app.py");
    std::fs::write(&object, b"not zlib at all").unwrap();
    let out = repo.keyward(&["scan"]);
    assert_fails_closed(&repo, &out, "app.py");
    std::fs::remove_file(&object).unwrap();
    let out = repo.keyward(&["scan"]);
    assert_fails_closed(&repo, &out, &id);
}

#[test]
fn a_missing_head_tree_fails_closed() {
    let repo = staged_leak();
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    std::fs::remove_file(loose_object_path(&repo, &tree)).unwrap();
    let out = repo.keyward(&["scan"]);
    assert_fails_closed(&repo, &out, &tree);
}

#[test]
fn a_locked_index_is_read_and_the_lock_left_alone() {
    let repo = staged_leak();
    let lock = repo.root.join(".git/index.lock");
    std::fs::write(&lock, b"someone else's lock").unwrap();
    let out = repo.keyward(&["scan", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read(&lock).unwrap(), b"someone else's lock");
}

#[test]
fn scans_write_nothing_into_git_or_the_work_tree() {
    let repo = staged_leak();
    repo.write("later.txt", "unstaged\n");
    // `git status` refreshes the index itself, so it runs before the snapshot and after the check.
    let status_before = repo.git(&["status", "--porcelain"]);
    let git_before = snapshot(&repo.root.join(".git"));
    for args in [
        vec!["scan"],
        vec!["scan", "--format", "json"],
        vec!["scan", "--format", "sarif"],
        vec!["scan", "--range", "HEAD"],
        vec!["scan", "."],
        vec!["rules"],
        vec!["fix", "--dry-run"],
    ] {
        let out = repo.keyward(&args);
        assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}");
    }
    assert_eq!(
        snapshot(&repo.root.join(".git")),
        git_before,
        "a scan wrote into .git"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), status_before);
}

#[test]
fn fix_on_a_full_disk_fails_closed_and_loses_nothing() {
    let repo = staged_leak();
    let before = std::fs::read(repo.root.join("app.py")).unwrap();
    // A file-size limit of zero makes every write fail (EFBIG), as a full disk does (ENOSPC);
    // SIGXFSZ is ignored so the write reports the error instead of killing the process.
    let script = format!(
        "trap '' XFSZ; ulimit -f 0; exec '{}' fix",
        crate::util::keyward_bin().display()
    );
    let out = repo.run(repo.command("sh").arg("-c").arg(&script));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("git commit --no-verify"), "{stderr}");
    assert_eq!(std::fs::read(repo.root.join("app.py")).unwrap(), before);
    let leftovers: Vec<String> = std::fs::read_dir(&repo.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("keyward") || n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn an_interrupted_run_exits_two_with_a_message() {
    let repo = staged_leak();
    // `scan --pre-push` waits for git's ref lines on stdin: a run that is still going.
    let child = repo
        .command(crate::util::keyward_bin())
        .args(["scan", "--pre-push"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    // What an interrupted pre-push scan blocks is the push.
    assert!(stderr.contains("git push --no-verify"), "{stderr}");
}

#[test]
fn concurrent_scans_of_one_repository_agree() {
    let repo = TestRepo::new();
    repo.write("README.md", "# x\n");
    repo.commit_all("base");
    for i in 0..40 {
        repo.write(
            format!("src/m{i}.py"),
            format!("import os\nTOKEN_{i} = \"{}\"\n", github_token(100 + i)),
        );
    }
    repo.git(&["add", "-A"]);
    let expected = repo.keyward(&["scan", "--format", "json"]);
    assert_eq!(expected.status.code(), Some(1));
    // Eight processes at once, all started before any is waited for.
    let children: Vec<std::process::Child> = (0..8)
        .map(|_| {
            repo.command(crate::util::keyward_bin())
                .args(["scan", "--format", "json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in outputs {
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(out.stdout, expected.stdout, "a concurrent scan disagreed");
    }
    let doc: Value = serde_json::from_slice(&expected.stdout).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), 40);
}

#[test]
fn a_file_name_cannot_forge_report_lines() {
    let repo = TestRepo::new();
    repo.write("README.md", "# x\n");
    repo.commit_all("base");
    let name = "x\nkeyward: no secrets found\x1b[2J\u{202e}.py";
    repo.write(name, format!("T = \"{}\"\n", github_token(71)));
    repo.git(&["add", "-A"]);
    let out = repo.keyward(&["scan", "--color", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !stderr.contains('\x1b'),
        "escape sequence reached the terminal"
    );
    assert!(
        !stderr.contains('\u{202e}'),
        "bidi override reached the terminal"
    );
    assert!(
        !stderr
            .lines()
            .any(|l| l.starts_with("keyward: no secrets found")),
        "{stderr}"
    );
    assert!(stderr.contains("x\\u{a}keyward"), "{stderr}");
}

#[test]
fn files_over_the_size_limit_are_scanned_up_to_it_with_a_note() {
    let repo = TestRepo::new();
    repo.write("README.md", "# x\n");
    repo.commit_all("base");
    repo.write(".keyward.toml", "[limits]\nmaxFileSize = \"1KiB\"\n");
    let mut big = format!("EARLY = \"{}\"\n", github_token(80));
    big.push_str(&"x = 1\n".repeat(400));
    big.push_str(&format!("T = \"{}\"\n", github_token(81)));
    repo.write("big.py", &big);
    repo.write("small.py", format!("T = \"{}\"\n", github_token(82)));
    repo.git(&["add", "-A"]);
    let out = repo.keyward(&["scan", "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["too_large_cut"], 1);
    // The key in the first KiB of big.py and the one in small.py; not the one past the limit.
    let lines: Vec<(String, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("big.py".to_owned(), 1), ("small.py".to_owned(), 1)]
    );
    let out = repo.keyward(&["scan"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("larger than the size limit"), "{stderr}");
    assert!(stderr.contains("maxFileSize"), "{stderr}");
}

#[test]
fn an_oversized_user_regex_is_reported_not_crashed_on() {
    let repo = staged_leak();
    repo.write(
        ".keyward.toml",
        "\n[[rules]]\nid = 'huge'\nkeywords = ['x']\nregex = '''(?:[a-z0-9]{1000}){1000}'''\n",
    );
    let out = repo.keyward(&["scan"]);
    assert_fails_closed(&repo, &out, ".keyward.toml:3:1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("size limit"), "{stderr}");
}
