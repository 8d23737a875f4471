//! What generic rules (a name that sounds secret, a value that looks random) must not report.
//! A provider rule knows its format; a generic rule knows only that a secret-sounding name holds
//! a random-looking value, so it also needs to know the values that look random and are not
//! secrets: keys public by design, fixtures, words, typed patterns.

use super::{placeholder, url_credentials};

/// Prefixes of keys their vendors publish on purpose (they ship in web pages and apps):
/// PostHog project keys, Stripe publishable keys, Clerk and Supabase-style publishable keys.
const PUBLIC_PREFIXES: [&[u8]; 5] = [
    b"phc_",
    b"pk_live_",
    b"pk_test_",
    b"sb_publishable_",
    b"pub-c-",
];

/// Calls of test doubles that put a value in place for one test (`mock.patch("stripe.api_key",
/// "…")`, `monkeypatch.setenv(…)`, `sinon.stub(…)`): what they set is a fixture.
const TEST_DOUBLES: [&[u8]; 8] = [
    b"mock.patch",
    b"mocker.patch",
    b"patch.object",
    b"patch.dict",
    b"monkeypatch.set",
    b"sinon.stub",
    b"jest.mock",
    b"instance_double",
];

/// A name that says the value is a test fixture (`nonMatchingToken`, `invalid_api_key`,
/// `mockSecret`); not `test`, since `TEST_API_KEY` holds real test-mode keys.
const FIXTURE_NAMES: [&[u8]; 9] = [
    b"nonmatching",
    b"non_matching",
    b"invalid",
    b"bogus",
    b"notreal",
    b"not_real",
    b"fake",
    b"dummy",
    b"mock",
];

/// Whether a value a generic rule matched is no secret: a key public by design, a value under
/// a name that says it is public (`publicApiKey`) or a fixture (`mockSecret`), or set by a test
/// double; text in another script than ASCII (UI strings under `*_KEY` names: keys are ASCII);
/// a password a person typed (`SecurePass123!`); a walk typed around other characters
/// (`aB1cD2eF3gH4…`); a value that spells its own name (`"privateKey": "0X-PRIVATE-KEY-…"`);
/// words run together under a key's name (`"secret-key": "nobodylikes…"`); a status badge's
/// token. The walk is judged for generic rules only: under a provider's prefix it would also
/// drop hand-made examples that stand for real keys.
///
/// `whole` is the rule's whole match (name and value), `line` the line holding it.
pub(super) fn generic_stand_in(secret: &[u8], whole: &[u8], line: &[u8]) -> bool {
    let name = name_of(secret, whole).to_ascii_lowercase();
    let names = |words: &[&[u8]]| {
        words
            .iter()
            .any(|w| memchr::memmem::find(&name, w).is_some())
    };
    let names_a_password = names(&[b"pass", b"pwd"]);
    is_public_by_design(secret, line)
        || names(&[b"public", b"publishable"])
        || names(&FIXTURE_NAMES)
        || set_by_a_test_double(line)
        || !secret.is_ascii()
        || url_credentials::is_typed_password(secret)
        || placeholder::typed_walk(secret)
        || spells_its_name(&name, secret)
        || (!names_a_password && reads_as_prose(secret))
        || is_badge_token(secret, line)
}

/// The text of the match before the value: the name and the glue (`"privateKey": "`).
fn name_of<'a>(secret: &[u8], whole: &'a [u8]) -> &'a [u8] {
    match memchr::memmem::find(whole, secret) {
        Some(at) => &whole[..at],
        None => whole,
    }
}

/// Whether a value a generic rule matched is public by design: a publishable-key prefix, or
/// an Algolia search key beside its `appId` and `indexName` (a DocSearch config, whose key is
/// search-only and meant for the browser).
fn is_public_by_design(secret: &[u8], line: &[u8]) -> bool {
    PUBLIC_PREFIXES.iter().any(|p| secret.starts_with(p))
        || (memchr::memmem::find(line, b"appId").is_some()
            && memchr::memmem::find(line, b"indexName").is_some())
}

