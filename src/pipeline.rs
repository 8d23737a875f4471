//! Scanning a whole source: the detector over every changed file, on more than one core when
//! the change is large enough to pay for a thread.
//!
//! Reading the staged blobs (inflate and diff) stays on the calling thread: packed objects are
//! read through gix's maps, and with two threads each unmap interrupts the other core
//! (../shared/notes/gix.md P12; loose objects are read without maps, and a large modified
//! file's two versions are inflated at once, see [`crate::source::staged`]). Detection has no
//! such limit, so once a change passes [`PARALLEL_AFTER_BYTES`] the files go to
//! worker threads through a bounded queue, and the reading thread also scans whenever the queue
//! is full. A typical commit never reaches the threshold and starts no thread.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Mutex;

use crate::source::{AddedLines, FileChange, SourceError};
use keyward_detect::detect::{DetectError, Detector, Site};
use keyward_detect::finding::Finding;

/// Bytes of changed content read on one thread before workers start.
pub const PARALLEL_AFTER_BYTES: usize = 1024 * 1024;

/// Files waiting for a worker, at most: bounds memory whatever the size of the change.
const QUEUE: usize = 16;

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The source could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A rule could not be compiled.
    #[error(transparent)]
    Detect(#[from] DetectError),
}

/// One file's owned content, for a worker.
struct Work {
    path: Vec<u8>,
    content: Vec<u8>,
    added: AddedLines,
    commit: Option<String>,
}

impl Work {
    fn site(&self) -> Site<'_> {
        Site {
            path: &self.path,
            commit: self.commit.as_deref(),
        }
    }
}

/// Runs `detector` over every file `source` yields and returns the findings sorted by path and
/// position. `source` is a source's `for_each` (see [`crate::source::Staged::for_each`]).
///
/// # Errors
/// Reading the source or compiling a rule failed.
pub fn scan<S>(detector: &Detector, source: S) -> Result<Vec<Finding>, ScanError>
where
    S: FnOnce(&mut dyn FnMut(FileChange<'_>) -> Result<(), ScanError>) -> Result<(), ScanError>,
{
    // Asked only once the change is large: the answer costs system calls (the cgroup's quota).
    let workers = || keyward_detect::detect::threads().saturating_sub(1);
    let found: Mutex<Vec<Finding>> = Mutex::new(Vec::new());
    let failed: Mutex<Option<DetectError>> = Mutex::new(None);
    let result = std::thread::scope(|scope| {
        let mut queue: Option<SyncSender<Work>> = None;
        let mut read = 0usize;
        let mut local: Vec<Finding> = Vec::new();
        let outcome = source(&mut |file: FileChange<'_>| {
            read += file.content.len();
            if queue.is_none() && read > PARALLEL_AFTER_BYTES && workers() > 0 {
                let (tx, rx) = sync_channel::<Work>(QUEUE);
                let rx = std::sync::Arc::new(Mutex::new(rx));
                for _ in 0..workers() {
                    let rx = rx.clone();
                    let (found, failed) = (&found, &failed);
                    scope.spawn(move || work(detector, &rx, found, failed));
                }
                queue = Some(tx);
            }
            let site = Site {
                path: file.path,
                commit: file.commit,
            };
            let Some(tx) = &queue else {
                local.extend(detector.scan_at(site, file.content, file.added)?);
                return Ok(());
            };
            let item = Work {
                path: file.path.to_vec(),
                content: file.content.to_vec(),
                added: file.added.clone(),
                commit: file.commit.map(str::to_owned),
            };
            match tx.try_send(item) {
                Ok(()) => Ok(()),
                // Workers are busy: scan this one here rather than wait.
                Err(TrySendError::Full(item)) | Err(TrySendError::Disconnected(item)) => {
                    local.extend(detector.scan_at(item.site(), &item.content, &item.added)?);
                    Ok(())
                }
            }
        });
        drop(queue);
        outcome.map(|()| local)
    });
    let mut findings = result?;
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e.into());
    }
    findings.extend(found.into_inner().unwrap_or_else(|p| p.into_inner()));
    findings.sort_by(|a, b| (&a.path, a.location).cmp(&(&b.path, b.location)));
    Ok(findings)
}

fn work(
    detector: &Detector,
    queue: &Mutex<Receiver<Work>>,
    found: &Mutex<Vec<Finding>>,
    failed: &Mutex<Option<DetectError>>,
) {
    let mut mine = Vec::new();
    loop {
        let next = queue.lock().map(|rx| rx.recv());
        let Ok(Ok(item)) = next else { break };
        match detector.scan_at(item.site(), &item.content, &item.added) {
            Ok(f) => mine.extend(f),
            Err(e) => {
                *failed.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                break;
            }
        }
    }
    found.lock().unwrap_or_else(|p| p.into_inner()).extend(mine);
}
