//! Where a key goes instead, for every kind of file a key lands in: (project files, path, line)
//! → the replacement line and the advice, read from the real binary's JSON report of a real
//! repository with the project staged around the file.
//!
//! Three families: files that ship to users' devices (no replacement; the key moves to a
//! server), CI systems (their own secret stores and syntax), deployment formats (their own
//! secret references), and languages beyond the first 22 file kinds.

use serde_json::Value;

use crate::util::{openai_key, tool_accepts, TestRepo};

/// One case. `{S}` in `line` is the key.
struct Case {
    /// Other files of the project, staged beside the one with the key.
    project: &'static [(&'static str, &'static str)],
    path: &'static str,
    line: &'static str,
    /// The expected replacement line (`None`: the file must not be rewritten).
    replacement: Option<&'static str>,
    /// Where the file ships, when it does.
    ships: Option<&'static str>,
    /// Phrases the advice must contain.
    advice: &'static [&'static str],
}

const VITE: (&str, &str) = (
    "package.json",
    r#"{"name": "web", "dependencies": {"react": "^18.3.1", "openai": "^4.0.0"}, "devDependencies": {"vite": "^5.4.0"}}"#,
);
const NEXT: (&str, &str) = (
    "package.json",
    r#"{"name": "site", "dependencies": {"next": "15.0.0", "react": "^19.0.0"}}"#,
);
const ANDROID_MANIFEST: (&str, &str) = (
    "app/src/main/AndroidManifest.xml",
    "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\"/>\n",
);
const NO_LINE: Option<&str> = None;

