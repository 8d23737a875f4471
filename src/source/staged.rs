//! The staged source: what `git commit` is about to record, read through gix, never the work tree.
//!
//! HEAD's tree (the empty tree before the first commit) is compared with the index that git names
//! in `GIT_INDEX_FILE` (`git commit -a` and `git commit <path>` each use a different one), and for
//! every changed file the *index's* blob is read and diffed against the old blob. The facts this
//! relies on were checked against git 2.47 and are recorded in ../shared/notes/gix.md.

use std::collections::HashMap;
use std::path::Path;

use gix::bstr::{BString, ByteSlice};
use gix::index::entry::Mode;
use gix::prelude::FindExt;
use gix::ObjectId;

use super::changes::{Change, Entry};
use super::loose::LooseReader;
use super::{binary, AddedLines, FileChange, Limits, SourceError, Summary};

/// One file the commit changes, before its blobs are read.
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    path: BString,
    new_id: ObjectId,
    /// The size the index recorded for the new side, when it comes from the index.
    staged_size: Option<u32>,
    /// The blob to diff against; `None` means every line is added.
    old_id: Option<ObjectId>,
    /// Set when the old side came from basename pairing and must still pass git's 50% test.
    paired: bool,
}

/// The changes staged in a repository, ready to be read one file at a time.
pub struct Staged {
    repo: gix::Repository,
    planned: Vec<Planned>,
    limits: Limits,
}

impl Staged {
    /// Opens the repository containing `dir` (honouring `GIT_DIR`, `GIT_WORK_TREE` and
    /// `GIT_INDEX_FILE`, as git sets them for hooks) and lists the staged changes.
    ///
    /// # Errors
    /// `dir` is not in a repository, or the index, HEAD or an object cannot be read.
    pub fn open(dir: &Path) -> Result<Staged, SourceError> {
        let repo = gix::discover_with_environment_overrides(dir)
            .map_err(|e| SourceError::Open(e.to_string()))?;
        let index = repo
            .index_or_empty()
            .map_err(|e| SourceError::Index(e.to_string()))?;
        let expanded;
        let index_state: &gix::index::State = if index.is_sparse() {
            expanded = expand_sparse(&repo, &index)?;
            &expanded
        } else {
            &index
        };
        let tree_id = repo
            .head_tree_id_or_empty()
            .map_err(|e| SourceError::Head(e.to_string()))?
            .detach();
        let planned = plan(super::changes::changes(&repo, tree_id, index_state)?);
        Ok(Staged {
            repo,
            planned,
            limits: Limits::default(),
        })
    }

    /// The work tree's root, where the repository's config lives (none for a bare repository).
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Sets the bounds on what [`Staged::for_each`] reads.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// How many files the commit changes in a way that can add lines.
    pub fn len(&self) -> usize {
        self.planned.len()
    }

    /// Whether no file adds lines.
    pub fn is_empty(&self) -> bool {
        self.planned.is_empty()
    }

