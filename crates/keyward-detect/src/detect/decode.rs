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

/// Encoded runs shorter than this cannot hold a key worth reporting (24 bytes of base64).
const MIN_RUN: usize = 32;

/// Encoded runs longer than this are data (an inlined image, a bundle), not a wrapped key.
const MAX_RUN: usize = 64 * 1024;

/// How much decoded text one run of lines may yield in all: bounds the work a file of
/// base64 blobs can cause.
const MAX_DECODED: usize = 1024 * 1024;

/// Runs of base64 (standard or URL-safe, padded or not) in `text` that decode to printable
/// text: a key wrapped once (`echo -n $KEY | base64` in a manifest, a `data:` value, an
/// `Authorization: Basic` header). Each is the run's byte range and its decoded text.
pub fn base64_runs(text: &[u8]) -> Vec<(std::ops::Range<usize>, Vec<u8>)> {
    let mut out = Vec::new();
    let mut budget = MAX_DECODED;
    let mut i = 0;
    while i < text.len() {
        if !is_base64_byte(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && is_base64_byte(text[i]) {
            i += 1;
        }
        // Padding ends a run.
        let mut end = i;
        while end < text.len() && end - i < 2 && text[end] == b'=' {
            end += 1;
        }
        i = end;
        let run = &text[start..end];
        if run.len() < MIN_RUN || run.len() > MAX_RUN || run.len() * 3 / 4 > budget {
            continue;
        }
        // Hex digests and ids are the commonest long runs, and never wrap text.
        if run.iter().all(u8::is_ascii_hexdigit) {
            continue;
        }
        if let Some(decoded) = decode_any(run) {
            budget -= decoded.len();
            out.push((start..end, decoded));
        }
    }
    out
}

fn is_base64_byte(b: u8) -> bool {
    BASE64_BYTES[usize::from(b)]
}

/// The bytes of standard and URL-safe base64, as a table: this test runs on every byte of
/// every added line.
static BASE64_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_');
        b += 1;
    }
    table
};

/// `run` decoded as standard or URL-safe base64, if it decodes to printable UTF-8 text with
/// letters in it (not just digits and punctuation).
fn decode_any(run: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE};
    let trimmed: &[u8] = {
        let n = run.iter().rev().take_while(|&&b| b == b'=').count();
        &run[..run.len() - n]
    };
    let url = run.iter().any(|&b| b == b'-' || b == b'_');
    let decoded = if url {
        URL_SAFE_NO_PAD
            .decode(trimmed)
            .or_else(|_| URL_SAFE.decode(run))
            .ok()?
    } else {
        STANDARD_NO_PAD.decode(trimmed).ok()?
    };
    let text = std::str::from_utf8(&decoded).ok()?;
    let printable = text
        .chars()
        .all(|c| !c.is_control() || c == '\n' || c == '\r' || c == '\t');
    (printable && text.chars().any(|c| c.is_ascii_alphabetic())).then_some(decoded)
}

#[cfg(test)]
mod tests {
    use super::base64_runs;
    use base64::Engine;

    #[test]
    fn runs_that_decode_to_text_are_found_and_binary_is_not() {
        let key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";
        let encoded = base64::engine::general_purpose::STANDARD.encode(key);
        let line = format!("data:\n  key: {encoded}\n  sha: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n");
        let runs = base64_runs(line.as_bytes());
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].1, key.as_bytes());
        assert_eq!(&line[runs[0].0.clone()], encoded);
    }
}
