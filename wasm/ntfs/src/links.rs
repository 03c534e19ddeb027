//! readlink, answered as ntfs-3g answers it for a volume mounted at "/" with its mount
//! point prefix left out:
//!  - Interix symlinks (what ntfs-3g itself creates) and WSL symlinks: the stored target.
//!  - Junctions and absolute symlinks ("\??\C:\dir\x", "C:\x", "\x"): when the drive letter
//!    is not defined in /.NTFS-3G and the path exists on this volume, "/dir/x" with each
//!    component in the case stored on disk; otherwise "/.NTFS-3G/C:/dir/x" (a place where
//!    the user can define where other drives live). Volume GUID junctions likewise.
//!  - Relative symlinks (flag 1): the path with "\" turned into "/" and components in their
//!    on-disk case, checked to exist from the link's directory.
//!  - Anything malformed or not found: "unsupported reparse tag 0x<tag>".
//!
//! Reference: ntfs-3g(8) "Junction points, symbolic links and special files"; the rules
//! follow ntfs-3g's libntfs-3g/reparse.c (ntfs_make_symlink and its helpers).

use crate::classify::Class;
use crate::fs::{Fs, ROOT};
use crate::index;
use crate::inode::Inode;
use crate::interix::Interix;
use crate::mft_record::mref_record;
use crate::reparse::{tag, unsupported_text};
use crate::standard_information::file_attr;
use fsabi::error::{Error, Result};
use fsabi::Device;
use std::rc::Rc;

const BACKSLASH: u16 = b'\\' as u16;
const SLASH: u16 = b'/' as u16;
const COLON: u16 = b':' as u16;
const DOT: u16 = b'.' as u16;
const QUESTION: u16 = b'?' as u16;
/// ntfs-3g follows at most 31 components of a relative target.
const MAX_RELATIVE_STEPS: i32 = 32;

fn utf8(units: &[u16]) -> String {
    String::from_utf16_lossy(units)
}

fn is_prefix(units: &[u16], ascii: &str) -> bool {
    units.len() >= ascii.len() && ascii.bytes().zip(units.iter()).all(|(a, u)| *u == a as u16)
}

pub fn target<D: Device>(fs: &mut Fs<D>, inode: &Inode, c: &Class) -> Result<Vec<u8>> {
    if let Some(Interix::Symlink(t)) = &c.interix {
        return Ok(utf8(t).into_bytes());
    }
    let r = match &c.reparse {
        Some(r) => r,
        None => return Err(Error::Invalid("not a symbolic link")),
    };
    if r.tag == tag::LX_SYMLINK {
        return Ok(r.lx_target().unwrap_or_else(|| unsupported_text(r.tag)));
    }
    let ld = match r.link_data(inode.is_dir) {
        Some(l) => l,
        None => return Ok(unsupported_text(r.tag)),
    };
    let p = &ld.subst;
    let found = if r.tag == tag::MOUNT_POINT {
        full_link(fs, p, inode.is_dir)?
    } else if p[0] == BACKSLASH && matches!(p.get(1), Some(&QUESTION) | Some(&BACKSLASH)) {
        if ld.relative {
            None
        } else {
            full_link(fs, p, inode.is_dir)?
        }
    } else if p[0] == BACKSLASH || p.get(1) == Some(&COLON) {
        if ld.relative {
            abs_link(fs, p, inode.is_dir)?
        } else {
            None
        }
    } else if ld.relative {
        search_relative(fs, inode, p)?
    } else {
        None
    };
    Ok(found
        .map(String::into_bytes)
        .unwrap_or_else(|| unsupported_text(r.tag)))
}

