//! Commits as a source: the lines each commit of a range adds, for pre-push hooks and CI.
//!
//! `keyward scan --range A..B` takes the commits reachable from `B` and not from `A` (as
//! `git log A..B` does; a single revision means all of its history), and diffs each against its
//! first parent, as `git log -p --first-parent`-style tools see it. Merge commits are skipped, as
//! `git log -p` shows no diff for them: what they bring in was added by the commits they merge,
//! which the range holds. Every finding names the commit that added it.
//!
//! The pre-push hook gets the same from the lines git writes on its stdin (see
//! [`History::for_push`]).

use std::path::Path;

use gix::ObjectId;

use super::changes::tree_changes;
use super::staged::{plan, read_planned, Planned};
use super::{FileChange, Limits, SourceError, Summary};

/// The decoded objects a history scan keeps at most, in bytes: bounded, so memory does not
/// grow with the number of commits.
const OBJECT_CACHE_BYTES: usize = 8 << 20;

/// The delta bases a history scan keeps at most, in bytes (git's `core.deltaBaseCacheLimit`
/// is 96 MiB).
const PACK_CACHE_BYTES: usize = 16 << 20;

/// The commits of a range, ready to be read one file at a time.
pub struct History {
    repo: gix::Repository,
    /// Oldest first.
    commits: Vec<ObjectId>,
    limits: Limits,
    /// In a shallow clone, the commits whose parents are not here: diffed against the empty
    /// tree, as `git show` does there.
    shallow: Vec<ObjectId>,
    /// The one commit the range builds on (`A` of `A..B`, the remote's tip of a push that
    /// updates one ref): what reviewers already trust, so its config is the one in force.
    base: Option<ObjectId>,
    /// What was pushed but not scanned, and why, for the report.
    notes: Vec<String>,
}

impl History {
    /// Opens the repository containing `dir` and lists the commits of `spec` (`A..B`, `A..`,
    /// `..B` or a single revision).
    ///
    /// # Errors
    /// Not a repository, a revision does not resolve, or the walk fails.
    pub fn open(dir: &Path, spec: &str) -> Result<History, SourceError> {
        let repo = open_repo(dir)?;
        let range_err = |message: String| SourceError::Range {
            spec: spec.to_owned(),
            message,
        };
        if spec.contains("...") {
            return Err(range_err(
                "symmetric ranges (A...B) are not supported; use A..B".into(),
            ));
        }
        let (hidden, tips) = match spec.split_once("..") {
            Some((from, to)) => (
                vec![resolve(&repo, or_head(from)).map_err(range_err)?],
                vec![resolve(&repo, or_head(to)).map_err(range_err)?],
            ),
            None => (Vec::new(), vec![resolve(&repo, spec).map_err(range_err)?]),
        };
        let base = match hidden[..] {
            [one] => Some(one),
            _ => None,
        };
        let commits = walk(&repo, tips, hidden).map_err(range_err)?;
        let mut history = History::new(repo, commits);
        history.base = base;
        Ok(history)
    }

