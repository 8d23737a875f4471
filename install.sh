#!/usr/bin/env bash
# install.sh [REPO]
#
# Builds keyward from this checkout, installs the binary (into $KEYWARD_ROOT/bin, default
# ~/.cargo/bin), installs its pre-commit hook in REPO (default: the git repository of the current
# directory), and scans what is staged there now.
#
#   cd ~/src/my-app && ~/src/keyward/install.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
target=${1:-$PWD}
root=${KEYWARD_ROOT:-${CARGO_HOME:-$HOME/.cargo}}

command -v cargo >/dev/null 2>&1 || {
  echo "install.sh: cargo is required (https://rustup.rs)" >&2
  exit 2
}

echo "install.sh: building keyward and installing it into $root/bin" >&2
cargo install --quiet --locked --force --path "$here" --root "$root"
bin="$root/bin/keyward"

if ! git -C "$target" rev-parse --git-dir >/dev/null 2>&1; then
  echo "install.sh: $target is not a git repository. keyward is installed at $bin;" >&2
  echo "run 'keyward install' inside a repository to add the hook there." >&2
  exit 0
fi

cd "$target"
"$bin" install
echo "install.sh: scanning what is staged now (keyward scan --staged)" >&2
"$bin" scan --staged --verbose
