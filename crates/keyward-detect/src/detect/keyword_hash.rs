//! The hashes the built-in keyword table is indexed by, shared with build.rs (which includes
//! this file) so that the table it writes and the search that reads it agree.

/// The hash (16 bits) of four bytes of lowercase text, read little-endian: a keyword of four
/// bytes or more is filed under its first four.
#[inline]
pub const fn hash4(word: u32) -> u32 {
    word.wrapping_mul(0x9E37_79B1) >> 16
}

/// The hash (12 bits) of the first three of those bytes: a three-byte keyword is filed under it.
#[inline]
pub const fn hash3(word: u32) -> u32 {
    (word & 0x00FF_FFFF).wrapping_mul(0x85EB_CA6B) >> 20
}

/// Bits in the four-byte filter.
#[allow(dead_code)] // read by build.rs only
pub const BITS4: usize = 1 << 16;
/// Bits in the three-byte filter.
#[allow(dead_code)] // read by build.rs only
pub const BITS3: usize = 1 << 12;
