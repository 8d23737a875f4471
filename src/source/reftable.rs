//! Repositories whose refs are stored as a reftable (`git init --ref-format=reftable`, git
//! 2.45 and later): gix 0.90 has no reftable backend, so there the refs keyward needs (HEAD, the
//! revisions of a range, the remote-tracking branches of a push) are resolved by asking git,
//! which is always present where a hook runs. Objects, trees, the index and every diff are
//! still read through gix; only the names of commits come from git.

use std::process::Command;

use gix::ObjectId;

/// Whether `repo` keeps its refs in a reftable (`extensions.refStorage = reftable`).
pub fn in_use(repo: &gix::Repository) -> bool {
    repo.config_snapshot()
        .string("extensions.refStorage")
        .is_some_and(|v| v.eq_ignore_ascii_case(b"reftable"))
}

/// Runs `git --git-dir=<repo's> <args>` and returns its standard output, trimmed.
fn git(repo: &gix::Repository, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(repo.git_dir())
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git to read the reftable refs: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            stderr.lines().next().unwrap_or("").trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn parse(hex: &str) -> Result<ObjectId, String> {
    ObjectId::from_hex(hex.as_bytes()).map_err(|e| format!("git printed {hex:?}: {e}"))
}

/// The commit `rev` names (`HEAD`, `main`, `origin/main~3`, a tag, an id), as git resolves it.
pub fn resolve_commit(repo: &gix::Repository, rev: &str) -> Result<ObjectId, String> {
    let spec = format!("{rev}^{{commit}}");
    parse(&git(
        repo,
        &["rev-parse", "--verify", "--end-of-options", &spec],
    )?)
}

/// HEAD's tree, or `None` on an unborn branch (before the first commit).
pub fn head_tree(repo: &gix::Repository) -> Result<Option<ObjectId>, String> {
    let out = git(repo, &["rev-parse", "--verify", "-q", "HEAD^{tree}"]);
    match out {
        Ok(hex) => parse(&hex).map(Some),
        // `-q --verify` fails quietly when HEAD names no commit yet: an unborn branch.
        Err(_) if git(repo, &["symbolic-ref", "-q", "HEAD"]).is_ok() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The objects the remote-tracking branches point at (commits, as git keeps them).
pub fn remote_tips(repo: &gix::Repository) -> Result<Vec<ObjectId>, String> {
    git(
        repo,
        &["for-each-ref", "--format=%(objectname)", "refs/remotes/"],
    )?
    .lines()
    .filter(|l| !l.is_empty())
    .map(parse)
    .collect()
}
