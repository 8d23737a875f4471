//! Passwords in URLs that are stand-ins, judged from the URL around them: the password is the
//! user name (`postgres://saleor:saleor@…`), or a word-like password (`hunter2`,
//! `SecurePass123!`) on a server only the developer's machine or a compose network reaches
//! (`localhost`, `127.0.0.1`, a one-label service name such as `db`). A random password is
//! reported wherever the server is.

use super::words::reads_as_words;

/// Whether the password `secret` in the URL match `url` is a stand-in (see the module docs).
pub fn is_stand_in(url: &[u8], secret: &[u8]) -> bool {
    let Some(scheme_end) = memchr::memmem::find(url, b"://") else {
        return false;
    };
    let rest = &url[scheme_end + 3..];
    let Some(at) = memchr::memrchr(b'@', rest) else {
        return false;
    };
    let user = rest[..at].split(|&b| b == b':').next().unwrap_or_default();
    if !user.is_empty() && user.eq_ignore_ascii_case(secret) {
        return true;
    }
    let host_end = rest[at + 1..]
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#') || b.is_ascii_whitespace())
        .map_or(rest.len(), |p| at + 1 + p);
    let host = strip_port(&rest[at + 1..host_end]);
    is_local(host) && (reads_as_words(secret) || is_typed_password(secret))
}

/// `P@ssw0rd` read as `Password`: the digits and symbols people put for letters.
fn unleet(secret: &[u8]) -> Vec<u8> {
    secret
        .iter()
        .map(|&b| match b {
            b'@' | b'4' => b'a',
            b'0' => b'o',
            b'$' | b'5' => b's',
            b'3' => b'e',
            b'1' | b'!' => b'i',
            b'7' => b't',
            other => other,
        })
        .collect()
}

fn strip_port(host: &[u8]) -> &[u8] {
    if host.starts_with(b"[") {
        return host
            .iter()
            .position(|&b| b == b']')
            .map_or(host, |p| &host[..=p]);
    }
    match memchr::memrchr(b':', host) {
        Some(p) => &host[..p],
        None => host,
    }
}

/// A host only reachable from the developer's machine or its container network.
fn is_local(host: &[u8]) -> bool {
    let lower = host.to_ascii_lowercase();
    lower == b"localhost"
        || lower.starts_with(b"127.")
        || lower == b"0.0.0.0"
        || lower == b"[::1]"
        || lower == b"host.docker.internal"
        || (!lower.is_empty()
            && !lower.contains(&b'.')
            && !lower.contains(&b':')
            && lower
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_'))
}

/// Whether `secret` is a password a person typed (`SecurePass123!`, `P@ssw0rd`, `admin2024`)
/// rather than a generated one: what test files and docs write where a password goes.
pub fn is_typed_password(secret: &[u8]) -> bool {
    is_word_with_digits(secret) || is_word_with_digits(&unleet(secret))
}

/// A word followed by digits and maybe a symbol or two (`Password123!`, `admin2024`,
/// `P@ssw0rd`): what people type as a test password.
fn is_word_with_digits(secret: &[u8]) -> bool {
    let letters = secret
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let digits = secret[letters..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let tail = &secret[letters + digits..];
    (3..=14).contains(&letters)
        && is_wordlike_case(&secret[..letters])
        && digits <= 6
        && tail.len() <= 2
        && tail.iter().all(|b| b.is_ascii_punctuation())
}

/// Letters cased as words are (`password`, `PASSWORD`, `SecurePass`), not as random text is
/// (`qyOIhJiM`): every capital in mixed case starts a run of at least two lower-case letters.
fn is_wordlike_case(letters: &[u8]) -> bool {
    if letters.iter().all(u8::is_ascii_uppercase) || letters.iter().all(u8::is_ascii_lowercase) {
        return true;
    }
    letters.iter().enumerate().all(|(i, b)| {
        !b.is_ascii_uppercase()
            || letters
                .get(i + 1..i + 3)
                .is_some_and(|next| next.iter().all(u8::is_ascii_lowercase))
    }) && letters[1..].iter().any(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::is_stand_in;

    #[test]
    fn local_word_passwords_and_user_names_are_stand_ins_random_ones_are_not() {
        for (url, secret) in [
            ("postgres://saleor:saleor@db.internal/saleor", "saleor"),
            (
                "postgres://app:SecurePass123!@localhost:5432/app",
                "SecurePass123!",
            ),
            ("redis://default:hunter2@redis:6379", "hunter2"),
            ("mysql://root:P@ssw0rd@127.0.0.1/shop", "P@ssw0rd"),
        ] {
            assert!(is_stand_in(url.as_bytes(), secret.as_bytes()), "{url}");
        }
        for (url, secret) in [
            (
                "postgres://app:q8Zr2LmT5vXw9KpB@localhost/app", // keyward:allow
                "q8Zr2LmT5vXw9KpB",
            ),
            (
                "postgres://app:SecurePass123!@db.acme.io/app", // keyward:allow
                "SecurePass123!",
            ),
            (
                "mysql://root:hT4-xq_9Lm2Pz@127.0.0.1:3306/shop", // keyward:allow
                "hT4-xq_9Lm2Pz",
            ),
            ("https://eaRIWNkE:qyOIhJiM@buildhost", "qyOIhJiM"), // keyward:allow
        ] {
            assert!(!is_stand_in(url.as_bytes(), secret.as_bytes()), "{url}");
        }
    }
}
