#!/usr/bin/env bash
# Builds the built-in demo image, public/demo/demo.qcow2: a GPT disk with an EFI system
# partition (FAT16), a Linux root (ext4) holding a small Debian-like tree, and swap,
# compressed into a qcow2 of a few hundred KiB. Rebuilt only when this script changes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=public/demo
stamp="$out/.stamp"
digest=$(sha256sum "$0" | cut -d' ' -f1)
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] && [ -f "$out/demo.qcow2" ] && exit 0
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export E2FSPROGS_FAKE_TIME=1700000000 SOURCE_DATE_EPOCH=1700000000

root="$tmp/root"
mkdir -p "$root"/{etc,home/demo,var/log,var/lib/dpkg,usr/bin,boot/efi}
# A real ELF binary (the host's bash) so inspection can tell the architecture, and the
# merged-/usr layout Debian 12 has.
cp /usr/bin/bash "$root/usr/bin/bash"
ln -s usr/bin "$root/bin"
cat >"$root/var/lib/dpkg/status" <<'DPKG'
Package: bash
Status: install ok installed
Priority: required
Architecture: amd64
Version: 5.2.15-2+b7
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.

Package: base-files
Status: install ok installed
Priority: required
Architecture: amd64
Version: 12.4+deb12u7
Description: Debian base system miscellaneous files
 This package contains the basic filesystem hierarchy of a Debian system.

Package: guestkit-demo
Status: install ok installed
Priority: optional
Architecture: all
Version: 1.0-1
Homepage: https://example.invalid/guestkit
Description: files of the guestkit demo image
 A small tree that the guestkit demo shows in its file browser.
DPKG
printf 'demo-host\n' >"$root/etc/hostname"
cat >"$root/etc/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
OS
printf '12.7\n' >"$root/etc/debian_version"
printf 'UUID=6a1f6f2e-8a9b-4c3d-9e0f-1a2b3c4d5e6f / ext4 errors=remount-ro 0 1\nUUID=7E3A-1C2B /boot/efi vfat umask=0077 0 1\n' >"$root/etc/fstab"
printf 'Welcome to the guestkit demo image.\n' >"$root/home/demo/README.txt"
ln -s ../home/demo/README.txt "$root/etc/motd"

mib=$((1024 * 1024))
disk="$tmp/disk.raw"
truncate -s $((64 * mib)) "$disk"
sgdisk -U 5B1F6C0D-3A2E-4F59-9C1B-0D2E3F4A5B6C \
  -n 1:2048:+16M -t 1:EF00 -c 1:"EFI System" -u 1:1C2B3D4E-5F60-4172-8394-A5B6C7D8E9F0 \
  -n 2:0:+40M -t 2:8300 -c 2:"Linux root" -u 2:2D3E4F50-6172-4394-A5B6-C7D8E9F0A1B2 \
  -n 3:0:0 -t 3:8200 -c 3:"swap" -u 3:3E4F5061-7283-4495-B6C7-D8E9F0A1B2C3 \
  "$disk" >/dev/null

put() { # put IMAGE PARTNUM
  local start
  start=$(sfdisk --json "$disk" | python3 -c "import json,sys; t=json.load(sys.stdin)['partitiontable']; print([p['start'] for p in t['partitions']][$2-1])")
  dd if="$1" of="$disk" bs=512 seek="$start" conv=notrunc,sparse status=none
}
mkfs.vfat -C -F 16 -n EFI -i 7E3A1C2B "$tmp/efi.img" $((16 * 1024)) >/dev/null
MTOOLS_SKIP_CHECK=1 mmd -i "$tmp/efi.img" ::/EFI ::/EFI/debian
put "$tmp/efi.img" 1
mke2fs -q -F -t ext4 -b 4096 -L rootfs -U 6a1f6f2e-8a9b-4c3d-9e0f-1a2b3c4d5e6f \
  -E root_owner=0:0,hash_seed=6a1f6f2e-8a9b-4c3d-9e0f-1a2b3c4d5e6f -d "$root" "$tmp/root.img" 40M >/dev/null
put "$tmp/root.img" 2
truncate -s $((64 * mib - 2048 * 512 - 56 * mib - 33 * 512)) "$tmp/swap.img"
mkswap -L swap -U 0c8a2f3e-1d4b-4e5f-8a6b-7c8d9e0f1a2b "$tmp/swap.img" >/dev/null 2>&1
put "$tmp/swap.img" 3

qemu-img convert -c -f raw -O qcow2 "$disk" "$out/demo.qcow2"
echo "$digest" >"$stamp"
echo "demo image: $out/demo.qcow2 ($(stat -c %s "$out/demo.qcow2") bytes)" >&2
