//! Fake, format-valid secrets built from templates and a seed, so no literal key is ever stored.
//!
//! Rule examples, tests and benchmarks write a key's *shape*, e.g.
//! `ghp_{alnum:30}{crc32-base62}`, and [`expand`] fills it with seeded random characters. The
//! result has the provider's format (and checksum) but belongs to no account. Keeping shapes
//! instead of keys means the repository passes its own scan and no test fixture can leak.
//!
//! Template directives, each in braces:
//! `{alnum:N}` `{hex:N}` `{HEX:N}` `{lower:N}` `{upper:N}` `{digit:N}` `{base32:N}`
//! `{base64:N}` `{urlsafe:N}` `{bech32:N}` (N random characters of that alphabet), `{crc32-base62}` (six
//! base62 digits of the CRC32 of the random characters generated so far, as GitHub and npm
//! tokens carry), `{b64-alnum:N}` (standard base64 of N random alphanumerics, as a Kubernetes
//! `Secret` holds them), `{jwt}` (a JWT with an HS256 header, a JSON payload and a random
//! signature), and `{{` / `}}` for literal braces.
//!
//! ```
//! let token = keyward_detect::fake::expand("ghp_{alnum:30}{crc32-base62}", 7).unwrap();
//! assert_eq!(token.len(), 40);
//! assert!(keyward_detect::detect::checksum::Checksum::GithubCrc32.verify(token.as_bytes()));
//! ```

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A small deterministic generator (SplitMix64): the same seed gives the same secrets everywhere.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// One byte from `alphabet`.
    pub fn pick(&mut self, alphabet: &[u8]) -> u8 {
        alphabet[self.below(alphabet.len())]
    }
}

/// Why a template could not be expanded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("template {template:?}: {message}")]
pub struct TemplateError {
    template: String,
    message: String,
}

fn alphabet(name: &str) -> Option<&'static [u8]> {
    Some(match name {
        "alnum" => ALNUM,
        "hex" => b"0123456789abcdef",
        "HEX" => b"0123456789ABCDEF",
        "lower" => b"abcdefghijklmnopqrstuvwxyz",
        "upper" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "digit" => b"0123456789",
        "base32" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        "base64" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        "urlsafe" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        "bech32" => b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
        _ => return None,
    })
}

/// A signed-looking JWT: HS256 header, a payload with random subject and fixed times, and 43
/// random base64url characters of signature.
fn jwt(rng: &mut Rng) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let subject: String = (0..12).map(|_| rng.pick(ALNUM) as char).collect();
    let payload = format!(r#"{{"sub":"{subject}","role":"service_role","iat":1767225600}}"#);
    let payload = URL_SAFE_NO_PAD.encode(payload.as_bytes());
    let signature: Vec<u8> = (0..43)
        .map(|_| rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))
        .collect();
    format!("{header}.{payload}.{}", String::from_utf8_lossy(&signature))
}

/// Six base62 digits of `value`, zero-padded: the checksum suffix of GitHub and npm tokens.
pub fn base62_6(mut value: u32) -> String {
    let mut digits = [b'0'; 6];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    String::from_utf8_lossy(&digits).into_owned()
}

/// Expands `template` with randomness from `seed`.
///
/// # Errors
/// An unknown directive, a missing count or an unclosed brace.
pub fn expand(template: &str, seed: u64) -> Result<String, TemplateError> {
    expand_with(template, &mut Rng::new(seed))
}

/// Expands `template` drawing from `rng`, for callers that make many secrets from one stream.
///
/// # Errors
/// As [`expand`].
pub fn expand_with(template: &str, rng: &mut Rng) -> Result<String, TemplateError> {
    let fail = |message: &str| TemplateError {
        template: template.to_owned(),
        message: message.to_owned(),
    };
    let mut out = String::with_capacity(template.len() * 2);
    let mut random = Vec::new();
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '}']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(fail("unmatched `}`"));
        }
        let end = tail.find('}').ok_or_else(|| fail("unclosed `{`"))?;
        let directive = &tail[1..end];
        if directive == "crc32-base62" {
            out.push_str(&base62_6(crc32fast::hash(&random)));
        } else if directive == "jwt" {
            out.push_str(&jwt(rng));
        } else if let Some(count) = directive.strip_prefix("b64-alnum:") {
            let count: usize = count.parse().map_err(|_| fail("count is not a number"))?;
            let plain: Vec<u8> = (0..count).map(|_| rng.pick(ALNUM)).collect();
            out.push_str(&STANDARD.encode(&plain));
        } else {
            let (name, count) = directive
                .split_once(':')
                .ok_or_else(|| fail("directive needs a count, e.g. {alnum:32}"))?;
            let set = alphabet(name).ok_or_else(|| fail("unknown alphabet"))?;
            let count: usize = count.parse().map_err(|_| fail("count is not a number"))?;
            for _ in 0..count {
                let b = rng.pick(set);
                random.push(b);
                out.push(b as char);
            }
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_secret_and_literals_kept() {
        let a = expand("key={hex:8}-{{x}}", 3).unwrap();
        assert_eq!(a, expand("key={hex:8}-{{x}}", 3).unwrap());
        assert_ne!(a, expand("key={hex:8}-{{x}}", 4).unwrap());
        assert!(a.starts_with("key=") && a.ends_with("-{x}"), "{a}");
    }

    #[test]
    fn bad_templates_are_errors() {
        assert!(expand("{alnum}", 1).is_err());
        assert!(expand("{nope:3}", 1).is_err());
        assert!(expand("{alnum:3", 1).is_err());
        assert!(expand("x}", 1).is_err());
    }
}
