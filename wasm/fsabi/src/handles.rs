//! Open filesystems, addressed by small integer handles.

use crate::error::{Error, Result};

/// Each open filesystem holds a superblock and a block cache; a page holding more than this
/// many at once is leaking handles.
pub const MAX_HANDLES: usize = 64;

pub struct Handles<T> {
    slots: Vec<Option<T>>,
}

impl<T> Handles<T> {
    pub const fn new() -> Self {
        Handles { slots: Vec::new() }
    }

    pub fn insert(&mut self, value: T) -> Result<u32> {
        if let Some(i) = self.slots.iter().position(|s| s.is_none()) {
            self.slots[i] = Some(value);
            return Ok(i as u32 + 1);
        }
        if self.slots.len() >= MAX_HANDLES {
            return Err(Error::NoMem("too many open filesystems"));
        }
        self.slots.push(Some(value));
        Ok(self.slots.len() as u32)
    }

    pub fn get(&mut self, handle: u32) -> Result<&mut T> {
        let i = (handle as usize).wrapping_sub(1);
        match self.slots.get_mut(i) {
            Some(Some(v)) => Ok(v),
            _ => Err(Error::BadHandle),
        }
    }

    pub fn remove(&mut self, handle: u32) -> Result<T> {
        let i = (handle as usize).wrapping_sub(1);
        match self.slots.get_mut(i).and_then(|s| s.take()) {
            Some(v) => Ok(v),
            None => Err(Error::BadHandle),
        }
    }
}

impl<T> Default for Handles<T> {
    fn default() -> Self {
        Self::new()
    }
}
