//! guestkit's read-only NTFS driver, compiled to WebAssembly with the C ABI of wasm/fsabi
//! (the same exports as the ext4 crate, plus alternate data streams). Every device byte
//! arrives through the imported `env.read_at`.
//! Reference: the Linux-NTFS project's NTFS documentation (Richard Russon et al.) and
//! Microsoft's [MS-FSCC] / [MS-XCA] for reparse points and LZNT1.

pub mod attr_list;
pub mod attribute;
pub mod boot_sector;
pub mod cache;
pub mod classify;
pub mod file_name;
pub mod fixup;
pub mod fs;
pub mod index;
pub mod inode;
pub mod interix;
pub mod links;
pub mod lznt1;
pub mod mft;
pub mod mft_record;
pub mod ops;
pub mod reparse;
pub mod runlist;
pub mod standard_information;
pub mod statfs;
pub mod stream;
pub mod stream_map;
pub mod upcase;
pub mod volume;

#[cfg(target_arch = "wasm32")]
mod exports;