    /// The commits a `git push` sends, from the lines git writes on a pre-push hook's stdin:
    /// `<local ref> <local id> <remote ref> <remote id>`. A deleted ref sends nothing; a ref the
    /// remote already has sends what it lacks (`remote..local`); a new ref sends what no
    /// remote-tracking branch already holds (`local --not --remotes`).
    ///
    /// # Errors
    /// Not a repository, a line is malformed, or the walk fails.
    pub fn for_push(dir: &Path, stdin: &str) -> Result<History, SourceError> {
        let repo = open_repo(dir)?;
        let push_err = |message: String| SourceError::Range {
            spec: "the refs git is pushing".into(),
            message,
        };
        let mut tips = Vec::new();
        let mut hidden = Vec::new();
        let mut new_ref = false;
        let mut skipped = Vec::new();
        for line in stdin.lines().filter(|l| !l.trim().is_empty()) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [_, local, _, remote] = fields[..] else {
                return Err(push_err(format!("unexpected line from git: {line:?}")));
            };
            let local = parse_id(local).map_err(push_err)?;
            let remote = parse_id(remote).map_err(push_err)?;
            if local.is_null() {
                continue; // a deletion pushes no content
            }
            // An annotated tag (or a tag of a tag) is pushed as the commit it names; a tag of
            // a tree or a blob adds no commit to scan.
            match peel_to_commit(&repo, local).map_err(push_err)? {
                Some(commit) => tips.push(commit),
                None => {
                    skipped.push(format!(
                        "{} names no commit (a tag of a tree or a blob): nothing of it was scanned",
                        fields[0]
                    ));
                    continue;
                }
            }
            match (!remote.is_null())
                .then(|| peel_to_commit(&repo, remote).ok().flatten())
                .flatten()
            {
                Some(commit) => hidden.push(commit),
                None => new_ref = true,
            }
        }
        if new_ref {
            hidden.extend(remote_tips(&repo).map_err(push_err)?);
        }
        let single = match (&hidden[..], new_ref) {
            ([one], false) => Some(*one),
            _ => None,
        };
        let commits = if tips.is_empty() {
            Vec::new()
        } else {
            walk(&repo, tips, hidden).map_err(push_err)?
        };
        // A new branch, or several refs at once: the pushed commits build on commits the
        // remote already has; the newest of those is the base.
        let base = match single {
            Some(one) => Some(one),
            None => newest_boundary(&repo, &commits).map_err(push_err)?,
        };
        let mut history = History::new(repo, commits);
        history.base = base;
        history.notes = skipped;
        Ok(history)
    }

    fn new(repo: gix::Repository, commits: Vec<ObjectId>) -> History {
        let repo = with_history_caches(repo);
        let shallow = repo
            .shallow_commits()
            .ok()
            .flatten()
            .map(|c| c.iter().copied().collect())
            .unwrap_or_default();
        History {
            repo,
            commits,
            limits: Limits::default(),
            shallow,
            base: None,
            notes: Vec::new(),
        }
    }

    /// This history for a reader on another thread, which opens the repository itself (a
    /// repository handle cannot cross threads) with caches of its own.
    pub fn for_thread(&self) -> HistoryPart {
        HistoryPart {
            git_dir: self.repo.git_dir().to_path_buf(),
            commits: self.commits.clone(),
            limits: self.limits,
            shallow: self.shallow.clone(),
        }
    }

    /// What the push named but holds no commit to scan (a tag of a tree or blob), one line each.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The commit the range builds on, when there is exactly one (see the field's docs).
    pub fn base(&self) -> Option<ObjectId> {
        self.base
    }

    /// The content of the regular file at `path` in the base commit's tree, if it is there and
    /// at most `max` bytes. A symlink, a submodule or a tree at that path is not read (`None`).
    ///
    /// # Errors
    /// The base commit or the object cannot be read, or the file is larger than `max`.
    pub fn read_at_base(&self, path: &str, max: u64) -> Result<Option<Vec<u8>>, SourceError> {
        let Some(base) = self.base else {
            return Ok(None);
        };
        let err = |e: &dyn std::fmt::Display| SourceError::Read {
            path: format!("{path} in {base}"),
            message: e.to_string(),
        };
        let tree = self
            .repo
            .find_commit(base)
            .and_then(|c| c.tree())
            .map_err(|e| err(&e))?;
        let Some(entry) = tree.lookup_entry_by_path(path).map_err(|e| err(&e))? else {
            return Ok(None);
        };
        if !entry.mode().is_blob() {
            return Ok(None);
        }
        let id = entry.object_id();
        let size = self.repo.find_header(id).map_err(|e| err(&e))?.size();
        if size > max {
            return Err(err(&format!(
                "is {size} bytes, more than the {max} allowed"
            )));
        }
        let object = self.repo.find_object(id).map_err(|e| err(&e))?;
        Ok(Some(object.data.clone()))
    }

    /// The work tree's root, where the repository's config lives (none for a bare repository).
    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    /// Sets the bounds on what [`History::for_each`] reads.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// How many commits the range holds (merges included).
    pub fn len(&self) -> usize {
        self.commits.len()
    }

    /// Whether the range holds no commit.
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// Reads, commit by commit (newest first, the order packs favour), each changed file's new
    /// blob and the lines the commit adds to it, calling `visit` with the commit named.
    ///
    /// # Errors
    /// A commit, tree or blob cannot be read, or `visit` failed.
    pub fn for_each<E>(
        &self,
        summary: &mut Summary,
        visit: impl FnMut(FileChange<'_>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<SourceError>,
    {
        let all = std::sync::atomic::AtomicUsize::new(0);
        self.for_each_claimed(&all, self.commits.len(), summary, || {}, visit)
    }

    /// [`History::for_each`] for one of several readers of the same commits: each claims the
    /// next `chunk` commits from `next` (shared), so readers stay busy however the work is
    /// spread over the history, and each chunk is read in pack order. `commit_done` is called
    /// after each commit (for a progress bar).
    ///
    /// # Errors
    /// As [`History::for_each`].
    pub fn for_each_claimed<E>(
        &self,
        next: &std::sync::atomic::AtomicUsize,
        chunk: usize,
        summary: &mut Summary,
        mut commit_done: impl FnMut(),
        mut visit: impl FnMut(FileChange<'_>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<SourceError>,
    {
        let total = self.commits.len();
        loop {
            let start = next.fetch_add(chunk.max(1), std::sync::atomic::Ordering::Relaxed);
            if start >= total {
                return Ok(());
            }
            // Newest first, as `git log` reads: packs store older versions as deltas of newer
            // ones, so each blob's delta base was resolved (and cached) a commit earlier.
            // Oldest first, every old version would re-resolve its whole chain.
            for index in start..(start + chunk.max(1)).min(total) {
                let id = self.commits[total - 1 - index];
                let planned = self.plan_commit(id)?;
                let hex = id.to_string();
                read_planned(
                    &self.repo,
                    &planned,
                    Some(&hex),
                    self.limits,
                    summary,
                    &mut visit,
                )?;
                commit_done();
            }
        }
    }

    /// The files commit `id` changes against its first parent (for a merge, only the lines it
    /// introduces itself, see [`crate::source::staged`]).
    fn plan_commit(&self, id: ObjectId) -> Result<Vec<Planned>, SourceError> {
        let err = |e: &dyn std::fmt::Display| SourceError::Diff(format!("commit {id}: {e}"));
        let commit = self.repo.find_commit(id).map_err(|e| err(&e))?;
        let parents: Vec<ObjectId> = if self.shallow.contains(&id) {
            Vec::new() // the shallow boundary: its parents were not fetched
        } else {
            commit.parent_ids().map(|p| p.detach()).collect()
        };

        let tree = commit.tree_id().map_err(|e| err(&e))?.detach();
        let parent_tree = match parents.first() {
            Some(parent) => Some(
                self.repo
                    .find_commit(*parent)
                    .and_then(|p| p.tree_id())
                    .map_err(|e| err(&e))?
                    .detach(),
            ),
            None => None,
        };
        let mut planned = plan(tree_changes(&self.repo, parent_tree, tree)?);
        if parents.len() > 1 {
            self.keep_merge_own(&parents[1..], &mut planned)
                .map_err(|e| err(&e))?;
        }
        Ok(planned)
    }

    /// Narrows a merge's files (changed against its first parent) to those it did not take
    /// whole from another parent, and records their blobs in the other parents.
    fn keep_merge_own(
        &self,
        others: &[ObjectId],
        planned: &mut Vec<Planned>,
    ) -> Result<(), String> {
        let trees = others
            .iter()
            .map(|id| {
                self.repo
                    .find_commit(*id)
                    .and_then(|c| c.tree())
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut kept = Vec::with_capacity(planned.len());
        for mut file in planned.drain(..) {
            let mut blobs = Vec::with_capacity(trees.len());
            for tree in &trees {
                let entry = tree.lookup_entry(file.path().split(|&b| b == b'/'));
                let blob = entry
                    .map_err(|e| e.to_string())?
                    .filter(|e| e.mode().is_blob() || e.mode().is_link())
                    .map(|e| e.object_id());
                blobs.push(blob);
            }
            if blobs.contains(&Some(file.new_id())) {
                continue; // as one of the other parents has it
            }
            file.set_other_parents(blobs);
            kept.push(file);
        }
        *planned = kept;
        Ok(())
    }
}

/// A history to be read on another thread, which opens the repository itself.
pub struct HistoryPart {
    git_dir: std::path::PathBuf,
    commits: Vec<ObjectId>,
    limits: Limits,
    shallow: Vec<ObjectId>,
}

impl HistoryPart {
    /// Opens the repository again, on the calling thread.
    ///
    /// # Errors
    /// The repository cannot be opened.
    pub fn open(self) -> Result<History, SourceError> {
        // As the first handle was opened: git's environment (GIT_OBJECT_DIRECTORY, alternates
        // given to hooks) still applies.
        let repo = gix::ThreadSafeRepository::open_with_environment_overrides(
            &self.git_dir,
            Default::default(),
        )
        .map_err(|e| SourceError::Open(e.to_string()))?
        .to_thread_local();
        Ok(History {
            repo: with_history_caches(repo),
            commits: self.commits,
            limits: self.limits,
            shallow: self.shallow,
            base: None,
            notes: Vec::new(),
        })
    }
}

/// `repo` with the caches a history scan needs. Commit after commit, one commit's new blob is
/// the next one's old blob and trees recur: decoded objects and delta bases are kept (bounded),
/// so a blob's delta chain is not resolved again from the start.
fn with_history_caches(mut repo: gix::Repository) -> gix::Repository {
    repo.object_cache_size(OBJECT_CACHE_BYTES);
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            PACK_CACHE_BYTES,
        ))
    });
    repo
}

fn open_repo(dir: &Path) -> Result<gix::Repository, SourceError> {
    gix::discover_with_environment_overrides(dir).map_err(|e| SourceError::Open(e.to_string()))
}

fn or_head(rev: &str) -> &str {
    if rev.is_empty() {
        "HEAD"
    } else {
        rev
    }
}

/// The commit a revision names (`main`, `origin/main`, `HEAD~3`, a tag, an id).
fn resolve(repo: &gix::Repository, rev: &str) -> Result<ObjectId, String> {
    if super::reftable::in_use(repo) {
        return super::reftable::resolve_commit(repo, rev);
    }
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| format!("{rev:?}: {e}"))?;
    let commit = id
        .object()
        .map_err(|e| format!("{rev:?}: {e}"))?
        .peel_to_commit()
        .map_err(|e| format!("{rev:?} is not a commit: {e}"))?;
    Ok(commit.id)
}

