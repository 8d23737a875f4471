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
    "changethis",
    "change_this",
    "change-this",
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
    "fake",
    "deadbeef",
    "cafebabe",
    "qwerty",
    "asdfgh",
    "zxcvbn",
    // The sample UUID of RFC 4122's examples and countless docs.
    "123e4567-e89b",
];

/// Secrets at least this long are mostly random keys, where a short word fragment can occur by
/// chance (`…Pyour_6N8…` inside a 164-character OpenAI key): there a fragment shorter than
/// [`CHANCE_FRAGMENT`] only counts where it starts a word. Longer ones (`example`,
/// `placeholder`) are too unlikely to occur by chance to need the guard.
const LONG_SECRET: usize = 32;

/// Fragments shorter than this can occur by chance in a long random key.
const CHANCE_FRAGMENT: usize = 6;

/// Whether `secret` is a stand-in rather than a credential.
///
/// A short token with `000000` in it is a mask; a long encoded one is not: base64 of binary
/// data has runs of `A` wherever the data has zero bytes (every unencrypted OpenSSH key's
/// header is `AAAAAAAAAAB…`, Fly.io macaroons carry them too). So runs count from six bytes in
/// a secret shorter than 64 bytes, from 20 in a longer one.
pub fn is_placeholder(secret: &[u8]) -> bool {
    let text = String::from_utf8_lossy(secret);
    let lower = text.to_ascii_lowercase();
    let original = text.as_bytes();
    let run = if secret.len() >= LONG_RANDOM {
        LONG_RUN
    } else {
        6
    };
    FRAGMENTS.iter().any(|f| has_fragment(original, &lower, f))
        || has_long_run(secret, run)
        || is_template(secret)
        || EMPTY_INPUT_DIGESTS.iter().any(|d| lower.contains(d))
        || has_sequence(secret, if secret.len() >= LONG_RANDOM { 8 } else { 6 })
        || has_stepping_pairs(secret)
        || is_bare_stand_in_word(&lower)
        || has_masked_segment(secret)
        || super::known_public::is_known_public(secret)
}

/// The parts of a structured token (`xoxp-1234-1234-1234-…`, `1111-1111-1111`) between its
/// separators.
fn segments(secret: &[u8]) -> impl Iterator<Item = &[u8]> {
    secret
        .split(|b| matches!(b, b'-' | b'_' | b'.' | b':' | b'/'))
        .filter(|s| !s.is_empty())
}

/// A whole segment of six or more of one character (`xoxc-888888888888-…`), or one segment of
/// four or more typed three times: masks and stand-ins. Whole segments, not runs inside
/// base64, so an OpenSSH key's `AAAA…` is not one.
fn has_masked_segment(secret: &[u8]) -> bool {
    // Every candidate match passes here: most have one segment, and need no allocation.
    if segments(secret).nth(1).is_none() {
        return false;
    }
    let parts: Vec<&[u8]> = segments(secret).collect();
    let one_repeated = parts
        .iter()
        .any(|p| p.len() >= 6 && p.iter().all(|&b| b == p[0]));
    let typed_thrice = parts
        .iter()
        .filter(|p| p.len() >= 4)
        .any(|p| parts.iter().filter(|q| q == &p).count() >= 3);
    // A segment that is a typed run and nothing else (`access-sandbox-1234`, `key-abcdef`).
    let typed_run = parts.iter().any(|p| p.len() >= 4 && is_run(p));
    one_repeated || typed_thrice || typed_run
}

/// Whether `bytes` step by one from first to last, up or down (`1234`, `abcde`, `9876`).
fn is_run(bytes: &[u8]) -> bool {
    let up = bytes.windows(2).all(|w| w[1] == w[0].wrapping_add(1));
    let down = bytes.windows(2).all(|w| w[0] == w[1].wrapping_add(1));
    (up || down) && bytes.iter().all(u8::is_ascii_alphanumeric)
}

/// The name of the thing where its value goes (`password`, `-p password)` in a usage line,
/// `secret`, `token`), with nothing but punctuation around it.
fn is_bare_stand_in_word(lower: &str) -> bool {
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "passw0rd",
        "pass",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "key",
        "mypassword",
        "mysecret",
        "mytoken",
    ];
    let word = lower.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    WORDS.contains(&word)
}

