//! Sources of text to scan: the staged changes (the hook's job) and plain files.
//!
//! Every source yields [`FileChange`]s one at a time: the file's new content and which of its
//! lines are added. The detector only ever sees those.

mod added_lines;
pub mod binary;
pub mod changes;
pub mod history;
mod loose;
pub mod paths;
mod reftable;
pub mod staged;

pub use self::added_lines::added_lines;
pub use self::history::{History, HistoryPart};
pub use self::staged::Staged;
pub use keyward_detect::config::Limits;
pub use keyward_detect::{line_count, AddedLines};

/// One file to scan: its new content and the lines the change adds.
#[derive(Clone, Copy, Debug)]
pub struct FileChange<'a> {
    /// The path in the repository (bytes: git paths need not be UTF-8).
    pub path: &'a [u8],
    /// The new content: the staged blob, or the file on disk.
    pub content: &'a [u8],
    /// Which lines are added.
    pub added: &'a AddedLines,
    /// The commit that adds them (hex id), for range scans; `None` for staged changes and files.
    pub commit: Option<&'a str>,
}

/// What a scan read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Text files with added lines that were scanned.
    pub files_scanned: usize,
    /// Added lines scanned.
    pub lines_scanned: usize,
    /// Binary files skipped.
    pub binary_skipped: usize,
    /// Files larger than [`Limits::max_file_size`] scanned up to the limit only.
    pub too_large_cut: usize,
    /// Files larger than [`Limits::max_file_size`] not read at all (packed objects, which
    /// cannot be read in part).
    pub too_large_skipped: usize,
    /// The paths of the first [`Summary::PATHS_KEPT`] files larger than the limit, to name.
    pub too_large_paths: Vec<Vec<u8>>,
}

impl Summary {
    /// How many paths of files too large to scan whole are kept for the report.
    pub const PATHS_KEPT: usize = 10;

    /// Counts a file larger than the limit: `cut` if its first part was scanned.
    pub fn note_too_large(&mut self, path: &[u8], cut: bool) {
        if cut {
            self.too_large_cut += 1;
        } else {
            self.too_large_skipped += 1;
        }
        if self.too_large_paths.len() < Self::PATHS_KEPT {
            self.too_large_paths.push(path.to_vec());
        }
    }

    /// Adds what another reader of the same source read (a history scanned in parts).
    pub fn absorb(&mut self, other: Summary) {
        self.files_scanned += other.files_scanned;
        self.lines_scanned += other.lines_scanned;
        self.binary_skipped += other.binary_skipped;
        self.too_large_cut += other.too_large_cut;
        self.too_large_skipped += other.too_large_skipped;
        for path in other.too_large_paths {
            if self.too_large_paths.len() < Self::PATHS_KEPT {
                self.too_large_paths.push(path);
            }
        }
    }

    /// Files not scanned whole because of their size.
    pub fn too_large(&self) -> usize {
        self.too_large_cut + self.too_large_skipped
    }
}

/// Why a source could not be read. Each names what failed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Not a git repository, or it cannot be opened.
    #[error("cannot open the git repository: {0}")]
    Open(String),
    /// The index cannot be read.
    #[error("cannot read the index: {0}")]
    Index(String),
    /// HEAD or its tree cannot be read.
    #[error("cannot read HEAD's tree: {0}")]
    Head(String),
    /// A revision range names no commits keyward can find, or walking it failed.
    #[error("cannot read the commits of {spec}: {message}")]
    Range {
        /// The range as given.
        spec: String,
        /// What went wrong.
        message: String,
    },
    /// Comparing HEAD with the index failed.
    #[error("cannot compare HEAD with the index: {0}")]
    Diff(String),
    /// A blob is missing or corrupt.
    #[error("cannot read the blob {id} of {path}: {message}")]
    Blob {
        /// The file it belongs to.
        path: String,
        /// The object id.
        id: String,
        /// What went wrong.
        message: String,
    },
    /// A file on disk cannot be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The path.
        path: String,
        /// What went wrong.
        message: String,
    },
}