/// The commit `id` is or names through tags; `None` for a tree, a blob, or a tag of one.
///
/// # Errors
/// The object (or one the tags name) cannot be read.
fn peel_to_commit(repo: &gix::Repository, id: ObjectId) -> Result<Option<ObjectId>, String> {
    let object = repo.find_object(id).map_err(|e| format!("{id}: {e}"))?;
    match object.kind {
        gix::objs::Kind::Commit => Ok(Some(id)),
        gix::objs::Kind::Tag => {
            let target = object
                .peel_tags_to_end()
                .map_err(|e| format!("the tag {id}: {e}"))?;
            Ok((target.kind == gix::objs::Kind::Commit).then_some(target.id))
        }
        _ => Ok(None),
    }
}

fn parse_id(hex: &str) -> Result<ObjectId, String> {
    ObjectId::from_hex(hex.as_bytes()).map_err(|e| format!("{hex:?} is not an object id: {e}"))
}

/// The commits every remote-tracking branch points at: what the remotes already have.
fn remote_tips(repo: &gix::Repository) -> Result<Vec<ObjectId>, String> {
    if super::reftable::in_use(repo) {
        return super::reftable::remote_tips(repo);
    }
    let refs = repo.references().map_err(|e| e.to_string())?;
    let remotes = refs.remote_branches().map_err(|e| e.to_string())?;
    let mut tips = Vec::new();
    for reference in remotes {
        let mut reference = reference.map_err(|e| e.to_string())?;
        if let Ok(id) = reference.peel_to_id() {
            tips.push(id.detach());
        }
    }
    Ok(tips)
}

