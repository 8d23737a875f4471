//! A compact binary form of a parsed pattern (regex-syntax's `Hir`), so the built-in rules'
//! patterns are parsed once, by the build script, instead of on every run.
//!
//! Parsing and translating a rule's pattern was over half the cost of compiling it (the parser
//! builds an AST, then a high-level IR, then drops the AST); decoding this form builds the IR
//! directly. The build script and the library both include this file, so the two ends cannot
//! drift apart; a test checks that every built-in rule decodes to exactly the IR its source
//! parses to. A form that does not decode (a different version wrote it) is ignored and the
//! source is parsed as before.

// The build script only encodes and the library only decodes.
#![allow(dead_code)]

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Look, Repetition,
};

const EMPTY: u8 = 0;
const LITERAL: u8 = 1;
const CLASS_BYTES: u8 = 2;
const CLASS_UNICODE: u8 = 3;
const LOOK: u8 = 4;
const REPETITION: u8 = 5;
const CAPTURE: u8 = 6;
const CONCAT: u8 = 7;
const ALTERNATION: u8 = 8;

/// Appends the binary form of `hir` to `out`.
pub fn encode(hir: &Hir, out: &mut Vec<u8>) {
    match hir.kind() {
        HirKind::Empty => out.push(EMPTY),
        HirKind::Literal(literal) => {
            out.push(LITERAL);
            bytes(&literal.0, out);
        }
        HirKind::Class(Class::Bytes(class)) => {
            out.push(CLASS_BYTES);
            number(class.ranges().len(), out);
            for range in class.iter() {
                out.extend([range.start(), range.end()]);
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            out.push(CLASS_UNICODE);
            number(class.ranges().len(), out);
            for range in class.iter() {
                number(range.start() as usize, out);
                number(range.end() as usize, out);
            }
        }
        HirKind::Look(look) => {
            out.push(LOOK);
            number(look.as_repr() as usize, out);
        }
        HirKind::Repetition(rep) => {
            out.push(REPETITION);
            number(rep.min as usize, out);
            number(rep.max.map_or(0, |max| max as usize + 1), out);
            out.push(u8::from(rep.greedy));
            encode(&rep.sub, out);
        }
        HirKind::Capture(capture) => {
            out.push(CAPTURE);
            number(capture.index as usize, out);
            match &capture.name {
                Some(name) => {
                    out.push(1);
                    bytes(name.as_bytes(), out);
                }
                None => out.push(0),
            }
            encode(&capture.sub, out);
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            out.push(if matches!(hir.kind(), HirKind::Concat(_)) {
                CONCAT
            } else {
                ALTERNATION
            });
            number(subs.len(), out);
            for sub in subs {
                encode(sub, out);
            }
        }
    }
}

/// The pattern `encoded` holds, if it is a well-formed encoding.
pub fn decode(encoded: &[u8]) -> Option<Hir> {
    let mut reader = Reader { rest: encoded };
    let hir = reader.hir(0)?;
    reader.rest.is_empty().then_some(hir)
}

/// How deep a decoded pattern may nest: regex-syntax's own default nesting limit.
const MAX_DEPTH: usize = 250;

fn number(mut n: usize, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn bytes(b: &[u8], out: &mut Vec<u8>) {
    number(b.len(), out);
    out.extend_from_slice(b);
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(first)
    }

    fn number(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for shift in (0..usize::BITS).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f).checked_shl(shift)?;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.number()?).ok()
    }

    fn bytes(&mut self) -> Option<&[u8]> {
        let len = self.number()?;
        if len > self.rest.len() {
            return None;
        }
        let (taken, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(taken)
    }

    fn hir(&mut self, depth: usize) -> Option<Hir> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match self.byte()? {
            EMPTY => Hir::empty(),
            LITERAL => Hir::literal(self.bytes()?),
            CLASS_BYTES => {
                let n = self.number()?;
                let mut ranges = Vec::with_capacity(n.min(256));
                for _ in 0..n {
                    ranges.push(ClassBytesRange::new(self.byte()?, self.byte()?));
                }
                Hir::class(Class::Bytes(ClassBytes::new(ranges)))
            }
            CLASS_UNICODE => {
                let n = self.number()?;
                let mut ranges = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    let start = char::from_u32(self.u32()?)?;
                    let end = char::from_u32(self.u32()?)?;
                    ranges.push(ClassUnicodeRange::new(start, end));
                }
                Hir::class(Class::Unicode(ClassUnicode::new(ranges)))
            }
            LOOK => Hir::look(Look::from_repr(self.u32()?)?),
            REPETITION => {
                let min = self.u32()?;
                let max = match self.u32()? {
                    0 => None,
                    n => Some(n - 1),
                };
                let greedy = self.byte()? != 0;
                let sub = Box::new(self.hir(depth + 1)?);
                Hir::repetition(Repetition {
                    min,
                    max,
                    greedy,
                    sub,
                })
            }
            CAPTURE => {
                let index = self.u32()?;
                let name = match self.byte()? {
                    0 => None,
                    _ => Some(std::str::from_utf8(self.bytes()?).ok()?.into()),
                };
                let sub = Box::new(self.hir(depth + 1)?);
                Hir::capture(Capture { index, name, sub })
            }
            tag @ (CONCAT | ALTERNATION) => {
                let n = self.number()?;
                let mut subs = Vec::with_capacity(n.min(self.rest.len()));
                for _ in 0..n {
                    subs.push(self.hir(depth + 1)?);
                }
                if tag == CONCAT {
                    Hir::concat(subs)
                } else {
                    Hir::alternation(subs)
                }
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    fn round_trip(pattern: &str, unicode: bool) {
        let config = regex_automata::util::syntax::Config::new()
            .unicode(unicode)
            .utf8(false);
        let hir = regex_automata::util::syntax::parse_with(pattern, &config).unwrap();
        let mut encoded = Vec::new();
        encode(&hir, &mut encoded);
        assert_eq!(decode(&encoded), Some(hir), "{pattern}");
        // A truncated or extended form is refused, not misread.
        assert_eq!(decode(&encoded[..encoded.len() - 1]), None, "{pattern}");
        encoded.push(0);
        assert_eq!(decode(&encoded), None, "{pattern}");
    }

    #[test]
    fn every_kind_of_pattern_survives_the_round_trip() {
        for pattern in [
            r"",
            r"abc",
            r"(?i)token[_-]?(?P<value>[a-z0-9]{20,40}?)\b",
            r"(?m)^\s*(?:a|bc|)$",
            r"x{3}y{2,}z*?w+",
            r"[^\x00-\x7f]|\B\A\z",
            r"(?s:.)(?:\r\n)",
        ] {
            round_trip(pattern, false);
        }
        round_trip(r"\p{L}{2,}é|(?i)straße", true);
    }

    #[test]
    fn garbage_does_not_decode() {
        for garbage in [
            &[][..],
            &[9],
            &[1, 200],
            &[5, 1, 1, 1],
            &[7, 255, 255, 255, 255, 255, 255],
        ] {
            assert_eq!(decode(garbage), None, "{garbage:?}");
        }
    }
}
