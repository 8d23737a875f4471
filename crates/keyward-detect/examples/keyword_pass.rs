//! Times the keyword pass (the prefilter's candidates) over a file, as a scan runs it:
//! `cargo run --release -p keyward-detect --example keyword_pass FILE`.

use std::time::Instant;

use keyward_detect::detect::Prefilter;
use keyward_detect::rules::Ruleset;

fn main() {
    let path = std::env::args().nth(1).expect("a file to search");
    let text = std::fs::read(&path).expect("readable file");
    let ruleset = Ruleset::builtin().expect("built-in rules load");
    let prefilter = Prefilter::new(&ruleset);
    let mut times = Vec::new();
    let mut candidates = 0;
    for _ in 0..7 {
        let start = Instant::now();
        candidates = prefilter.candidates(&text).len();
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{} bytes: median {:.2} ms ({:.2} ns/byte), {candidates} candidate rules",
        text.len(),
        times[3],
        times[3] * 1e6 / text.len() as f64
    );
}
