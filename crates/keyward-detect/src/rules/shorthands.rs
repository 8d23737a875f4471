//! Token boundaries and the name-to-value glue, shared by the rule files (see
//! [`super::schema::RuleSpec::regex`]). The build script includes this file too, to parse the
//! built-in patterns exactly as a run would.

/// A token's left boundary.
const START: &str = r"(?:^|\\[nrt]|[^A-Za-z0-9])";
/// A token's right boundary.
const END: &str = r"(?:[^A-Za-z0-9_\-]|$)";
/// What lies between a name and its value.
const ASSIGN: &str = r#"[\w.\-]*?(?:\\?["'`\]])*[ \t]*(?::=|=>|=|:|,|\(|[ \t])[ \t]*(?:[A-Za-z_]{1,20}(?:\(|=)[ \t]*)?(?:\\?["'`])?"#;

/// `regex` with `{START}`, `{END}` and `{ASSIGN}` replaced.
pub fn expand_shorthands(regex: &str) -> String {
    if !regex.contains("{START}") && !regex.contains("{END}") && !regex.contains("{ASSIGN}") {
        return regex.to_owned();
    }
    regex
        .replace("{START}", START)
        .replace("{END}", END)
        .replace("{ASSIGN}", ASSIGN)
}
