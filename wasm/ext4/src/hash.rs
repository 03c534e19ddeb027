//! Directory-index hashes: legacy (dx_hack_hash), half-MD4 and TEA, each with a signed and
//! an unsigned variant (how the name's bytes widen to int differs between the platforms
//! that wrote the filesystem; s_flags records which).
//! Reference: kernel Documentation/filesystems/ext4/directory.rst "Hash Tree Directories"
//! and the algorithms it names (half-MD4: RFC 1320's MD4 rounds with 8 input words; TEA:
//! Wheeler & Needham's Tiny Encryption Algorithm, 16 rounds).

pub const LEGACY: u8 = 0;
pub const HALF_MD4: u8 = 1;
pub const TEA: u8 = 2;
pub const LEGACY_UNSIGNED: u8 = 3;
pub const HALF_MD4_UNSIGNED: u8 = 4;
pub const TEA_UNSIGNED: u8 = 5;
pub const SIPHASH: u8 = 6;

/// The initial state when the superblock's s_hash_seed is all zero: MD4's constants.
const DEFAULT_SEED: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];

/// The major hash (bit 0 cleared) of `name`, or None for an unknown version.
pub fn dx_hash(version: u8, seed: &[u32; 4], name: &[u8]) -> Option<u32> {
    let unsigned = matches!(version, LEGACY_UNSIGNED | HALF_MD4_UNSIGNED | TEA_UNSIGNED);
    let mut buf = if seed.iter().any(|&w| w != 0) {
        *seed
    } else {
        DEFAULT_SEED
    };
    let hash = match version {
        LEGACY | LEGACY_UNSIGNED => legacy(name, unsigned),
        HALF_MD4 | HALF_MD4_UNSIGNED => {
            for chunk in chunks(name, 32) {
                half_md4_transform(&mut buf, &str2hashbuf(chunk, 8, unsigned));
            }
            buf[1]
        }
        TEA | TEA_UNSIGNED => {
            for chunk in chunks(name, 16) {
                tea_transform(&mut buf, &str2hashbuf(chunk, 4, unsigned));
            }
            buf[0]
        }
        _ => return None,
    };
    let mut h = hash & !1;
    // 0xfffffffe marks the end of a directory in 32-bit readdir cookies; it is remapped.
    if h == 0x7fff_ffff << 1 {
        h = (0x7fff_ffff - 1) << 1;
    }
    Some(h)
}

/// The name in blocks of `n` bytes; each block also sees the rest of the name's length,
/// which is how the kernel pads (the tail of the name, not the block, sets the pad byte).
fn chunks(name: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut p = 0;
    // An empty name still runs no transform at all (the loop is `while len > 0`).
    while p < name.len() {
        out.push(&name[p..]);
        p += n;
    }
    out
}

fn widen(b: u8, unsigned: bool) -> u32 {
    if unsigned {
        b as u32
    } else {
        b as i8 as i32 as u32
    }
}

/// Packs up to 4*num bytes of `msg` (which may be longer) into `num` words, big-end first
/// within each word, padding with the remaining length repeated in every byte.
fn str2hashbuf(msg: &[u8], num: usize, unsigned: bool) -> [u32; 8] {
    let mut out = [0u32; 8];
    let len = msg.len();
    let mut pad = (len as u32) | ((len as u32) << 8);
    pad |= pad << 16;
    let take = len.min(num * 4);
    let mut val = pad;
    let mut w = 0;
    for (i, &b) in msg[..take].iter().enumerate() {
        val = widen(b, unsigned).wrapping_add(val << 8);
        if i % 4 == 3 {
            out[w] = val;
            w += 1;
            val = pad;
        }
    }
    if w < num {
        out[w] = val;
        w += 1;
    }
    while w < num {
        out[w] = pad;
        w += 1;
    }
    out
}

fn legacy(name: &[u8], unsigned: bool) -> u32 {
    let (mut h0, mut h1) = (0x12a3_fe2du32, 0x37ab_e8f9u32);
    for &b in name {
        let c = widen(b, unsigned);
        let mut h = h1.wrapping_add(h0 ^ c.wrapping_mul(7_152_373));
        if h & 0x8000_0000 != 0 {
            h = h.wrapping_sub(0x7fff_ffff);
        }
        h1 = h0;
        h0 = h;
    }
    h0 << 1
}

