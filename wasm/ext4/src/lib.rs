//! guestkit's read-only ext2/ext3/ext4 driver, compiled to WebAssembly with a small C ABI
//! (wasm/README.md). Every device byte arrives through the imported `env.read_at`.
//! Reference: kernel Documentation/filesystems/ext4/ (the on-disk format chapters).

pub mod cache;
pub mod crc;
pub mod dir;
pub mod extent;
pub mod file_map;
pub mod fs;
pub mod group_desc;
pub mod hash;
pub mod htree;
pub mod indirect;
pub mod inline;
pub mod inode;
pub mod ops;
pub mod statfs;
pub mod superblock;
pub mod xattr;

#[cfg(target_arch = "wasm32")]
mod exports;
