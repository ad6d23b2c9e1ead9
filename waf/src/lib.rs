//! Rampart WAF engine: per-route profiles, request normalisation, tokenising
//! detectors (SQL, HTML/JS, shell) and body gates (size, content type, JSON limits,
//! entropy).
//!
//! The engine is pure: it never performs I/O, never spawns tasks and never
//! allocates per-request automata. Its only state outside a `Profile` is per
//! thread and invisible in results: reused simd-json buffers and tape, fixed-size
//! tables of values (up to 512 bytes) a profile already found clean, and the
//! clean items of the last few JSON documents (`memo.rs`). The gateway owns
//! buffering and responses; this crate only turns what it is shown into a
//! [`Verdict`]. Nothing here may panic on input, and every loop is bounded by the
//! input length (or a fixed pass count).
#![forbid(unsafe_code)]

mod base64;
mod body;
mod cmdi;
mod code;
mod config;
mod content_type;
mod detect;
mod entropy;
mod form;
mod head;
mod json;
mod memo;
mod normalise;
mod paths;
mod profile;
mod rules;
mod session;
mod sqli;
mod verdict;
mod xml;
mod xss;

pub use body::BodyScanner;
pub use config::{ExcludeConfig, InspectPart, JsonLimitsConfig, Mode, ProfileConfig};
pub use content_type::{MediaType, MediaTypeError, parse_media_type};
pub use head::{RequestHead, inspect_head};
pub use normalise::{Normalised, normalise};
pub use profile::{Profile, WafConfigError};
pub use rules::RulesError;
pub use verdict::{Class, Detection, Location, Verdict};

/// Fuzzing and benchmarking entry points. Not part of the gateway-facing API; kept
/// public so the cargo-fuzz crate can drive each parser on its own.
pub mod fuzzing {
    pub use crate::form::{for_each_multipart_field, for_each_urlencoded_pair};
    pub use crate::json::{JsonItem, JsonLimits, JsonPath, prescan_json, walk_json};

    /// Per-class scores `(class, strongest id, score)` of one value scanned as the
    /// given field kind (`path`, `name`, `value`, `url-header`, `user-agent`,
    /// `header`, `body`, `file-name`; anything else is `value`), with a prebuilt
    /// literal automaton. For the score-equivalence dump (`examples/score_dump.rs`)
    /// that checks a speed change alters no score.
    pub fn scan_scores(
        rules: &Scanner,
        field: &str,
        value: &[u8],
    ) -> Vec<(&'static str, &'static str, u32)> {
        use crate::detect::Field;
        let field = match field {
            "path" => Field::Path,
            "name" => Field::Name,
            "url-header" => Field::UrlHeader,
            "user-agent" => Field::UserAgent,
            "header" => Field::Header,
            "body" => Field::Body,
            "file-name" => Field::FileName,
            _ => Field::Value,
        };
        let hits = crate::detect::scan_value(&rules.0, field, value);
        hits.above(1)
            .map(|(c, id, s)| (c.as_str(), id, s))
            .collect()
    }

    /// The compiled literal automaton, for [`scan_scores`].
    pub struct Scanner(crate::rules::Rules);

    impl Scanner {
        /// Builds the automaton.
        pub fn new() -> Result<Scanner, crate::RulesError> {
            crate::rules::Rules::build().map(Scanner)
        }
    }

    /// Per-class scores `(class, strongest id, score)` of one query value (already
    /// percent-decoded once), for tuning tools. Builds the literal automaton per call.
    pub fn explain_value(value: &[u8]) -> Vec<(&'static str, &'static str, u32)> {
        let Ok(rules) = crate::rules::Rules::build() else {
            return Vec::new();
        };
        let hits = crate::detect::scan_value(&rules, crate::detect::Field::Value, value);
        hits.above(1)
            .map(|(c, id, s)| (c.as_str(), id, s))
            .collect()
    }
}