    /// Reads each changed file's staged blob and its added lines, calling `visit` for each text
    /// file (binary files are counted in `summary` and skipped). Only one file is held in memory
    /// at a time.
    ///
    /// # Errors
    /// A blob cannot be read, or `visit` failed.
    pub fn for_each<E>(
        &self,
        summary: &mut Summary,
        visit: impl FnMut(FileChange<'_>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<SourceError>,
    {
        read_planned(&self.repo, &self.planned, None, self.limits, summary, visit)
    }
}

/// Reads each planned file's new blob and its added lines (see [`Staged::for_each`]).
pub(crate) fn read_planned<E>(
    repo: &gix::Repository,
    planned: &[Planned],
    commit: Option<&str>,
    limits: Limits,
    summary: &mut Summary,
    mut visit: impl FnMut(FileChange<'_>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<SourceError>,
{
    let mut new_buf = Vec::new();
    let mut old_buf = Vec::new();
    let mut side_buf = Vec::new();
    let mut loose = LooseReader::new(repo);
    for file in planned {
        // The index's recorded size clears most files without touching the object store (an
        // extra open per loose object cost a 5,000-file commit a third of its time); a larger
        // or unknown size is checked against the object's header before it is inflated.
        // Zero means unknown as often as empty (entries made by `update-index --cacheinfo` or
        // a sparse checkout carry no stat data), so it is not trusted.
        let clearly_small = file
            .staged_size
            .is_some_and(|size| size > 0 && u64::from(size) <= limits.max_file_size);
        if !clearly_small && blob_size(repo, &file.new_id, &file.path)? > limits.max_file_size {
            summary.too_large_skipped += 1;
            continue;
        }
        let large = file.staged_size.is_some_and(|size| size >= PARALLEL_READ);
        let (new, old) = match file.old_id {
            Some(old_id) if large => {
                let (new, old) =
                    read_both(repo, &mut loose, file, old_id, &mut new_buf, &mut side_buf)?;
                (new, Some(old))
            }
            _ => (
                read_blob(repo, &mut loose, &file.new_id, &file.path, &mut new_buf)?,
                None,
            ),
        };
        if binary::is_binary(new) {
            summary.binary_skipped += 1;
            continue;
        }
        let added = match file.old_id {
            None => AddedLines::all(),
            Some(old_id) => {
                let old = match old {
                    Some(old) => old,
                    None => read_blob(repo, &mut loose, &old_id, &file.path, &mut old_buf)?,
                };
                if binary::is_binary(old) {
                    AddedLines::all()
                } else {
                    let added = crate::source::added_lines(old, new);
                    if file.paired && !similar_enough(old, new, &added) {
                        AddedLines::all()
                    } else {
                        added
                    }
                }
            }
        };
        if added.is_empty() {
            continue;
        }
        summary.files_scanned += 1;
        summary.lines_scanned += added.count(new);
        visit(FileChange {
            path: file.path.as_slice(),
            content: new,
            added: &added,
            commit,
        })?;
    }
    Ok(())
}

/// Files at least this large (as staged) that have an old version are read on two threads.
const PARALLEL_READ: u32 = 4 * 1024 * 1024;

/// A large modified file's new and old blobs, inflated at once: the new one (a loose object,
/// as staged blobs are) on a second thread, the old one here. Inflating is most of reading,
/// and a 20 MiB bundle's two versions took twice as long one after the other. A new blob
/// that is not loose is read here afterwards.
fn read_both<'b>(
    repo: &gix::Repository,
    loose: &mut LooseReader,
    file: &Planned,
    old_id: ObjectId,
    new_buf: &'b mut Vec<u8>,
    old_buf: &'b mut Vec<u8>,
) -> Result<(&'b [u8], &'b [u8]), SourceError> {
    let mut helper = loose.any_size();
    let new_id = file.new_id;
    let new_out: &mut Vec<u8> = new_buf;
    let (new, old) = std::thread::scope(|s| {
        let new = s.spawn(move || {
            helper
                .read_blob(&new_id, &mut *new_out)
                .map(|blob| blob.map(<[u8]>::len))
        });
        let old = read_blob(repo, loose, &old_id, &file.path, old_buf);
        (new.join(), old)
    });
    let new = new.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let old = old?;
    let error = |message: String| SourceError::Blob {
        path: file.path.to_str_lossy().into_owned(),
        id: new_id.to_string(),
        message,
    };
    let new = match new.map_err(error)? {
        Some(len) => &new_buf[..len],
        None => read_blob(repo, loose, &new_id, &file.path, new_buf)?,
    };
    Ok((new, old))
}

/// The blob's size from its header, without inflating it.
fn blob_size(repo: &gix::Repository, id: &ObjectId, path: &BString) -> Result<u64, SourceError> {
    repo.find_header(*id)
        .map(|h| h.size())
        .map_err(|e| SourceError::Blob {
            path: path.to_str_lossy().into_owned(),
            id: id.to_string(),
            message: e.to_string(),
        })
}

fn read_blob<'b>(
    repo: &gix::Repository,
    loose: &mut LooseReader,
    id: &ObjectId,
    path: &BString,
    buf: &'b mut Vec<u8>,
) -> Result<&'b [u8], SourceError> {
    let error = |message: String| SourceError::Blob {
        path: path.to_str_lossy().into_owned(),
        id: id.to_string(),
        message,
    };
    // Checked, then returned: a borrow returned straight from the first call would still
    // hold `buf` when gix needs it.
    if loose.read_blob(id, buf).map_err(error)?.is_some() {
        let read: &'b Vec<u8> = buf;
        return Ok(read);
    }
    repo.objects
        .find_blob(id, buf)
        .map(|blob| blob.data)
        .map_err(|e| error(e.to_string()))
}

/// One side of a change.
type Side = Entry;

/// Turns the tree-vs-index diff into the files to scan, following renames the way git does
/// cheaply: exact renames add nothing; an added file whose basename matches exactly one deleted
/// file is diffed against it (git's basename heuristic, kept only when at least half of it
/// survived, as git's 50% similarity requires). gix's own similarity pass is quadratic (20 s
/// where git takes 0.65 s on 2,000 moved files: notes P2), so it is not used.
pub(crate) fn plan(changes: Vec<Change>) -> Vec<Planned> {
    let mut planned = Vec::new();
    let mut additions: Vec<Side> = Vec::new();
    let mut deletions: Vec<Side> = Vec::new();
    for change in changes {
        match change {
            Change::Added(new) if is_content(new.mode) => additions.push(new),
            Change::Deleted(old) if is_content(old.mode) => deletions.push(old),
            // Mode-only changes add no lines; a submodule or sparse directory has no content.
            Change::Modified(old, new) if is_content(new.mode) && old.id != new.id => {
                planned.push(Planned {
                    path: new.path,
                    new_id: new.id,
                    staged_size: new.staged_size,
                    old_id: same_kind(old.mode, new.mode).then_some(old.id),
                    paired: false,
                })
            }
            _ => {}
        }
    }
    pair_renames(additions, deletions, &mut planned);
    planned.sort_by(|a, b| a.path.cmp(&b.path));
    planned
}

fn pair_renames(additions: Vec<Side>, deletions: Vec<Side>, planned: &mut Vec<Planned>) {
    let mut deleted_by_id: HashMap<ObjectId, Vec<usize>> = HashMap::new();
    for (i, d) in deletions.iter().enumerate() {
        deleted_by_id.entry(d.id).or_default().push(i);
    }
    let mut used = vec![false; deletions.len()];
    let mut remaining = Vec::new();
    for add in additions {
        let exact = deleted_by_id
            .get_mut(&add.id)
            .and_then(|candidates| candidates.pop());
        match exact {
            Some(d) => used[d] = true,
            None => remaining.push(add),
        }
    }
    let mut deleted_by_name: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (i, d) in deletions.iter().enumerate().filter(|(i, _)| !used[*i]) {
        deleted_by_name
            .entry(basename(&d.path))
            .or_default()
            .push(i);
    }
    let mut added_per_name: HashMap<Vec<u8>, usize> = HashMap::new();
    for add in &remaining {
        *added_per_name
            .entry(basename(&add.path).to_vec())
            .or_default() += 1;
    }
    for add in remaining {
        let name = basename(&add.path);
        let source = match deleted_by_name.get(name) {
            Some(d) if d.len() == 1 && added_per_name[name] == 1 => {
                let d = &deletions[d[0]];
                same_kind(d.mode, add.mode).then_some(d.id)
            }
            _ => None,
        };
        planned.push(Planned {
            path: add.path,
            new_id: add.id,
            staged_size: add.staged_size,
            old_id: source,
            paired: source.is_some(),
        });
    }
}

/// git's rename threshold: the pair counts as a rename when at least half of the larger side
/// is unchanged. Measured in bytes of unchanged lines, as git's similarity estimate is.
fn similar_enough(old: &[u8], new: &[u8], added: &AddedLines) -> bool {
    let added_bytes: usize = added.chunks(new).iter().map(|c| c.bytes.len()).sum();
    let kept = new.len() - added_bytes;
    kept * 2 >= old.len().max(new.len())
}

fn basename(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/').next().unwrap_or(path)
}

/// Blobs and symlinks carry content; submodules (gitlinks) and sparse directories do not.
fn is_content(mode: Mode) -> bool {
    !mode.is_submodule() && !mode.contains(Mode::DIR)
}

/// git diffs a file against a file and a symlink against a symlink; a type change shows the
/// new side whole.
fn same_kind(old: Mode, new: Mode) -> bool {
    old.contains(Mode::SYMLINK) == new.contains(Mode::SYMLINK) && !old.is_submodule()
}

/// gix cannot diff a sparse index (gitoxide #562): rebuild it with every sparse directory entry
/// replaced by the entries of its tree (notes P3).
fn expand_sparse(
    repo: &gix::Repository,
    index: &gix::index::State,
) -> Result<gix::index::State, SourceError> {
    let mut full = gix::index::State::new(repo.object_hash());
    for entry in index.entries() {
        let path = entry.path(index);
        if entry.mode.contains(Mode::DIR) {
            let subtree = repo.index_from_tree(&entry.id).map_err(|e| {
                SourceError::Index(format!("expanding sparse directory {path}: {e}"))
            })?;
            for sub in subtree.entries() {
                let mut full_path = BString::from(path.to_vec());
                if !full_path.ends_with(b"/") {
                    full_path.push(b'/');
                }
                full_path.extend_from_slice(sub.path(&subtree));
                full.dangerously_push_entry(
                    sub.stat,
                    sub.id,
                    sub.flags,
                    sub.mode,
                    full_path.as_ref(),
                );
            }
        } else {
            full.dangerously_push_entry(entry.stat, entry.id, entry.flags, entry.mode, path);
        }
    }
    full.sort_entries();
    Ok(full)
}
