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

/// The fingerprint lines of the repository's `.keywardignore` (not its comments or salt).
fn ignore_entries(repo: &TestRepo) -> Vec<String> {
    std::fs::read_to_string(repo.root.join(".keywardignore"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("salt:") && !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
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
    let entries = ignore_entries(&repo);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].contains("x%0Aopenai"), "{entries:?}");
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

#[test]
fn a_pushed_new_branch_is_judged_by_the_config_the_remote_already_has() {
    let (repo, _remote) = crate::range::pushing_repo();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "app.py",
        format!("client = OpenAI(api_key=\"{}\")\n", openai_key(24)),
    );
    repo.write(
        ".keyward.toml",
        "[allowlist]\nregexTarget = \"line\"\nregexes = ['''OpenAI''']\n",
    );
    repo.commit_all("a key and its allowlist on a new branch");
    let out = repo.git_output(&["push", "origin", "feature"]);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(shown.contains("OpenAI API key"), "{shown}");
    assert!(shown.contains("would be allowed"), "{shown}");
}

/// Runs keyward with its address space capped (`ulimit -v`, KiB): a blob inflated whole
/// would not fit.
fn keyward_capped(repo: &TestRepo, kib: u64, args: &str) -> std::process::Output {
    repo.run(repo.command("sh").arg("-c").arg(format!(
        "ulimit -v {kib} && exec '{}' {args}",
        crate::util::keyward_bin().display()
    )))
}

/// Writes a loose blob of `key_line` and then `mib` MiB of short code lines straight into the
/// object store (git streams it; nothing of that size touches the work tree) and stages it as
/// `path`, with no size recorded in the index.
fn stage_huge_blob(repo: &TestRepo, path: &str, key_line: &str, mib: u64) {
    let out = repo.run(repo.command("sh").arg("-c").arg(format!(
        "{{ printf '%s\\n' '{key_line}'; yes 'a = 1' | head -c {}; }} | git hash-object -w --stdin",
        mib << 20
    )));
    assert!(out.status.success(), "{}", text(&out));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{id},{path}"),
    ]);
}

#[test]
fn a_blob_larger_than_the_limit_is_scanned_up_to_it_and_never_inflated_whole() {
    let repo = TestRepo::new();
    repo.write(".keyward.toml", "[limits]\nmaxFileSize = \"1MiB\"\n");
    repo.stage(&[".keyward.toml"]);
    let key = format!("KEY = \"{}\"", openai_key(25));
    stage_huge_blob(&repo, "huge.py", &key, 256);
    // 256 MiB inflated whole would not fit in 160 MB of address space.
    let out = keyward_capped(&repo, 160_000, "scan --format json");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", describe("capped scan", &repo.root, &out)));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(doc["summary"]["too_large_cut"], 1);
    assert_eq!(doc["findings"][0]["rule_id"], "openai-api-key");
}

