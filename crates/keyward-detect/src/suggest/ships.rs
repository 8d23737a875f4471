//! Whether a file ships to users' devices: a browser bundle, a mobile or desktop app, a browser
//! extension, a game. A key in such a file is readable by anyone who installs or loads it, and
//! no environment variable or build-time define changes that (`VITE_*`, `NEXT_PUBLIC_*`,
//! `BuildConfig`, `--dart-define`, `Info.plist` substitution all embed the value). The only fix
//! is to keep the key on a server and have the app call that server.

use serde::Serialize;

/// What the fix may read of the repository around a finding: the staged tree for a commit,
/// the work tree for a path scan. The detector knows nothing of git; the caller does.
pub trait ProjectFiles {
    /// The bytes of the file at the repository path `path` (`/`-separated), if there is one.
    /// Callers may cap what they read; the fix needs the first few kilobytes of a manifest.
    fn read(&self, path: &str) -> Option<Vec<u8>>;
    /// The names of the entries directly in the directory `dir` (`""` for the root).
    fn list(&self, dir: &str) -> Vec<String>;
}

/// No project around the file: the fix decides from the path and the line alone.
pub struct NoProject;

impl ProjectFiles for NoProject {
    fn read(&self, _path: &str) -> Option<Vec<u8>> {
        None
    }
    fn list(&self, _dir: &str) -> Vec<String> {
        Vec::new()
    }
}

/// Where a shipped file ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shipped {
    /// A web page's JavaScript bundle or HTML.
    Browser,
    /// A browser extension.
    BrowserExtension,
    /// An Electron desktop app.
    Electron,
    /// An Android app.
    Android,
    /// An iOS or macOS app.
    Apple,
    /// A Flutter app.
    Flutter,
    /// A React Native or Expo app.
    ReactNative,
    /// A Unity game.
    Unity,
}

impl Shipped {
    /// "the browser bundle", "the Android app"…
    pub fn what(self) -> &'static str {
        match self {
            Shipped::Browser => "the JavaScript bundle every visitor's browser downloads",
            Shipped::BrowserExtension => "the browser extension's package",
            Shipped::Electron => "the Electron app's package",
            Shipped::Android => "the Android app (APK/AAB)",
            Shipped::Apple => "the iOS/macOS app bundle",
            Shipped::Flutter => "the Flutter app",
            Shipped::ReactNative => "the React Native app's JavaScript bundle",
            Shipped::Unity => "the Unity game's build",
        }
    }

    /// Who can read the key.
    pub fn who(self) -> &'static str {
        match self {
            Shipped::Browser => {
                "anyone who loads the page can read it in the browser's developer tools"
            }
            Shipped::BrowserExtension => {
                "anyone who installs the extension can unpack it and read the key"
            }
            _ => "anyone who installs the app can extract the key from it",
        }
    }
}

/// The server the key moves to: a small endpoint in the project's own ecosystem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// The kind of server ("a Next.js route handler").
    pub kind: String,
    /// Where the sketch goes in the project.
    pub path: String,
    /// The sketch itself: reads the key from its own environment or secret store.
    pub code: String,
    /// How the key gets into that environment.
    pub secret_setup: String,
}

/// The ecosystem an endpoint is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    NextRoute,
    Express,
    Worker,
    CloudFunction,
}

/// Whether the file at `path` (whose finding sits on `line`) ships to users' devices, and the
/// backend the project would add.
/// `text` is the file's own text where it could be read, `var` the variable the server reads
/// the key from, `rule_id` the rule that found it (it picks the provider's API in the sketch).
pub fn shipped(
    path: &str,
    line: &str,
    text: Option<&str>,
    files: &dyn ProjectFiles,
    var: &str,
    rule_id: &str,
) -> Option<(Shipped, Endpoint)> {
    let (shipped, backend) = decide(path, line, text, files)?;
    Some((shipped, backend.endpoint(path).filled(var, rule_id)))
}

impl Endpoint {
    /// The sketch with the variable and the provider's API filled in.
    fn filled(mut self, var: &str, rule_id: &str) -> Endpoint {
        let (url, auth, scheme) = provider_api(rule_id);
        for text in [&mut self.code, &mut self.secret_setup] {
            *text = text
                .replace("{URL}", url)
                .replace("{AUTH}", auth)
                .replace("{SCHEME}", scheme)
                .replace("{VAR}", var);
        }
        self
    }
}

