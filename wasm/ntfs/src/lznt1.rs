//! LZNT1, the compression of NTFS compressed attributes. A compression unit (16 clusters)
//! is a series of chunks, each standing for 4096 bytes of output: a 2-byte header (bit 15:
//! compressed, bits 0..11: stored length - 3), then either 4096 raw bytes or groups of a
//! flag byte and eight tokens (literal byte, or a 16-bit back-reference whose split between
//! offset and length bits depends on how far into the chunk the output is).
//! Reference: [MS-XCA] "LZNT1 Algorithm Details" (2.5); Linux-NTFS documentation
//! "Concepts: Compression".

use fsabi::le::le16;

/// Output bytes per chunk; a chunk that decodes to fewer is zero-filled up to this.
pub const CHUNK: usize = 4096;

/// A malformed stream: the byte position in the compressed input and what was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub at: usize,
    pub detail: &'static str,
}

fn fault(at: usize, detail: &'static str) -> Fault {
    Fault { at, detail }
}

/// Bits of a back-reference token that hold the length, given the output position inside
/// the chunk: 12 at the start, one fewer each time the position doubles past 16.
fn length_bits(pos: usize) -> u32 {
    let mut bits = 12;
    let mut i = pos - 1;
    while i >= 0x10 {
        bits -= 1;
        i >>= 1;
    }
    bits
}

/// Decompresses `src` into `dst` (which the caller zeroed). Returns the bytes produced;
/// output past `dst.len()` is dropped, so a hostile stream cannot write out of bounds.
pub fn decompress(src: &[u8], dst: &mut [u8]) -> Result<usize, Fault> {
    let mut sp = 0usize;
    let mut dp = 0usize;
    while sp + 2 <= src.len() && dp < dst.len() {
        let header = le16(src, sp);
        if header == 0 {
            break;
        }
        let data_len = (header & 0x0FFF) as usize + 1;
        let start = sp + 2;
        let end = start + data_len;
        if end > src.len() {
            return Err(fault(sp, "chunk longer than the compressed data"));
        }
        let out_end = (dp + CHUNK).min(dst.len());
        if header & 0x8000 == 0 {
            let n = data_len.min(out_end - dp);
            dst[dp..dp + n].copy_from_slice(&src[start..start + n]);
        } else {
            decompress_chunk(&src[start..end], start, &mut dst[dp..out_end])?;
        }
        dp = out_end;
        sp = end;
    }
    Ok(dp)
}

