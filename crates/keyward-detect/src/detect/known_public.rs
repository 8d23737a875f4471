//! Values published as examples or public by design, which every reader of the docs has: the
//! Firebase SDK samples' Google API keys (Firebase web and Android keys are public
//! identifiers, restricted by the project's security rules) and a search-only key from a
//! package manager's documentation, and the reCAPTCHA test secret Google publishes for
//! automated tests (it passes every verification, by design), and the OAuth client secret of
//! the Google Cloud SDK's installed-app client, which the SDK ships in its source (Google calls
//! such secrets not secret: an installed app cannot keep one); the jwt.io sample token, the
//! RFC 4226/6238 one-time-password test seed (hex and base32) and Grafana's shipped default
//! `secret_key`. Kept as SHA-256 digests, so the repository carries no key
//! string. gitleaks allowlists the same values (its `gcp.go` and generic stopwords).

use sha2::{Digest, Sha256};

/// SHA-256 (hex) of each value, sorted.
const DIGESTS: &[&str] = &[
    "0b476bdf9acf2123d547b5ae76f1e59884d8ec9553ee0c47e9f31fd4768f3f3c",
    "2037abcaffb2b77785da716cf7ccff4ff4d00c4ea930db0167b7d71f50af7eb4",
    "27a9a42931dff7eb2f8434e20a9bce976ea364e7bee49187f19d5cfeca9c7045",
    "2f21fd9c81678e396751af8b2472e2bd209ff5ce38da144052fb6c024485982f",
    "37f8f09bdf12c2f2eae4ead7273a62ddb0c23459cbf902892f282b57f7ed6619",
    "3a8b61d0f636b007840c0d40ba12bcf48465dc054cdc1a68704a33521d84b665",
    "3f370c9dd8225c63b5c77de1f785edc9712958f18bb612d5fa2e0ae33aeca682",
    "49f777db995e8260da7ca9ffdf0c08d66f0453e97ec967018baf2cdfe3b582d0",
    "4c98242dcadc8b29005c6b4aad526552d5ea1842149154c0694adeec75847583",
    "549c9390539efcfa01d2744e82e7da34409a63dd0feaf310f7a6e12551fe7668",
    "7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606",
    "8731261cb72d86267a32a532ebd3df429e2144e5e4ced7e13568bc9e6c8fb1b1",
    "a19f89ab3555eac10c40741f6df79ecf0935998f15569f8db9d67bce0181fff6",
    "a6c814bc555ae62c7bd8b58ec07bf559c7ed3a009976a1e0acc9cef0d4473b41",
    "a6e62ea24f40b9374f80fd9fe7b16efda44d1d23db503f9239f97c1393232c19",
    "dc0fcf046c61640cbd1e8b999ada3262d722c2ca4bf42dceac999020ffdbb614",
    "e4a5542bb7fd7b67e943c71ad29c34b5972c9840597e7eda53e666f44d5da0b9",
    "ea9bb1082cf95663f5faca23b8b15ef2aa0fce0a5c6df9c32dcb85b2e0a4513d",
    "eb540d2b6ee2a0a47c5779bc8a0141784c6b753840d4c6f4e2428a6e86e9e0b1",
    "f0386f9be1fe905fb2f97a8daff11a9baa9988ceca7c2ecae4aec8db182db1b4",
    "f3c3964ca854e172366f81d8bdb327da487c2f8a15f954b116e28961dd6585c0",
    "f5e95c9954635b65acab57e6d5ea663eb900f06dc8794a90358f5abb1c77d4e0",
];

/// Whether `secret` is one of the published example values, or a token the Supabase CLI signs
/// for every local stack (`"iss":"supabase-demo"`: the same keys on every developer's machine,
/// printed by `supabase start` and in its docs).
pub fn is_known_public(secret: &[u8]) -> bool {
    // Every listed value is 20 to 160 bytes: most candidates are not hashed at all.
    ((20..=160).contains(&secret.len()) && listed(DIGESTS, secret)) || is_demo_jwt(secret)
}

/// The claims of JWT libraries' test vectors and of jwt.io's sample, and their values.
const DEMO_CLAIMS: [&str; 9] = [
    "sub", "name", "iat", "exp", "nbf", "hello", "foo", "test", "data",
];
const DEMO_VALUES: [&str; 8] = [
    "1234567890",
    "john doe",
    "test",
    "world",
    "bar",
    "hello",
    "foo",
    "demo",
];

/// A JWT that stands for a demo: the Supabase CLI's local keys (`"iss":"supabase-demo"`, the
/// same on every developer's machine, printed by `supabase start` and in its docs), or a test
/// vector whose claims are all demo claims with a demo word among their values (`{"name":
/// "test"}`, `{"hello": "world"}`, jwt.io's `{"sub": "1234567890", "name": "John Doe"}`).
fn is_demo_jwt(secret: &[u8]) -> bool {
    use base64::Engine as _;
    if !secret.starts_with(b"eyJ") {
        return false;
    }
    let Some(payload) = secret.split(|&b| b == b'.').nth(1) else {
        return false;
    };
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let trimmed: Vec<u8> = payload.iter().copied().filter(|&b| b != b'=').collect();
    let Ok(decoded) = engine.decode(trimmed) else {
        return false;
    };
    let Ok(serde_json::Value::Object(claims)) = serde_json::from_slice(&decoded) else {
        return false;
    };
    if claims.get("iss").and_then(|v| v.as_str()) == Some("supabase-demo") {
        return true;
    }
    let demo_word = |v: &serde_json::Value| {
        v.as_str()
            .is_some_and(|s| DEMO_VALUES.contains(&s.to_ascii_lowercase().as_str()))
    };
    claims.keys().all(|k| DEMO_CLAIMS.contains(&k.as_str()))
        && claims.values().all(|v| v.is_number() || demo_word(v))
        && claims.values().any(demo_word)
}

fn listed(digests: &[&str], secret: &[u8]) -> bool {
    let digest = Sha256::digest(secret);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    digests.binary_search(&hex.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_with_only_demo_claims_are_test_vectors() {
        use base64::Engine as _;
        let jwt = |claims: &str| {
            let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            format!(
                "{}.{}.{}",
                e.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
                e.encode(claims),
                e.encode("signature-bytes-of-this-test")
            )
        };
        let demo = |claims: &str| is_demo_jwt(jwt(claims).as_bytes());
        assert!(demo(r#"{"name":"test"}"#));
        assert!(demo(r#"{"hello":"world","exp":123}"#));
        assert!(demo(r#"{"iss":"supabase-demo","role":"anon"}"#));
        assert!(demo(
            r#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#
        ));
        assert!(!demo(r#"{"sub":"u_81f3","iss":"https://auth.acme.io"}"#));
        assert!(!demo(r#"{"role":"service_role","exp":1900000000}"#));
        assert!(!demo(r#"{"exp":1589585563}"#));
        assert!(!demo(r#"{"loggedInAs":"admin","iat":1422779638}"#));
    }

    #[test]
    fn the_list_is_sorted_hex_digests() {
        assert!(DIGESTS.windows(2).all(|w| w[0] < w[1]));
        assert!(DIGESTS
            .iter()
            .all(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit())));
    }

    #[test]
    fn a_listed_value_is_known_and_others_are_not() {
        let value = b"AIzaSyD-a-value-made-for-this-test-0123"; // keyward:allow
        let digest: String = Sha256::digest(value)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let list = [digest.as_str()];
        assert!(listed(&list, value));
        assert!(!listed(&list, b"AIzaSyD-another-value-made-for-a-test-99")); // keyward:allow
        assert!(!is_known_public(value));
    }
}
