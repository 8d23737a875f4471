//! The import a rewritten line needs: `os.environ[…]` needs `import os`, `os.Getenv(…)` the `os`
//! package, `ProcessInfo` Foundation, `getenv` `<stdlib.h>`. A fix that leaves code that does not
//! run teaches the wrong lesson, so the file gets the import in its own style when it lacks it.

use super::Language;

/// The import line `with_env_import` would add to `text` (a whole file at `path`), if any.
pub fn needed_env_import(path: &str, text: &str) -> Option<&'static str> {
    let with = with_env_import(path, text)?;
    [
        "import os",
        "import \"os\"",
        "import Foundation",
        "#include <stdlib.h>",
        "import 'dart:io';",
        "import std/os",
        "import System.Environment (getEnv)",
        "#import <Foundation/Foundation.h>",
        "const std = @import(\"std\");",
    ]
    .into_iter()
    .find(|line| with.contains(line) && !text.contains(line))
}

/// `text` (a whole file at `path`) with the import its environment lookups need added, or
/// `None` when it needs none or already has it.
pub fn with_env_import(path: &str, text: &str) -> Option<String> {
    match Language::from_path(path) {
        Language::Python => python(text),
        Language::Go => go(text),
        Language::Swift => after_leading_comments(text, "import Foundation", |l| {
            l.starts_with("import Foundation")
                || l.starts_with("import UIKit")
                || l.starts_with("import AppKit")
        }),
        Language::C => after_leading_comments(text, "#include <stdlib.h>", |l| {
            let l: String = l.split_whitespace().collect();
            l.starts_with("#include<stdlib.h>") || l.starts_with("#include<cstdlib>")
        }),
        Language::Dart => after_leading_comments(text, "import 'dart:io';", |l| {
            l.starts_with("import 'dart:io'") || l.starts_with("import \"dart:io\"")
        }),
        Language::Nim => after_leading_comments(text, "import std/os", |l| {
            l.starts_with("import")
                && (l.contains("std/os") || l.split([' ', ',']).any(|w| w == "os"))
        }),
        Language::ObjectiveC => {
            after_leading_comments(text, "#import <Foundation/Foundation.h>", |l| {
                l.starts_with("#import <Foundation/") || l.starts_with("@import Foundation")
            })
        }
        Language::Zig => after_leading_comments(text, "const std = @import(\"std\");", |l| {
            l.contains("@import(\"std\")")
        }),
        Language::Haskell => haskell(text),
        _ => None,
    }
}

/// `import System.Environment (getEnv)` after the module header (or first, in a script),
/// unless the module imports System.Environment already.
fn haskell(text: &str) -> Option<String> {
    if text
        .lines()
        .any(|l| l.trim_start().starts_with("import System.Environment"))
    {
        return None;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = lines
        .iter()
        .position(|l| l.trim_end().ends_with("where") && l.starts_with("module"))
        .map(|i| i + 1)
        .or_else(|| lines.iter().position(|l| l.starts_with("import ")))
        .unwrap_or(0);
    Some(insert_line(
        &lines,
        at,
        "import System.Environment (getEnv)",
    ))
}

/// `import os` after the shebang, encoding line, module docstring and `from __future__`
/// imports, unless `os` is imported already.
fn python(text: &str) -> Option<String> {
    let imported = text.lines().any(|l| {
        let l = l.trim_start();
        l == "import os"
            || l.starts_with("import os ")
            || l.starts_with("import os,")
            || (l.starts_with("import ") && l.split([',', ' ']).any(|w| w == "os"))
    });
    if imported {
        return None;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut at = 0;
    while at < lines.len() && lines[at].starts_with('#') {
        at += 1; // shebang, encoding, licence comments
    }
    // A module docstring stays first.
    let opens = |l: &str| {
        ["\"\"\"", "'''"]
            .into_iter()
            .find(|q| l.trim_start().starts_with(q))
    };
    if let Some(quote) = lines.get(at).and_then(|l| opens(l)) {
        let closed_on_first = lines[at].trim_start()[quote.len()..].contains(quote);
        at += 1;
        if !closed_on_first {
            while at < lines.len() {
                let closes = lines[at].contains(quote);
                at += 1;
                if closes {
                    break;
                }
            }
        }
    }
    while at < lines.len() && lines[at].starts_with("from __future__") {
        at += 1;
    }
    Some(insert_line(&lines, at, "import os"))
}

/// `import "os"` after the package clause (Go allows several import declarations; gofmt keeps
/// them), unless the file imports `os` already.
fn go(text: &str) -> Option<String> {
    if text.contains("\"os\"") {
        return None;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let package = lines.iter().position(|l| l.starts_with("package "))?;
    Some(insert_line(&lines, package + 1, "\nimport \"os\""))
}

/// `line` after the file's leading comment lines, unless a line satisfies `present`.
fn after_leading_comments(
    text: &str,
    line: &str,
    present: impl Fn(&str) -> bool,
) -> Option<String> {
    if text.lines().any(|l| present(l.trim_start())) {
        return None;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = lines
        .iter()
        .position(|l| {
            let t = l.trim_start();
            !(t.starts_with("//") || t.starts_with("/*") || t.starts_with('*') || t.is_empty())
        })
        .unwrap_or(lines.len());
    Some(insert_line(&lines, at, line))
}

fn insert_line(lines: &[&str], at: usize, line: &str) -> String {
    let mut out = String::new();
    for l in &lines[..at] {
        out.push_str(l);
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(line);
    out.push('\n');
    for l in &lines[at..] {
        out.push_str(l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_env_import;

    #[test]
    fn python_gets_import_os_after_its_docstring_and_future_imports() {
        let text = "#!/usr/bin/env python3\n\"\"\"Tool.\"\"\"\nfrom __future__ import annotations\nKEY = os.environ[\"K\"]\n";
        assert_eq!(
            with_env_import("a.py", text).unwrap(),
            "#!/usr/bin/env python3\n\"\"\"Tool.\"\"\"\nfrom __future__ import annotations\nimport os\nKEY = os.environ[\"K\"]\n"
        );
        assert_eq!(with_env_import("a.py", "import os\nK = 1\n"), None);
        assert_eq!(with_env_import("a.py", "import sys, os\n"), None);
    }

    #[test]
    fn go_swift_and_c_get_theirs_and_others_none() {
        assert!(with_env_import("m.go", "package main\n\nfunc main() {}\n")
            .unwrap()
            .contains("package main\n\nimport \"os\"\n"));
        assert!(with_env_import("a.swift", "let k = 1\n")
            .unwrap()
            .starts_with("import Foundation\n"));
        assert!(
            with_env_import("a.c", "// x\nint main(void) { return 0; }\n")
                .unwrap()
                .starts_with("// x\n#include <stdlib.h>\n")
        );
        assert_eq!(with_env_import("a.js", "x\n"), None);
    }
}
