//! Private keys made by the real tools at test time (`ssh-keygen`, `openssl`, `gpg`,
//! `puttygen`), staged raw and base64-wrapped as a kubeconfig holds them: every one must be
//! reported. A test that needs a tool fails when the tool is missing (`.ci/run` installs them).

use std::process::Command;

use base64::Engine;

use crate::util::{describe, TestRepo};

/// Runs a key generator in `dir`; panics with its output if it fails or is missing.
fn run(dir: &std::path::Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GNUPGHOME", dir.join("gnupg"))
        .output()
        .unwrap_or_else(|e| panic!("{program} is needed for this test: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The keys, as (name, PEM text).
fn generated_keys(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for (kind, extra) in [("ed25519", ""), ("rsa", "3072"), ("ecdsa", "256")] {
        for passphrase in ["", "correct horse battery"] {
            let file = format!("id_{kind}_{}", passphrase.len());
            let mut args = vec!["-q", "-t", kind, "-N", passphrase, "-C", "", "-f", &file];
            if !extra.is_empty() {
                args.extend(["-b", extra]);
            }
            run(dir, "ssh-keygen", &args);
            keys.push((
                file.clone(),
                std::fs::read_to_string(dir.join(&file)).unwrap(),
            ));
        }
    }
    for (name, args) in [
        (
            "rsa-pkcs8.pem",
            vec![
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "rsa-pkcs8.pem",
            ],
        ),
        (
            "ec-pkcs8.pem",
            vec![
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "ec-pkcs8.pem",
            ],
        ),
        (
            "ed25519-pkcs8.pem",
            vec![
                "genpkey",
                "-algorithm",
                "ED25519",
                "-out",
                "ed25519-pkcs8.pem",
            ],
        ),
        (
            "ec-sec1.pem",
            vec![
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                "ec-sec1.pem",
            ],
        ),
        (
            "rsa-pkcs1.pem",
            vec!["genrsa", "-traditional", "-out", "rsa-pkcs1.pem", "2048"],
        ),
        (
            "rsa-encrypted.pem",
            vec![
                "genpkey",
                "-algorithm",
                "RSA",
                "-aes256",
                "-pass",
                "pass:hunter2hunter2",
                "-out",
                "rsa-encrypted.pem",
            ],
        ),
    ] {
        run(dir, "openssl", &args);
        keys.push((
            name.to_owned(),
            std::fs::read_to_string(dir.join(name)).unwrap(),
        ));
    }
    keys
}

#[test]
fn keys_from_ssh_keygen_and_openssl_are_reported_raw_and_base64_wrapped() {
    let repo = TestRepo::new();
    let work = tempfile::tempdir().unwrap();
    let keys = generated_keys(work.path());
    assert!(keys.len() >= 12);
    let mut missed = Vec::new();
    for (name, pem) in &keys {
        let raw = format!("keys/{name}");
        let wrapped = format!("kube/{name}.yaml");
        let b64 = base64::engine::general_purpose::STANDARD.encode(pem);
        repo.write(&raw, pem);
        repo.write(
            &wrapped,
            format!(
                "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: {b64}\n"
            ),
        );
        repo.stage(&[&raw, &wrapped]);
        let out = repo.keyward(&["--format", "json"]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", describe(name, &repo.root, &out)));
        for path in [&raw, &wrapped] {
            let found = json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["path"] == path.as_str());
            if !found {
                missed.push(path.clone());
            }
        }
        repo.git(&["rm", "-q", "--cached", &raw, &wrapped]);
    }
    assert!(missed.is_empty(), "not reported: {missed:?}");
}

/// A key committed in two halves (the second commit adds lines inside a block that is only
/// whole in the new file), and a key commented out line by line in a YAML file: both reported.
#[test]
fn a_key_completed_by_a_commit_and_a_commented_out_key_are_reported() {
    let repo = TestRepo::new();
    let work = tempfile::tempdir().unwrap();
    run(
        work.path(),
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", "k"],
    );
    let pem = std::fs::read_to_string(work.path().join("k")).unwrap();
    let lines: Vec<&str> = pem.split_inclusive('\n').collect();
    let half = lines.len() / 2;
    repo.write("deploy/id_key", lines[..half].concat());
    repo.write("ci.yml", "deploy:\n  script: make\n");
    repo.commit_all("first half");
    repo.write("deploy/id_key", &pem);
    let commented: String = lines.iter().map(|l| format!("  # {l}")).collect();
    repo.write("ci.yml", format!("deploy:\n{commented}  script: make\n"));
    repo.stage(&["deploy/id_key", "ci.yml"]);
    let out = repo.keyward(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", describe("scan", &repo.root, &out)));
    for path in ["deploy/id_key", "ci.yml"] {
        assert!(
            json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["path"] == path && f["rule_id"] == "private-key"),
            "{path} not reported: {}",
            describe("scan", &repo.root, &out)
        );
    }
}

#[test]
fn a_provider_key_wrapped_in_base64_is_reported_by_name_and_data_is_not() {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let url = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let token = crate::util::github_token(71);
    let key = crate::util::openai_key(72);
    // A tiny PNG's bytes, as a data URI inlines them: binary once decoded.
    let png: Vec<u8> = (0u8..=255).cycle().take(300).collect();
    let repo = TestRepo::new();
    repo.write(
        "deploy/config.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  GITHUB: {}\n  OPENAI: {}\n  DEMO: {}\n  LOGO: data:image/png;base64,{}\n",
            b64(&token),
            url(&key),
            b64("password=correct-horse-battery"),
            base64::engine::general_purpose::STANDARD.encode(&png),
        ),
    );
    repo.git(&["add", "-A"]);
    let out = repo.keyward(&["scan", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", describe("scan", &repo.root, &out)));
    let found: Vec<(String, u64, bool)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["description"].as_str().unwrap().contains("base64"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("github-pat".to_owned(), 4, true),
            ("openai-api-key".to_owned(), 5, true),
        ]
    );
}