/// `n` letters or digits in a row that step by one (`abcdef`, `123456`, `ZYXWVU`): typed by a
/// person filling a slot. In a random base62 key a given place starts one with odds of about
/// one in 10⁹. Digits have only ten values, so a random number (a Slack token's team id) holds
/// a run like `456789` about once in 2,500 draws: a run of digits counts only as people type
/// one, from `0` or `1` up or from `9` down, unless it is two longer than `n`.
fn has_sequence(bytes: &[u8], n: usize) -> bool {
    let (mut up, mut up_from) = (1, 0);
    let (mut down, mut down_from) = (1, 0);
    for (i, pair) in bytes.windows(2).enumerate() {
        let digits = pair[0].is_ascii_digit() && pair[1].is_ascii_digit();
        let same_class = digits
            || pair[0].is_ascii_lowercase() && pair[1].is_ascii_lowercase()
            || pair[0].is_ascii_uppercase() && pair[1].is_ascii_uppercase();
        if same_class && pair[1] == pair[0].wrapping_add(1) {
            up += 1;
        } else {
            (up, up_from) = (1, i + 1);
        }
        if same_class && pair[1].wrapping_add(1) == pair[0] {
            down += 1;
        } else {
            (down, down_from) = (1, i + 1);
        }
        let typed = |run: usize, from: u8, typed_from: &[u8]| {
            run >= n && (!digits || run >= n + 2 || typed_from.contains(&from))
        };
        if typed(up, bytes[up_from], b"01") || typed(down, bytes[down_from], b"9") {
            return true;
        }
    }
    false
}

/// Two interleaved sequences over four pairs (`a1b2c3d4`, `1a2b3c4d`): a typed pattern.
fn has_stepping_pairs(bytes: &[u8]) -> bool {
    bytes.windows(8).any(|w| {
        (0..6).all(|i| w[i].is_ascii_alphanumeric() && w[i + 2] == w[i].wrapping_add(1))
            && w[0].is_ascii_digit() != w[1].is_ascii_digit()
    })
}

/// Letters (case-folded) or digits that, read on their own, step by one `n` times in a row: a
/// walk typed around other characters (`aB1cD2eF3gH4`, `EXAabc123def456ghi789`,
/// `…o3P4r5S6t7U8v9W0xYz`), which [`has_sequence`] and [`has_stepping_pairs`] do not see.
/// Digits wrap (`…8 9 0 1…`); letters do not. In random base62 a letter walk of 8 has odds
/// near 1e-10 per position, and hex letters (a–f) cannot walk 8 at all; a long value gets a
/// longer run (see [`typed_walk`]), since long digit runs walk by chance.
pub(crate) fn has_interleaved_walk(bytes: &[u8], n: usize) -> bool {
    fn walk(seq: impl Iterator<Item = u8>, modulo: u8, n: usize) -> bool {
        let (mut up, mut down, mut prev) = (1, 1, None::<u8>);
        for b in seq {
            if let Some(p) = prev {
                up = if b == (p + 1) % modulo { up + 1 } else { 1 };
                down = if p == (b + 1) % modulo { down + 1 } else { 1 };
                if up >= n || down >= n {
                    return true;
                }
            }
            prev = Some(b);
        }
        false
    }
    // Letters modulo 27: z (25) + 1 is 26, no letter, so z never steps to a.
    let letters = bytes
        .iter()
        .filter(|b| b.is_ascii_alphabetic())
        .map(|b| b.to_ascii_lowercase() - b'a');
    let digits = bytes
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| b - b'0');
    walk(letters, 27, n) || walk(digits, 10, n)
}

/// Whether `secret` holds a typed walk ([`has_interleaved_walk`]): 8 steps, 12 from 128 bytes.
pub(crate) fn typed_walk(secret: &[u8]) -> bool {
    has_interleaved_walk(secret, if secret.len() >= 128 { 12 } else { 8 })
}

/// The digests of empty input (MD5, SHA-1, SHA-256): random-looking, famous, and used as
/// dummy tokens, ETags and cache keys, never as anyone's secret.
const EMPTY_INPUT_DIGESTS: [&str; 3] = [
    "d41d8cd98f00b204e9800998ecf8427e",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
];

/// Whether a structured secret (a PEM or OpenSSH private key, a certificate, a PGP block: a
/// format whose envelope says what it is) is a stand-in. Its encoded body is not judged by word
/// fragments or short runs, which occur by chance in a few hundred base64 characters and in
/// the format's own headers; only an elided body (`...`, `…`, `<key>`, a template slot) or a
/// body of one repeated character is.
pub fn is_structural_placeholder(secret: &[u8]) -> bool {
    let text = String::from_utf8_lossy(secret);
    let body: String = text
        .lines()
        .filter(|l| !l.contains("-----") && !l.contains(':'))
        .collect();
    ["...", "\u{2026}", "<", ">", "${", "{{"]
        .iter()
        .any(|f| body.contains(f))
        || is_template(body.as_bytes())
        || has_long_run(body.as_bytes(), LONG_RUN * 2)
}

/// Secrets at least this long are judged as encoded data for runs of one byte.
const LONG_RANDOM: usize = 64;

