//! The two checksums ext4 uses: CRC32C (metadata_csum) and CRC16 (the older gdt_csum).
//! Reference: kernel Documentation/filesystems/ext4/checksums.rst. ext4 feeds the raw
//! register through (`crc32c(seed, data)` with no final inversion), so `crc32c_raw` does
//! the same; the standard CRC-32C of a message is `!crc32c_raw(!0, msg)`.

const fn crc32c_table() -> [u32; 256] {
    // Reflected Castagnoli polynomial 0x1EDC6F41.
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0x82F6_3B78 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

const fn crc16_table() -> [u16; 256] {
    // Reflected CRC-16/ANSI polynomial 0x8005 (lib/crc16.c).
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u16;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xA001 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static CRC32C: [u32; 256] = crc32c_table();
static CRC16: [u16; 256] = crc16_table();

pub fn crc32c_raw(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        crc = CRC32C[((crc ^ b as u32) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc
}

pub fn crc16(mut crc: u16, data: &[u8]) -> u16 {
    for &b in data {
        crc = CRC16[((crc ^ b as u16) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_check_value() {
        // The catalogue check value of CRC-32C over "123456789".
        assert_eq!(!crc32c_raw(!0, b"123456789"), 0xE306_9283);
    }

    #[test]
    fn crc16_check_value() {
        // CRC-16/ARC ("123456789") = 0xBB3D with init 0.
        assert_eq!(crc16(0, b"123456789"), 0xBB3D);
    }
}
