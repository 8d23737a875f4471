//! Does a value read as words or an identifier rather than as random characters?
//!
//! Generic rules match `token = <value>` wherever code names something a token, so their values
//! are mostly identifiers, header names and expressions. A random key splits into fragments
//! like `G9k` or single letters; an identifier splits into words.

/// Whether `value`, split at punctuation and at camelCase boundaries, consists only of
/// word-like parts: two or more letters (`Token`, `pkcs`), short numbers (`9`, `15`), or a word
/// with a short number (`pkcs15`, `utf8`), and has at least two parts, or is one short
/// lowercase word.
pub fn reads_as_words(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let parts = split_parts(text);
    if parts.is_empty() {
        return false;
    }
    if parts.len() == 1 {
        let only = parts[0];
        return only.len() <= 12 && only.bytes().all(|b| b.is_ascii_lowercase()) && has_vowel(only);
    }
    // Capitals runs (`HTTP`, `ID`) are words in `SCREAMING_CASE` and kebab-case, but a string
    // of letters with several of them (`JMUDcoEZ2FP8`) is random.
    let separated = text.bytes().any(|b| !b.is_ascii_alphanumeric());
    let acronyms = parts
        .iter()
        .filter(|p| {
            p.len() > 1
                && p.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        .count();
    (separated || acronyms <= 1) && parts.iter().all(|p| is_word_like(p))
}

/// Two-letter words common in identifiers; other two-letter fragments are random text.
const SHORT_WORDS: &[&str] = &[
    "at", "id", "to", "of", "in", "on", "is", "by", "db", "io", "ui", "os", "fs", "ok", "up", "no",
    "my", "or", "if", "as", "an", "be", "do", "go", "me", "we", "it", "js", "py", "rs", "cb", "fn",
    "tx", "rx", "ip", "pk", "aa", "ca", "cn", "ns", "ms", "vm", "gc", "op", "re",
];

fn split_parts(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    for piece in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if piece.is_empty() {
            continue;
        }
        let bytes = piece.as_bytes();
        let mut start = 0;
        for i in 1..bytes.len() {
            // A new part starts at an uppercase letter that follows a lowercase letter or digit
            // (`oldTokens`), or that ends a run of capitals before lowercase (`HTTPPassword`).
            let upper = bytes[i].is_ascii_uppercase();
            let after_lower = !bytes[i - 1].is_ascii_uppercase();
            let ends_acronym = bytes[i - 1].is_ascii_uppercase()
                && bytes.get(i + 1).is_some_and(|b| b.is_ascii_lowercase());
            if upper && (after_lower || ends_acronym) {
                parts.push(&piece[start..i]);
                start = i;
            }
        }
        parts.push(&piece[start..]);
    }
    parts
}

fn is_word_like(part: &str) -> bool {
    // The one-letter words of English prose in an identifier (`this_is_a_test_token`).
    if matches!(part, "a" | "A" | "I") {
        return true;
    }
    let letters = part.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = part.len() - letters.len();
    if letters.is_empty() {
        return digits <= 3;
    }
    // A letter with a number is a name too: `X509`, `v2`, `h1`.
    if letters.len() == 1 && (1..=3).contains(&digits) {
        return true;
    }
    let letters_only = letters.bytes().all(|b| b.is_ascii_alphabetic());
    let case_ok = letters[1..].bytes().all(|b| b.is_ascii_lowercase())
        || letters.bytes().all(|b| b.is_ascii_uppercase());
    // Two capitals are an acronym (`AB`, `NS`); other two-letter fragments must be common words.
    let acronym = letters.bytes().all(|b| b.is_ascii_uppercase());
    let short_ok = letters.len() != 2
        || acronym
        || SHORT_WORDS.contains(&letters.to_ascii_lowercase().as_str());
    letters_only && letters.len() >= 2 && case_ok && digits <= 2 && short_ok
}

fn has_vowel(word: &str) -> bool {
    word.bytes().any(|b| b"aeiouyAEIOUY".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::reads_as_words;

    #[test]
    fn identifiers_and_headers_read_as_words() {
        for value in [
            "Access-Control-Allow-Headers",
            "oldLen=oldTokens.length",
            "pkcs-9-at-pkcs15Token",
            "id-aa-timeStampToken",
            "user_password_confirmation",
            "proc_macro::TokenStream",
            "displayRef-name",
            "localhost",
            "HTTPPasswordMgrWithDefaultRealm",
            "this_is_just_a_preview_token",
            "exports.X509AuthorityKeyIDExtension",
            "ABPeoplePickerNavigationController",
            "MY_SECRET_KEY",
        ] {
            assert!(reads_as_words(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn random_values_do_not() {
        let mut misses = 0;
        for seed in 0..500 {
            let value = crate::fake::expand("{alnum:20}", seed).unwrap();
            if reads_as_words(value.as_bytes()) {
                eprintln!("{value}");
                misses += 1;
            }
        }
        assert!(misses <= 2, "{misses} random values read as words");
        for value in ["Tr0ub4dor&3xQ", "hunter2hunter2", "s3cr3t-P4ssw0rd!"] {
            assert!(!reads_as_words(value.as_bytes()), "{value}");
        }
    }
}
