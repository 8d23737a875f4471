//! Token checksums: a token whose checksum is wrong is an example or a typo, not a live key.

/// A checksum scheme a token format carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// GitHub's `gh?_` tokens: 30 random base62 characters, then the CRC32 of them as six
    /// base62 digits.
    GithubCrc32,
    /// npm's `npm_` tokens: the same scheme as GitHub's.
    NpmCrc32,
    /// A JSON Web Token that is really signed: its header and payload decode to JSON objects
    /// and the header names an algorithm other than `none` (unsigned examples are not secrets),
    /// and it is not a public `anon` role key.
    Jwt,
}

impl Checksum {
    /// The scheme named in a rule's `checksum` field.
    pub fn from_name(name: &str) -> Option<Checksum> {
        match name {
            "github-crc32" => Some(Checksum::GithubCrc32),
            "npm-crc32" => Some(Checksum::NpmCrc32),
            "jwt" => Some(Checksum::Jwt),
            _ => None,
        }
    }

    /// Whether `token` (the whole token, prefix included) carries a valid checksum.
    pub fn verify(self, token: &[u8]) -> bool {
        match self {
            Checksum::GithubCrc32 | Checksum::NpmCrc32 => base62_crc32_suffix(token),
            Checksum::Jwt => signed_jwt(token),
        }
    }
}

fn signed_jwt(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let json = |part: &[u8]| {
        super::decode::base64url(part)
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .filter(serde_json::Value::is_object)
    };
    let (Some(header), Some(payload)) = (json(header), json(payload)) else {
        return false;
    };
    let alg = header.get("alg").and_then(|a| a.as_str()).unwrap_or("none");
    // Supabase's anon key is a JWT made to be public (row-level security guards the data).
    let public = payload.get("role").and_then(|r| r.as_str()) == Some("anon");
    !alg.eq_ignore_ascii_case("none") && !signature.is_empty() && !public
}

/// The last six bytes are the base62 CRC32 of the 30 bytes before them.
fn base62_crc32_suffix(token: &[u8]) -> bool {
    let Some(start) = token.iter().position(|&b| b == b'_').map(|p| p + 1) else {
        return false;
    };
    let body = &token[start..];
    if body.len() != 36 {
        return false;
    }
    let (random, check) = body.split_at(30);
    crate::fake::base62_6(crc32fast::hash(random)).as_bytes() == check
}

#[cfg(test)]
mod tests {
    use super::Checksum;

    #[test]
    fn valid_and_broken_github_checksums() {
        let good = crate::fake::expand("ghp_{alnum:30}{crc32-base62}", 11).unwrap();
        assert!(Checksum::GithubCrc32.verify(good.as_bytes()));
        let mut bad = good.into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        assert!(!Checksum::GithubCrc32.verify(&bad));
        assert!(!Checksum::GithubCrc32.verify(b"ghp_EXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE"));
    }
}
