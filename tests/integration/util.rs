//! The test harness: real git repositories in temporary folders, git sealed off from the
//! machine's config, and the real `keyward` binary.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The keyward binary under test.
pub fn keyward_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_keyward"))
}

/// A fake, format-valid secret from a template and a seed (never a real key).
pub fn fake(template: &str, seed: u64) -> String {
    keyward_detect::fake::expand(template, seed).expect("valid template")
}

/// A fake OpenAI project key.
pub fn openai_key(seed: u64) -> String {
    fake("sk-proj-{urlsafe:74}T3BlbkFJ{urlsafe:74}", seed)
}

/// A fake GitHub classic token with a valid checksum.
pub fn github_token(seed: u64) -> String {
    fake("ghp_{alnum:30}{crc32-base62}", seed)
}

/// A temporary git repository.
pub struct TestRepo {
    _tmp: tempfile::TempDir,
    /// The work tree's root.
    pub root: PathBuf,
    home: PathBuf,
    extra_env: std::cell::RefCell<Vec<(String, String)>>,
}

impl TestRepo {
    /// `git init` with a fixed identity, in a fresh folder.
    pub fn new() -> TestRepo {
        Self::with_init_args(&[])
    }

    /// A repository that already exists at `root` (a clone another `TestRepo` made, which must
    /// outlive this one), with its own sealed home.
    pub fn at(root: PathBuf) -> TestRepo {
        let tmp = tempfile::tempdir().expect("temp dir");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        TestRepo {
            _tmp: tmp,
            root,
            home,
            extra_env: Default::default(),
        }
    }

    /// `git init ARGS…`.
    pub fn with_init_args(args: &[&str]) -> TestRepo {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().join("repo");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let repo = TestRepo {
            _tmp: tmp,
            root,
            home,
            extra_env: Default::default(),
        };
        let mut init = vec!["init", "-q", "-b", "main"];
        init.extend_from_slice(args);
        repo.git(&init);
        repo
    }

    /// A command with git's environment sealed: no system or global config, no inherited `GIT_*`
    /// variables (the suite may itself run inside a hook), fixed identity and dates.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("GIT_") || key == "NO_COLOR" {
                cmd.env_remove(&key);
            }
        }
        cmd.current_dir(&self.root)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join("gitconfig"))
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .stdin(Stdio::null());
        for (key, value) in self.extra_env.borrow().iter() {
            cmd.env(key, value);
        }
        cmd
    }

    /// Sets an environment variable for every later command.
    pub fn set_env(&self, key: &str, value: impl Into<String>) {
        self.extra_env
            .borrow_mut()
            .push((key.to_owned(), value.into()));
    }

    /// Runs git and returns its output, whatever the exit status.
    pub fn git_output(&self, args: &[&str]) -> Output {
        self.run(self.command("git").args(args))
    }

    /// Runs git and panics, showing everything, unless it succeeds.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "{}",
            describe(&format!("git {}", args.join(" ")), &self.root, &out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs keyward in the work tree's root.
    pub fn keyward(&self, args: &[&str]) -> Output {
        self.keyward_in(&self.root.clone(), args)
    }

    /// Runs keyward in `dir`.
    pub fn keyward_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.run(self.command(keyward_bin()).args(args).current_dir(dir))
    }

    /// Runs a command, keeping its output.
    pub fn run(&self, cmd: &mut Command) -> Output {
        cmd.output()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
    }

    /// Writes a file (creating folders).
    pub fn write(&self, path: impl AsRef<Path>, content: impl AsRef<[u8]>) {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// `git add` these paths.
    pub fn stage(&self, paths: &[&str]) {
        let mut args = vec!["add", "--"];
        args.extend_from_slice(paths);
        self.git(&args);
    }

    /// Stages everything and commits.
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
    }

    /// `git worktree add` of a new branch `name` beside the repository; returns its path.
    pub fn add_worktree(&self, name: &str) -> PathBuf {
        let path = self.root.parent().unwrap().join(name);
        self.git(&["worktree", "add", "-q", "-b", name, path.to_str().unwrap()]);
        path
    }

    /// HEAD's commit id, or `None` before the first commit.
    pub fn head(&self) -> Option<String> {
        let out = self.git_output(&["rev-parse", "--verify", "-q", "HEAD"]);
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// What git says the commit adds: (path, line number, text) for every `+` line of
    /// `git diff --cached` (textconv and external diff off, as keyward reads raw blobs).
    pub fn git_added_lines(&self) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        let out = self.git_output(&[
            "-c",
            "core.quotePath=false",
            "diff",
            "--cached",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
        ]);
        assert!(
            out.status.success(),
            "{}",
            describe("git diff --cached", &self.root, &out)
        );
        parse_patch(&out.stdout)
    }

    /// What git says commit `rev` adds against its first parent: the `+` lines of `git show`.
    pub fn git_commit_added_lines(&self, rev: &str) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        let out = self.git_output(&[
            "-c",
            "core.quotePath=false",
            "show",
            "--format=",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            rev,
        ]);
        assert!(
            out.status.success(),
            "{}",
            describe("git show", &self.root, &out)
        );
        let mut lines = parse_patch(&out.stdout);
        lines.sort();
        lines
    }

    /// What keyward sees for a range of commits (`added-lines --range`).
    pub fn keyward_range_added_lines(&self, spec: &str) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        self.keyward_added_lines_with(&self.root.clone(), &["added-lines", "--range", spec])
    }

    /// What keyward sees, from its hidden `added-lines` command run in `dir`.
    pub fn keyward_added_lines_in(&self, dir: &Path) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        self.keyward_added_lines_with(dir, &["added-lines"])
    }

    fn keyward_added_lines_with(&self, dir: &Path, args: &[&str]) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        let out = self.keyward_in(dir, args);
        assert!(
            out.status.success(),
            "{}",
            describe("keyward added-lines", dir, &out)
        );
        let fields: Vec<&[u8]> = out.stdout.split(|&b| b == 0).collect();
        let mut lines = Vec::new();
        for record in fields.chunks(3).filter(|r| r.len() == 3) {
            let number = std::str::from_utf8(record[1]).unwrap().parse().unwrap();
            lines.push((record[0].to_vec(), number, record[2].to_vec()));
        }
        lines.sort();
        lines
    }

    /// Asserts keyward sees exactly the lines `git diff --cached` adds, and returns them.
    pub fn assert_same_added_lines(&self) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        self.assert_same_added_lines_in(&self.root.clone())
    }

    /// As [`TestRepo::assert_same_added_lines`], running keyward in `dir`.
    pub fn assert_same_added_lines_in(&self, dir: &Path) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
        let mut git = self.git_added_lines();
        git.sort();
        let ours = self.keyward_added_lines_in(dir);
        if git != ours {
            panic!(
                "added lines differ\n git diff --cached:\n{}\n keyward:\n{}",
                show_lines(&git),
                show_lines(&ours)
            );
        }
        ours
    }
}