/// The API a relay forwards to, its auth header and scheme, for the common AI providers; a
/// placeholder URL for the rest.
fn provider_api(rule_id: &str) -> (&'static str, &'static str, &'static str) {
    let family = rule_id.split('-').next().unwrap_or(rule_id);
    match family {
        "openai" => ("https://api.openai.com/v1/chat/completions", "Authorization", "Bearer "),
        "anthropic" => ("https://api.anthropic.com/v1/messages", "\"x-api-key\"", ""),
        "groq" => ("https://api.groq.com/openai/v1/chat/completions", "Authorization", "Bearer "),
        "mistral" => ("https://api.mistral.ai/v1/chat/completions", "Authorization", "Bearer "),
        "xai" => ("https://api.x.ai/v1/chat/completions", "Authorization", "Bearer "),
        "deepseek" => ("https://api.deepseek.com/chat/completions", "Authorization", "Bearer "),
        "openrouter" => ("https://openrouter.ai/api/v1/chat/completions", "Authorization", "Bearer "),
        "perplexity" => ("https://api.perplexity.ai/chat/completions", "Authorization", "Bearer "),
        "google" | "gemini" if rule_id == "google-api-key" || rule_id.contains("gemini") => (
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
            "\"x-goog-api-key\"",
            "",
        ),
        _ => ("https://PROVIDER_API_URL", "Authorization", "Bearer "),
    }
}

fn decide(
    path: &str,
    line: &str,
    text: Option<&str>,
    files: &dyn ProjectFiles,
) -> Option<(Shipped, Backend)> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let says = |needle: &str| line.contains(needle) || text.is_some_and(|t| t.contains(needle));
    let package = nearest(path, "package.json", files).map(|(dir, text)| (dir, deps(&text)));
    let has = |dep: &str| {
        package.as_ref().is_some_and(|(_, d)| {
            d.iter()
                .any(|n| n == dep || n.starts_with(&format!("{dep}/")))
        })
    };
    let web_backend = if has("next") {
        Backend::NextRoute
    } else {
        Backend::Express
    };

    // The code says so outright.
    if says("dangerouslyAllowBrowser") || CLIENT_PREFIXES.iter().any(|p| line.contains(p)) {
        return Some((Shipped::Browser, web_backend));
    }
    if line.contains("buildConfigField") || line.contains("resValue") {
        return Some((Shipped::Android, Backend::CloudFunction));
    }
    if line.contains("--dart-define") || line.contains("String.fromEnvironment") {
        return Some((Shipped::Flutter, Backend::CloudFunction));
    }
    // What the code imports says where it runs: these frameworks exist only inside apps.
    let app_imports: [(&[&str], &[&str], Shipped); 5] = [
        (
            &["kt", "java"],
            &["import android.", "import androidx."],
            Shipped::Android,
        ),
        (
            &["swift", "m", "mm"],
            &[
                "import UIKit",
                "import SwiftUI",
                "@import UIKit",
                "<UIKit/UIKit.h>",
            ],
            Shipped::Apple,
        ),
        (&["dart"], &["package:flutter/"], Shipped::Flutter),
        (
            &["js", "jsx", "ts", "tsx"],
            &[
                "from 'react-native'",
                "from \"react-native\"",
                "from 'expo",
                "from \"expo",
            ],
            Shipped::ReactNative,
        ),
        (&["cs"], &["using UnityEngine"], Shipped::Unity),
    ];
    for (exts, markers, shipped) in app_imports {
        if exts.contains(&ext) && markers.iter().any(|m| says(m)) {
            return Some((shipped, Backend::CloudFunction));
        }
    }
    // Native app projects, from the files around the path.
    if is_android(path, &lower, ext, files) {
        return Some((Shipped::Android, Backend::CloudFunction));
    }
    if is_apple_app(path, &lower, ext, files) {
        return Some((Shipped::Apple, Backend::CloudFunction));
    }
    if ext == "dart" || name.ends_with(".env") && lower.contains("assets/") {
        if let Some((dir, pubspec)) = nearest(path, "pubspec.yaml", files) {
            let in_app = lower[dir.len()..]
                .trim_start_matches('/')
                .starts_with("lib/")
                || lower[dir.len()..]
                    .trim_start_matches('/')
                    .starts_with("assets/");
            if pubspec.contains("sdk: flutter") && in_app {
                return Some((Shipped::Flutter, Backend::CloudFunction));
            }
        }
    }
    if ext == "cs" && lower.contains("assets/") && is_unity(path, files) {
        return Some((Shipped::Unity, Backend::CloudFunction));
    }
    let script = matches!(
        ext,
        "js" | "mjs" | "jsx" | "ts" | "mts" | "tsx" | "vue" | "svelte" | "html" | "htm" | "json"
    );
    if !script {
        return None;
    }
    if let Some((_, manifest)) = nearest(path, "manifest.json", files) {
        if manifest.contains("\"manifest_version\"") && ext != "json" {
            return Some((Shipped::BrowserExtension, Backend::Worker));
        }
    }
    if ext == "json" {
        return None;
    }
    if server_side_path(&lower) {
        return None;
    }
    if has("electron") {
        return Some((Shipped::Electron, Backend::CloudFunction));
    }
    if has("react-native") || has("expo") {
        return Some((Shipped::ReactNative, Backend::CloudFunction));
    }
    if matches!(ext, "html" | "htm") {
        return Some((Shipped::Browser, web_backend));
    }
    let client_marked = says("\"use client\"") || says("'use client'");
    if has("next") {
        let public = lower.starts_with("public/") || lower.contains("/public/");
        return (client_marked || public).then_some((Shipped::Browser, Backend::NextRoute));
    }
    if client_marked {
        return Some((Shipped::Browser, web_backend));
    }
    // Frameworks that render on a server too decide per file; an app bundled for the browser
    // alone ships every source file.
    let server_rendering = [
        "nuxt",
        "@sveltejs/kit",
        "@remix-run",
        "astro",
        "@angular/ssr",
        "gatsby",
    ];
    if server_rendering.iter().any(|d| has(d)) {
        let client_only = lower.ends_with(".vue") && !lower.contains("server/")
            || lower.ends_with(".svelte")
            || lower.contains(".client.");
        return client_only.then_some((Shipped::Browser, Backend::Express));
    }
    let bundlers = [
        "vite",
        "react-scripts",
        "webpack",
        "parcel",
        "@angular/core",
        "vue",
        "svelte",
        "preact",
        "solid-js",
        "@vue/cli-service",
    ];
    // (esbuild and rollup bundle Node programs as often as web pages: they decide nothing.)
    let bundled = bundlers.iter().any(|d| has(d))
        && !has("express")
        && !has("fastify")
        && !has("koa")
        && !has("@nestjs/core");
    let in_source = [
        "src/",
        "app/",
        "components/",
        "pages/",
        "public/",
        "lib/",
        "static/",
        "client/",
        "frontend/",
        "web/",
    ]
    .iter()
    .any(|d| lower.starts_with(d) || lower.contains(&format!("/{d}")));
    (bundled && in_source).then_some((Shipped::Browser, Backend::Express))
}

