//! Binary detection, as git decides it: a NUL byte in the first 8,000 bytes.

/// How far git looks for a NUL (`FIRST_FEW_BYTES` in git's xdiff-interface.c).
const SNIFF_LEN: usize = 8000;

/// Whether git would treat `content` as binary. Decided on the *new* blob only: a file that was
/// binary in HEAD and is text now must still be scanned, or a placeholder could hide a secret.
pub fn is_binary(content: &[u8]) -> bool {
    memchr::memchr(0, &content[..content.len().min(SNIFF_LEN)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::is_binary;

    #[test]
    fn nul_within_the_first_8000_bytes_only() {
        assert!(is_binary(b"ab\0cd"));
        let mut late = vec![b'a'; 9000];
        late[8500] = 0;
        assert!(!is_binary(&late));
    }
}
