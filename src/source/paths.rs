//! Whole files and folders, for an ad hoc audit (`keyward scan PATH...`): every line is added.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{binary, AddedLines, FileChange, Limits, SourceError, Summary};

/// The regular files under `roots`, in sorted order: folders recursively, `.git` skipped,
/// symlinks not followed. With `gitignore`, files that git ignores (`.gitignore` files,
/// `.git/info/exclude`, the global excludes file) are left out, as `git add` would; a file named
/// directly in `roots` is always kept.
///
/// # Errors
/// A root does not exist or a folder cannot be read.
pub fn collect(roots: &[PathBuf], gitignore: bool) -> Result<Vec<PathBuf>, SourceError> {
    let mut files = Vec::new();
    for root in roots {
        let read_err = |message: String| SourceError::Read {
            path: root.display().to_string(),
            message,
        };
        std::fs::symlink_metadata(root).map_err(|e| read_err(e.to_string()))?;
        let walker = ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .git_ignore(gitignore)
            .git_exclude(gitignore)
            .git_global(gitignore)
            .parents(gitignore)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|entry| entry.file_name() != ".git")
            .build();
        for entry in walker {
            let entry = entry.map_err(|e| read_err(e.to_string()))?;
            if entry.file_type().is_some_and(|t| t.is_file()) {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Calls `visit` for each of `files` (from [`collect`]) with all of its lines as added; binary
/// files are counted in `summary` and skipped.
///
/// # Errors
/// A file cannot be read, or `visit` failed.
pub fn for_each<E>(
    files: &[PathBuf],
    limits: Limits,
    summary: &mut Summary,
    mut visit: impl FnMut(FileChange<'_>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<SourceError>,
{
    let all = AddedLines::all();
    for file in files {
        let read_err = |e: std::io::Error| SourceError::Read {
            path: file.display().to_string(),
            message: e.to_string(),
        };
        // Read up to the limit and one byte more, to tell a file cut at the limit.
        let mut content = Vec::new();
        std::fs::File::open(file)
            .and_then(|f| {
                f.take(limits.max_file_size.saturating_add(1))
                    .read_to_end(&mut content)
            })
            .map_err(read_err)?;
        if content.len() as u64 > limits.max_file_size {
            content.truncate(usize::try_from(limits.max_file_size).unwrap_or(usize::MAX));
            summary.note_too_large(&path_bytes(file), true);
        }
        if binary::is_binary(&content) {
            summary.binary_skipped += 1;
            continue;
        }
        summary.files_scanned += 1;
        summary.lines_scanned += all.count(&content);
        let path = path_bytes(file);
        visit(FileChange {
            path: &path,
            content: &content,
            added: &all,
            commit: None,
        })?;
    }
    Ok(())
}

fn path_bytes(path: &Path) -> Vec<u8> {
    let shown = path.strip_prefix("./").unwrap_or(path);
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        shown.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        shown.to_string_lossy().into_owned().into_bytes()
    }
}
