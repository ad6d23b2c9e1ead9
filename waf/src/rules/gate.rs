//! Which trigger bytes of the structural checks occur in a value, collected in
//! the same pass that runs the literal sieve (one table lookup per byte
//! instead of one `contains` per check).

/// A set of trigger bytes, one bit each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Gates(u16);

/// Bit of each trigger byte; 0 for every other byte.
static BITS: [u16; 256] = {
    let mut t = [0u16; 256];
    t[b'(' as usize] = Gates::PAREN.0;
    t[b')' as usize] = Gates::CLOSE_PAREN.0;
    t[b':' as usize] = Gates::COLON.0;
    t[b'$' as usize] = Gates::DOLLAR.0;
    t[b'<' as usize] = Gates::LT.0;
    t[b'{' as usize] = Gates::BRACE.0;
    t[b'%' as usize] = Gates::PERCENT.0;
    t[b'\n' as usize] = Gates::NEWLINE.0;
    t[b'\r' as usize] = Gates::NEWLINE.0;
    // continuation bytes of characters that end in 0x0A / 0x0D (`crlf`)
    t[0x8a] = Gates::NEWLINE.0;
    t[0x8d] = Gates::NEWLINE.0;
    t[b'!' as usize] = Gates::BANG.0;
    t[b'?' as usize] = Gates::QUESTION.0;
    t[b']' as usize] = Gates::CLOSE_BRACKET.0;
    t[b';' as usize] = Gates::SEMI.0;
    t
};

// === impl Gates ===

impl Gates {
    pub(super) const NONE: Gates = Gates(0);
    pub(super) const PAREN: Gates = Gates(1);
    pub(super) const CLOSE_PAREN: Gates = Gates(1 << 1);
    pub(super) const COLON: Gates = Gates(1 << 2);
    pub(super) const DOLLAR: Gates = Gates(1 << 3);
    pub(super) const LT: Gates = Gates(1 << 4);
    pub(super) const BRACE: Gates = Gates(1 << 5);
    pub(super) const PERCENT: Gates = Gates(1 << 6);
    pub(super) const NEWLINE: Gates = Gates(1 << 7);
    pub(super) const BANG: Gates = Gates(1 << 8);
    pub(super) const QUESTION: Gates = Gates(1 << 9);
    pub(super) const CLOSE_BRACKET: Gates = Gates(1 << 10);
    pub(super) const SEMI: Gates = Gates(1 << 11);

    /// The trigger bytes of `s`.
    pub(super) fn of(s: &[u8]) -> Gates {
        let mut g = Gates::NONE;
        for &b in s {
            g.add(b);
        }
        g
    }

    #[inline(always)]
    pub(super) fn add(&mut self, b: u8) {
        self.0 |= BITS[usize::from(b)];
    }

    /// The bit of a trigger byte, 0 for any other byte: for passes that keep
    /// the gates in a wider table of their own (`sieve.rs`).
    pub(super) const fn bits_of(b: u8) -> u16 {
        BITS[b as usize]
    }

    /// The set of an OR of [`Gates::bits_of`] values.
    pub(super) const fn from_bits(bits: u16) -> Gates {
        Gates(bits)
    }

    /// Every byte of `want` occurs.
    pub(super) fn has(self, want: Gates) -> bool {
        self.0 & want.0 == want.0
    }

    /// The union of two sets: the bytes of both walks, or, in `has(a.and(b))`,
    /// a requirement for both bytes.
    pub(super) const fn and(self, o: Gates) -> Gates {
        Gates(self.0 | o.0)
    }
}
