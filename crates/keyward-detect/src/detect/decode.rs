//! Decoding values that hide a secret one layer down (base64 in a Kubernetes `Secret`).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

/// The text `encoded` (standard base64) decodes to, if it is printable text.
pub fn base64_text(encoded: &[u8]) -> Option<Vec<u8>> {
    let decoded = STANDARD.decode(encoded).ok()?;
    let printable = std::str::from_utf8(&decoded)
        .ok()?
        .chars()
        .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t');
    printable.then_some(decoded)
}

/// The bytes of one base64url part of a JWT (no padding).
pub fn base64url(part: &[u8]) -> Option<Vec<u8>> {
    let trimmed: Vec<u8> = part.iter().copied().filter(|&b| b != b'=').collect();
    URL_SAFE_NO_PAD.decode(trimmed).ok()
}