#[test]
fn a_range_cannot_raise_its_own_size_limit_and_a_file_past_the_limit_fails_the_check() {
    let repo = TestRepo::new();
    repo.write(".keyward.toml", "[limits]\nmaxFileSize = \"64KiB\"\n");
    repo.commit_all("base with a small limit");
    let mut padded = "x = 1\n".repeat(20_000);
    padded.push_str(&format!("KEY = \"{}\"\n", openai_key(26)));
    repo.write("padded.py", &padded);
    repo.write(".keyward.toml", "[limits]\nmaxFileSize = \"1GiB\"\n");
    repo.commit_all("a key after padding, and a raised limit");
    let out = repo.keyward(&["scan", "--range", "HEAD~1..HEAD"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("larger than the size limit"), "{shown}");
    assert!(shown.contains("check fails"), "{shown}");
    assert!(shown.contains("padded.py"), "{shown}");
    // Trusted knowingly, the range's own limit scans the file whole and finds the key.
    let out = repo.keyward(&["scan", "--range", "HEAD~1..HEAD", "--trust-range-config"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("OpenAI API key"), "{shown}");
    assert!(!shown.contains("larger than the size limit"), "{shown}");
    // Staged, a file past the limit is scanned up to it and noted, not failed on its size.
    repo.write(".keyward.toml", "[limits]\nmaxFileSize = \"64KiB\"\n");
    repo.write("padded2.py", "y = 2\n".repeat(20_000));
    repo.git(&["add", "-A"]);
    let out = repo.keyward(&["scan"]);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("note: files larger than the size limit"),
        "{shown}"
    );
}

#[test]
fn findings_are_capped_per_file_with_a_count_of_the_rest() {
    let repo = TestRepo::new();
    let many: String = (0..250)
        .map(|i| format!("K{i} = \"{}\"\n", openai_key(1000 + i)))
        .collect();
    repo.write("keys.py", many);
    repo.stage(&["keys.py"]);
    let out = repo.keyward(&["scan", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(doc["findings"].as_array().unwrap().len(), 100);
    assert_eq!(doc["summary"]["findings_not_shown"], 150);
    let out = repo.keyward(&["scan"]);
    assert!(
        text(&out).contains("150 more findings not shown"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_rule_from_the_repository_cannot_carry_terminal_escapes() {
    for field in [
        "description = \"ACME \\u001b]0;pwned\\u0007 token\"",
        "why = \"because\\u001b[2J\"",
        "rotate = \"https://example.com/\\u202e\"",
        "env = \"ACME\\u001b[31m\"",
        "env = \"ACME TOKEN\"",
    ] {
        let repo = TestRepo::new();
        repo.write(
            ".keyward.toml",
            format!(
                "[[rules]]\nid = \"acme-token\"\nregex = '''(acme_[a-z0-9]{{32}})'''\nkeywords = [\"acme_\"]\n{field}\n"
            ),
        );
        repo.write("a.py", format!("T = \"acme_{}\"\n", "a1b2c3d4".repeat(4)));
        repo.git(&["add", "-A"]);
        let out = repo.keyward(&["scan", "--color", "never"]);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(2), "{field}: {shown}");
        assert!(shown.contains(".keyward.toml"), "{field}: {shown}");
        assert_eq!(has_control(shown.as_bytes()), None, "{field}");
    }
}

/// Pieces of hostile file names: terminal escapes, line breaks, bidirectional overrides, CI log
/// commands, the ignore file's own syntax, and bytes that are not UTF-8.
fn name_piece() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    proptest::sample::select(vec![
        b"a".to_vec(),
        b"key".to_vec(),
        b" ".to_vec(),
        b"\n".to_vec(),
        b"\r".to_vec(),
        b"\t".to_vec(),
        b"\x1b[31m".to_vec(),
        b"\x1b]8;;x\x07".to_vec(),
        b"\x07".to_vec(),
        "\u{202e}".as_bytes().to_vec(),
        "\u{2066}".as_bytes().to_vec(),
        b"::error::".to_vec(),
        b"#".to_vec(),
        b"%0A".to_vec(),
        b":".to_vec(),
        b"\xff".to_vec(),
        b"\xc3".to_vec(),
        "é".as_bytes().to_vec(),
    ])
}

/// Whether `text` holds a byte or character a terminal or CI log would act on.
fn has_control(text: &[u8]) -> Option<String> {
    let shown = String::from_utf8_lossy(text);
    shown
        .chars()
        .find(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .map(|c| format!("{c:?} in {shown}"))
}

fn percent_decode(uri: &str) -> Vec<u8> {
    let bytes = uri.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&uri[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(10))]

    /// Whatever a committed file is called, every output names it without acting on a terminal
    /// or a CI log, the machine formats give its exact bytes back, `fix` rewrites that very
    /// file, and `ignore` records it in exactly one line that still matches.
    #[test]
    fn every_output_survives_any_file_name(
        pieces in proptest::collection::vec(name_piece(), 1..6),
        seed in 0u64..1000,
    ) {
        use std::os::unix::ffi::OsStrExt;
        let mut name = b"f".to_vec();
        for piece in &pieces {
            name.extend_from_slice(piece);
        }
        name.extend_from_slice(b".py");
        let os_name = std::ffi::OsStr::from_bytes(&name);
        let repo = TestRepo::new();
        std::fs::write(repo.root.join(os_name), format!("KEY = \"{}\"\n", openai_key(seed))).unwrap();
        repo.git(&["add", "-A"]);

        let human = repo.keyward(&["scan", "--color", "never"]);
        assert_eq!(human.status.code(), Some(1), "{}", text(&human));
        for stream in [&human.stdout, &human.stderr] {
            assert_eq!(has_control(stream), None);
        }

        let json = repo.keyward(&["scan", "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let finding = &doc["findings"][0];
        let exact = match finding["path_base64"].as_str() {
            Some(b64) => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
            }
            None => finding["path"].as_str().unwrap().as_bytes().to_vec(),
        };
        assert_eq!(exact, name);

        let sarif = repo.keyward(&["scan", "--format", "sarif"]);
        let doc: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
        let uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
            ["artifactLocation"]["uri"].as_str().unwrap();
        assert_eq!(percent_decode(uri), name);

        let dry = repo.keyward(&["fix", "--dry-run", "--color", "never"]);
        for stream in [&dry.stdout, &dry.stderr] {
            assert_eq!(has_control(stream), None);
        }

        let ignore = repo.keyward(&["ignore", "--yes", "--color", "never"]);
        assert_eq!(ignore.status.code(), Some(0), "{}", text(&ignore));
        for stream in [&ignore.stdout, &ignore.stderr] {
            assert_eq!(has_control(stream), None);
        }
        let entries = ignore_entries(&repo);
        assert_eq!(entries.len(), 1, "{entries:?}");
        let after = repo.keyward(&["scan"]);
        assert_eq!(after.status.code(), Some(0), "{}", text(&after));

        std::fs::remove_file(repo.root.join(".keywardignore")).unwrap();
        let fix = repo.keyward(&["fix", "--color", "never"]);
        assert_eq!(fix.status.code(), Some(0), "{}", text(&fix));
        for stream in [&fix.stdout, &fix.stderr] {
            assert_eq!(has_control(stream), None);
        }
        let fixed = std::fs::read_to_string(repo.root.join(os_name)).unwrap();
        assert!(fixed.contains("OPENAI_API_KEY") && !fixed.contains("sk-"), "{fixed}");
    }
}
