//! The added-line computation: any two byte strings (split at the first 0xFF byte into the old
//! and the new file) give line numbers inside the new file, each line's text is the new file's
//! line, and identical files add nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let old = &data[..split];
    let new = data.get(split + 1..).unwrap_or(&[]);
    let added = keyward::source::added_lines(old, new);
    let total = keyward::source::line_count(new);
    let mut previous = 0;
    for (number, text) in added.lines(new) {
        assert!(number > previous && number as usize <= total, "line {number} of {total}");
        assert!(!text.contains(&b'\n'));
        previous = number;
    }
    assert_eq!(added.count(new), added.lines(new).len());
    assert!(keyward::source::added_lines(new, new).is_empty());
});
