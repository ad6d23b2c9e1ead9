//! Shannon entropy in bits per byte, for JSON string literals. Random binary
//! (encrypted or compressed blobs smuggled in a string) approaches 8; base64 stays
//! at or below 6 and text near 4-5, so a threshold around 7.2 only fires on data
//! that no form field or API value carries as text. Pure arithmetic.

/// Minimum length for the measure to mean anything (a short string cannot reach
/// high entropy: at most log2(len) bits per byte).
pub(crate) const MIN_LEN: usize = 128;

/// Shannon entropy of `s` in bits per byte (0 for empty input).
pub(crate) fn shannon(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_bytes_is_eight() {
        let all: Vec<u8> = (0..=255u8).collect();
        assert!((shannon(&all) - 8.0).abs() < 1e-9);
    }

    #[test]
    fn entropy_of_base64_is_below_threshold() {
        let b64: Vec<u8> = (0..4096u32)
            .map(|i| {
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [(i * 7 % 64) as usize]
            })
            .collect();
        assert!(shannon(&b64) <= 6.0 + 1e-9);
    }

    #[test]
    fn entropy_of_empty_is_zero() {
        assert_eq!(shannon(b""), 0.0);
    }
}
