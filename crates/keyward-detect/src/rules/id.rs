//! `RuleId`: the checked name of a rule, so that ids never drive behaviour as loose strings.

use std::fmt;

/// A rule's identifier. Built-in ids are kebab-case (`openai-api-key`, see [`RuleId::is_kebab`]);
/// a user's may be any ASCII letters, digits, `-`, `_` and `.`, as gitleaks configs in the wild
/// use all of them. Never `:`, which separates the parts of a fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(String);

impl RuleId {
    /// Checks `id` and wraps it; the error says what is wrong with it.
    pub fn new(id: &str) -> Result<Self, String> {
        let ok_chars = id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if id.is_empty() || id.len() > 128 || !ok_chars {
            return Err(format!(
                "rule id {id:?} must be 1 to 128 ASCII letters, digits, `-`, `_` or `.`"
            ));
        }
        Ok(RuleId(id.to_owned()))
    }

    /// Whether the id is kebab-case (lowercase letters, digits and single hyphens, starting
    /// with a letter), as every built-in id is.
    pub fn is_kebab(&self) -> bool {
        let id = &self.0;
        id.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && id.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && !id.ends_with('-')
            && !id.contains("--")
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::RuleId;

    #[test]
    fn accepts_gitleaks_style_ids_and_knows_kebab_case() {
        assert!(RuleId::new("openai-api-key").unwrap().is_kebab());
        assert!(RuleId::new("aws-access-key-id2").unwrap().is_kebab());
        for loose in ["OpenAI", "open_ai", "-x", "x-", "a--b", "1abc", "my.rule"] {
            assert!(!RuleId::new(loose).unwrap().is_kebab(), "{loose}");
        }
        for bad in ["", "a:b", "a b", "ключ"] {
            assert!(RuleId::new(bad).is_err(), "{bad}");
        }
    }
}
