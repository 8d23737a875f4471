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
use super::loose::{Inflated, Loose, LooseReader};
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
    /// For a merge: the file's blob in each parent after the first (`None` where it is
    /// absent). Only lines added against every parent are the merge's own.
    other_parents: Vec<Option<ObjectId>>,
}

impl Planned {
    /// The new blob's id.
    pub(crate) fn new_id(&self) -> ObjectId {
        self.new_id
    }

    /// The repository path.
    pub(crate) fn path(&self) -> &[u8] {
        self.path.as_slice()
    }

    /// Marks this as a merge's file, with its blobs in the other parents.
    pub(crate) fn set_other_parents(&mut self, blobs: Vec<Option<ObjectId>>) {
        self.other_parents = blobs;
    }
}

/// The changes staged in a repository, ready to be read one file at a time.
pub struct Staged {
    repo: gix::Repository,
    planned: Vec<Planned>,
    /// Every path the index changes against HEAD (added, modified, renamed, type or mode
    /// changed; not deleted): what `git diff --cached --name-only --diff-filter=d` lists.
    changed: std::collections::HashSet<BString>,
    /// Paths with merge conflicts still unresolved: the index holds no content of theirs to
    /// scan yet.
    unmerged: Vec<BString>,
    /// The index as read, for questions about what git tracks.
    index: gix::worktree::Index,
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
        let tree_id = if super::reftable::in_use(&repo) {
            super::reftable::head_tree(&repo)
                .map_err(SourceError::Head)?
                .unwrap_or_else(|| ObjectId::empty_tree(repo.object_hash()))
        } else {
            repo.head_tree_id_or_empty()
                .map_err(|e| SourceError::Head(e.to_string()))?
                .detach()
        };
        let unmerged = unmerged_paths(index_state);
        let changes = super::changes::changes(&repo, tree_id, index_state)?;
        let changed = changes
            .iter()
            .filter_map(|change| match change {
                Change::Added(new) | Change::Modified(_, new) => Some(new.path.clone()),
                Change::Deleted(_) => None,
            })
            .collect();
        Ok(Staged {
            repo,
            planned: plan(changes),
            changed,
            unmerged,
            index,
            limits: Limits::default(),
        })
    }

    /// The work tree's root, where the repository's config lives (none for a bare repository).
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Whether the index holds `path` (a repository path): git tracks it.
    pub fn tracks(&self, path: &[u8]) -> bool {
        self.index
            .entry_by_path(gix::bstr::BStr::new(path))
            .is_some()
    }

    /// The staged content of the file at `path` (a repository path), if the index holds a
    /// regular file there of at most `max` bytes: what the fix reads of the project around a
    /// finding (a `package.json`, the file's own first lines).
    pub fn read_staged(&self, path: &str, max: u64) -> Option<Vec<u8>> {
        let entry = self.index.entry_by_path(gix::bstr::BStr::new(path))?;
        if !matches!(entry.mode, Mode::FILE | Mode::FILE_EXECUTABLE) {
            return None;
        }
        let header = self.repo.find_header(entry.id).ok()?;
        if header.size() > max {
            return None;
        }
        let mut buf = Vec::new();
        let blob = self.repo.objects.find_blob(&entry.id, &mut buf).ok()?;
        Some(blob.data.to_vec())
    }

    /// The names of the index's entries directly in the directory `dir` (`""` for the root):
    /// files, and the directories that hold staged files.
    pub fn staged_names_in(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{}/", dir.trim_end_matches('/'))
        };
        let mut names: Vec<String> = Vec::new();
        for entry in self.index.entries() {
            let path = entry.path(&self.index);
            let Some(rest) = path.strip_prefix(prefix.as_bytes()) else {
                continue;
            };
            let name = rest.split(|&b| b == b'/').next().unwrap_or(rest);
            names.push(String::from_utf8_lossy(name).into_owned());
        }
        // Entries are sorted by path, so a directory's files are adjacent.
        names.dedup();
        names
    }

    /// Paths a merge in progress left unresolved (index stages 1-3): not scanned, because
    /// there is no staged content of theirs until they are resolved and added.
    pub fn unmerged(&self) -> &[BString] {
        &self.unmerged
    }

    /// Whether every one of `paths` (repository paths) is changed by the index.
    pub fn changes_all(&self, paths: &[&[u8]]) -> bool {
        paths
            .iter()
            .all(|p| self.changed.contains(gix::bstr::BStr::new(p)))
    }

    /// Keeps only the files at `paths` (repository paths) to be read.
    pub fn keep_only(&mut self, paths: &[&[u8]]) {
        let wanted: std::collections::HashSet<&[u8]> = paths.iter().copied().collect();
        self.planned
            .retain(|file| wanted.contains(file.path.as_slice()));
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
    let limit = limits.max_file_size;
    for file in planned {
        // The index's recorded size is only a hint (it is the size modulo 2^32); every blob is
        // measured by its object header before it is inflated, and never inflated past the
        // limit.
        let large = file.staged_size.is_some_and(|size| size >= PARALLEL_READ);
        let (new, old) = match file.old_id {
            Some(old_id) if large => {
                let (new, old) = read_both(
                    repo,
                    &mut loose,
                    file,
                    old_id,
                    limit,
                    &mut new_buf,
                    &mut side_buf,
                )?;
                (new, Some(old))
            }
            _ => (
                read_blob(
                    repo,
                    &mut loose,
                    &file.new_id,
                    &file.path,
                    limit,
                    &mut new_buf,
                )?,
                None,
            ),
        };
        let (new, added) = match new {
            Blob::Whole(new) => {
                if binary::is_binary(new) {
                    summary.binary_skipped += 1;
                    continue;
                }
                let old = match (file.old_id, old) {
                    (None, _) => None,
                    (Some(_), Some(old)) => Some(old),
                    (Some(old_id), None) => Some(read_blob(
                        repo,
                        &mut loose,
                        &old_id,
                        &file.path,
                        limit,
                        &mut old_buf,
                    )?),
                };
                let added = match old {
                    Some(Blob::Whole(old)) if !binary::is_binary(old) => {
                        let added = crate::source::added_lines(old, new);
                        if file.paired && !similar_enough(old, new, &added) {
                            AddedLines::all()
                        } else {
                            added
                        }
                    }
                    // A new file, a binary old side, or one too large to diff: all added.
                    _ => AddedLines::all(),
                };
                let added =
                    merge_own_lines(repo, &mut loose, file, new, added, limit, &mut old_buf)?;
                (new, added)
            }
            Blob::Cut(prefix) => {
                summary.note_too_large(&file.path, true);
                if binary::is_binary(prefix) {
                    continue;
                }
                // What the change adds cannot be told without the whole file: every line up to
                // the limit counts as added.
                (prefix, AddedLines::all())
            }
            Blob::Unread => {
                summary.note_too_large(&file.path, false);
                continue;
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

/// For a merge's file, the lines of `added` (against the first parent) that are added against
/// every other parent too: what the merge introduces itself (a conflict resolution, an "evil
/// merge"), as `git show --cc` shows it. Lines that one parent already had are that parent's
/// commits' to answer for, and were scanned there.
fn merge_own_lines(
    repo: &gix::Repository,
    loose: &mut LooseReader,
    file: &Planned,
    new: &[u8],
    mut added: AddedLines,
    limit: u64,
    buf: &mut Vec<u8>,
) -> Result<AddedLines, SourceError> {
    for other in &file.other_parents {
        let Some(other) = other else {
            continue; // absent there: every line is added against it
        };
        if added.is_empty() {
            break;
        }
        match read_blob(repo, loose, other, &file.path, limit, buf)? {
            Blob::Whole(old) if !binary::is_binary(old) => {
                added = added.intersect(&crate::source::added_lines(old, new));
            }
            _ => {}
        }
    }
    Ok(added)
}

/// Files at least this large (as staged) that have an old version are read on two threads.
const PARALLEL_READ: u32 = 4 * 1024 * 1024;

/// A blob as read.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Blob<'b> {
    /// All of it.
    Whole(&'b [u8]),
    /// Its first [`Limits::max_file_size`] bytes: it is larger.
    Cut(&'b [u8]),
    /// Nothing: it is larger than the limit and stored where it cannot be read in part (a
    /// pack, where a prefix costs inflating the whole).
    Unread,
}

impl<'b> Blob<'b> {
    fn of(buf: &'b [u8], inflated: Inflated) -> Blob<'b> {
        if inflated.size > inflated.len as u64 {
            Blob::Cut(&buf[..inflated.len])
        } else {
            Blob::Whole(&buf[..inflated.len])
        }
    }
}

/// A large modified file's new and old blobs, inflated at once: the new one (a loose object,
/// as staged blobs are) on a second thread, the old one here. Inflating is most of reading,
/// and a 20 MiB bundle's two versions took twice as long one after the other. A new blob
/// that is not loose is read here afterwards.
fn read_both<'b>(
    repo: &gix::Repository,
    loose: &mut LooseReader,
    file: &Planned,
    old_id: ObjectId,
    limit: u64,
    new_buf: &'b mut Vec<u8>,
    old_buf: &'b mut Vec<u8>,
) -> Result<(Blob<'b>, Blob<'b>), SourceError> {
    let mut helper = loose.any_size();
    let new_id = file.new_id;
    let new_out: &mut Vec<u8> = new_buf;
    let (new, old) = std::thread::scope(|s| {
        let new = s.spawn(move || helper.read_blob(&new_id, &mut *new_out, limit));
        let old = read_blob(repo, loose, &old_id, &file.path, limit, old_buf);
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
        Loose::Read(inflated) => Blob::of(new_buf, inflated),
        Loose::Absent | Loose::Large => {
            read_blob(repo, loose, &new_id, &file.path, limit, new_buf)?
        }
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

/// Reads blob `id`, inflating at most `limit` bytes of it (see [`Blob`]).
fn read_blob<'b>(
    repo: &gix::Repository,
    loose: &mut LooseReader,
    id: &ObjectId,
    path: &BString,
    limit: u64,
    buf: &'b mut Vec<u8>,
) -> Result<Blob<'b>, SourceError> {
    let error = |message: String| SourceError::Blob {
        path: path.to_str_lossy().into_owned(),
        id: id.to_string(),
        message,
    };
    if let Loose::Read(inflated) = loose.read_blob(id, buf, limit).map_err(error)? {
        return Ok(Blob::of(buf, inflated));
    }
    // Packed or large: measured by its header first (a small pack entry or loose file can
    // inflate to gigabytes).
    if blob_size(repo, id, path)? > limit {
        return Ok(match loose.read_prefix(id, buf, limit).map_err(error)? {
            Some(inflated) => Blob::of(buf, inflated),
            None => Blob::Unread,
        });
    }
    repo.objects
        .find_blob(id, buf)
        .map(|blob| Blob::Whole(blob.data))
        .map_err(|e| error(e.to_string()))
}

/// The paths of `index` with conflict stages, once each.
fn unmerged_paths(index: &gix::index::State) -> Vec<BString> {
    let mut paths: Vec<BString> = index
        .entries()
        .iter()
        .filter(|e| e.stage() != gix::index::entry::Stage::Unconflicted)
        .map(|e| BString::from(e.path(index).to_vec()))
        .collect();
    paths.dedup();
    paths
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
                    other_parents: Vec::new(),
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
            other_parents: Vec::new(),
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
