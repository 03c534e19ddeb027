//! A small least-recently-used cache of parsed structures (MFT records, index blocks), so a
//! path walk or a directory listing reads each record once.

use std::rc::Rc;

pub struct Lru<K: PartialEq + Copy, V> {
    entries: Vec<(K, Rc<V>, u64)>,
    capacity: usize,
    clock: u64,
}

impl<K: PartialEq + Copy, V> Lru<K, V> {
    pub fn new(capacity: usize) -> Self {
        Lru {
            entries: Vec::new(),
            capacity,
            clock: 0,
        }
    }

    pub fn get(&mut self, key: K) -> Option<Rc<V>> {
        self.clock += 1;
        let now = self.clock;
        self.entries.iter_mut().find(|e| e.0 == key).map(|e| {
            e.2 = now;
            e.1.clone()
        })
    }

    pub fn put(&mut self, key: K, value: Rc<V>) {
        self.clock += 1;
        if self.entries.len() < self.capacity {
            self.entries.push((key, value, self.clock));
            return;
        }
        let oldest = (0..self.entries.len())
            .min_by_key(|&i| self.entries[i].2)
            .unwrap_or(0);
        self.entries[oldest] = (key, value, self.clock);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_least_recent() {
        let mut c: Lru<u64, u32> = Lru::new(2);
        c.put(1, Rc::new(10));
        c.put(2, Rc::new(20));
        assert_eq!(*c.get(1).unwrap(), 10);
        c.put(3, Rc::new(30));
        assert!(c.get(2).is_none());
        assert_eq!(*c.get(1).unwrap(), 10);
        assert_eq!(*c.get(3).unwrap(), 30);
    }
}
