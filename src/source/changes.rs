//! What the commit changes: HEAD's tree against the index, as git's `diff --cached` sees it.
//!
//! A merge of two path-sorted lists: HEAD's files and the index's stage-0 entries. The index's
//! cache tree (its `TREE` extension, which git keeps up to date and invalidates along the path
//! of every `git add`) names the tree id of each directory it still knows; a directory whose
//! cached id equals HEAD's is unchanged, so neither side reads or compares anything under it.
//! git's own `diff --cached` takes the same shortcut. Without it, a one-line commit in a
//! repository of 20,000 files read every tree in HEAD (16 ms against git's 4 ms).

use gix::bstr::BString;
use gix::index::entry::{Flags, Mode, Stage};
use gix::index::extension::Tree;
use gix::prelude::FindExt;
use gix::ObjectId;

use super::SourceError;

/// One side of a change: a path, its blob (or link, or commit) id, and its mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The repository path.
    pub path: BString,
    /// The object id.
    pub id: ObjectId,
    /// The mode.
    pub mode: Mode,
    /// For index entries, the file size git recorded when it was staged (32 bits, as the index
    /// stores it): lets a scan skip reading the object header of every small blob.
    pub staged_size: Option<u32>,
}

/// A difference between HEAD and the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Only in the index.
    Added(Entry),
    /// Only in HEAD.
    Deleted(Entry),
    /// In both, with different contents: (HEAD's, the index's).
    Modified(Entry, Entry),
}

/// Compares HEAD's tree `head` with `index`, skipping directories the cache tree proves equal.
///
/// # Errors
/// A tree object of HEAD cannot be read.
pub fn changes(
    repo: &gix::Repository,
    head: ObjectId,
    index: &gix::index::State,
) -> Result<Vec<Change>, SourceError> {
    let mut unchanged: Vec<BString> = Vec::new();
    let mut head_entries = Vec::new();
    // An invalidated directory (num_entries is None) can still hold valid subdirectories:
    // git invalidates only the directories along a changed path.
    let cache = index.tree();
    if cache.is_some_and(|root| root.num_entries.is_some() && root.id == head) {
        return Ok(Vec::new()); // the index is HEAD's tree
    }
    let mut buf = Vec::new();
    walk(
        repo,
        head,
        &mut BString::default(),
        cache,
        &mut head_entries,
        &mut unchanged,
        &mut buf,
    )?;
    head_entries.sort_by(|a, b| a.path.cmp(&b.path));

    // The index entries under unchanged directories, as sorted position ranges to jump over.
    let mut skip: Vec<std::ops::Range<usize>> = unchanged
        .iter()
        .filter_map(|dir| index.prefixed_entries_range(dir.as_ref()))
        .collect();
    skip.sort_by_key(|r| r.start);
    let all = index.entries();
    let mut kept = Vec::new();
    let (mut i, mut next_skip) = (0, skip.iter().peekable());
    while i < all.len() {
        if let Some(r) = next_skip.next_if(|r| r.start <= i) {
            i = i.max(r.end);
            continue;
        }
        let e = &all[i];
        i += 1;
        if e.stage() == Stage::Unconflicted && !e.flags.contains(Flags::INTENT_TO_ADD) {
            kept.push(Entry {
                path: e.path(index).to_owned(),
                id: e.id,
                mode: e.mode,
                staged_size: Some(e.stat.size),
            });
        }
    }
    let index_entries = kept.into_iter();

    let mut out = Vec::new();
    let mut old = head_entries.into_iter().peekable();
    for new in index_entries {
        while let Some(o) = old.next_if(|o| o.path < new.path) {
            out.push(Change::Deleted(o));
        }
        match old.next_if(|o| o.path == new.path) {
            Some(o) if o.id == new.id && o.mode == new.mode => {}
            Some(o) => out.push(Change::Modified(o, new)),
            None => out.push(Change::Added(new)),
        }
    }
    out.extend(old.map(Change::Deleted));
    Ok(out)
}

