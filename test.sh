#!/usr/bin/env bash
# Runs every check of the project: formatting, lints, forbidden dependencies, all the tests
# (integration tests through real HTTP, the command line, and headless Chromium).
# It installs what a fresh machine lacks (Chromium and its WebDriver) first.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${CI:-}" = "true" ]; then
  # Fresh clones build once: incremental compilation only costs time there.
  export CARGO_INCREMENTAL=0
fi

need_pkgs=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
command -v chromedriver >/dev/null 2>&1 || [ -x /usr/bin/chromedriver ] || need_pkgs+=(chromium-driver)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "==> installing ${need_pkgs[*]} for the browser tests"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> forbidden dependencies"
for crate in aws-lc-sys openssl-sys; do
  if cargo tree --workspace --locked -e normal,build,dev -i "$crate" >/dev/null 2>&1; then
    echo "error: $crate is in the dependency tree (see research/crates.md: use ring, never aws-lc or OpenSSL)"
    exit 1
  fi
done

echo "==> cargo test"
cargo test --workspace --locked

echo "==> all green"