/// One compressed chunk into `out` (at most CHUNK bytes). `base` is the chunk's position
/// in the whole input, for fault reports.
fn decompress_chunk(src: &[u8], base: usize, out: &mut [u8]) -> Result<usize, Fault> {
    let mut sp = 0usize;
    let mut dp = 0usize;
    while sp < src.len() {
        let flags = src[sp];
        sp += 1;
        for bit in 0..8 {
            if sp >= src.len() {
                break;
            }
            if flags & (1 << bit) == 0 {
                if dp < out.len() {
                    out[dp] = src[sp];
                }
                dp += 1;
                sp += 1;
                continue;
            }
            if sp + 2 > src.len() {
                return Err(fault(base + sp, "back-reference cut off"));
            }
            if dp == 0 {
                return Err(fault(base + sp, "back-reference at the start of a chunk"));
            }
            let token = le16(src, sp) as usize;
            sp += 2;
            let lbits = length_bits(dp);
            let length = (token & ((1 << lbits) - 1)) + 3;
            let offset = (token >> lbits) + 1;
            if offset > dp {
                return Err(fault(
                    base + sp - 2,
                    "back-reference before the start of the chunk",
                ));
            }
            if dp + length > CHUNK {
                return Err(fault(
                    base + sp - 2,
                    "back-reference past the end of the chunk",
                ));
            }
            // Byte by byte: the source may overlap the bytes being written (runs).
            for _ in 0..length {
                if dp < out.len() {
                    out[dp] = out[dp - offset];
                }
                dp += 1;
            }
        }
    }
    Ok(dp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &[u8], n: usize) -> Vec<u8> {
        let mut dst = vec![0u8; n];
        let got = decompress(src, &mut dst).unwrap();
        dst.truncate(got);
        dst
    }

    #[test]
    fn literal_chunk() {
        // Compressed chunk: flags 0, then "abcdefgh" (8 literals): stored length 9.
        let mut src = vec![0x08, 0xB0, 0x00];
        src.extend_from_slice(b"abcdefgh");
        src.extend_from_slice(&[0, 0]);
        let out = run(&src, 16);
        assert_eq!(&out[..8], b"abcdefgh");
        assert_eq!(
            out.len(),
            16,
            "zero-filled to the chunk end (bounded by dst)"
        );
    }

    #[test]
    fn back_reference_run() {
        // "ab" then a reference at pos 2: offset 2, length 6 => "abababab".
        // At pos 2, length bits = 12: token = ((2-1) << 12) | (6-3) = 0x1003.
        let src = [0x04, 0xB0, 0x04, b'a', b'b', 0x03, 0x10, 0, 0];
        let out = run(&src, 8);
        assert_eq!(&out[..], b"abababab");
    }

    #[test]
    fn uncompressed_chunk() {
        let mut src = vec![0xFF, 0x3F];
        src.extend((0..4096).map(|i| (i % 256) as u8));
        let out = run(&src, 5000);
        assert_eq!(out.len(), 4096);
        assert_eq!(out[300], 44);
    }

    #[test]
    fn length_bits_shrink_with_position() {
        assert_eq!(length_bits(1), 12);
        assert_eq!(length_bits(16), 12);
        assert_eq!(length_bits(17), 11);
        assert_eq!(length_bits(4096), 4);
    }

    #[test]
    fn rejects_reference_before_start() {
        let src = [0x03, 0xB0, 0x02, b'a', 0x00, 0x50];
        let mut dst = vec![0u8; 64];
        assert_eq!(
            decompress(&src, &mut dst).unwrap_err().detail,
            "back-reference before the start of the chunk"
        );
        let src = [0x02, 0xB0, 0x01, 0x00, 0x10];
        assert_eq!(
            decompress(&src, &mut dst).unwrap_err().detail,
            "back-reference at the start of a chunk"
        );
    }

    // Plaintexts of testdata/make-lznt1-vectors.sh (same generator as its Python).
    const WORDS: [&[u8]; 8] = [
        b"alpha", b"beta", b"gamma", b"delta", b"ntfs", b"cluster", b"record", b"index",
    ];

    struct Lcg(u32);
    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = (self.0.wrapping_mul(1103515245).wrapping_add(12345)) & 0x7FFF_FFFF;
            self.0 >> 16
        }
    }

    fn text(n: usize, seed: u32) -> Vec<u8> {
        let mut g = Lcg(seed);
        let mut out = Vec::new();
        while out.len() < n {
            for i in 0..8 {
                if i > 0 {
                    out.push(b' ');
                }
                out.extend_from_slice(WORDS[(g.next() % 8) as usize]);
            }
            out.push(b'\n');
        }
        out.truncate(n);
        out
    }

    fn noise(n: usize, seed: u32) -> Vec<u8> {
        let mut g = Lcg(seed);
        (0..n).map(|_| (g.next() & 0xFF) as u8).collect()
    }

    fn runs_text() -> Vec<u8> {
        let mut v = vec![b'A'; 3000];
        for _ in 0..16 {
            v.extend(0..=255u8);
        }
        for _ in 0..300 {
            v.extend_from_slice(b"0123456789abcdef");
        }
        v
    }

    /// Vectors compressed by ntfs-3g: the first 64 KiB unit of each file.
    #[test]
    fn decompresses_ntfs3g_vectors() {
        let mut mixed = noise(16384, 2);
        mixed.extend(text(49152, 3));
        let cases: [(&[u8], Vec<u8>); 3] = [
            (include_bytes!("../testdata/text.lznt1"), text(65536, 1)),
            (include_bytes!("../testdata/runs.lznt1"), runs_text()),
            (include_bytes!("../testdata/mixed.lznt1"), mixed),
        ];
        for (i, (src, plain)) in cases.iter().enumerate() {
            let mut unit = vec![0u8; 65536];
            decompress(src, &mut unit).unwrap();
            assert_eq!(&unit[..plain.len()], &plain[..], "vector {}", i);
            assert!(
                unit[plain.len()..].iter().all(|&b| b == 0),
                "vector {} tail",
                i
            );
        }
    }

    #[test]
    fn rejects_chunk_past_input() {
        let src = [0x40, 0xB0, 0x00, b'a'];
        let mut dst = vec![0u8; 64];
        assert_eq!(decompress(&src, &mut dst).unwrap_err().at, 0);
    }
}