/// Lists the files of tree `id` under `prefix`, recording as unchanged each subdirectory whose
/// cache-tree id matches.
fn walk(
    repo: &gix::Repository,
    id: ObjectId,
    prefix: &mut BString,
    cache: Option<&Tree>,
    out: &mut Vec<Entry>,
    unchanged: &mut Vec<BString>,
    buf: &mut Vec<u8>,
) -> Result<(), SourceError> {
    let tree = repo
        .objects
        .find_tree(&id, buf)
        .map_err(|e| SourceError::Head(format!("tree {id}: {e}")))?;
    let entries: Vec<(BString, ObjectId, gix::objs::tree::EntryMode)> = tree
        .entries
        .iter()
        .map(|e| (e.filename.to_owned(), e.oid.to_owned(), e.mode))
        .collect();
    for (name, oid, mode) in entries {
        let len = prefix.len();
        prefix.extend_from_slice(&name);
        if mode.is_tree() {
            prefix.push(b'/');
            let child = cache.and_then(|c| {
                c.children
                    .iter()
                    .find(|t| t.name.as_slice() == name.as_slice())
            });
            if child.is_some_and(|t| t.num_entries.is_some() && t.id == oid) {
                unchanged.push(prefix.clone());
            } else {
                walk(repo, oid, prefix, child, out, unchanged, buf)?;
            }
        } else {
            out.push(Entry {
                path: prefix.clone(),
                id: oid,
                mode: Mode::from(mode),
                staged_size: None,
            });
        }
        prefix.truncate(len);
    }
    Ok(())
}

/// Compares tree `old` (`None`: the empty tree, for a root commit) with tree `new`, as
/// `git diff-tree -r` does: subtrees with equal ids are skipped without being read.
///
/// # Errors
/// A tree object cannot be read.
pub fn tree_changes(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
) -> Result<Vec<Change>, SourceError> {
    let mut out = Vec::new();
    diff_trees(repo, old, Some(new), &mut BString::default(), &mut out)?;
    Ok(out)
}

type TreeEntry = (BString, ObjectId, gix::objs::tree::EntryMode);

fn tree_entries(
    repo: &gix::Repository,
    id: Option<ObjectId>,
) -> Result<Vec<TreeEntry>, SourceError> {
    let Some(id) = id else {
        return Ok(Vec::new());
    };
    let mut buf = Vec::new();
    let tree = repo
        .objects
        .find_tree(&id, &mut buf)
        .map_err(|e| SourceError::Diff(format!("tree {id}: {e}")))?;
    let mut entries: Vec<TreeEntry> = tree
        .entries
        .iter()
        .map(|e| (e.filename.to_owned(), e.oid.to_owned(), e.mode))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

fn diff_trees(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &mut BString,
    out: &mut Vec<Change>,
) -> Result<(), SourceError> {
    if old == new {
        return Ok(());
    }
    let old_entries = tree_entries(repo, old)?;
    let new_entries = tree_entries(repo, new)?;
    let mut olds = old_entries.into_iter().peekable();
    let mut news = new_entries.into_iter().peekable();
    loop {
        let order = match (olds.peek(), news.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(o), Some(n)) => o.0.cmp(&n.0),
        };
        let (o, n) = match order {
            std::cmp::Ordering::Less => (olds.next(), None),
            std::cmp::Ordering::Greater => (None, news.next()),
            std::cmp::Ordering::Equal => (olds.next(), news.next()),
        };
        let len = prefix.len();
        let name = o
            .as_ref()
            .or(n.as_ref())
            .map(|e| e.0.clone())
            .unwrap_or_default();
        prefix.extend_from_slice(&name);
        let is_tree = |e: &Option<TreeEntry>| e.as_ref().is_some_and(|e| e.2.is_tree());
        // Trees recurse; a name that changed kind (file <-> directory) is both a deletion and
        // an addition.
        let old_tree = is_tree(&o).then(|| o.as_ref().map(|e| e.1)).flatten();
        let new_tree = is_tree(&n).then(|| n.as_ref().map(|e| e.1)).flatten();
        if old_tree.is_some() || new_tree.is_some() {
            prefix.push(b'/');
            diff_trees(repo, old_tree, new_tree, prefix, out)?;
            prefix.truncate(len + name.len());
        }
        let entry = |e: &TreeEntry| Entry {
            path: prefix.clone(),
            id: e.1,
            mode: Mode::from(e.2),
            staged_size: None,
        };
        let old_file = o.as_ref().filter(|e| !e.2.is_tree()).map(entry);
        let new_file = n.as_ref().filter(|e| !e.2.is_tree()).map(entry);
        match (old_file, new_file) {
            (Some(a), Some(b)) if a.id == b.id && a.mode == b.mode => {}
            (Some(a), Some(b)) => out.push(Change::Modified(a, b)),
            (Some(a), None) => out.push(Change::Deleted(a)),
            (None, Some(b)) => out.push(Change::Added(b)),
            (None, None) => {}
        }
        prefix.truncate(len);
    }
    Ok(())
}
