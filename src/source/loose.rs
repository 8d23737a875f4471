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

/// A loose object's blob, inflated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inflated {
    /// Bytes written to the buffer: the whole blob, or the first `limit` bytes of a larger one.
    pub len: usize,
    /// The blob's size as its header states it.
    pub size: u64,
}

/// What [`LooseReader::read_blob`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loose {
    /// No loose object of that id here (it is packed, or in an alternate).
    Absent,
    /// A loose object too large to read without a map: gix reads it.
    Large,
    /// Read into the buffer.
    Read(Inflated),
}

/// Compressed bytes read for a blob cut at `limit` bytes: deflate's stored blocks add five bytes
/// per 64 KiB, so this much input always yields `limit` bytes of output when the blob has them.
fn compressed_for(limit: u64) -> u64 {
    limit
        .saturating_add(limit / 4096)
        .saturating_add(HEADER_MAX as u64 + 1024)
}

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

    /// Blob `id` inflated into `out` if it is a loose object here of at most [`MAP_ABOVE`]
    /// compressed bytes: whole, or its first `limit` bytes when its header says it is larger
    /// (a blob is never inflated past `limit`, whatever it claims or holds). Otherwise what
    /// the caller has to do: ask gix, which also reads packs, alternates and large objects.
    ///
    /// # Errors
    /// The file exists but cannot be read, is not a valid zlib stream, or does not hold a blob
    /// of the size its header gives.
    pub fn read_blob(
        &mut self,
        id: &ObjectId,
        out: &mut Vec<u8>,
        limit: u64,
    ) -> Result<Loose, String> {
        let Some(file) = self.open(id)? else {
            return Ok(Loose::Absent);
        };
        // A large object is left to gix's map: one unmap costs nothing next to its inflating,
        // and a copy into fresh memory would cost page faults that a map of the cached file
        // mostly avoids.
        let len = file
            .metadata()
            .map_err(|e| format!("{}: {e}", self.path.display()))?
            .len();
        if len > self.map_above {
            return Ok(Loose::Large);
        }
        self.read_compressed(file, len)?;
        inflate_blob(&self.compressed, out, limit).map(Loose::Read)
    }

    /// The first `limit` bytes of loose blob `id`, reading no more of the file than they need;
    /// `Ok(None)` if it is not loose here. For blobs larger than `limit`, however compressed.
    ///
    /// # Errors
    /// As [`LooseReader::read_blob`].
    pub fn read_prefix(
        &mut self,
        id: &ObjectId,
        out: &mut Vec<u8>,
        limit: u64,
    ) -> Result<Option<Inflated>, String> {
        let Some(file) = self.open(id)? else {
            return Ok(None);
        };
        self.read_compressed(file, compressed_for(limit))?;
        inflate_blob(&self.compressed, out, limit).map(Some)
    }

    fn open(&mut self, id: &ObjectId) -> Result<Option<std::fs::File>, String> {
        let hex = id.to_hex().to_string();
        self.path.clone_from(&self.objects);
        self.path.push(&hex[..2]);
        self.path.push(&hex[2..]);
        match std::fs::File::open(&self.path) {
            Ok(file) => Ok(Some(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", self.path.display())),
        }
    }

    fn read_compressed(&mut self, file: std::fs::File, at_most: u64) -> Result<(), String> {
        self.compressed.clear();
        file.take(at_most)
            .read_to_end(&mut self.compressed)
            .map(drop)
            .map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// Inflates a loose object's bytes into `out`, checking that it is a blob of the size its
/// header states; a blob larger than `limit` is inflated up to `limit` bytes only.
fn inflate_blob(compressed: &[u8], out: &mut Vec<u8>, limit: u64) -> Result<Inflated, String> {
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
    let whole = size;
    let cut = whole > limit;
    let size = usize::try_from(whole.min(limit)).map_err(|_| format!("blob of {whole} bytes"))?;
    let body_so_far = consumed_out.saturating_sub(header_len);
    let ended = status == gix::zlib::Status::StreamEnd;
    if (body_so_far > size && !cut) || (ended && body_so_far as u64 != whole) {
        return Err(format!(
            "corrupt loose object: the header says {whole} bytes, the stream disagrees"
        ));
    }
    out.clear();
    if ended || body_so_far >= size {
        out.extend_from_slice(&header[header_len..header_len + body_so_far.min(size)]);
        return Ok(Inflated {
            len: out.len(),
            size: whole,
        });
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
            "corrupt loose object: {n} bytes where the header says {whole}"
        ));
    }
    Ok(Inflated {
        len: n,
        size: whole,
    })
}