/// The bundler prefixes of variables inlined into the browser bundle.
pub const CLIENT_PREFIXES: [&str; 7] = [
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "GATSBY_",
    "VUE_APP_",
];

/// Paths that run on a server or at build time even inside a front-end project.
fn server_side_path(lower: &str) -> bool {
    let name = lower.rsplit('/').next().unwrap_or(lower);
    let dirs = [
        "server/",
        "api/",
        "functions/",
        "netlify/",
        "backend/",
        "scripts/",
        "test/",
        "tests/",
        "__tests__/",
        "e2e/",
        "cypress/",
        "supabase/",
        "worker/",
        "workers/",
    ];
    dirs.iter()
        .any(|d| lower.starts_with(d) || lower.contains(&format!("/{d}")))
        || name.contains(".config.")
        || name.contains(".server.")
        || name.starts_with("+server.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.starts_with("middleware.")
        || name == "main.js" && lower.contains("electron")
}

/// The nearest `name` in `path`'s directory or an ancestor: (its directory, its text).
fn nearest(path: &str, name: &str, files: &dyn ProjectFiles) -> Option<(String, String)> {
    let mut dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    loop {
        let candidate = if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        };
        if let Some(bytes) = files.read(&candidate) {
            return Some((
                dir.to_ascii_lowercase(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    }
}

/// The dependency names of a `package.json` (runtime and development).
fn deps(package_json: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(package_json) else {
        return Vec::new();
    };
    ["dependencies", "devDependencies", "peerDependencies"]
        .iter()
        .filter_map(|k| value.get(k).and_then(|d| d.as_object()))
        .flat_map(|d| d.keys().cloned())
        .collect()
}

/// An Android module's sources or resources: under `src/<set>/` beside which
/// `src/main/AndroidManifest.xml` exists, or in a directory with its own manifest.
fn is_android(path: &str, lower: &str, ext: &str, files: &dyn ProjectFiles) -> bool {
    if !matches!(ext, "kt" | "java" | "xml") {
        return false;
    }
    let Some(at) = lower
        .find("src/")
        .filter(|&i| i == 0 || lower.as_bytes()[i - 1] == b'/')
    else {
        return false;
    };
    let module = &path[..at];
    // `src/main/res/` is Android's resource tree (Java and Spring projects have `resources/`).
    if lower[at..].starts_with("src/main/res/") {
        return true;
    }
    let android_build = ["build.gradle", "build.gradle.kts"].iter().any(|script| {
        files.read(&format!("{module}{script}")).is_some_and(|b| {
            let text = String::from_utf8_lossy(&b);
            text.contains("com.android.") || text.contains("android {")
        })
    });
    android_build
        || files
            .read(&format!("{module}src/main/AndroidManifest.xml"))
            .is_some()
        || files
            .list(&format!("{module}src/main"))
            .iter()
            .any(|n| n == "AndroidManifest.xml")
}

/// Sources and resources of an Xcode app: an `.xcodeproj` or `.xcworkspace` in the file's
/// directory or an ancestor, or an `Info.plist`.
fn is_apple_app(path: &str, lower: &str, ext: &str, files: &dyn ProjectFiles) -> bool {
    let name = lower.rsplit('/').next().unwrap_or(lower);
    if name == "info.plist" || ext == "xcconfig" {
        return true;
    }
    if !matches!(ext, "swift" | "m" | "mm" | "h" | "plist" | "strings") || name == "package.swift" {
        return false;
    }
    // The iOS half of a Flutter or React Native app.
    if (lower.starts_with("ios/") || lower.contains("/ios/")) && ext != "h" {
        return true;
    }
    let mut dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    loop {
        if files
            .list(dir)
            .iter()
            .any(|n| n.ends_with(".xcodeproj") || n.ends_with(".xcworkspace"))
        {
            return true;
        }
        if dir.is_empty() {
            return false;
        }
        dir = dir.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    }
}

/// A Unity project: `ProjectSettings/ProjectVersion.txt` beside the `Assets/` the file is in.
fn is_unity(path: &str, files: &dyn ProjectFiles) -> bool {
    let lower = path.to_ascii_lowercase();
    let Some(at) = lower.find("assets/") else {
        return false;
    };
    let root = &path[..at];
    files
        .read(&format!("{root}ProjectSettings/ProjectVersion.txt"))
        .is_some()
        || !files.list(&format!("{root}ProjectSettings")).is_empty()
        || files
            .read(&format!("{root}Packages/manifest.json"))
            .is_some_and(|b| String::from_utf8_lossy(&b).contains("com.unity."))
}

impl Backend {
    fn endpoint(self, path: &str) -> Endpoint {
        let ts = path.ends_with(".ts") || path.ends_with(".tsx");
        match self {
            Backend::NextRoute => Endpoint {
                kind: "a Next.js route handler".into(),
                path: "app/api/ai/route.ts".into(),
                code: NEXT_ROUTE.into(),
                secret_setup: "set the key in the server's environment (.env.local, which git ignores, and your host's environment settings) without a NEXT_PUBLIC_ prefix".into(),
            },
            Backend::Express => Endpoint {
                kind: "an Express route".into(),
                path: if ts { "server/index.ts".into() } else { "server/index.js".into() },
                code: EXPRESS_ROUTE.into(),
                secret_setup: "set the key in the server's environment (a .env that git ignores locally, the host's secret settings in production), never in a VITE_/REACT_APP_ variable".into(),
            },
            Backend::Worker => Endpoint {
                kind: "a Cloudflare Worker".into(),
                path: "worker/index.js".into(),
                code: WORKER.into(),
                secret_setup: "store the key with `wrangler secret put {VAR}`".into(),
            },
            Backend::CloudFunction => Endpoint {
                kind: "a Firebase Cloud Function".into(),
                path: "functions/index.js".into(),
                code: CLOUD_FUNCTION.into(),
                secret_setup: "store the key with `firebase functions:secrets:set {VAR}`".into(),
            },
        }
    }
}

const NEXT_ROUTE: &str = r#"export async function POST(request: Request) {
  // Runs on the server: the key never reaches the browser.
  const upstream = await fetch("{URL}", {
    method: "POST",
    headers: { {AUTH}: `{SCHEME}${process.env.{VAR}}`, "Content-Type": "application/json" },
    body: await request.text(),
  });
  return new Response(upstream.body, { status: upstream.status });
}"#;

const EXPRESS_ROUTE: &str = r#"import express from "express";
const app = express();
app.use(express.json());
app.post("/api/ai", async (req, res) => {
  // Authenticate your own users here: an open relay spends your quota.
  const upstream = await fetch("{URL}", {
    method: "POST",
    headers: { {AUTH}: `{SCHEME}${process.env.{VAR}}`, "Content-Type": "application/json" },
    body: JSON.stringify(req.body),
  });
  res.status(upstream.status).json(await upstream.json());
});
app.listen(3001);"#;

const WORKER: &str = r#"export default {
  async fetch(request, env) {
    // Check the caller (extension id, user token) before relaying.
    return fetch("{URL}", {
      method: "POST",
      headers: { {AUTH}: `{SCHEME}${env.{VAR}}`, "Content-Type": "application/json" },
      body: await request.text(),
    });
  },
};"#;

const CLOUD_FUNCTION: &str = r#"const { onCall, HttpsError } = require("firebase-functions/v2/https");
const { defineSecret } = require("firebase-functions/params");
const key = defineSecret("{VAR}");
exports.ai = onCall({ secrets: [key] }, async (request) => {
  if (!request.auth) throw new HttpsError("unauthenticated", "sign in first");
  const upstream = await fetch("{URL}", {
    method: "POST",
    headers: { {AUTH}: `{SCHEME}${key.value()}`, "Content-Type": "application/json" },
    body: JSON.stringify(request.data),
  });
  return upstream.json();
});"#;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A project held in memory: path → text.
    struct Files(BTreeMap<&'static str, &'static str>);

    impl ProjectFiles for Files {
        fn read(&self, path: &str) -> Option<Vec<u8>> {
            self.0.get(path).map(|t| t.as_bytes().to_vec())
        }
        fn list(&self, dir: &str) -> Vec<String> {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let mut names: Vec<String> = self
                .0
                .keys()
                .filter_map(|p| p.strip_prefix(prefix.as_str()))
                .map(|rest| rest.split('/').next().unwrap_or(rest).to_owned())
                .collect();
            names.dedup();
            names
        }
    }

    fn ships(files: &[(&'static str, &'static str)], path: &str, line: &str) -> Option<Shipped> {
        let files = Files(files.iter().copied().collect());
        let text = files.read(path).map(|b| String::from_utf8(b).unwrap());
        decide(path, line, text.as_deref(), &files).map(|(s, _)| s)
    }

    #[test]
    fn what_ships_and_what_runs_on_a_server() {
        let vite = ("package.json", r#"{"devDependencies": {"vite": "5"}}"#);
        assert_eq!(
            ships(&[vite], "src/main.ts", "k = 1"),
            Some(Shipped::Browser)
        );
        assert_eq!(ships(&[vite], "server/api.ts", "k = 1"), None);
        assert_eq!(ships(&[vite], "vite.config.ts", "k = 1"), None);
        let node = (
            "package.json",
            r#"{"devDependencies": {"esbuild": "0.23"}}"#,
        );
        assert_eq!(
            ships(&[node], "src/cli.ts", "k = 1"),
            None,
            "esbuild bundles Node programs too"
        );
        let next = ("package.json", r#"{"dependencies": {"next": "15"}}"#);
        assert_eq!(
            ships(&[next], "app/page.tsx", "k = 1"),
            None,
            "a server component"
        );
        assert_eq!(
            ships(
                &[next, ("app/page.tsx", "\"use client\";\n")],
                "app/page.tsx",
                "k = 1"
            ),
            Some(Shipped::Browser)
        );
        let spring = ("src/main/resources/application.yml", "a: 1\n");
        assert_eq!(ships(&[spring], "src/main/java/App.java", "k = 1"), None);
        let android = ("app/src/main/AndroidManifest.xml", "<manifest/>");
        assert_eq!(
            ships(&[android], "app/src/main/java/App.java", "k = 1"),
            Some(Shipped::Android)
        );
        assert_eq!(
            ships(&[], "app.js", "new OpenAI({dangerouslyAllowBrowser: true})"),
            Some(Shipped::Browser)
        );
        assert_eq!(ships(&[], "app.js", "k = 1"), None);
    }
}
