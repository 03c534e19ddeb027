#!/usr/bin/env bash
# The crates' own checks with Debian's toolchain (the rustup one on PATH has no wasm32
# target, and its newer clippy would lint with different rules): host unit tests, clippy
# with warnings as errors, rustfmt --check.
set -euo pipefail
cd "$(dirname "$0")/../wasm"
export PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
cargo test --quiet
cargo clippy --quiet --all-targets -- -D warnings
cargo fmt --all -- --check
