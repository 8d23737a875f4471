//! Prints what each built-in rule costs to build and to search, most expensive first:
//! `cargo run --release -p keyward-detect --example rule_cost [FILE]`.
//!
//! A hook run compiles only the rules whose keywords occur, so one rule that takes
//! milliseconds to build costs every commit that mentions its keyword. FILE (default: this
//! example's own source) is searched whole by each rule's full regex.

use std::sync::atomic::AtomicUsize;
use std::time::Instant;

use keyward_detect::rules::Ruleset;

fn main() {
    let text = match std::env::args().nth(1) {
        Some(path) => std::fs::read(&path).expect("readable file"),
        None => include_bytes!("rule_cost.rs").to_vec(),
    };
    let ruleset = Ruleset::builtin().expect("built-in rules load");
    let counter = AtomicUsize::new(0);
    let mut rows = Vec::new();
    for index in 0..ruleset.len() {
        let rule = ruleset.rule(index);
        let t = Instant::now();
        let backtracker = rule.backtracker(&counter).expect("compiles");
        let build_backtracker = t.elapsed();
        let t = Instant::now();
        let regex = rule.regex(&counter, false).expect("compiles");
        let build_regex = t.elapsed();
        let t = Instant::now();
        let found = regex.find_iter(&text).count();
        let search = t.elapsed();
        rows.push((
            build_backtracker + build_regex + search,
            format!(
                "{:<50} backtracker {:>8.3} ms (haystack ≤ {:>6} B)  regex {:>8.3} ms  search {:>8.3} ms  matches {}",
                rule.id(),
                build_backtracker.as_secs_f64() * 1e3,
                backtracker.max_haystack_len(),
                build_regex.as_secs_f64() * 1e3,
                search.as_secs_f64() * 1e3,
                found
            ),
        ));
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    let total: f64 = rows.iter().map(|r| r.0.as_secs_f64()).sum();
    println!("{} rules, {:.1} ms in all", rows.len(), total * 1e3);
    for (_, row) in rows {
        println!("{row}");
    }
}
