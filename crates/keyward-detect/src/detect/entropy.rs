//! Shannon entropy: random keys score high, words and repeated characters low.

/// Bits of entropy per byte of `bytes` (0 for empty input, at most 8).
pub fn shannon(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::shannon;

    #[test]
    fn random_text_scores_higher_than_words() {
        assert_eq!(shannon(b"aaaaaaaa"), 0.0);
        assert!(shannon(b"passwordpassword") < 3.0);
        let key = crate::fake::expand("{alnum:40}", 5).unwrap();
        assert!(shannon(key.as_bytes()) > 4.5);
    }
}
