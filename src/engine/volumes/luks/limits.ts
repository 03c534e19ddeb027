// Sanity limits for values LUKS headers give. Each is checked before the value is used
// to allocate, loop or derive, so a hostile header fails fast as `corrupt` instead of
// allocating gigabytes or spinning for hours. The reasons are the values cryptsetup
// itself writes.
// Reference: cryptsetup lib/luks1/luks.h, lib/luks2/luks2.h, lib/utils_pbkdf.c.

export const SECTOR = 512;

/** Largest volume/keyslot key: cryptsetup's largest is 64 bytes (aes-xts 512-bit); keys
 * of authenticated modes add at most 64 more. */
export const MAX_KEY_BYTES = 128;

/** Key material of one keyslot (key bytes x AF stripes): cryptsetup writes 4000 stripes,
 * at most 4000 x 64 = 250 KiB; 64x headroom. */
export const MAX_KEY_MATERIAL_BYTES = 16 * 1024 * 1024;

/** PBKDF2 iterations: cryptsetup benchmarks 2 s of its C code, a few million iterations
 * on current CPUs (~20 M at the very fastest); this is 5x that. */
export const MAX_PBKDF2_ITERATIONS = 100_000_000;

/** Argon2 memory: cryptsetup's own maximum memory cost (4 GiB). */
export const MAX_ARGON2_MEMORY_KIB = 4 * 1024 * 1024;

/** Argon2 passes x memory, in KiB-passes: cryptsetup's default is 4 passes over 1 GiB;
 * this allows 16x that (~2 minutes here). */
export const MAX_ARGON2_WORK_KIB = 64 * 1024 * 1024;

/** Argon2 lanes: cryptsetup caps the threads it benchmarks with at 4; lanes cost nothing
 * extra here, this only keeps the header honest. */
export const MAX_ARGON2_LANES = 64;

/** Salts and digests in LUKS2 JSON (base64): LUKS1 uses 32-byte salts, cryptsetup's
 * LUKS2 salts and digests are 32 bytes; 4x headroom. */
export const MAX_SALT_BYTES = 128;

/** LUKS2 object counts (cryptsetup's LUKS2_KEYSLOTS_MAX, LUKS2_TOKENS_MAX, and the same
 * bound for segments and digests). */
export const MAX_LUKS2_OBJECTS = 32;

/** LUKS2 metadata area sizes the specification allows (binary header + JSON area). */
export const LUKS2_HDR_SIZES = [
  0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000,
] as const;

/** Where a LUKS2 secondary header may sit when the primary cannot say (libblkid's list). */
export const LUKS2_SECONDARY_OFFSETS = LUKS2_HDR_SIZES;

/** Bytes decrypted per step of a large read: bounds the temporary buffers. */
export const DECRYPT_CHUNK_BYTES = 1024 * 1024;