/// Looks `name` up in directory `dir` ignoring case and rewrites it in its on-disk case.
fn fix_name<D: Device>(fs: &mut Fs<D>, dir: u64, name: &mut [u16]) -> Result<Option<u64>> {
    if name.is_empty() {
        return Ok(None);
    }
    let d = match fs.inode(dir) {
        Ok(d) if d.is_dir => d,
        Ok(_) | Err(Error::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let idx = index::open(fs, &d)?;
    let up = fs.upcase()?;
    Ok(index::lookup(fs, &idx, &up, name)?.map(|e| {
        if let Some(f) = e.name.as_ref().filter(|f| f.name.len() == name.len()) {
            name.copy_from_slice(&f.name);
        }
        mref_record(e.mref)
    }))
}

fn open_inode<D: Device>(fs: &mut Fs<D>, n: u64) -> Result<Option<Rc<Inode>>> {
    match fs.inode(n) {
        Ok(i) => Ok(Some(i)),
        Err(Error::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

fn is_reparse(i: &Inode) -> Result<bool> {
    Ok(i.std_info()?.file_attributes & file_attr::REPARSE_POINT != 0)
}

/// True when /.NTFS-3G/X: exists: the user mapped drive X elsewhere.
fn drive_defined<D: Device>(fs: &mut Fs<D>, letter: u16) -> Result<bool> {
    let mut dir: Vec<u16> = ".NTFS-3G".encode_utf16().collect();
    let d = match fix_name(fs, ROOT, &mut dir)? {
        Some(d) => d,
        None => return Ok(false),
    };
    let upper = if (b'a' as u16..=b'z' as u16).contains(&letter) {
        letter - 0x20
    } else {
        letter
    };
    let mut name = vec![upper, COLON];
    Ok(fix_name(fs, d, &mut name)?.is_some())
}

/// Resolves `path` ("dir\sub\x") from the root, fixing case, until the end, a missing
/// name, a non-directory or another reparse point.
fn search_absolute<D: Device>(
    fs: &mut Fs<D>,
    path: &[u16],
    is_dir: bool,
) -> Result<Option<String>> {
    let mut p = path.to_vec();
    let count = p.len();
    let mut cur = open_inode(fs, ROOT)?;
    let mut start = 0usize;
    while let Some(ni) = cur.take() {
        let len = p[start..]
            .iter()
            .position(|&c| c == BACKSLASH)
            .unwrap_or(count - start);
        let inum = fix_name(fs, ni.number, &mut p[start..start + len])?;
        let next = match inum {
            Some(n) => open_inode(fs, n)?,
            None => return Ok(None),
        };
        start += len;
        if start < count {
            p[start] = SLASH;
            start += 1;
        }
        let next = match next {
            Some(n) => n,
            None => return Ok(None),
        };
        if next.is_dir && !is_reparse(&next)? && start < count {
            cur = Some(next);
            continue;
        }
        let ok = next.is_dir == is_dir || is_reparse(&next)?;
        return Ok(if ok { Some(utf8(&p)) } else { None });
    }
    Ok(None)
}

/// "/.NTFS-3G/" + the path with slashes reversed and the drive letter upper-cased.
fn mapped(units: &[u16]) -> Option<String> {
    if units.is_empty() {
        return None;
    }
    let t = utf8(units).replace('\\', "/");
    let b = t.as_bytes();
    let mut out = String::from("/.NTFS-3G/");
    if b.len() > 1 && b[1] == b':' && b[0].is_ascii_lowercase() {
        out.push(b[0].to_ascii_uppercase() as char);
        out.push_str(&t[1..]);
    } else {
        out.push_str(&t);
    }
    Some(out)
}

/// "/" + a path found on this volume.
fn rooted(t: String) -> String {
    let mut s = String::from("/");
    s.push_str(&t);
    s
}

/// Junctions and "\??\" symlinks.
fn full_link<D: Device>(fs: &mut Fs<D>, j: &[u16], is_dir: bool) -> Result<Option<String>> {
    let count = j.len();
    let dir_junction =
        count >= 7 && is_prefix(j, "\\??\\") && j[4] != 0 && j[5] == COLON && j[6] == BACKSLASH;
    let vol_junction =
        !dir_junction && count >= 12 && is_prefix(j, "\\??\\Volume{") && j[count - 1] == BACKSLASH;
    if dir_junction && count > 7 && j[7] != 0 && !drive_defined(fs, j[4])? {
        if let Some(t) = search_absolute(fs, &j[7..], is_dir)? {
            return Ok(Some(rooted(t)));
        }
    }
    if dir_junction {
        return Ok(mapped(&j[4..]));
    }
    if vol_junction {
        return Ok(mapped(&j[4..count - 1]));
    }
    Ok(None)
}

/// "C:\x" and "\x" symlinks (stored with the relative flag).
fn abs_link<D: Device>(fs: &mut Fs<D>, j: &[u16], is_dir: bool) -> Result<Option<String>> {
    let count = j.len();
    let full_path = count >= 3 && j[0] != 0 && j[1] == COLON && j[2] == BACKSLASH;
    let abs_path = !full_path && j[0] == BACKSLASH;
    let try_here = (full_path && count > 3 && j[3] != 0 && !drive_defined(fs, j[0])?) || abs_path;
    if try_here {
        let rest = if abs_path { &j[1..] } else { &j[3..] };
        if let Some(t) = search_absolute(fs, rest, is_dir)? {
            return Ok(Some(rooted(t)));
        }
    }
    Ok(if full_path { mapped(j) } else { None })
}

fn parent_of<D: Device>(fs: &mut Fs<D>, i: &Inode) -> Result<Option<Rc<Inode>>> {
    match i.file_names()?.first() {
        Some(f) => open_inode(fs, f.parent),
        None => Ok(None),
    }
}

/// A relative target, resolved from the link's own directory; the final component must
/// have the link's type (a file link to a file, a directory link to a directory).
fn search_relative<D: Device>(
    fs: &mut Fs<D>,
    link: &Inode,
    path: &[u16],
) -> Result<Option<String>> {
    let mut p = path.to_vec();
    let count = p.len();
    let mut cur = parent_of(fs, link)?;
    let mut pos = 0usize;
    let mut ok = true;
    let mut more_links = false;
    let mut max = MAX_RELATIVE_STEPS;
    while ok && !more_links && pos + 1 < count {
        let here = match cur.clone() {
            Some(c) => c,
            None => break,
        };
        max -= 1;
        if max == 0 {
            break;
        }
        if count >= pos + 2 && p[pos] == DOT && p[pos + 1] == BACKSLASH {
            p[pos + 1] = SLASH;
            pos += 2;
        } else if count >= pos + 3 && p[pos] == DOT && p[pos + 1] == DOT && p[pos + 2] == BACKSLASH
        {
            p[pos + 2] = SLASH;
            pos += 3;
            cur = parent_of(fs, &here)?;
            ok = cur.is_some();
        } else {
            let lth = p[pos..]
                .iter()
                .position(|&c| c == BACKSLASH)
                .unwrap_or(count - pos);
            let inum = if lth > 0 {
                fix_name(fs, here.number, &mut p[pos..pos + lth])?
            } else {
                None
            };
            let next = match inum {
                Some(n) => open_inode(fs, n)?,
                None => None,
            };
            let next = match next {
                Some(n) => n,
                None => {
                    ok = false;
                    continue;
                }
            };
            more_links = is_reparse(&next)?;
            if pos + lth < count {
                p[pos + lth] = SLASH;
                pos += lth + 1;
            } else {
                pos += lth;
                if !more_links && link.is_dir != next.is_dir {
                    ok = false;
                }
            }
            cur = Some(next);
        }
    }
    Ok(if ok { Some(utf8(&p)) } else { None })
}