/// The newest (by committer time) parent of `commits` that is not itself one of them: what
/// the pushed commits build on that the remote already has. `None` when they build on
/// nothing (a first push) or their parents are missing (a shallow clone).
fn newest_boundary(
    repo: &gix::Repository,
    commits: &[ObjectId],
) -> Result<Option<ObjectId>, String> {
    let inside: std::collections::HashSet<&ObjectId> = commits.iter().collect();
    let mut newest: Option<(i64, ObjectId)> = None;
    for id in commits {
        let commit = repo.find_commit(*id).map_err(|e| e.to_string())?;
        for parent in commit.parent_ids() {
            let parent = parent.detach();
            if inside.contains(&parent) {
                continue;
            }
            let Ok(found) = repo.find_commit(parent) else {
                continue;
            };
            let time = found.time().map_err(|e| e.to_string())?.seconds;
            if newest.is_none_or(|(t, _)| time > t) {
                newest = Some((time, parent));
            }
        }
    }
    Ok(newest.map(|(_, id)| id))
}

/// The commits reachable from `tips` and not from `hidden`, oldest first.
fn walk(
    repo: &gix::Repository,
    tips: Vec<ObjectId>,
    hidden: Vec<ObjectId>,
) -> Result<Vec<ObjectId>, String> {
    let walk = repo
        .rev_walk(tips)
        .with_hidden(hidden)
        .all()
        .map_err(|e| e.to_string())?;
    let mut commits = Vec::new();
    for info in walk {
        commits.push(info.map_err(|e| e.to_string())?.id);
    }
    commits.reverse();
    Ok(commits)
}
