//! The shared placeholder filter: values people write where a key will go are not keys.
//!
//! Applies to every rule: `sk-...`, `<YOUR_API_KEY>`, `your-api-key-here`, `sk-proj-REPLACE_ME`,
//! `xxxx`, the AWS documentation keys (`…EXAMPLE`), template and env-var references.

/// Lowercase fragments that only occur in stand-ins, never (in practice) in random keys.
const FRAGMENTS: &[&str] = &[
    "example",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yourapi",
    "yoursecret",
    "yourtoken",
    "replace_me",
    "replaceme",
    "replace-me",
    "changeme",
    "change_me",
    "change-me",
    "insert",
    "redacted",
    "dummy",
    "xxxx",
    "****",
    "...",
    "…",
    "<",
    ">",
    "${",
    "{{",
    "$(",
    "%s",
    "abcdef",
    "12345678",
    "abcdef123456",
];

/// Whether `secret` is a stand-in rather than a credential.
pub fn is_placeholder(secret: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(secret).to_lowercase();
    FRAGMENTS.iter().any(|f| lower.contains(f)) || has_long_run(secret, 6) || is_template(secret)
}

/// A template slot (`{password}`, `{alnum:20}`, an f-string's `{token}`): braces around a name.
fn is_template(secret: &[u8]) -> bool {
    let open = memchr::memchr(b'{', secret);
    let close = memchr::memrchr(b'}', secret);
    matches!((open, close), (Some(o), Some(c)) if o < c)
}

/// A byte repeated `n` times in a row (`000000`, `aaaaaa`): a mask, not a key.
fn has_long_run(bytes: &[u8], n: usize) -> bool {
    let mut run = 1;
    for pair in bytes.windows(2) {
        run = if pair[0] == pair[1] { run + 1 } else { 1 };
        if run >= n {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn stand_ins_are_placeholders() {
        for p in [
            "sk-...",
            "<YOUR_API_KEY>",
            "your-api-key-here",
            "sk-proj-REPLACE_ME",
            "xxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "${OPENAI_API_KEY}",
            "sk-000000000000000000000000",
            "{alnum:20}",
            "pass-{password}",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn random_keys_are_not() {
        for seed in 0..200 {
            let key =
                crate::fake::expand("sk-proj-{urlsafe:74}T3BlbkFJ{urlsafe:74}", seed).unwrap();
            assert!(!is_placeholder(key.as_bytes()), "{key}");
        }
    }
}
