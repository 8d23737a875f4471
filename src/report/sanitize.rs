//! Terminal safety: staged content and file names must not be able to drive the user's terminal.

/// Makes `text` safe to print: control characters (escape sequences, carriage returns,
/// newlines), C1 controls and bidirectional overrides become visible `\u{..}` escapes; tabs
/// become one space so columns stay aligned.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if keyward_detect::finding::is_unprintable(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// A path made safe to print ([`sanitize`]); bytes that are not UTF-8 show as `\x..` escapes.
pub fn path_for_terminal(path: &std::path::Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    bytes_for_terminal(path.as_os_str().as_bytes())
}

/// Bytes made safe to print: valid UTF-8 through [`sanitize`], other bytes as `\x..` escapes
/// (not U+FFFD, so two different names never print the same).
pub fn bytes_for_terminal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&sanitize(chunk.valid()));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(sanitize("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(sanitize("x\ny"), "x\\u{a}y");
        assert_eq!(sanitize("\u{202e}abc"), "\\u{202e}abc");
        assert_eq!(sanitize("tab\there"), "tab here");
    }
}
