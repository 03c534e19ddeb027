//! $Volume (record 3): the label ($VOLUME_NAME, UTF-16) and the NTFS version and state
//! flags ($VOLUME_INFORMATION).
//! Reference: Linux-NTFS project documentation, "Files: $Volume", "Attribute -
//! $VOLUME_NAME (0x60)" and "$VOLUME_INFORMATION (0x70)".

use crate::attribute::kind;
use crate::fs::{Fs, VOLUME};
use fsabi::error::Result;
use fsabi::le::le16;
use fsabi::Device;

/// Windows labels are at most 32 characters; the attribute may hold up to 255 units.
const MAX_LABEL_UNITS: usize = 255;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeInfo {
    pub label: String,
    pub major: u8,
    pub minor: u8,
    pub flags: u16,
}

pub fn read<D: Device>(fs: &mut Fs<D>) -> Result<VolumeInfo> {
    let v = fs.inode(VOLUME)?;
    let mut out = VolumeInfo::default();
    if let Some(name) = v
        .attributes
        .iter()
        .find(|a| a.type_code == kind::VOLUME_NAME)
        .and_then(|a| a.resident_value())
    {
        let units: Vec<u16> = (0..(name.len() / 2).min(MAX_LABEL_UNITS))
            .map(|i| le16(name, 2 * i))
            .collect();
        out.label = String::from_utf16_lossy(&units);
    }
    if let Some(info) = v
        .attributes
        .iter()
        .find(|a| a.type_code == kind::VOLUME_INFORMATION)
        .and_then(|a| a.resident_value())
    {
        if info.len() >= 12 {
            out.major = info[8];
            out.minor = info[9];
            out.flags = le16(info, 10);
        }
    }
    Ok(out)
}
