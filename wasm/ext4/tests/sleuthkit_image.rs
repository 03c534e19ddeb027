//! Host-side check of the whole read path on a peer image: the Sleuth Kit's ext2 test
//! image (../shared/testdata, MANIFEST.md §3b/§3c). Expected values are the image's own
//! facts: fls lists passwords.txt as inode 15 (116 bytes), and pytsk reads the bytes
//! "place,user,passw" at device offset 0x5800, where that file's data starts.

use ext4::fs::{Fs, ROOT_INO};
use ext4::ops;
use fsabi::device::MemDevice;
use std::path::PathBuf;

fn image() -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/sleuthkit/test-data/image.dd");
    std::fs::read(&p).unwrap_or_else(|e| {
        panic!(
            "{}: {} (the shared testdata sits beside the checkout)",
            p.display(),
            e
        )
    })
}

#[test]
fn reads_passwords_txt() {
    let bytes = image();
    let at = 0x5800;
    let want = bytes[at..at + 16].to_vec();
    assert_eq!(&want, b"place,user,passw");
    let mut fs = Fs::open(MemDevice { bytes }).unwrap();
    let ino = ops::lookup(&mut fs, ROOT_INO, b"passwords.txt").unwrap();
    assert_eq!(ino, 15);
    let mut buf = vec![0u8; 200];
    let n = ops::read(&mut fs, 15, 0, &mut buf).unwrap();
    assert_eq!(n, 116);
    assert_eq!(&buf[..16], &want[..]);
    assert_eq!(
        ops::lookup(&mut fs, ROOT_INO, b"missing").unwrap_err(),
        fsabi::Error::NotFound
    );
}

#[test]
fn maps_passwords_txt_to_its_device_bytes() {
    use fsabi::le::{le32, le64};
    use fsabi::map::{kind, RUN_SIZE};
    let mut fs = Fs::open(MemDevice { bytes: image() }).unwrap();
    let mut out = vec![0u8; 4 * RUN_SIZE];
    // The whole file (116 bytes, asked for more): one data run at 0x5800.
    assert_eq!(
        ext4::file_map::map(&mut fs, 15, 0, 4096, &mut out).unwrap(),
        1
    );
    assert_eq!(
        (le64(&out, 0), le64(&out, 8), le32(&out, 16)),
        (0x5800, 116, kind::DATA)
    );
    // From byte 100: the run starts 100 bytes in.
    assert_eq!(
        ext4::file_map::map(&mut fs, 15, 100, 4096, &mut out).unwrap(),
        1
    );
    assert_eq!((le64(&out, 0), le64(&out, 8)), (0x5800 + 100, 16));
    // At the end of the file: no runs. The root directory: EISDIR.
    assert_eq!(
        ext4::file_map::map(&mut fs, 15, 116, 10, &mut out).unwrap(),
        0
    );
    assert_eq!(
        ext4::file_map::map(&mut fs, ROOT_INO, 0, 10, &mut out).unwrap_err(),
        fsabi::Error::IsDir
    );
}

#[test]
fn damaged_magic_is_corrupt_at_its_offset() {
    let mut bytes = image();
    bytes[1024 + 0x38] = 0;
    match Fs::open(MemDevice { bytes }) {
        Err(fsabi::Error::Corrupt(c)) => {
            assert_eq!((c.structure, c.offset), ("ext4 superblock", 1024 + 0x38))
        }
        Err(e) => panic!("{:?}", e),
        Ok(_) => panic!("opened a filesystem without its magic"),
    }
}
