//! The project around a finding, as the fix reads it: the staged tree for a commit, the work
//! tree for a path or range scan. It tells the detector's fix whether a file ships inside an
//! app (a `package.json` with a bundler, an Android manifest, an Xcode project), which CI or
//! deployment format a YAML file is, and what the file itself says (`"use client"`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use keyward_detect::suggest::ProjectFiles;

use crate::source::Staged;

/// At most this much of a file is read for the fix's questions: manifests are small, and a
/// file's own markers (`"use client"`, `AWSTemplateFormatVersion`) sit at its top.
const READ_LIMIT: u64 = 512 * 1024;

/// The staged tree: the index, as the commit will record it.
pub struct StagedFiles {
    staged: Staged,
    cache: Cache,
}

impl StagedFiles {
    /// The files of `staged`'s index.
    pub fn new(staged: Staged) -> Self {
        StagedFiles {
            staged,
            cache: Cache::default(),
        }
    }

    /// The staged changes these files come from.
    pub fn staged(&self) -> &Staged {
        &self.staged
    }
}

impl ProjectFiles for StagedFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.cache
            .reads
            .get_or(path, || self.staged.read_staged(path, READ_LIMIT))
    }
    fn list(&self, dir: &str) -> Vec<String> {
        self.cache
            .lists
            .get_or(dir, || self.staged.staged_names_in(dir))
    }
}

/// The work tree at a root, read only through [`crate::confined`] (a committed symlink
/// cannot point the fix at a file outside the tree).
pub struct WorkTreeFiles {
    root: PathBuf,
    cache: Cache,
}

impl WorkTreeFiles {
    /// The files under `root`.
    pub fn new(root: &Path) -> Self {
        WorkTreeFiles {
            root: root.to_path_buf(),
            cache: Cache::default(),
        }
    }
}

impl ProjectFiles for WorkTreeFiles {
    fn read(&self, path: &str) -> Option<Vec<u8>> {
        self.cache.reads.get_or(path, || {
            crate::confined::read(&self.root, Path::new(path), READ_LIMIT)
                .ok()
                .flatten()
        })
    }
    fn list(&self, dir: &str) -> Vec<String> {
        self.cache.lists.get_or(dir, || {
            let Ok(meta) = std::fs::symlink_metadata(self.root.join(dir)) else {
                return Vec::new();
            };
            if !meta.is_dir() {
                return Vec::new();
            }
            std::fs::read_dir(self.root.join(dir))
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
    }
}

/// Answers already given: every finding in a file asks the same questions of the same
/// manifests.
#[derive(Default)]
struct Cache {
    reads: Memo<Option<Vec<u8>>>,
    lists: Memo<Vec<String>>,
}

/// Values by path, each loaded once.
struct Memo<T>(RefCell<HashMap<String, T>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(RefCell::default())
    }
}

impl<T: Clone> Memo<T> {
    fn get_or(&self, key: &str, load: impl FnOnce() -> T) -> T {
        if let Some(hit) = self.0.borrow().get(key) {
            return hit.clone();
        }
        let value = load();
        self.0.borrow_mut().insert(key.to_owned(), value.clone());
        value
    }
}
