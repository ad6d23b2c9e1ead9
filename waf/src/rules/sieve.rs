//! The literal sieve: a necessary condition for any literal to occur in a
//! value, checked in the same pass that collects the structural gates, so that
//! most benign values never step the literal DFA (1.26 MB, one dependent
//! table load per byte, cold in a busy daemon).
//!
//! Each literal contributes one window: 4 of its bytes (3 or 2 for shorter
//! literals) and one byte pair inside it, picked at build time to be unlikely
//! in prose. The pass looks up every adjacent byte pair in a 64 x 64 table
//! over pair classes; only where a pair is some window's pair does it hash
//! the window's bytes around it and test a 32 Kbit set. Tables: 1 KB of
//! byte entries, 4 KB of pair entries, 4 KB of window bits.
//!
//! Sound: if a literal occurs (ASCII case folded, as the automaton matches),
//! its window occurs at some offset, and the window's pair at a known offset
//! `j` inside it; those two bytes have the classes of the window's pair (both
//! cases of a letter share a class), so the pair entry holds the bit of
//! (window length, `j`), the window fits in the value, and its folded bytes
//! hash to a bit that was set at build time. No window found means no literal.

use super::gate::Gates;

/// Pair classes are 6 bits: 0 is "in no window pair", 1..=63 are bytes that
/// start or follow in a window pair (63 is shared once 62 are taken, which
/// only widens the test).
const CLASS_BITS: u32 = 6;
const MAX_CLASS: u32 = (1 << CLASS_BITS) - 1;
/// Pair class of a byte sits above the gate bits in `Sieve::bytes`.
const CLASS_SHIFT: u32 = 16;
/// Bytes sieved between two looks at the pair entries.
const CHUNK: usize = 8;
/// Bits of the window set.
const WINDOW_BITS: u32 = 15;

/// Windows are picked where the bytes are rare in prose. Lower is rarer.
fn byte_cost(b: u8) -> u32 {
    // English letters, most frequent first
    const LETTERS: &[u8] = b"etaoinsrhldcumfpgwybvkxjqz";
    match b {
        b' ' | b'\t' | b'\n' => 100,
        b'a'..=b'z' => 30 - LETTERS.iter().position(|&l| l == b).unwrap_or(26) as u32,
        b'0'..=b'9' => 12,
        b',' => 20,
        b'.' => 14,
        b'-' | b'\'' => 10,
        b':' | b'/' => 8,
        b'(' | b')' | b'!' | b'?' | b'@' => 6,
        _ => 2,
    }
}

/// Letter pairs of English words, roughly most frequent first: a pair or a
/// window holding them is likely in prose (`buil` of `processbuilder` in
/// "building"). Pairs not listed are rare.
const COMMON_PAIRS: &str = "th he in er an re on at en nd ti es or te of ed is it al ar st to \
    nt ng se ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el \
    ta la ns di fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee \
    wi em ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig \
    tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do uc bu \
    ei ov by rm ep tt oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va um pp ua up \
    lu go ht ru ug ds lt pi rc rr eg au ck ew mu br bi pt ak pu ui rg ib tl ny ki rk ys ob mm \
    fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu af hu nn eo vo rv nf xp gn sm fl \
    iz ok nl my gl aw ju oa eq sy sl ps jo lf nv je nk kn gs dy hy ze ks xt bs ik dd cy rp sk";

/// How common each letter pair is: 60 for the first of [`COMMON_PAIRS`]
/// down to 1 for the last, 0 for an unlisted pair.
struct PairCosts([[u32; 26]; 26]);

impl PairCosts {
    fn new() -> PairCosts {
        let mut t = [[0; 26]; 26];
        let n = COMMON_PAIRS.split_ascii_whitespace().count() as u32;
        for (r, p) in COMMON_PAIRS.split_ascii_whitespace().enumerate() {
            if let [a @ b'a'..=b'z', b @ b'a'..=b'z'] = p.as_bytes() {
                t[usize::from(a - b'a')][usize::from(b - b'a')] = 60 - r as u32 * 60 / n;
            }
        }
        PairCosts(t)
    }

    fn of(&self, p: &[u8]) -> u32 {
        match p {
            [a @ b'a'..=b'z', b @ b'a'..=b'z'] => {
                self.0[usize::from(a - b'a')][usize::from(b - b'a')]
            }
            _ => 0,
        }
    }

    /// How likely `w` (a window or a pair) is in prose: its commonest byte,
    /// all its bytes, and the letter pairs in it.
    fn cost(&self, w: &[u8]) -> u32 {
        let bytes = w.iter().map(|&b| byte_cost(b));
        let pairs: u32 = w.windows(2).map(|p| self.of(p)).sum();
        bytes.clone().max().unwrap_or(0) + bytes.sum::<u32>() + pairs
    }

    /// The window of `lit` (lowercase, at least 2 bytes) and the offset of
    /// its pair: the pair is looked up at every byte, the window only where
    /// the pair is, so a rare pair matters as much as a rare window.
    fn pick<'a>(&self, lit: &'a [u8]) -> (&'a [u8], usize) {
        let k = lit.len().min(4);
        let mut best = (u32::MAX, &lit[..k], 0);
        for w in lit.windows(k) {
            for j in 0..k - 1 {
                let c = self.cost(&w[j..j + 2]) + self.cost(w);
                if c < best.0 {
                    best = (c, w, j);
                }
            }
        }
        (best.1, best.2)
    }
}

/// (window length, offset of its pair) of each pair-table bit.
const KINDS: [(usize, usize); 6] = [(2, 0), (3, 0), (3, 1), (4, 0), (4, 1), (4, 2)];

