#!/usr/bin/env bash
# Builds every crate of the wasm/ workspace for wasm32-unknown-unknown (release: opt-level
# s, LTO, panic=abort, stripped) and copies the modules to public/wasm/, where the browser
# fetches them lazily and Node reads them (src/engine/fs/wasm/loader.ts).
#
# Toolchain: Debian's Rust (packages rustc, cargo, libstd-rust-dev-wasm32 and lld-14, which
# provides rust-lld), because the rustup toolchain on PATH has no wasm32 target and no
# crates can be downloaded. Override with CARGO=… RUSTC=… if yours differs.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export RUSTC="${RUSTC:-/usr/bin/rustc}"
export RUSTDOC="${RUSTDOC:-/usr/bin/rustdoc}"
cargo="${CARGO:-/usr/bin/cargo}"

cd "$here/wasm"
"$cargo" build --release --target wasm32-unknown-unknown --quiet
mkdir -p "$here/public/wasm"
for f in target/wasm32-unknown-unknown/release/*.wasm; do
  cp -f "$f" "$here/public/wasm/"
  echo "$(basename "$f"): $(stat -c %s "$f") bytes" >&2
done
