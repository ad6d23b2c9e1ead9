//! A list that lives on the stack up to `N` items and moves to the heap past
//! that: the token lists of a typical value (a name, a sentence) fit inline, so
//! tokenising and scoring allocate nothing; a long body spills once.

/// Items inline up to `N`, then all of them in `spill`.
pub(super) struct SmallBuf<T: Copy, const N: usize> {
    inline: [T; N],
    len: usize,
    /// Holds every item (the inline ones copied over) once `len > N`.
    spill: Vec<T>,
}

// === impl SmallBuf ===

impl<T: Copy, const N: usize> SmallBuf<T, N> {
    /// An empty list; `fill` only initialises the unused inline slots.
    pub(super) fn new(fill: T) -> Self {
        Self {
            inline: [fill; N],
            len: 0,
            spill: Vec::new(),
        }
    }

    #[inline]
    pub(super) fn push(&mut self, v: T) {
        if self.len < N {
            self.inline[self.len] = v;
        } else {
            if self.len == N {
                self.spill.reserve(2 * N);
                self.spill.extend_from_slice(&self.inline);
            }
            self.spill.push(v);
        }
        self.len += 1;
    }

    #[inline]
    pub(super) fn clear(&mut self) {
        self.len = 0;
        self.spill.clear();
    }

    #[inline]
    pub(super) fn as_slice(&self) -> &[T] {
        if self.len <= N {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }

    #[inline]
    pub(super) fn last(&self) -> Option<&T> {
        self.as_slice().last()
    }

    #[inline]
    pub(super) fn last_mut(&mut self) -> Option<&mut T> {
        if self.len <= N {
            self.inline[..self.len].last_mut()
        } else {
            self.spill.last_mut()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SmallBuf;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Pushes, clears and edits of the last item read back as a `Vec`'s,
        /// across the inline / spilled boundary.
        #[test]
        fn small_buf_reads_back_as_vec(ops in proptest::collection::vec(0u8..=255, 0..40)) {
            let mut b: SmallBuf<u8, 4> = SmallBuf::new(0);
            let mut v: Vec<u8> = Vec::new();
            for op in ops {
                match op {
                    0..=7 => {
                        b.clear();
                        v.clear();
                    }
                    8..=31 => {
                        if let (Some(x), Some(y)) = (b.last_mut(), v.last_mut()) {
                            *x = op;
                            *y = op;
                        }
                    }
                    _ => {
                        b.push(op);
                        v.push(op);
                    }
                }
                prop_assert_eq!(b.as_slice(), v.as_slice());
                prop_assert_eq!(b.last(), v.last());
            }
        }
    }
}
