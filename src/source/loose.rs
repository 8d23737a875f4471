//! Loose objects read with plain reads instead of gix's memory maps.
//!
//! gix maps each loose object file and unmaps it after inflating it. Unmapping memory while
//! another thread of the process runs makes the kernel interrupt that thread's core to flush
//! its TLB (../shared/notes/gix.md, P12). A vendored commit adds thousands of new files, each a
//! loose object, and from the first megabyte on a worker thread scans while this thread reads:
//! one interruption per blob, on the core doing detection (8% of a 5,000-file commit's CPU
//! time went to them). Reading the file into a reused buffer costs the same and interrupts
//! nothing. Objects that are not loose (packed, or in an alternate) are left to gix.

use std::io::Read;
use std::path::PathBuf;

use gix::objs::Kind;
use gix::ObjectId;

/// The largest header a loose object has: `"blob "`, a 20-digit size and a NUL, with room.
const HEADER_MAX: usize = 32;

/// Loose files larger than this (compressed) are read through gix's map instead.
const MAP_ABOVE: u64 = 1024 * 1024;

/// Reads loose blobs of one repository, reusing its buffers.
pub struct LooseReader {
    objects: PathBuf,
    compressed: Vec<u8>,
    path: PathBuf,
    map_above: u64,
}

impl LooseReader {
    /// A reader for `repo`'s own objects directory.
    pub fn new(repo: &gix::Repository) -> LooseReader {
        LooseReader {
            objects: repo.objects.store_ref().path().to_path_buf(),
            compressed: Vec::new(),
            path: PathBuf::new(),
            map_above: MAP_ABOVE,
        }
    }

    /// A reader of the same objects that reads loose objects of any size, for a thread of its
    /// own (where gix, whose repository handle stays on one thread, cannot be asked).
    pub fn any_size(&self) -> LooseReader {
        LooseReader {
            objects: self.objects.clone(),
            compressed: Vec::new(),
            path: PathBuf::new(),
            map_above: u64::MAX,
        }
    }

    /// Blob `id` inflated into `out`, if it is a loose object here of at most [`MAP_ABOVE`]
    /// bytes; `Ok(None)` otherwise (the caller asks gix, which also reads packs, alternates and
    /// large objects).
    ///
    /// # Errors
    /// The file exists but cannot be read, is not a valid zlib stream, or does not hold a blob
    /// of the size its header gives.
    pub fn read_blob<'b>(
        &mut self,
        id: &ObjectId,
        out: &'b mut Vec<u8>,
    ) -> Result<Option<&'b [u8]>, String> {
        let hex = id.to_hex().to_string();
        self.path.clone_from(&self.objects);
        self.path.push(&hex[..2]);
        self.path.push(&hex[2..]);
        let mut file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        };
        // A large object is left to gix's map: one unmap costs nothing next to its inflating,
        // and a copy into fresh memory would cost page faults that a map of the cached file
        // mostly avoids.
        let len = file
            .metadata()
            .map_err(|e| format!("{}: {e}", self.path.display()))?
            .len();
        if len > self.map_above {
            return Ok(None);
        }
        self.compressed.clear();
        file.read_to_end(&mut self.compressed)
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        inflate_blob(&self.compressed, out).map(Some)
    }
}

/// Inflates a loose object's bytes into `out` and returns its content, checking that it is a
/// blob of the size its header states.
fn inflate_blob<'b>(compressed: &[u8], out: &'b mut Vec<u8>) -> Result<&'b [u8], String> {
    let mut inflate = gix::zlib::Inflate::default();
    let mut header = [0u8; HEADER_MAX];
    let (status, consumed_in, consumed_out) = inflate
        .prefix(compressed, &mut header)
        .map_err(|e| format!("corrupt loose object: {e}"))?;
    if status == gix::zlib::Status::BufError {
        return Err("corrupt loose object: truncated zlib stream".into());
    }
    let (kind, size, header_len) = gix::objs::decode::loose_header(&header[..consumed_out])
        .map_err(|e| format!("corrupt loose object header: {e}"))?;
    if kind != Kind::Blob {
        return Err(format!("expected a blob, found a {kind}"));
    }
    let size = usize::try_from(size).map_err(|_| format!("blob of {size} bytes"))?;
    let body_so_far = consumed_out.saturating_sub(header_len);
    let ended = status == gix::zlib::Status::StreamEnd;
    if body_so_far > size || (ended && body_so_far != size) {
        return Err(format!(
            "corrupt loose object: the header says {size} bytes, the stream disagrees"
        ));
    }
    out.clear();
    if ended {
        out.extend_from_slice(&header[header_len..consumed_out]);
        return Ok(out);
    }
    let n = inflate
        .rest(
            &compressed[consumed_in..],
            &header[..consumed_out],
            header_len,
            out,
            size,
        )
        .map_err(|e| format!("corrupt loose object: {e}"))?;
    if n != size {
        return Err(format!(
            "corrupt loose object: {n} bytes where the header says {size}"
        ));
    }
    Ok(&out[..n])
}
