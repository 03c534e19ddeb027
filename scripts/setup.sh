#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for guestkit: the apt tools the fixtures and browser
# tests use, the npm dependencies (which also bundle the CLI), the WebAssembly modules and
# the demo image. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  qemu-utils fdisk gdisk e2fsprogs xfsprogs btrfs-progs ntfs-3g dosfstools mtools exfatprogs
  xorriso genisoimage squashfs-tools cryptsetup-bin lvm2 mdadm f2fs-tools attr zstd xz-utils
  unzip python3 udftools chromium rustc cargo libstd-rust-dev-wasm32 lld-14 rust-clippy rustfmt ewf-tools python3-libvhdi libwin-hivex-perl rpm db5.3-util file libguestfs-tools guestfs-tools linux-image-amd64 libxml2-utils
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
if [ -f scripts/build-wasm.sh ]; then bash scripts/build-wasm.sh; fi
bash scripts/build-demo.sh
