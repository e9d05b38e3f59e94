#!/usr/bin/env bash
# Builds the Debian package: the release binary, then its man pages and completions generated
# from the clap definitions (intake-kiosk man / completions), then `cargo deb` (cargo install
# cargo-deb) with [package.metadata.deb] from Cargo.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
bin=target/release/intake-kiosk
rm -rf target/deploy && mkdir -p target/deploy/man target/deploy/completions
"$bin" man --to target/deploy/man
gzip -9n target/deploy/man/*.1
"$bin" completions bash > target/deploy/completions/intake-kiosk
"$bin" completions zsh > target/deploy/completions/_intake-kiosk
"$bin" completions fish > target/deploy/completions/intake-kiosk.fish
cargo deb --no-build
