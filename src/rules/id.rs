//! `RuleId`: the checked name of a rule, so that ids never drive behaviour as loose strings.

use std::fmt;

/// A rule's identifier: lowercase ASCII letters, digits and single hyphens, starting with a
/// letter (`openai-api-key`). Gitleaks ids are the same shape, so a `.gitleaks.toml` maps 1:1.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(String);

impl RuleId {
    /// Checks `id` and wraps it; the error says what is wrong with it.
    pub fn new(id: &str) -> Result<Self, String> {
        let ok_chars = id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let starts_with_letter = id.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        if !ok_chars || !starts_with_letter || id.ends_with('-') || id.contains("--") {
            return Err(format!(
                "rule id {id:?} must be kebab-case: lowercase letters, digits and single hyphens, starting with a letter"
            ));
        }
        Ok(RuleId(id.to_owned()))
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
    fn accepts_kebab_case_and_rejects_the_rest() {
        assert!(RuleId::new("openai-api-key").is_ok());
        assert!(RuleId::new("aws-access-key-id2").is_ok());
        for bad in ["", "OpenAI", "open_ai", "-x", "x-", "a--b", "1abc"] {
            assert!(RuleId::new(bad).is_err(), "{bad}");
        }
    }
}
