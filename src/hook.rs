//! Installing and removing keyward's hooks (pre-commit, pre-push) in the hooks directory git
//! actually uses.
//!
//! That is `core.hooksPath` when set (relative to the work tree, as git resolves it: husky and
//! lefthook set it), otherwise `hooks/` in the common git directory, which linked worktrees
//! share. A hook that is already there is kept: it is renamed to `<hook>.keyward-chained` and
//! run after keyward passes; uninstalling puts it back. Both operations are idempotent.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The pre-commit script that is installed (`hooks/pre-commit` in the repository).
pub const SCRIPT: &str = include_str!("../hooks/pre-commit");

/// The pre-push script (`hooks/pre-push` in the repository).
pub const PRE_PUSH_SCRIPT: &str = include_str!("../hooks/pre-push");

/// The pre-merge-commit script (`hooks/pre-merge-commit` in the repository).
pub const PRE_MERGE_COMMIT_SCRIPT: &str = include_str!("../hooks/pre-merge-commit");

/// The line of each script that names the binary; install pins it to the installing binary.
const BIN_LINE: &str = "KEYWARD_BIN=\"${KEYWARD_BIN:-keyward}\"";

/// Which hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookKind {
    /// `pre-commit`: scans the staged changes.
    PreCommit,
    /// `pre-push`: scans the commits being pushed.
    PrePush,
    /// `pre-merge-commit`: scans what a merge that commits by itself stages (`git merge` runs
    /// it instead of pre-commit).
    PreMergeCommit,
}

impl HookKind {
    /// Every hook keyward has, for `--all`.
    pub const ALL: [HookKind; 3] = [
        HookKind::PreCommit,
        HookKind::PreMergeCommit,
        HookKind::PrePush,
    ];
}

impl HookKind {
    /// git's name for the hook (and its file name).
    pub fn name(self) -> &'static str {
        match self {
            HookKind::PreCommit => "pre-commit",
            HookKind::PrePush => "pre-push",
            HookKind::PreMergeCommit => "pre-merge-commit",
        }
    }

    fn script(self) -> &'static str {
        match self {
            HookKind::PreCommit => SCRIPT,
            HookKind::PrePush => PRE_PUSH_SCRIPT,
            HookKind::PreMergeCommit => PRE_MERGE_COMMIT_SCRIPT,
        }
    }

    /// The marker that identifies a hook keyward wrote.
    fn marker(self) -> String {
        format!("# keyward {} hook", self.name())
    }

    /// Where an existing hook is kept while keyward's runs in front of it.
    fn chained(self) -> String {
        format!("{}.keyward-chained", self.name())
    }
}

/// Why the hook could not be installed or removed.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The repository cannot be opened.
    #[error("cannot open the git repository: {0}")]
    Repository(String),
    /// A file operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
}

/// What `install` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Installed {
    /// The hook was written.
    New(PathBuf),
    /// The hook was written and the existing one kept at this path, to run after keyward.
    Chained(PathBuf, PathBuf),
    /// keyward's hook was already there; it was refreshed.
    AlreadyInstalled(PathBuf),
}

/// What `uninstall` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uninstalled {
    /// keyward's hook was removed.
    Removed(PathBuf),
    /// keyward's hook was removed and the chained hook put back.
    Restored(PathBuf),
    /// There was no keyward hook; a hook that is not keyward's is left alone.
    NotInstalled(PathBuf),
}

/// The hooks directory of the repository containing `dir`.
///
/// # Errors
/// `dir` is not in a repository, or `core.hooksPath` cannot be read.
pub fn hooks_dir(dir: &Path) -> Result<PathBuf, HookError> {
    let repo = gix::discover_with_environment_overrides(dir)
        .map_err(|e| HookError::Repository(e.to_string()))?;
    let configured = repo
        .config_snapshot()
        .trusted_path("core.hooksPath")
        .map_err(|e| HookError::Repository(format!("core.hooksPath: {e}")))?;
    Ok(match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or(repo.git_dir()).join(path),
        None => repo.common_dir().join("hooks"),
    })
}

/// Installs the pre-commit hook for the repository containing `dir`, pinned to the binary at
/// `bin`.
///
/// # Errors
/// The repository or the hooks directory cannot be read or written.
pub fn install(dir: &Path, bin: &Path) -> Result<Installed, HookError> {
    install_kind(dir, bin, HookKind::PreCommit)
}