/// The pair-table bit of a window of length `k` whose pair is at offset `j`.
fn kind_bit(k: usize, j: usize) -> u8 {
    // k = 2: bit 0; k = 3: bits 1-2; k = 4: bits 3-5, as in `KINDS`
    1 << ((k - 2) * (k - 1) / 2 + j)
}

fn hash(w: &[u8]) -> usize {
    let mut x = 0u32;
    for (i, &b) in w.iter().enumerate() {
        x |= u32::from(b.to_ascii_lowercase()) << (8 * i);
    }
    // the length keeps a 3-byte window apart from 4-byte ones ending in NUL
    x ^= (w.len() as u32) << 29;
    (x.wrapping_mul(0x9e37_79b1) >> (32 - WINDOW_BITS)) as usize
}

/// The built tables. Immutable, shared by all requests.
pub(super) struct Sieve {
    /// Per byte: structural gate bits (low 16) and pair class (above).
    bytes: [u32; 256],
    /// Per (class of a byte, class of the next): [`kind_bit`] of every
    /// (window length, offset of the pair in the window) with such a pair.
    pairs: Box<[u8; 1 << (2 * CLASS_BITS)]>,
    /// Hashed windows.
    windows: Box<[u64; 1 << (WINDOW_BITS - 6)]>,
    /// A literal shorter than 2 bytes: no pair to sieve on, every value passes.
    always: bool,
}

// === impl Sieve ===

impl Sieve {
    pub(super) fn build<'a>(literals: impl Iterator<Item = &'a [u8]>) -> Sieve {
        let mut sieve = Sieve {
            bytes: std::array::from_fn(|b| u32::from(Gates::bits_of(b as u8))),
            pairs: Box::new([0; 1 << (2 * CLASS_BITS)]),
            windows: Box::new([0; 1 << (WINDOW_BITS - 6)]),
            always: false,
        };
        let costs = PairCosts::new();
        let mut next_class = 1;
        for lit in literals {
            if lit.len() < 2 {
                sieve.always = true;
                continue;
            }
            let lit = lit.to_ascii_lowercase();
            let (w, j) = costs.pick(&lit);
            let mut class = |b: u8| {
                let c = sieve.bytes[usize::from(b)] >> CLASS_SHIFT;
                if c != 0 {
                    return c;
                }
                let c = next_class.min(MAX_CLASS);
                next_class += 1;
                for v in [b, b.to_ascii_uppercase()] {
                    sieve.bytes[usize::from(v)] |= c << CLASS_SHIFT;
                }
                c
            };
            let pair = (class(w[j]) << CLASS_BITS | class(w[j + 1])) as usize;
            sieve.pairs[pair] |= kind_bit(w.len(), j);
            let h = hash(w);
            sieve.windows[h / 64] |= 1 << (h % 64);
        }
        sieve
    }

    /// The structural gates of `s`, and whether a literal may occur in it
    /// (`false` proves that none does).
    pub(super) fn scan(&self, s: &[u8]) -> (Gates, bool) {
        if self.always {
            return (Gates::of(s), true);
        }
        let mut gates = 0u32;
        // the pair row of the previous byte; 0 before the first byte, and
        // class 0 is in no window pair, so the first byte finds no window
        let mut row = 0usize;
        // A chunk is sieved without a branch per byte: its pair entries are
        // ORed, and only a chunk with a window pair in it is looked at again
        // byte by byte (the same entries, so the same answer).
        let mut at = 0;
        for chunk in s.chunks(CHUNK) {
            let (row_in, mut kinds) = (row, 0u8);
            for &b in chunk {
                let e = self.bytes[usize::from(b)];
                gates |= e;
                let c = self.class(e);
                kinds |= self.pairs[row | c];
                row = c << CLASS_BITS;
            }
            if kinds != 0 && self.chunk_has_window(s, at, chunk, row_in) {
                for &b in &s[at + chunk.len()..] {
                    gates |= self.bytes[usize::from(b)];
                }
                return (Gates::from_bits(gates as u16), true);
            }
            at += chunk.len();
        }
        (Gates::from_bits(gates as u16), false)
    }

    /// A window of the set has its pair ending in `chunk` (at `at` in `s`);
    /// `row` is the pair row of the byte before the chunk.
    #[inline(never)]
    fn chunk_has_window(&self, s: &[u8], at: usize, chunk: &[u8], mut row: usize) -> bool {
        for (i, &b) in chunk.iter().enumerate() {
            let c = self.class(self.bytes[usize::from(b)]);
            let kinds = self.pairs[row | c];
            row = c << CLASS_BITS;
            if kinds != 0 && self.window_at(s, (at + i).wrapping_sub(1), kinds) {
                return true;
            }
        }
        false
    }

    #[inline(always)]
    fn class(&self, e: u32) -> usize {
        (e >> CLASS_SHIFT) as usize & MAX_CLASS as usize
    }

    /// A window of a (length, pair offset) in `kinds` has its pair at `at`
    /// and is in the set.
    #[inline(never)]
    fn window_at(&self, s: &[u8], at: usize, mut kinds: u8) -> bool {
        while kinds != 0 {
            let (k, j) = KINDS[kinds.trailing_zeros() as usize];
            kinds &= kinds - 1;
            if k == 2 {
                return true;
            }
            if let Some(st) = at.checked_sub(j)
                && let Some(w) = s.get(st..st.saturating_add(k))
            {
                let h = hash(w);
                if self.windows[h / 64] & (1 << (h % 64)) != 0 {
                    return true;
                }
            }
        }
        false
    }
}
