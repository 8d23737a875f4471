//! Linking the `keyward` binary. It reads untrusted repositories, so it keeps the platform's
//! hardening (a position-independent executable, with ASLR of its own code) unless the builder
//! opts out with `KEYWARD_NO_PIE=1`; see [`position_dependent_executable`].
//!
//! The detector's build-time tables are made by `crates/keyward-detect/build.rs`.

fn main() {
    if !position_dependent_executable() {
        pack_relative_relocations();
    }
}

/// Links the binary as a position-dependent executable (`-no-pie`) on Linux with glibc, only
/// when `KEYWARD_NO_PIE=1` is set when building.
///
/// A position-independent binary of keyward's size carries ~23,000 relative relocations over
/// ~100 pages of `.data.rel.ro` (vtables, panic locations, tables of string slices). The
/// dynamic loader writes every one of those pages at start-up, a copy-on-write page fault each,
/// which took 0.3 ms of every run: a tenth of a small commit's whole budget. Linked at a fixed
/// address, the pointers are resolved by the linker and the pages are only read if used. This
/// gives up address-space randomization of the binary's own code (libraries, heap and stack
/// stay randomized), as Go's default linking does for gitleaks and the other Go scanners. A tool
/// that reads hostile input should keep it, so that is the default (DESIGN.md, Safety);
/// `KEYWARD_NO_PIE=1 cargo install --path .` trades it for the faster start. Probed by linking
/// and running a tiny program, so a toolchain that cannot do it builds as usual.
fn position_dependent_executable() -> bool {
    println!("cargo:rerun-if-env-changed=KEYWARD_NO_PIE");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("KEYWARD_NO_PIE") != "1"
        || var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("HOST") != var("TARGET")
    {
        return false;
    }
    if probe("no-pie", &["-no-pie"]) {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        return true;
    }
    false
}

/// Whether the C compiler links a tiny program with `flags` into one that runs.
fn probe(name: &str, flags: &[&str]) -> bool {
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let source = dir.join(format!("{name}-probe.c"));
    let program = dir.join(format!("{name}-probe"));
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return false;
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let linked = std::process::Command::new(cc)
        .arg(&source)
        .arg("-o")
        .arg(&program)
        .args(flags)
        .output()
        .is_ok_and(|o| o.status.success());
    linked
        && std::process::Command::new(&program)
            .status()
            .is_ok_and(|s| s.success())
}

/// For a position-independent build: links the binary with packed relative relocations
/// (`-z pack-relative-relocs`, DT_RELR) where the toolchain and the C library support them, so
/// the dynamic loader applies the relocations from a compact table (reading the usual one took
/// a twentieth of a small commit's time). Probed, so an older linker or glibc (before 2.36)
/// just builds without it.
fn pack_relative_relocations() {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("HOST") != var("TARGET")
    {
        return;
    }
    if probe("relr", &["-pie", "-Wl,-z,pack-relative-relocs"]) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
