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

/// Names of pagination cursors (`nextToken`, `page_token`): an API hands them out to page
/// through results; they grant nothing.
const PAGINATION_NAMES: [&[u8]; 10] = [
    b"nexttoken",
    b"next_token",
    b"previoustoken",
    b"prevtoken",
    b"prev_token",
    b"previous_token",
    b"pagetoken",
    b"page_token",
    b"continuationtoken",
    b"continuation_token",
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
/// `whole` is the rule's whole match (name and value), `line` the line holding it, `around`
/// the text a few lines either side.
pub(super) fn generic_stand_in(
    path: &[u8],
    secret: &[u8],
    whole: &[u8],
    line: &[u8],
    around: &[u8],
) -> bool {
    if is_requirement(secret) || is_plain_url_or_reference(secret) {
        return true;
    }
    let name = name_of(secret, whole).to_ascii_lowercase();
    let names = |words: &[&[u8]]| {
        words
            .iter()
            .any(|w| memchr::memmem::find(&name, w).is_some())
    };
    let names_a_password = names(&[b"pass", b"pwd"]);
    is_public_by_design(secret, line, around)
        || (names(&[b"apikey", b"api_key"]) && is_search_config(path, around))
        || names(&[b"public", b"publishable"])
        || names(&FIXTURE_NAMES)
        || names(&PAGINATION_NAMES)
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
/// an Algolia search key with its `appId` and `indexName` in the lines `around` it (a
/// DocSearch config, whose key is search-only and meant for the browser).
fn is_public_by_design(secret: &[u8], line: &[u8], around: &[u8]) -> bool {
    let has = |text: &[u8]| memchr::memmem::find(line, text).is_some();
    let near = |text: &[u8]| memchr::memmem::find(around, text).is_some();
    PUBLIC_PREFIXES.iter().any(|p| secret.starts_with(p))
        || (near(b"appId") && near(b"indexName"))
        // A Firebase Storage download link's token: made to be published with the file.
        || (has(b"firebasestorage.googleapis.com") && has(b"alt=media"))
}

/// A docs site's search config (Docusaurus, VitePress, VuePress, or an `indexName` beside
/// Algolia or DocSearch): its `apiKey` is Algolia's search-only key, which the site sends to
/// every visitor. An `ALGOLIA_API_KEY` alone may be the admin key, and stays reported.
fn is_search_config(path: &[u8], around: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit(|&b| b == b'/').next().unwrap_or(&lower);
    let around = around.to_ascii_lowercase();
    name.starts_with(b"docusaurus.config.")
        || memchr::memmem::find(&lower, b".vitepress/config.").is_some()
        || memchr::memmem::find(&lower, b".vuepress/config.").is_some()
        || (memchr::memmem::find(&around, b"indexname").is_some()
            && (memchr::memmem::find(&around, b"algolia").is_some()
                || memchr::memmem::find(&around, b"docsearch").is_some()))
}

/// Firebase's app config files (`GoogleService-Info.plist`, `google-services.json`): their
/// Google API key identifies the app to Firebase and ships inside it, by Firebase's design;
/// the project's security rules, not the key, guard the data.
pub(super) fn is_firebase_config(path: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit(|&b| b == b'/').next().unwrap_or(&lower);
    (name.starts_with(b"googleservice-info") && name.ends_with(b".plist"))
        || (memchr::memmem::find(name, b"google-services").is_some() && name.ends_with(b".json"))
}

/// Generated files whose text generic rules cannot read as assignments: a docs search index
/// (`searchindex.js`, one line of array elements), minified bundles and source maps, built
/// docs, test snapshots; and translation catalogues, whose values are UI text under names
/// like `PASSWORD_LABEL`. Provider rules still read them: a real token there is still found.
pub(super) fn skips_path(path: &[u8]) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit(|&b| b == b'/').next().unwrap_or(&lower);
    let ends = |suffix: &[u8]| name.ends_with(suffix);
    let within =
        |dir: &[u8]| lower.starts_with(&dir[1..]) || memchr::memmem::find(&lower, dir).is_some();
    name == b"searchindex.js"
        || ends(b".min.js")
        || ends(b".min.css")
        || ends(b".js.map")
        || ends(b".css.map")
        || ends(b".snap")
        || ends(b".po")
        || ends(b".pot")
        || ends(b".xlf")
        || ends(b".xliff")
        || ends(b".arb")
        || ends(b".strings")
        || ends(b".stringsdict")
        || within(b"/_build/html/")
        || within(b"/build/html/")
        || within(b"/__snapshots__/")
        || within(b"/locales/")
        || within(b"/locale/")
        || within(b"/i18n/")
        || within(b"/l10n/")
        || within(b"/translations/")
        || within(b"/lang/")
        || memchr::memmem::find(&lower, b".lproj/").is_some()
}

/// A package requirement (`certifi==2026.5.20`, `django>=4.2`): a version pin under a name
/// that happens to contain `token` (`tiktoken`), not a value.
fn is_requirement(secret: &[u8]) -> bool {
    [&b"=="[..], b">=", b"<=", b"~=", b"!="].iter().any(|op| {
        memchr::memmem::find(secret, op).is_some_and(|at| {
            at > 0
                && secret[..at].iter().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'[' | b']')
                })
                && is_version(&secret[at + 2..])
        })
    })
}

/// `4.2`, `2026.5.20`, `1.0.0rc1`: a digit first and a dot within.
fn is_version(text: &[u8]) -> bool {
    text.first().is_some_and(u8::is_ascii_digit)
        && text.contains(&b'.')
        && text
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
}

/// A URL without credentials (`NEXTAUTH_URL=http://localhost:3000`) or a reference to
/// another variable (`$TOKEN`, `${TOKEN}`, `%TOKEN%`): where the value comes from, not the
/// value. A URL with `user:password@` is judged by the URL rules.
pub(super) fn is_plain_url_or_reference(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    if let Some(rest) = lower
        .strip_prefix(b"https://")
        .or_else(|| lower.strip_prefix(b"http://"))
    {
        let authority = rest.split(|&b| b == b'/').next().unwrap_or(rest);
        return !authority.contains(&b'@') && !lower.contains(&b'?');
    }
    secret.starts_with(b"$") || (secret.starts_with(b"%") && secret.ends_with(b"%"))
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
    fn requirements_urls_references_and_generated_paths() {
        assert!(is_requirement(b"certifi==2026.5.20"));
        assert!(is_requirement(b"django>=4.2"));
        assert!(!is_requirement(b"dGVzdA==9f8e"));
        assert!(!is_requirement(b"Zq8Rw2Lm5Xv9Tp3Kd7=="));
        assert!(is_plain_url_or_reference(b"http://localhost:3000"));
        assert!(is_plain_url_or_reference(b"${API_TOKEN}"));
        let with_password = b"https://user:Zq8Rw2Lm5X@db.acme.io"; // keyward:allow
        assert!(!is_plain_url_or_reference(with_password));
        assert!(!is_plain_url_or_reference(
            b"https://hooks.acme.io/x?token=Zq8Rw2Lm5X"
        ));
        assert!(skips_path(b"docs/build/html/searchindex.js"));
        assert!(skips_path(b"web/dist/app.min.js"));
        assert!(skips_path(b"src/locales/da/translation.json"));
        assert!(skips_path(b"App/da.lproj/Localizable.strings"));
        assert!(!skips_path(b"src/settings.py"));
        assert!(!skips_path(b".env"));
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
