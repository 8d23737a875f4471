//! Which lines of a file are added: the detector's input beside the file's bytes.
//!
//! The detector does not diff. Whoever feeds it works out the added lines (keyward's git sources
//! diff blobs exactly as `git diff --cached` does; an editor knows what was typed) and passes
//! them as line ranges, or [`AddedLines::all`] for a whole file. A finding is reported only when
//! it overlaps an added line, so a commit is judged by what it adds.

use std::ops::Range;

/// A run of consecutive added lines of one file: what the detector searches.
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    /// The lines' bytes, terminators included.
    pub bytes: &'a [u8],
    /// The 1-based number of the first line.
    pub first_line: u32,
}

/// The added lines of one file's new content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedLines(Kind);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A new file: every line.
    All,
    /// 0-based, sorted, non-adjacent line ranges.
    Ranges(Vec<Range<u32>>),
}

impl AddedLines {
    /// Every line is added (a new file, or a file whose old side cannot be diffed).
    pub fn all() -> AddedLines {
        AddedLines(Kind::All)
    }

    /// The given 0-based, end-exclusive line ranges are added (in any order; overlapping and
    /// adjacent ranges are merged, empty ones dropped).
    ///
    /// ```
    /// use keyward_detect::AddedLines;
    /// let added = AddedLines::from_ranges(vec![3..4, 0..1, 1..2]);
    /// let lines: Vec<u32> = added.lines(b"a\nb\nc\nd\n").iter().map(|(n, _)| *n).collect();
    /// assert_eq!(lines, [1, 2, 4]);
    /// ```
    pub fn from_ranges(mut ranges: Vec<Range<u32>>) -> AddedLines {
        ranges.retain(|r| r.start < r.end);
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<u32>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if last.end >= r.start => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        AddedLines(Kind::Ranges(merged))
    }

    /// The lines added in both `self` and `other` (of the same new file): what a merge adds
    /// against every one of its parents, which is what it introduces itself.
    ///
    /// ```
    /// use keyward_detect::AddedLines;
    /// let first = AddedLines::from_ranges(vec![0..3]);
    /// let second = AddedLines::from_ranges(vec![2..5]);
    /// assert_eq!(first.intersect(&second), AddedLines::from_ranges(vec![2..3]));
    /// assert_eq!(AddedLines::all().intersect(&second), second);
    /// ```
    pub fn intersect(&self, other: &AddedLines) -> AddedLines {
        let (a, b) = match (&self.0, &other.0) {
            (Kind::All, _) => return other.clone(),
            (_, Kind::All) => return self.clone(),
            (Kind::Ranges(a), Kind::Ranges(b)) => (a, b),
        };
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < a.len() && j < b.len() {
            let start = a[i].start.max(b[j].start);
            let end = a[i].end.min(b[j].end);
            if start < end {
                out.push(start..end);
            }
            if a[i].end < b[j].end {
                i += 1;
            } else {
                j += 1;
            }
        }
        AddedLines::from_ranges(out)
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Kind::Ranges(r) if r.is_empty())
    }

    /// Whether every line counts as added.
    pub fn is_all(&self) -> bool {
        matches!(self.0, Kind::All)
    }

    /// The runs of added lines as byte slices of `content`, with their first line number.
    pub fn chunks<'a>(&self, content: &'a [u8]) -> Vec<Chunk<'a>> {
        match &self.0 {
            Kind::All if content.is_empty() => Vec::new(),
            Kind::All => vec![Chunk {
                bytes: content,
                first_line: 1,
            }],
            Kind::Ranges(ranges) if ranges.is_empty() => Vec::new(),
            Kind::Ranges(ranges) => {
                let starts = line_starts(content);
                let offset =
                    |line: u32| starts.get(line as usize).copied().unwrap_or(content.len());
                ranges
                    .iter()
                    .map(|r| Chunk {
                        bytes: &content[offset(r.start)..offset(r.end)],
                        first_line: r.start + 1,
                    })
                    .collect()
            }
        }
    }

    /// Each added line: its 1-based number and its bytes without the `\n` (a `\r` stays, as in
    /// git's output).
    pub fn lines<'a>(&self, content: &'a [u8]) -> Vec<(u32, &'a [u8])> {
        let mut out = Vec::new();
        for chunk in self.chunks(content) {
            let text = chunk.bytes.strip_suffix(b"\n").unwrap_or(chunk.bytes);
            out.extend((chunk.first_line..).zip(text.split(|&b| b == b'\n')));
        }
        out
    }

    /// Whether any line from `first` to `last` (1-based, inclusive) is added.
    pub fn overlaps(&self, first: u32, last: u32) -> bool {
        match &self.0 {
            Kind::All => true,
            Kind::Ranges(ranges) => {
                // 0-based, end-exclusive ranges, sorted: the last one starting at or before
                // `last` is the only candidate.
                let at = ranges.partition_point(|r| r.start < last);
                at > 0 && ranges[at - 1].end >= first
            }
        }
    }

    /// The runs of added lines widened by `context` lines each way (merged where they meet),
    /// as chunks of `content`: what multi-line rules see around a change.
    pub fn context_chunks<'a>(&self, content: &'a [u8], context: u32) -> Vec<Chunk<'a>> {
        let Kind::Ranges(ranges) = &self.0 else {
            return self.chunks(content);
        };
        let widened: Vec<Range<u32>> = ranges
            .iter()
            .map(|r| r.start.saturating_sub(context)..r.end.saturating_add(context))
            .collect();
        AddedLines::from_ranges(widened).chunks(content)
    }

    /// How many lines are added.
    pub fn count(&self, content: &[u8]) -> usize {
        match &self.0 {
            Kind::All => line_count(content),
            Kind::Ranges(r) => r.iter().map(|r| (r.end - r.start) as usize).sum(),
        }
    }
}

/// Lines as git counts them: a last line without `\n` still counts.
pub fn line_count(content: &[u8]) -> usize {
    let newlines = memchr::memchr_iter(b'\n', content).count();
    newlines + usize::from(!content.is_empty() && !content.ends_with(b"\n"))
}

fn line_starts(content: &[u8]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(content.len() / 32 + 1);
    starts.push(0);
    starts.extend(memchr::memchr_iter(b'\n', content).map(|p| p + 1));
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lines_of_a_new_file() {
        let all = AddedLines::all();
        assert_eq!(all.lines(b"x\ny").len(), 2);
        assert_eq!(all.count(b"x\ny"), 2);
        assert!(all.chunks(b"").is_empty());
    }

    #[test]
    fn ranges_are_merged_and_counted() {
        let added = AddedLines::from_ranges(vec![2..3, 0..1, 1..2, 5..5]);
        assert_eq!(added.count(b"a\nb\nc\nd\n"), 3);
        assert_eq!(added.chunks(b"a\nb\nc\nd\n").len(), 1);
        assert!(AddedLines::from_ranges(Vec::new()).is_empty());
    }
}