/// In a long encoded secret, a run of one byte this long is a mask rather than chance.
const LONG_RUN: usize = 20;

/// Whether `fragment` occurs in `lower` (the ASCII-lowercased `original`). Fragments made of
/// punctuation, and long ones, count anywhere; short word fragments in a long secret only at a
/// word start (the secret's start, after a separator, or at a lower-to-upper case change) or
/// as its suffix.
fn has_fragment(original: &[u8], lower: &str, fragment: &str) -> bool {
    let starts_with_alnum = fragment
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric());
    if !starts_with_alnum || fragment.len() >= CHANCE_FRAGMENT || original.len() < LONG_SECRET {
        return lower.contains(fragment);
    }
    lower.match_indices(fragment).any(|(at, _)| {
        let starts_word = at == 0
            || !original[at - 1].is_ascii_alphanumeric()
            || (original[at - 1].is_ascii_lowercase() && original[at].is_ascii_uppercase());
        starts_word || at + fragment.len() == original.len()
    })
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
    use super::{has_sequence, is_placeholder, typed_walk};

    #[test]
    fn a_run_of_digits_counts_when_typed_as_people_type_it() {
        for typed in [
            "id123456x",
            "012345",
            "x987654",
            "abcdef",
            "ZYXWVU",
            "x23456789",
        ] {
            assert!(has_sequence(typed.as_bytes(), 6), "{typed}");
        }
        // Inside a random number (a Slack token's ids), a run that starts elsewhere is chance.
        for drawn in ["64567891695", "T-64567891695-683077791510", "23456"] {
            assert!(!has_sequence(drawn.as_bytes(), 6), "{drawn}");
        }
    }

    #[test]
    fn a_walk_typed_around_other_characters_is_a_stand_in() {
        for typed in [
            "aB1cD2eF3gH4iJ5kL6mN7oP8",
            "EXAabc123def456ghi789jkl012mno345",
            "CAISuwJ1q6Ft5B2yu9Kiaa5E0VnVJ8q2o3P4r5S6t7U8v9W0xYz",
            "123e4567e89b12d3a456426614174000",
        ] {
            assert!(typed_walk(typed.as_bytes()), "{typed}");
        }
        // Random keys of every alphabet (fixed draws from the fake-key generator).
        for template in [
            "{alnum:40}",
            "{hex:64}",
            "{base64:88}",
            "{base32:52}",
            "{digit:200}",
        ] {
            for seed in 0..300 {
                let value = crate::fake::expand(template, seed).unwrap();
                assert!(
                    !typed_walk(value.as_bytes()),
                    "{template} seed {seed}: {value}"
                );
            }
        }
    }

    #[test]
    fn masked_and_repeated_segments_are_stand_ins() {
        assert!(is_placeholder(b"xoxc-888888888888-777777777777-3f9a1c"));
        assert!(is_placeholder(b"xoxp-1234-1234-1234-9f8e7d6c5b4a"));
        assert!(is_placeholder(b"access-sandbox-1234"));
        let sandbox = b"access-sandbox-8a1f3c2e-5b7d-4e9a-a0c6-2f4b8d1e7c93"; // keyward:allow
        assert!(!is_placeholder(sandbox));
        let random = b"xoxb-482619375201-9376154820473-Qm7Rt2Zx9LpV4cNs8KdW1aYe"; // keyward:allow
        assert!(!is_placeholder(random));
        assert!(!is_placeholder(b"3f6c9a1e-7b2d-4e8f-9c0a-5d1b7e3f2a6c"));
    }

    #[test]
    fn a_bare_stand_in_word_is_not_a_secret() {
        assert!(is_placeholder(b"password)"));
        assert!(is_placeholder(b"\"secret\""));
        assert!(!is_placeholder(b"passwordless-9f3kQ2"));
    }

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
            "d41d8cd98f00b204e9800998ecf8427e",
            "sk_live_a1b2c3d4e5f6g7h8i9j0",
            "ghp_ABCDEFGHIJKLmnopqrstuvwxyz0123456789",
            "xoxb-1234-5678-FakeTokenForTestsOnly",
            "123e4567-e89b-12d3-a456-426614174000",
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn short_fragments_inside_a_long_random_key_are_chance() {
        // Found by the property tests: a generated key with `your_` inside a word.
        let key = crate::fake::expand("sk-proj-{urlsafe:40}", 7).unwrap();
        let splice = |middle: &str| format!("{}{middle}{}", &key[..30], &key[30..]);
        assert!(!is_placeholder(splice("Pyour_6N8").as_bytes()));
        assert!(!is_placeholder(splice("Axxxx").as_bytes()));
        assert!(is_placeholder(splice("-your_key_here-").as_bytes()));
        assert!(is_placeholder(splice("CYEXAMPLEKEY").as_bytes()));
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
