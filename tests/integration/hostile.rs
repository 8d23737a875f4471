//! Hostile repositories: committed symlinks, special files and crafted names cannot make keyward
//! leak a file's content, write outside the work tree, hang, or lose the user's hook.

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::util::{describe, openai_key, TestRepo};

/// A file outside the repository that an attacker would like printed or overwritten.
fn outside_file(repo: &TestRepo, content: &str) -> std::path::PathBuf {
    let path = repo.root.parent().unwrap().join("victim-credentials");
    std::fs::write(&path, content).unwrap();
    path
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_symlinked_ignore_file_is_refused_without_printing_its_target() {
    for name in [".keywardignore", ".gitleaksignore"] {
        let repo = TestRepo::new();
        let victim = outside_file(&repo, "https://alice:hunter2-very-secret@example.com\n");
        symlink(&victim, repo.root.join(name)).unwrap();
        repo.write("a.txt", "hello\n");
        repo.stage(&["a.txt", name]);
        let out = repo.keyward(&[]);
        let shown = text(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            describe(name, &repo.root, &out)
        );
        assert!(!shown.contains("hunter2"), "{name}: leaked: {shown}");
        assert!(shown.contains("symbolic link"), "{name}: {shown}");
    }
}

#[test]
fn a_config_or_extend_path_naming_a_device_fails_at_once() {
    let repo = TestRepo::new();
    repo.write(".keyward.toml", "[extend]\npath = \"/dev/zero\"\n");
    repo.write("a.txt", "hello\n");
    repo.stage(&["a.txt", ".keyward.toml"]);
    let started = std::time::Instant::now();
    let out = repo.keyward(&[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        describe("extend", &repo.root, &out)
    );
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );

    let repo = TestRepo::new();
    let fifo = repo.root.join(".keyward.toml");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = repo.keyward(&[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        describe("fifo", &repo.root, &out)
    );
    assert!(text(&out).contains("not a regular file"), "{}", text(&out));
}

#[test]
fn fix_never_writes_through_a_committed_symlink() {
    let repo = TestRepo::new();
    let victim = outside_file(&repo, "# my shell rc\n");
    symlink(&victim, repo.root.join(".env")).unwrap();
    symlink(&victim, repo.root.join(".gitignore")).unwrap();
    symlink(&victim, repo.root.join(".app.py.keyward-fix")).unwrap();
    repo.write("app.py", "import os\n");
    repo.commit_all("base");
    let key = openai_key(7);
    repo.write(
        "app.py",
        format!("import os\nclient = OpenAI(api_key=\"{key}\")\n"),
    );
    repo.stage(&["app.py"]);
    let out = repo.keyward(&["fix"]);
    assert_ne!(
        out.status.code(),
        Some(0),
        "{}",
        describe("fix", &repo.root, &out)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "# my shell rc\n");
    assert!(!text(&out).contains("shell rc"), "{}", text(&out));
}

#[test]
fn install_replaces_a_symlinked_hook_without_touching_its_target() {
    let repo = TestRepo::new();
    let victim = outside_file(&repo, "#!/bin/sh\n# keyward pre-commit hook\necho mine\n");
    let hooks = repo.root.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    symlink(&victim, hooks.join("pre-commit")).unwrap();
    let out = repo.keyward(&["install"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("install", &repo.root, &out)
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "#!/bin/sh\n# keyward pre-commit hook\necho mine\n"
    );
    let hook = hooks.join("pre-commit");
    assert!(!hook.symlink_metadata().unwrap().file_type().is_symlink());
    let out = repo.keyward(&["uninstall"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("uninstall", &repo.root, &out)
    );
    // The user's hook (the link) is back where it was.
    assert!(hook.symlink_metadata().unwrap().file_type().is_symlink());
}

#[test]
fn a_file_name_with_a_newline_cannot_add_lines_to_the_ignore_file() {
    let repo = TestRepo::new();
    let name = "x\nopenai-api-key:y.py:0123456789abcdef0123.py";
    repo.write(name, format!("KEY = \"{}\"\n", openai_key(3)));
    repo.stage(&[name]);
    let out = repo.keyward(&["ignore", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("ignore", &repo.root, &out)
    );
    let file = std::fs::read_to_string(repo.root.join(".keywardignore")).unwrap();
    let entries: Vec<&str> = file
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("salt:") && !l.trim().is_empty())
        .collect();
    assert_eq!(entries.len(), 1, "{file}");
    assert!(entries[0].contains("x%0Aopenai"), "{file}");
    // And it still ignores the finding it records.
    let out = repo.keyward(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("scan", &repo.root, &out)
    );
}

#[test]
fn fingerprints_are_salted_per_repository() {
    let fingerprint = |seed: u64| {
        let repo = TestRepo::new();
        repo.write("k.py", format!("KEY = \"{}\"\n", openai_key(11)));
        repo.stage(&["k.py"]);
        let out = repo.keyward(&["ignore", "--yes"]);
        assert_eq!(out.status.code(), Some(0), "{seed}");
        let file = std::fs::read_to_string(repo.root.join(".keywardignore")).unwrap();
        file.lines()
            .find(|l| l.starts_with("openai"))
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned()
    };
    assert_ne!(fingerprint(1), fingerprint(2));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let repo = TestRepo::new();
    let out = repo.run(repo.command("sh").arg("-c").arg(format!(
        "'{}' rules | head -1",
        crate::util::keyward_bin().display()
    )));
    assert!(!text(&out).contains("blocked"), "{}", text(&out));
}

#[test]
fn the_binary_is_position_independent() {
    let bin = std::fs::read(crate::util::keyward_bin()).unwrap();
    // ELF e_type at offset 16: 3 = ET_DYN (PIE), 2 = ET_EXEC.
    assert_eq!(&bin[..4], b"\x7fELF");
    assert_eq!(bin[16], 3, "keyward is not linked position-independent");
    let _ = Path::new("");
}

/// A pull request that adds a key and, in the same range, the config or ignore entry that
/// allows it: the range is judged by its base's config, and the attempt is named.
#[test]
fn a_range_cannot_allowlist_its_own_key() {
    for (name, allow) in [
        (
            ".keyward.toml",
            "[allowlist]\nregexTarget = \"line\"\nregexes = ['''OpenAI''']\n".to_owned(),
        ),
        (
            ".gitleaks.toml",
            "[extend]\nuseDefault = true\n[allowlist]\npaths = ['''app\\.py''']\n".to_owned(),
        ),
    ] {
        let repo = TestRepo::new();
        repo.write("README.md", "base\n");
        repo.commit_all("base");
        repo.write(
            "app.py",
            format!("client = OpenAI(api_key=\"{}\")\n", openai_key(21)),
        );
        repo.write(name, &allow);
        repo.commit_all("add a key and allow it");
        let out = repo.keyward(&["scan", "--range", "HEAD~1..HEAD"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            describe(name, &repo.root, &out)
        );
        assert!(
            text(&out).contains("would be allowed"),
            "{name}: {}",
            text(&out)
        );
        let out = repo.keyward(&["scan", "--range", "HEAD~1..HEAD", "--trust-range-config"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            describe(name, &repo.root, &out)
        );
    }
}

#[test]
fn a_range_cannot_ignore_its_own_key_and_its_inline_allows_are_listed() {
    let repo = TestRepo::new();
    repo.write("README.md", "base\n");
    repo.commit_all("base");
    repo.write(
        "app.py",
        format!("client = OpenAI(api_key=\"{}\")\n", openai_key(22)),
    );
    repo.stage(&["app.py"]);
    let out = repo.keyward(&["ignore", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("ignore", &repo.root, &out)
    );
    repo.write(
        "other.py",
        format!("KEY = \"{}\"  # keyward:allow\n", openai_key(23)),
    );
    repo.commit_all("key, its ignore entry, and an inline allow");
    let out = repo.keyward(&["scan", "--range", "HEAD~1..HEAD"]);
    let shown = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        describe("range", &repo.root, &out)
    );
    assert!(shown.contains("an ignore entry"), "{shown}");
    assert!(
        shown.contains("inline allow") && shown.contains("other.py:1"),
        "{shown}"
    );
    // The whole history has no base: the work tree's files are what the user audits with.
    let out = repo.keyward(&["scan", "--range", "HEAD"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        describe("history", &repo.root, &out)
    );
}