fn half_md4_transform(buf: &mut [u32; 4], x: &[u32; 8]) {
    const K2: u32 = 0x5A82_7999;
    const K3: u32 = 0x6ED9_EBA1;
    let f = |x: u32, y: u32, z: u32| z ^ (x & (y ^ z));
    let g = |x: u32, y: u32, z: u32| (x & y).wrapping_add((x ^ y) & z);
    let h = |x: u32, y: u32, z: u32| x ^ y ^ z;
    let (mut a, mut b, mut c, mut d) = (buf[0], buf[1], buf[2], buf[3]);
    // Each round: (state rotation, message word, shift) as in MD4, with half the input.
    macro_rules! round {
        ($fun:expr, $k:expr, $order:expr, $shifts:expr) => {
            for (i, &m) in $order.iter().enumerate() {
                let s = $shifts[i % 4];
                match i % 4 {
                    0 => {
                        a = a
                            .wrapping_add($fun(b, c, d))
                            .wrapping_add(x[m])
                            .wrapping_add($k)
                            .rotate_left(s)
                    }
                    1 => {
                        d = d
                            .wrapping_add($fun(a, b, c))
                            .wrapping_add(x[m])
                            .wrapping_add($k)
                            .rotate_left(s)
                    }
                    2 => {
                        c = c
                            .wrapping_add($fun(d, a, b))
                            .wrapping_add(x[m])
                            .wrapping_add($k)
                            .rotate_left(s)
                    }
                    _ => {
                        b = b
                            .wrapping_add($fun(c, d, a))
                            .wrapping_add(x[m])
                            .wrapping_add($k)
                            .rotate_left(s)
                    }
                }
            }
        };
    }
    round!(f, 0, [0usize, 1, 2, 3, 4, 5, 6, 7], [3u32, 7, 11, 19]);
    round!(g, K2, [1usize, 3, 5, 7, 0, 2, 4, 6], [3u32, 5, 9, 13]);
    round!(h, K3, [3usize, 7, 2, 6, 1, 5, 0, 4], [3u32, 9, 11, 15]);
    buf[0] = buf[0].wrapping_add(a);
    buf[1] = buf[1].wrapping_add(b);
    buf[2] = buf[2].wrapping_add(c);
    buf[3] = buf[3].wrapping_add(d);
}

fn tea_transform(buf: &mut [u32; 4], x: &[u32; 8]) {
    const DELTA: u32 = 0x9E37_79B9;
    let (mut b0, mut b1) = (buf[0], buf[1]);
    let (a, b, c, d) = (x[0], x[1], x[2], x[3]);
    let mut sum = 0u32;
    for _ in 0..16 {
        sum = sum.wrapping_add(DELTA);
        b0 = b0.wrapping_add(
            (b1 << 4).wrapping_add(a) ^ b1.wrapping_add(sum) ^ (b1 >> 5).wrapping_add(b),
        );
        b1 = b1.wrapping_add(
            (b0 << 4).wrapping_add(c) ^ b0.wrapping_add(sum) ^ (b0 >> 5).wrapping_add(d),
        );
    }
    buf[0] = buf[0].wrapping_add(b0);
    buf[1] = buf[1].wrapping_add(b1);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// s_hash_seed for UUID 5b8f3c2a-1d4e-4f60-8a7b-9c0d1e2f3a4b (its bytes as LE words).
    const SEED: [u32; 4] = [0x2a3c_8f5b, 0x604f_4e1d, 0x0d9c_7b8a, 0x4b3a_2f1e];
    const UNICODE: &str = "ünïcödé-日本語.txt";
    const LONG: &str = "a_name_that_is_longer_than_thirty_two_bytes_to_span_blocks";

    /// Expected values from e2fsprogs 1.47.0, not from this code:
    /// `debugfs -R "dx_hash -h ALG -s 5b8f3c2a-1d4e-4f60-8a7b-9c0d1e2f3a4b NAME"`
    /// (ALG 0..5 = legacy, half_md4, tea and their unsigned variants).
    #[test]
    fn matches_debugfs_vectors() {
        let cases: &[(u8, &str, u32)] = &[
            (LEGACY, "", 0x2547fc5a),
            (LEGACY, "a", 0xe74b53e2),
            (LEGACY, "entry-012345", 0x0f20a812),
            (LEGACY, UNICODE, 0xc1ed657e),
            (LEGACY, LONG, 0xe84cd3a2),
            (HALF_MD4, "", 0x604f4e1c),
            (HALF_MD4, "a", 0x6ba3142c),
            (HALF_MD4, "hello", 0xb46be77a),
            (HALF_MD4, "entry-012345", 0x23845e80),
            (HALF_MD4, UNICODE, 0xd970932c),
            (HALF_MD4, LONG, 0x9593e70e),
            (TEA, "", 0x2a3c8f5a),
            (TEA, "a", 0xb53e18f8),
            (TEA, "hello", 0xf35ccc30),
            (TEA, "entry-012345", 0x5539c804),
            (TEA, UNICODE, 0x6eaf5572),
            (TEA, LONG, 0x75575104),
            (LEGACY_UNSIGNED, "hello", 0x32252546),
            (LEGACY_UNSIGNED, UNICODE, 0x405ebff2),
            (HALF_MD4_UNSIGNED, "hello", 0xb46be77a),
            (HALF_MD4_UNSIGNED, UNICODE, 0xcf65de92),
            (HALF_MD4_UNSIGNED, LONG, 0x9593e70e),
            (TEA_UNSIGNED, "hello", 0xf35ccc30),
            (TEA_UNSIGNED, UNICODE, 0x3df62488),
            (TEA_UNSIGNED, LONG, 0x75575104),
        ];
        for &(version, name, want) in cases {
            assert_eq!(
                dx_hash(version, &SEED, name.as_bytes()),
                Some(want),
                "version {} name {:?}",
                version,
                name
            );
        }
    }

    #[test]
    fn zero_seed_uses_default() {
        // debugfs -R "dx_hash -h 1|2 -s 00000000-0000-0000-0000-000000000000 hello"
        assert_eq!(dx_hash(HALF_MD4, &[0; 4], b"hello"), Some(0x1746da32));
        assert_eq!(dx_hash(TEA, &[0; 4], b"hello"), Some(0x6f5bb1a8));
        assert_eq!(dx_hash(SIPHASH, &SEED, b"x"), None);
    }
}