fn cases() -> Vec<Case> {
    let c = |project, path, line, replacement: Option<&'static str>, ships, advice| Case {
        project,
        path,
        line,
        replacement,
        ships,
        advice,
    };
    vec![
        // Shipped code: the browser, apps, extensions, games.
        c(&[VITE], "src/App.tsx", "const client = new OpenAI({ apiKey: \"{S}\", dangerouslyAllowBrowser: true });", NO_LINE, Some("browser"), &["ships", "server", "server/index.ts"]),
        c(&[VITE], "src/lib/ai.ts", "export const OPENAI_KEY = \"{S}\";", NO_LINE, Some("browser"), &["Express"]),
        c(&[VITE], "vite.config.ts", "const key = \"{S}\";", Some("const key = process.env.OPENAI_API_KEY;"), None, &[]),
        c(&[VITE], "server/index.ts", "const key = \"{S}\";", Some("const key = process.env.OPENAI_API_KEY;"), None, &[]),
        c(&[NEXT], "app/chat/page.tsx", "\"use client\"; const key = \"{S}\";", NO_LINE, Some("browser"), &["Next.js route handler", "app/api/ai/route.ts"]),
        c(&[NEXT], "app/api/chat/route.ts", "const client = new OpenAI({ apiKey: \"{S}\" });", Some("const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });"), None, &[]),
        c(&[NEXT], "lib/config.ts", "const key = process.env.NEXT_PUBLIC_OPENAI_KEY ?? \"{S}\";", NO_LINE, Some("browser"), &["NEXT_PUBLIC_"]),
        c(&[NEXT], ".env", "NEXT_PUBLIC_OPENAI_KEY={S}", NO_LINE, Some("browser"), &["git rm --cached .env", "ships inside"]),
        c(&[("package.json", r#"{"dependencies": {"react-scripts": "5.0.1", "react": "^18"}}"#)], "src/config.js", "export const key = '{S}';", NO_LINE, Some("browser"), &[]),
        c(&[("package.json", r#"{"dependencies": {"expo": "~51.0.0", "react-native": "0.74.0"}}"#)], "App.tsx", "const key = \"{S}\";", NO_LINE, Some("react-native"), &["Firebase", "functions/index.js"]),
        c(&[("package.json", r#"{"devDependencies": {"electron": "^31.0.0"}}"#)], "src/renderer.js", "const key = \"{S}\";", NO_LINE, Some("electron"), &["installs the app"]),
        c(&[("manifest.json", r#"{"manifest_version": 3, "name": "Summarize", "version": "1.0"}"#)], "background.js", "const key = \"{S}\";", NO_LINE, Some("browser-extension"), &["Cloudflare Worker"]),
        c(&[ANDROID_MANIFEST], "app/src/main/java/com/example/Api.kt", "    private val key = \"{S}\"", NO_LINE, Some("android"), &["Android"]),
        c(&[ANDROID_MANIFEST], "app/src/main/res/values/strings.xml", "    <string name=\"openai_key\">{S}</string>", NO_LINE, Some("android"), &[]),
        c(&[("app/build.gradle.kts", "plugins { id(\"com.android.application\") }\n")], "app/src/main/kotlin/Api.kt", "val key = \"{S}\"", NO_LINE, Some("android"), &[]),
        c(&[], "mobile/src/main/res/values/secrets.xml", "  <string name=\"key\">{S}</string>", NO_LINE, Some("android"), &[]),
        c(&[], "ios/Runner/AppDelegate.swift", "    let key = \"{S}\"", NO_LINE, Some("apple"), &[]),
        c(&[], "app/build.gradle", "        buildConfigField \"String\", \"OPENAI_KEY\", \"\\\"{S}\\\"\"", NO_LINE, Some("android"), &[]),
        c(&[("Chat.xcodeproj/project.pbxproj", "// !$*UTF8*$!\n")], "Chat/Api.swift", "let key = \"{S}\"", NO_LINE, Some("apple"), &["iOS"]),
        c(&[], "Chat/Info.plist", "\t<string>{S}</string>", NO_LINE, Some("apple"), &[]),
        c(&[("pubspec.yaml", "name: chat\ndependencies:\n  flutter:\n    sdk: flutter\n")], "lib/main.dart", "const key = '{S}';", NO_LINE, Some("flutter"), &["Flutter"]),
        c(&[("ProjectSettings/ProjectVersion.txt", "m_EditorVersion: 2022.3.10f1\n")], "Assets/Scripts/Chat.cs", "    private const string Key = \"{S}\";", NO_LINE, Some("unity"), &["Unity"]),
        c(&[], "public/index.html", "<script>const key = \"{S}\";</script>", NO_LINE, Some("browser"), &[]),
        c(&[("package.json", r#"{"dependencies": {"express": "^4.19.0"}}"#)], "src/server.js", "const key = \"{S}\";", Some("const key = process.env.OPENAI_API_KEY;"), None, &[]),
        // A literal inside another string (`\"…\"`), even where the outer quotes look balanced:
        // no lookup can enter it, so no replacement rather than a broken line.
        c(&[], "src/check.rs", "    let sample = b\"client.api_key = \\\"{S}\\\"\";", NO_LINE, None, &[]),
        c(&[], "src/request.js", "const body = \"{\\\"api_key\\\": \\\"{S}\\\"}\";", NO_LINE, None, &[]),
        // CI systems.
        c(&[], ".gitlab-ci.yml", "  OPENAI_API_KEY: \"{S}\"", Some("  OPENAI_API_KEY: $OPENAI_API_KEY"), None, &["CI/CD > Variables", "Masked"]),
        c(&[], ".gitlab-ci.yml", "    - curl -H \"Authorization: Bearer {S}\" https://api.openai.com/v1/models", Some("    - curl -H \"Authorization: Bearer ${OPENAI_API_KEY}\" https://api.openai.com/v1/models"), None, &[]),
        c(&[], ".circleci/config.yml", "          OPENAI_API_KEY: {S}", Some("          # OPENAI_API_KEY comes from Project Settings > Environment Variables (or a context)"), None, &["Context"]),
        c(&[], "Jenkinsfile", "        OPENAI_API_KEY = '{S}'", Some("        OPENAI_API_KEY = credentials('openai-api-key')"), None, &["credentials('openai-api-key')", "withCredentials"]),
        c(&[], "Jenkinsfile", "        sh 'curl -H \"Authorization: Bearer {S}\" https://api.openai.com/v1/models'", Some("        sh 'curl -H \"Authorization: Bearer $OPENAI_API_KEY\" https://api.openai.com/v1/models'"), None, &[]),
        c(&[], "azure-pipelines.yml", "    OPENAI_API_KEY: {S}", Some("    OPENAI_API_KEY: $(OPENAI_API_KEY)"), None, &["Keep this value secret", "Key Vault"]),
        c(&[], "bitbucket-pipelines.yml", "          - curl -H \"Authorization: Bearer {S}\" https://api.openai.com/v1/models", Some("          - curl -H \"Authorization: Bearer ${OPENAI_API_KEY}\" https://api.openai.com/v1/models"), None, &["Secured"]),
        c(&[], ".drone.yml", "      OPENAI_API_KEY: {S}", Some("      OPENAI_API_KEY: {from_secret: openai_api_key}"), None, &["drone secret add"]),
        c(&[], ".woodpecker/build.yml", "      OPENAI_API_KEY: {S}", Some("      OPENAI_API_KEY: {from_secret: openai_api_key}"), None, &["woodpecker-cli"]),
        c(&[], ".buildkite/pipeline.yml", "    command: curl -H \"Authorization: Bearer {S}\" https://api.openai.com/v1/models", Some("    command: curl -H \"Authorization: Bearer $${OPENAI_API_KEY}\" https://api.openai.com/v1/models"), None, &["Buildkite Secrets"]),
        c(&[], "cloudbuild.yaml", "    args: ['-c', 'curl -H \"Authorization: Bearer {S}\" https://api.openai.com/v1/models']", Some("    args: ['-c', 'curl -H \"Authorization: Bearer $${OPENAI_API_KEY}\" https://api.openai.com/v1/models']"), None, &["availableSecrets", "secretEnv"]),
        c(&[], "cloudbuild.yaml", "    env: ['OPENAI_API_KEY={S}']", NO_LINE, None, &["secretEnv"]),
        c(&[], ".buildkite/deploy.yml", "      OPENAI_API_KEY: {S}", Some("      # OPENAI_API_KEY comes from Buildkite Secrets: list it under the step's secrets:"), None, &[]),
        c(&[], "Assets/Scripts/Chat.cs", "using UnityEngine;\npublic class Chat : MonoBehaviour { const string Key = \"{S}\"; }", NO_LINE, Some("unity"), &[]),
        c(&[], "Sources/ChatView.swift", "import SwiftUI\nlet key = \"{S}\"", NO_LINE, Some("apple"), &[]),
        c(&[], ".travis.yml", "    - OPENAI_API_KEY={S}", NO_LINE, None, &["travis encrypt"]),
        c(&[], "buildspec.yml", "    OPENAI_API_KEY: {S}", NO_LINE, None, &["secrets-manager"]),
        // Deployment formats.
        c(&[], "template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n          OPENAI_API_KEY: {S}", Some("          OPENAI_API_KEY: '{{resolve:secretsmanager:openai-api-key}}'"), None, &["aws secretsmanager create-secret"]),
        c(&[], "infra/stack.yml", "Transform: AWS::Serverless-2016-10-31\n          OPENAI_API_KEY: {S}", Some("          OPENAI_API_KEY: '{{resolve:secretsmanager:openai-api-key}}'"), None, &[]),
        c(&[], "serverless.yml", "    OPENAI_API_KEY: {S}", Some("    OPENAI_API_KEY: ${ssm:/openai-api-key}"), None, &["SecureString"]),
        c(&[("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n")], "charts/app/values.yaml", "  openaiApiKey: {S}", Some("  openaiApiKey: \"\"  # from the Secret named by existingSecret (key openai-api-key), read with secretKeyRef"), None, &["existingSecret", "secretKeyRef"]),
        c(&[("Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n")], "values-prod.yaml", "openaiApiKey: {S}", Some("openaiApiKey: \"\"  # from the Secret named by existingSecret (key openai-api-key), read with secretKeyRef"), None, &["existingSecret"]),
        c(&[], "ops/worker.yaml", "apiVersion: apps/v1\nkind: Deployment\n              value: \"{S}\"", Some("              valueFrom: {secretKeyRef: {name: app-secrets, key: openai-api-key}}"), None, &["Secret"]),
        c(&[], "group_vars/all.yml", "openai_api_key: {S}", Some("openai_api_key: \"{{ lookup('env', 'OPENAI_API_KEY') }}\""), None, &["ansible-vault"]),
        c(&[], "Pulumi.dev.yaml", "  chat:openaiApiKey: {S}", NO_LINE, None, &["pulumi config set --secret"]),
        c(&[], "main.bicep", "param openaiApiKey string = '{S}'", Some("param openaiApiKey string"), None, &["@secure()", "az.getSecret"]),
        c(&[], "azuredeploy.parameters.json", "      \"value\": \"{S}\"", Some("      \"reference\": {\"keyVault\": {\"id\": \"<vault resource id>\"}, \"secretName\": \"openai-api-key\"}"), None, &["Key Vault"]),
        c(&[], "deploy/chat.service", "Environment=OPENAI_API_KEY={S}", Some("EnvironmentFile=/etc/chat/secrets.env"), None, &["LoadCredential="]),
        c(&[], "docker-compose.yml", "      OPENAI_API_KEY: {S}", Some("      OPENAI_API_KEY: ${OPENAI_API_KEY}"), None, &["secrets:"]),
        c(&[], "vercel.json", "    \"OPENAI_API_KEY\": \"{S}\"", NO_LINE, None, &["vercel env add"]),
        c(&[], "netlify.toml", "  OPENAI_API_KEY = \"{S}\"", Some("  # OPENAI_API_KEY is a secret environment variable: netlify env:set OPENAI_API_KEY <value> --secret"), None, &[]),
        c(&[], "fly.toml", "  OPENAI_API_KEY = \"{S}\"", Some("  # OPENAI_API_KEY is a Fly secret: fly secrets set OPENAI_API_KEY=<value>"), None, &[]),
        c(&[], "render.yaml", "        value: {S}", Some("        sync: false"), None, &["Render dashboard"]),
        c(&[], "app.json", "    \"OPENAI_API_KEY\": \"{S}\",", Some("    \"OPENAI_API_KEY\": {\"required\": true},"), None, &["heroku config:set"]),
        // Languages.
        c(&[("pubspec.yaml", "name: api\ndependencies:\n  shelf: ^1.4.0\n")], "bin/server.dart", "final key = '{S}';", Some("final key = Platform.environment['OPENAI_API_KEY']!;"), None, &[]),
        c(&[], "lib/chat/client.ex", "    key = \"{S}\"", Some("    key = System.fetch_env!(\"OPENAI_API_KEY\")"), None, &[]),
        c(&[], "config/config.exs", "config :chat, openai_key: \"{S}\"", Some("config :chat, openai_key: System.fetch_env!(\"OPENAI_API_KEY\")"), None, &["config/runtime.exs"]),
        c(&[], "src/main/scala/Chat.scala", "  val key = \"{S}\"", Some("  val key = sys.env(\"OPENAI_API_KEY\")"), None, &[]),
        c(&[], "chat.pl", "my $key = \"{S}\";", Some("my $key = $ENV{OPENAI_API_KEY};"), None, &[]),
        c(&[], "analysis.R", "key <- \"{S}\"", Some("key <- Sys.getenv(\"OPENAI_API_KEY\")"), None, &[]),
        c(&[], "chat.lua", "local key = \"{S}\"", Some("local key = os.getenv(\"OPENAI_API_KEY\")"), None, &[]),
        c(&[], "build.gradle", "def key = '{S}'", Some("def key = System.getenv('OPENAI_API_KEY')"), None, &[]),
        c(&[], "build.gradle.kts", "val key = \"{S}\"", Some("val key = System.getenv(\"OPENAI_API_KEY\")"), None, &[]),
        c(&[], "src/chat/core.clj", "(def api-key \"{S}\")", Some("(def api-key (System/getenv \"OPENAI_API_KEY\"))"), None, &[]),
        c(&[], "tools/Client.m", "NSString *key = @\"{S}\";", Some("NSString *key = NSProcessInfo.processInfo.environment[@\"OPENAI_API_KEY\"];"), None, &[]),
        c(&[], "src/Chat.hs", "  let key = \"{S}\"", Some("  let key = getEnv \"OPENAI_API_KEY\""), None, &["getEnv"]),
        c(&[], "chat.jl", "key = \"{S}\"", Some("key = ENV[\"OPENAI_API_KEY\"]"), None, &[]),
        c(&[], "Chat.fs", "let key = \"{S}\"", Some("let key = System.Environment.GetEnvironmentVariable(\"OPENAI_API_KEY\")"), None, &[]),
        c(&[], "Chat.vb", "Dim key As String = \"{S}\"", Some("Dim key As String = Environment.GetEnvironmentVariable(\"OPENAI_API_KEY\")"), None, &[]),
        c(&[], "src/chat.erl", "    Key = \"{S}\",", Some("    Key = os:getenv(\"OPENAI_API_KEY\"),"), None, &[]),
        c(&[], "src/chat.cr", "key = \"{S}\"", Some("key = ENV[\"OPENAI_API_KEY\"]"), None, &[]),
        c(&[], "chat.nim", "let key = \"{S}\"", Some("let key = getEnv(\"OPENAI_API_KEY\")"), None, &[]),
        c(&[], "src/main.zig", "    const key = \"{S}\";", Some("    const key = std.posix.getenv(\"OPENAI_API_KEY\") orelse @panic(\"OPENAI_API_KEY is not set\");"), None, &[]),
        c(&[], "bin/chat.ml", "let key = \"{S}\"", Some("let key = Sys.getenv \"OPENAI_API_KEY\""), None, &[]),
    ]
}

/// The suggestion keyward reports for the first finding in `path`, with the project staged.
fn suggestion_for(case: &Case, key: &str) -> Result<Value, String> {
    let repo = TestRepo::new();
    for (path, text) in case.project {
        repo.write(path, text);
    }
    // A line before the key's line (a CloudFormation header) is part of the file too.
    repo.write(case.path, format!("{}\n", case.line.replace("{S}", key)));
    repo.git(&["add", "-A"]);
    let out = repo.keyward(&["--format", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    report["findings"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["path"] == case.path))
        .map(|f| f["suggestion"].clone())
        .ok_or_else(|| format!("no finding in {}: {report}", case.path))
}

#[test]
fn every_kind_of_file_gets_its_own_fix() {
    let key = openai_key(77);
    let mut failures = Vec::new();
    let all = cases();
    for case in &all {
        let got = match suggestion_for(case, &key) {
            Ok(got) => got,
            Err(e) => {
                failures.push(format!("{}: {e}", case.path));
                continue;
            }
        };
        let replacement = got["replacement"].as_str();
        let advice = got["advice"].as_str().unwrap_or_default();
        let ships = got["ships"].as_str();
        let mut wrong = Vec::new();
        if replacement != case.replacement {
            wrong.push(format!(
                "replacement\n      got: {replacement:?}\n     want: {:?}",
                case.replacement
            ));
        }
        if ships != case.ships {
            wrong.push(format!("ships: got {ships:?}, want {:?}", case.ships));
        }
        for phrase in case.advice {
            if !advice.contains(phrase) && !got["endpoint"].to_string().contains(phrase) {
                wrong.push(format!("advice lacks {phrase:?}: {advice}"));
            }
        }
        if ships.is_some() {
            // Never a build-time variable that embeds the key, never a lookup that ships.
            let said = format!("{} {}", advice, replacement.unwrap_or_default());
            for embeds in [
                "import.meta.env",
                "BuildConfig.",
                "System.getenv",
                "String.fromEnvironment",
            ] {
                if said.contains(embeds) {
                    wrong.push(format!("a shipped file is told to use {embeds}: {said}"));
                }
            }
            if got["endpoint"]["code"]
                .as_str()
                .is_none_or(|c| !c.contains("OPENAI_API_KEY"))
            {
                wrong.push(format!(
                    "no server sketch reading OPENAI_API_KEY: {}",
                    got["endpoint"]
                ));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n    {}",
                case.path,
                case.line,
                wrong.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// Whether `program` runs here (`--version` or `-v` succeeds).
fn installed(program: &str) -> bool {
    ["--version", "-v"].iter().any(|flag| {
        std::process::Command::new(program)
            .arg(flag)
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn fix_explains_and_leaves_a_file_that_ships() {
    let repo = TestRepo::new();
    repo.write(VITE.0, VITE.1);
    repo.commit_all("base");
    let key = openai_key(78);
    let app = format!(
        "const client = new OpenAI({{ apiKey: \"{key}\", dangerouslyAllowBrowser: true }});\n"
    );
    repo.write("src/App.tsx", &app);
    repo.stage(&["src/App.tsx"]);
    let out = repo.keyward(&["fix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("ships inside") && stderr.contains("server"),
        "{stderr}"
    );
    assert!(!stderr.contains(&key), "the key was printed");
    assert_eq!(
        std::fs::read_to_string(repo.root.join("src/App.tsx")).unwrap(),
        app,
        "a shipped file was rewritten"
    );
    assert!(
        !repo.root.join(".env").exists(),
        "the key was moved into a .env the bundle could read"
    );
}

#[test]
fn fix_rewrites_ci_deploy_and_new_languages_and_they_still_parse() {
    let repo = TestRepo::new();
    repo.write("README.md", "# x\n");
    repo.commit_all("base");
    let key = |seed| openai_key(seed);
    repo.write(
        ".gitlab-ci.yml",
        format!("variables:\n  OPENAI_API_KEY: \"{}\"\ntest:\n  script:\n    - curl -H \"Authorization: Bearer {}\" https://api.openai.com/v1/models\n", key(81), key(82)),
    );
    repo.write(
        "chat.pl",
        format!(
            "use strict;\nuse warnings;\nmy $key = \"{}\";\nprint length($key), \"\\n\";\n",
            key(83)
        ),
    );
    repo.write(
        "chat.lua",
        format!("local key = \"{}\"\nprint(#key)\n", key(84)),
    );
    repo.write(
        "lib/api.dart",
        format!("// The API client.\nfinal key = '{}';\n", key(85)),
    );
    repo.write(
        "src/main.zig",
        format!(
            "pub fn main() void {{\n    const key = \"{}\";\n    _ = key;\n}}\n",
            key(86)
        ),
    );
    repo.git(&["add", "-A"]);
    let out = repo.keyward(&["fix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");

    let gitlab = std::fs::read_to_string(repo.root.join(".gitlab-ci.yml")).unwrap();
    assert_eq!(
        gitlab,
        "variables:\n  OPENAI_API_KEY: $OPENAI_API_KEY\ntest:\n  script:\n    - curl -H \"Authorization: Bearer ${OPENAI_API_KEY}\" https://api.openai.com/v1/models\n"
    );
    let dart = std::fs::read_to_string(repo.root.join("lib/api.dart")).unwrap();
    assert_eq!(
        dart,
        "// The API client.\nimport 'dart:io';\nfinal key = Platform.environment['OPENAI_API_KEY']!;\n"
    );
    let zig = std::fs::read_to_string(repo.root.join("src/main.zig")).unwrap();
    assert!(zig.starts_with("const std = @import(\"std\");\n"), "{zig}");

    // The rewritten files parse with their own tools where this machine has them (CI
    // installs perl and lua).
    let mut checks: Vec<(&str, Vec<&str>)> = vec![("perl", vec!["-c", "chat.pl"])];
    for lua in ["luac5.4", "luac"] {
        if installed(lua) {
            checks.push((lua, vec!["-p", "chat.lua"]));
            break;
        }
    }
    if installed("python3") {
        let yaml_ok = std::process::Command::new("python3")
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if yaml_ok {
            checks.push((
                "python3",
                vec![
                    "-c",
                    "import yaml,sys; yaml.safe_load(open('.gitlab-ci.yml'))",
                ],
            ));
        }
    }
    for (program, args) in checks {
        let (ok, output) = tool_accepts(program, &args, &repo.root);
        assert!(ok, "{program} rejects the rewritten file: {output}");
    }
}

#[test]
fn the_server_sketches_parse_as_javascript() {
    if !installed("node") {
        return;
    }
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&[VITE], "src/App.jsx"),
        (
            &[("manifest.json", r#"{"manifest_version": 3}"#)],
            "popup.js",
        ),
        (
            &[("package.json", r#"{"dependencies": {"expo": "~51.0.0"}}"#)],
            "App.js",
        ),
    ];
    let key = openai_key(79);
    for (project, path) in cases {
        let case = Case {
            project,
            path,
            line: "const key = \"{S}\";",
            replacement: None,
            ships: None,
            advice: &[],
        };
        let got = suggestion_for(&case, &key).unwrap();
        let code = got["endpoint"]["code"]
            .as_str()
            .expect("a sketch")
            .to_owned();
        let dir = tempfile::tempdir().unwrap();
        let file = if code.contains("require(") {
            "sketch.cjs"
        } else {
            "sketch.mjs"
        };
        std::fs::write(dir.path().join(file), &code).unwrap();
        let out = std::process::Command::new("node")
            .args(["--check", file])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "node rejects the sketch for {path}:\n{code}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
