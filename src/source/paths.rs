//! Whole files and folders, for an ad hoc audit (`keyward scan PATH...`): every line is added.

use std::path::{Path, PathBuf};

use super::{binary, AddedLines, FileChange, SourceError, Summary};

/// Visits every regular file under `roots` (folders recursively, `.git` skipped, symlinks not
/// followed), in sorted order, calling `visit` with all of its lines as added.
///
/// # Errors
/// A path cannot be read, or `visit` failed.
pub fn for_each<E>(
    roots: &[PathBuf],
    summary: &mut Summary,
    mut visit: impl FnMut(FileChange<'_>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<SourceError>,
{
    let mut files = Vec::new();
    for root in roots {
        collect(root, &mut files)?;
    }
    files.sort();
    let all = AddedLines::all();
    for file in files {
        let content = std::fs::read(&file).map_err(|e| SourceError::Read {
            path: file.display().to_string(),
            message: e.to_string(),
        })?;
        if binary::is_binary(&content) {
            summary.binary_skipped += 1;
            continue;
        }
        summary.files_scanned += 1;
        summary.lines_scanned += all.count(&content);
        let path = path_bytes(&file);
        visit(FileChange {
            path: &path,
            content: &content,
            added: &all,
        })?;
    }
    Ok(())
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), SourceError> {
    let read_err = |e: std::io::Error| SourceError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let meta = std::fs::symlink_metadata(path).map_err(read_err)?;
    if meta.is_file() {
        out.push(path.to_path_buf());
    } else if meta.is_dir() {
        for entry in std::fs::read_dir(path).map_err(read_err)? {
            let entry = entry.map_err(read_err)?;
            if entry.file_name() == ".git" {
                continue;
            }
            collect(&entry.path(), out)?;
        }
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