fn set_by_a_test_double(line: &[u8]) -> bool {
    TEST_DOUBLES
        .iter()
        .any(|call| memchr::memmem::find(line, call).is_some())
}

/// Letters and digits only, lower case.
fn folded(text: &[u8]) -> Vec<u8> {
    text.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(u8::to_ascii_lowercase)
        .collect()
}

/// Whether the value contains its own name, the last identifier before it, of six letters or
/// more once folded (`api_key = "my-api-key-here"`): a stand-in. A random key never spells the
/// variable that holds it.
fn spells_its_name(name: &[u8], secret: &[u8]) -> bool {
    let identifier = name
        .split(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
        .rfind(|part| part.iter().any(u8::is_ascii_alphabetic));
    let Some(identifier) = identifier else {
        return false;
    };
    let identifier = folded(identifier);
    identifier.len() >= 6 && memchr::memmem::find(&folded(secret), &identifier).is_some()
}

/// Lower-case letters only, 20 or more, with English's share of vowels (a, e, i, o, u: about
/// 19% of random lower-case letters, 37% of English; the threshold is 35%): words run together,
/// not a key. Not judged under a password's name, where a passphrase is a real secret.
fn reads_as_prose(secret: &[u8]) -> bool {
    secret.len() >= 20
        && secret.iter().all(u8::is_ascii_lowercase)
        && secret
            .iter()
            .filter(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u'))
            .count()
            * 100
            >= secret.len() * 35
}

/// A token in a status badge's image URL (`…/repo.svg?token=…`, Codecov's `badge.svg?token=`):
/// read-only, and made to be pasted into a README.
fn is_badge_token(secret: &[u8], line: &[u8]) -> bool {
    let Some(at) = memchr::memmem::find(line, secret) else {
        return false;
    };
    let before = &line[at.saturating_sub(64)..at];
    let Some(query) = memchr::memrchr(b'?', before) else {
        return false;
    };
    let path = before[..query].to_ascii_lowercase();
    path.ends_with(b".svg") || path.ends_with(b".png") || path.ends_with(b"/badge")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_that_spells_its_name_is_a_stand_in() {
        assert!(spells_its_name(
            b"\"privatekey\": \"",
            b"0X-PRIVATE-KEY-PRIVATE-KEY"
        ));
        assert!(spells_its_name(b"api_key = \"", b"my-api-key-here-123"));
        assert!(!spells_its_name(
            b"api_key = \"",
            b"9fQ2xLr7Vb1Kp8Zt4Wm6Yc3Hn5"
        ));
        // Short names are not judged: `key` occurs in random text by chance.
        assert!(!spells_its_name(b"key = \"", b"xkeyq9fQ2xLr7Vb1Kp8Zt4"));
    }

    #[test]
    fn words_run_together_read_as_prose_and_random_letters_do_not() {
        assert!(reads_as_prose(b"nobodyexpectsthespanishinquisition"));
        assert!(!reads_as_prose(b"qzxvbkwtrnmplhgfdsjcx"));
        // Random draws read as prose only rarely (the vowel share is a threshold).
        let prose = (0..300)
            .filter(|&seed| {
                let value = crate::fake::expand("{lower:32}", seed).unwrap();
                reads_as_prose(value.as_bytes())
            })
            .count();
        assert!(
            prose <= 6,
            "{prose} of 300 random lower-case values read as prose"
        );
    }

    #[test]
    fn badge_tokens_and_test_doubles() {
        let line =
            b"[![Build](https://travis-ci.com/acme/sdk.svg?token=9z5hnp59uHpbBp&branch=main)]";
        assert!(is_badge_token(b"9z5hnp59uHpbBp", line));
        assert!(!is_badge_token(
            b"9z5hnp59uHpbBp",
            b"https://api.acme.io/v1/items?token=9z5hnp59uHpbBp"
        ));
        assert!(set_by_a_test_double(
            b"    mocker.patch(\"stripe.api_key\", \"sk_test_Kx9Qw2\")"
        ));
        let assigned = b"stripe.api_key = \"sk_test_Kx9Qw2\""; // keyward:allow
        assert!(!set_by_a_test_double(assigned));
    }
}