fn show_lines(lines: &[(Vec<u8>, u32, Vec<u8>)]) -> String {
    lines
        .iter()
        .map(|(p, n, t)| {
            format!(
                "  {}:{n}: {}",
                String::from_utf8_lossy(p).escape_debug(),
                String::from_utf8_lossy(t).escape_debug()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A failure message with the command, its folder, its exit status and both streams.
pub fn describe(what: &str, dir: &Path, out: &Output) -> String {
    format!(
        "command: {what}\ncwd: {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
        dir.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Formats added lines for a failure message.
pub fn show_added(lines: &[(Vec<u8>, u32, Vec<u8>)]) -> String {
    show_lines(lines)
}

/// The `+` lines of a unified patch, walking each hunk by its counts (an added line `++x`
/// prints as `+++x`, so header-looking lines inside hunks are content).
fn parse_patch(patch: &[u8]) -> Vec<(Vec<u8>, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut path: Option<Vec<u8>> = None;
    let mut lines = patch.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if line.starts_with(b"diff --git ") {
            path = None;
        } else if let Some(rest) = line.strip_prefix(b"+++ ") {
            let rest = rest.strip_suffix(b"\t").unwrap_or(rest);
            let name = unquote(rest);
            path = name.strip_prefix(b"b/").map(<[u8]>::to_vec);
        } else if line.starts_with(b"@@ ") {
            let header = String::from_utf8_lossy(line).into_owned();
            let (old_count, new_start, new_count) = hunk_counts(&header);
            let (mut old_left, mut new_left, mut number) = (old_count, new_count, new_start);
            while old_left > 0 || new_left > 0 {
                let Some(body) = lines.next() else { break };
                match body.first() {
                    Some(b'+') => {
                        out.push((
                            path.clone().expect("hunk without +++"),
                            number,
                            body[1..].to_vec(),
                        ));
                        number += 1;
                        new_left -= 1;
                    }
                    Some(b'-') => old_left -= 1,
                    Some(b'\\') => {}
                    _ => {
                        number += 1;
                        new_left -= 1;
                        old_left -= 1;
                    }
                }
            }
            while lines.peek().is_some_and(|l| l.starts_with(b"\\")) {
                lines.next();
            }
        }
    }
    out
}

fn hunk_counts(header: &str) -> (u32, u32, u32) {
    let parts: Vec<&str> = header.split(' ').collect();
    let range = |s: &str| -> (u32, u32) {
        let s = &s[1..];
        match s.split_once(',') {
            Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
            None => (s.parse().unwrap(), 1),
        }
    };
    let (_, old_count) = range(parts[1]);
    let (new_start, new_count) = range(parts[2]);
    (old_count, new_start, new_count)
}

/// git's C-style quoting of unusual path names.
fn unquote(name: &[u8]) -> Vec<u8> {
    if name.first() != Some(&b'"') {
        return name.to_vec();
    }
    let inner = &name[1..name.len() - 1];
    let mut out = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        if inner[i] == b'\\' && i + 1 < inner.len() {
            let c = inner[i + 1];
            if c.is_ascii_digit() {
                let oct = std::str::from_utf8(&inner[i + 1..i + 4]).unwrap();
                out.push(u8::from_str_radix(oct, 8).unwrap());
                i += 4;
                continue;
            }
            out.push(match c {
                b'n' => b'\n',
                b't' => b'\t',
                b'a' => 7,
                b'b' => 8,
                b'f' => 12,
                b'r' => b'\r',
                b'v' => 11,
                other => other,
            });
            i += 2;
        } else {
            out.push(inner[i]);
            i += 1;
        }
    }
    out
}

/// Runs `program args…` and returns whether it succeeded, with its output for the message.
pub fn tool_accepts(program: &str, args: &[&str], dir: &std::path::Path) -> (bool, String) {
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
