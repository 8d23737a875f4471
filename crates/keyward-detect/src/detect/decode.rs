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
    // `i` is always where a run could start (the text's start, or just after a byte that ends
    // one). A run worth decoding is MIN_RUN bytes long, so it holds the byte MIN_RUN - 1 past
    // `i` or starts after it: probing that byte skips most of a minified line's short
    // identifiers without reading them, where a byte-by-byte walk read all 20 MB.
    let mut i = 0;
    while i + MIN_RUN <= text.len() {
        let probe = i + MIN_RUN - 1;
        if !is_base64_byte(text[probe]) {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && is_base64_byte(text[start - 1]) {
            start -= 1;
        }
        let mut stop = probe + 1;
        while stop < text.len() && is_base64_byte(text[stop]) {
            stop += 1;
        }
        // Padding ends a run.
        let mut end = stop;
        while end < text.len() && end - stop < 2 && text[end] == b'=' {
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

    /// The probing walk finds exactly the runs a byte-by-byte walk finds, wherever they sit
    /// relative to the probes (run lengths and gaps around MIN_RUN, padding, text edges).
    #[test]
    fn probing_finds_what_a_full_walk_finds() {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..300 {
            let mut text = String::new();
            let mut expected = Vec::new();
            for _ in 0..next(6) {
                text.push_str(&"x.(".repeat(next(3) as usize));
                text.push_str(&"ab".repeat(next(20) as usize));
                text.push(' ');
                let plain: String = (0..24 + next(30))
                    .map(|i| (b'a' + (i % 26) as u8) as char)
                    .collect();
                let encoded = b64.encode(&plain);
                expected.push((text.len(), encoded.clone(), plain));
                text.push_str(&encoded);
                text.push_str(if next(2) == 0 { ";" } else { "\n" });
            }
            let runs = base64_runs(text.as_bytes());
            let found: Vec<(usize, String, String)> = runs
                .into_iter()
                .map(|(r, d)| (r.start, text[r].to_string(), String::from_utf8(d).unwrap()))
                .collect();
            assert_eq!(found, expected, "{text}");
        }
    }
}
