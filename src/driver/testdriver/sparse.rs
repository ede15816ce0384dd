//! A part of a domain that almost every domain leaves at its default (tunables, snapshots): kept
//! as one null pointer until something changes it. Among 10,000 domains the defaults would
//! otherwise be most of each domain's memory.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// A type whose default value can be shared: one instance for every `Sparse` left at it.
pub(super) trait SharedDefault: Default + 'static {
    fn shared_default() -> &'static Self;
}

/// Reads as the shared default until first written; then owns its own value.
pub(super) struct Sparse<T>(Option<Box<T>>);

impl<T> Default for Sparse<T> {
    fn default() -> Self {
        Sparse(None)
    }
}

impl<T: SharedDefault> Deref for Sparse<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.0 {
            Some(own) => own,
            None => T::shared_default(),
        }
    }
}

impl<T: SharedDefault> DerefMut for Sparse<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.get_or_insert_with(Box::default)
    }
}

impl<T: Clone> Clone for Sparse<T> {
    fn clone(&self) -> Self {
        Sparse(self.0.clone())
    }
}

/// Equal when the values are: a value written back to the default equals one never written.
impl<T: SharedDefault + PartialEq> PartialEq for Sparse<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: SharedDefault + Eq> Eq for Sparse<T> {}

impl<T: SharedDefault + fmt::Debug> fmt::Debug for Sparse<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// `impl SharedDefault for T` with one lazily built default per type.
macro_rules! shared_default {
    ($t:ty) => {
        impl $crate::driver::testdriver::sparse::SharedDefault for $t {
            fn shared_default() -> &'static Self {
                static DEFAULT: std::sync::LazyLock<$t> = std::sync::LazyLock::new(<$t>::default);
                &DEFAULT
            }
        }
    };
}
pub(super) use shared_default;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Clone, PartialEq, Eq, Debug)]
    struct Counters {
        n: Vec<u32>,
    }
    shared_default!(Counters);

    #[test]
    fn reads_default_without_allocating_and_owns_after_write() {
        let mut s: Sparse<Counters> = Sparse::default();
        assert!(s.n.is_empty());
        assert!(s.0.is_none());
        let t = s.clone();
        s.n.push(1);
        assert!(s.0.is_some());
        assert_eq!(s.n, [1]);
        assert!(t.n.is_empty());
        assert_ne!(s, t);
        s.n.clear();
        assert_eq!(s, t);
    }
}