/// Installs hook `kind` for the repository containing `dir`, pinned to the binary at `bin`.
///
/// # Errors
/// The repository or the hooks directory cannot be read or written.
pub fn install_kind(dir: &Path, bin: &Path, kind: HookKind) -> Result<Installed, HookError> {
    let hooks = hooks_dir(dir)?;
    fs::create_dir_all(&hooks).map_err(io_err("cannot create", &hooks))?;
    let hook = hooks.join(kind.name());
    let chained = hooks.join(kind.chained());
    let existing = read_if_exists(&hook)?;
    let outcome = match existing {
        Some(text) if text.contains(&kind.marker()) => Installed::AlreadyInstalled(hook.clone()),
        Some(_) if chained.exists() => {
            // Both a foreign hook and a chained one: never overwrite either.
            return Err(HookError::Io {
                action: "refusing to replace",
                path: hook,
                source: io::Error::other(format!(
                    "a hook is already there and {} exists too; move one of them away first",
                    chained.display()
                )),
            });
        }
        Some(_) => {
            fs::rename(&hook, &chained).map_err(io_err("cannot move the existing hook", &hook))?;
            Installed::Chained(hook.clone(), chained.clone())
        }
        None => Installed::New(hook.clone()),
    };
    let pinned = format!(
        "KEYWARD_BIN=\"${{KEYWARD_BIN:-{}}}\"",
        shell_quote_inner(bin)
    );
    let script = kind.script().replacen(BIN_LINE, &pinned, 1);
    write_executable(&hook, &script)?;
    Ok(outcome)
}

/// Removes keyward's pre-commit hook from the repository containing `dir`, restoring a
/// chained one.
///
/// # Errors
/// The repository or the hooks directory cannot be read or written.
pub fn uninstall(dir: &Path) -> Result<Uninstalled, HookError> {
    uninstall_kind(dir, HookKind::PreCommit)
}

/// Removes keyward's hook `kind` from the repository containing `dir`, restoring a chained one.
///
/// # Errors
/// The repository or the hooks directory cannot be read or written.
pub fn uninstall_kind(dir: &Path, kind: HookKind) -> Result<Uninstalled, HookError> {
    let hooks = hooks_dir(dir)?;
    let hook = hooks.join(kind.name());
    let chained = hooks.join(kind.chained());
    match read_if_exists(&hook)? {
        Some(text) if text.contains(&kind.marker()) => {
            fs::remove_file(&hook).map_err(io_err("cannot remove", &hook))?;
            if chained.exists() {
                fs::rename(&chained, &hook).map_err(io_err("cannot restore", &chained))?;
                Ok(Uninstalled::Restored(hook))
            } else {
                Ok(Uninstalled::Removed(hook))
            }
        }
        _ => Ok(Uninstalled::NotInstalled(hook)),
    }
}

/// The hook's text if a *regular file* is there. A symlink or any other kind of file is
/// somebody else's hook (`Some("")`): never read through, so a hook directory committed under
/// `core.hooksPath` cannot point keyward at a file outside it, and never treated as keyward's.
fn read_if_exists(path: &Path) -> Result<Option<String>, HookError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(HookError::Io {
                action: "cannot read",
                path: path.to_path_buf(),
                source: e,
            })
        }
        Ok(meta) if !meta.file_type().is_file() => return Ok(Some(String::new())),
        Ok(_) => {}
    }
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(Some(String::new()));
    };
    match crate::confined::read(dir, Path::new(name), 1 << 20) {
        Ok(bytes) => Ok(bytes.map(|b| String::from_utf8_lossy(&b).into_owned())),
        Err(e) => Err(HookError::Io {
            action: "cannot read",
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

/// Writes the hook as a new regular file (temporary file, then rename): a symlink at `path`
/// is replaced, never written through.
fn write_executable(path: &Path, text: &str) -> Result<(), HookError> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(HookError::Io {
            action: "cannot write",
            path: path.to_path_buf(),
            source: io::Error::other("not a file path"),
        });
    };
    crate::confined::write(dir, Path::new(name), text.as_bytes(), 0o755)
        .map_err(io_err("cannot write", path))
}

/// The path for use inside a double-quoted shell string.
fn shell_quote_inner(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('$', "\\$")
        .replace('`', "\\`")
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> HookError + 'a {
    move |source| HookError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}
