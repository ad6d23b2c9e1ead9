//! Compiles a `ProfileConfig` into an immutable `Profile` (automata built here,
//! once) and turns detector scores into verdicts: mode thresholds, exclusions and
//! shadow mode. Holds no per-request state and does no I/O.

use std::sync::Arc;

use thiserror::Error;

use crate::config::{ExcludeConfig, InspectPart, Mode, ProfileConfig};
use crate::content_type::{MediaTypeError, parse_media_type};
use crate::detect::Hits;
use crate::json::JsonLimits;
use crate::rules::{Rules, RulesError};
use crate::verdict::{Class, Detection, Location, Verdict};

/// Why a profile could not be compiled. Every variant names the offending value.
#[derive(Debug, Error)]
pub enum WafConfigError {
    /// An `allowed_content_types` entry is not a valid `type/subtype`.
    #[error("profile {profile}: allowed_content_types entry {value:?} is not a media type")]
    ContentType {
        /// Profile name.
        profile: String,
        /// The entry.
        value: String,
        /// Parser error.
        #[source]
        source: MediaTypeError,
    },
    /// An exclusion names neither a class nor a detection id of a class.
    #[error(
        "profile {profile}: exclusion id {id:?} is not a detection class or id (known classes: {known})"
    )]
    UnknownExclusion {
        /// Profile name.
        profile: String,
        /// The id.
        id: String,
        /// Known class names, comma separated.
        known: String,
    },
    /// A numeric option is out of range.
    #[error("profile {profile}: {option} = {value} is out of range ({hint})")]
    OutOfRange {
        /// Profile name.
        profile: String,
        /// Option name.
        option: &'static str,
        /// The value as written.
        value: String,
        /// What is accepted.
        hint: &'static str,
    },
    /// The literal automaton could not be built (an internal error).
    #[error("profile {profile}: {source}")]
    Rules {
        /// Profile name.
        profile: String,
        /// Builder error.
        #[source]
        source: RulesError,
    },
}

#[derive(Clone, Debug)]
struct Exclusion {
    id: String,
    param: Option<String>,
    header: Option<String>,
    route: Option<String>,
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Inspect {
    pub path: bool,
    pub query: bool,
    pub headers: bool,
    pub cookies: bool,
    pub body: bool,
}

/// A compiled profile: immutable, `Send + Sync`, cheap to share in an `Arc`.
pub struct Profile {
    name: String,
    mode: Mode,
    shadow: bool,
    body_limit: u64,
    allowed: Vec<String>,
    entropy: f64,
    json: JsonLimits,
    inspect: Inspect,
    excludes: Vec<Exclusion>,
    rules: Arc<Rules>,
    /// Identifies this compiled profile in the per-thread clean-value memo.
    memo_tag: u64,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("shadow", &self.shadow)
            .finish_non_exhaustive()
    }
}

impl Profile {
    /// Validates and compiles `cfg`. Builds the automata; call off the hot path.
    pub fn compile(name: &str, cfg: &ProfileConfig) -> Result<Profile, WafConfigError> {
        let profile = name.to_owned();
        let mut allowed = Vec::with_capacity(cfg.allowed_content_types.len());
        for v in &cfg.allowed_content_types {
            let m =
                parse_media_type(v.as_bytes()).map_err(|source| WafConfigError::ContentType {
                    profile: profile.clone(),
                    value: v.clone(),
                    source,
                })?;
            allowed.push(m.essence());
        }
        if !(0.0..=8.0).contains(&cfg.entropy_threshold) || cfg.entropy_threshold.is_nan() {
            return Err(WafConfigError::OutOfRange {
                profile,
                option: "entropy_threshold",
                value: cfg.entropy_threshold.to_string(),
                hint: "0 (off) to 8 bits per byte",
            });
        }
        if cfg.body_limit.as_u64() == 0 {
            return Err(WafConfigError::OutOfRange {
                profile,
                option: "body_limit",
                value: "0".into(),
                hint: "at least 1 byte",
            });
        }
        let j = &cfg.json;
        if j.max_depth == 0
            || j.max_depth > 1024
            || j.max_elements == 0
            || j.max_string_bytes.as_u64() == 0
        {
            return Err(WafConfigError::OutOfRange {
                profile,
                option: "json",
                value: format!(
                    "max_depth={} max_elements={} max_string_bytes={}",
                    j.max_depth, j.max_elements, j.max_string_bytes
                ),
                hint: "depth 1..=1024, elements and string bytes > 0",
            });
        }
        let mut excludes = Vec::with_capacity(cfg.exclude.len());
        for e in &cfg.exclude {
            excludes.push(compile_exclusion(&profile, e)?);
        }
        let mut inspect = Inspect::default();
        for p in &cfg.inspect {
            match p {
                InspectPart::Path => inspect.path = true,
                InspectPart::Query => inspect.query = true,
                InspectPart::Headers => inspect.headers = true,
                InspectPart::Cookies => inspect.cookies = true,
                InspectPart::Body => inspect.body = true,
            }
        }
        let rules = Rules::build().map_err(|source| WafConfigError::Rules {
            profile: profile.clone(),
            source,
        })?;
        Ok(Profile {
            name: profile,
            mode: cfg.mode,
            shadow: cfg.shadow,
            body_limit: cfg.body_limit.as_u64(),
            allowed,
            entropy: cfg.entropy_threshold,
            json: JsonLimits {
                max_depth: j.max_depth,
                max_string_bytes: usize::try_from(j.max_string_bytes.as_u64())
                    .unwrap_or(usize::MAX),
                max_elements: j.max_elements,
            },
            inspect,
            excludes,
            rules: Arc::new(rules),
            memo_tag: crate::memo::new_tag(),
        })
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True when the profile only logs (`WouldBlock`) instead of refusing.
    pub fn shadow(&self) -> bool {
        self.shadow
    }

    /// Largest body (bytes) the gateway should buffer for inspection.
    pub fn body_limit(&self) -> u64 {
        self.body_limit
    }

    /// The configured mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub(crate) fn rules(&self) -> &Rules {
        &self.rules
    }

    pub(crate) fn inspect(&self) -> Inspect {
        self.inspect
    }

    pub(crate) fn json_limits(&self) -> JsonLimits {
        self.json
    }

    pub(crate) fn entropy_threshold(&self) -> f64 {
        self.entropy
    }

    /// Whether `type_/subtype` (in any case) is allowed: an exact entry,
    /// `type_/*`, or `type_/*+suffix` for a structured syntax suffix (RFC 6839:
    /// `application/*+json` allows `application/merge-patch+json`). Compared in
    /// pieces, without building the `type/subtype` text.
    pub(crate) fn allows_media_type(&self, type_: &str, subtype: &str) -> bool {
        // `allowed` holds lowercase essences; media types are case-insensitive
        self.allowed.iter().any(|a| match a.split_once('/') {
            Some((t, "*")) => t.eq_ignore_ascii_case(type_),
            Some((t, s)) if s.starts_with("*+") => {
                let suffix = &s[1..];
                t.eq_ignore_ascii_case(type_)
                    && subtype.len() > suffix.len()
                    && subtype
                        .get(subtype.len() - suffix.len()..)
                        .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
            }
            Some((t, s)) => t.eq_ignore_ascii_case(type_) && s.eq_ignore_ascii_case(subtype),
            None => false,
        })
    }

    /// Score at or above which a detector signal refuses the request.
    /// This profile's tag in the per-thread clean-value memo (`memo.rs`).
    pub(crate) fn memo_tag(&self) -> u64 {
        self.memo_tag
    }

    pub(crate) fn threshold(&self) -> u32 {
        match self.mode {
            Mode::Balanced => 5,
            Mode::Strict => 3,
        }
    }

    /// The first non-excluded class at or above the threshold, as a detection.
    pub(crate) fn judge(
        &self,
        route: &str,
        hits: &Hits,
        loc: &dyn Fn() -> Location,
    ) -> Option<Detection> {
        // most values score nothing: skip collecting and sorting classes
        if hits.max_score() < self.threshold() {
            return None;
        }
        for (class, id, score) in hits.above(self.threshold()) {
            let d = Detection {
                id,
                class,
                location: loc(),
                score,
                status: 400,
            };
            if !self.excluded(route, &d) {
                return Some(d);
            }
        }
        None
    }

    /// A hard gate (413/415/JSON limits) as a detection, unless excluded.
    pub(crate) fn gate(
        &self,
        route: &str,
        id: &'static str,
        class: Class,
        status: u16,
    ) -> Option<Detection> {
        self.gate_at(route, id, class, status, Location::Body)
    }

    /// [`Self::gate`] for a finding at one place (the entropy of one JSON
    /// value): an exclusion limited to a parameter applies to it.
    pub(crate) fn gate_at(
        &self,
        route: &str,
        id: &'static str,
        class: Class,
        status: u16,
        location: Location,
    ) -> Option<Detection> {
        let d = Detection {
            id,
            class,
            location,
            score: 100,
            status,
        };
        (!self.excluded(route, &d)).then_some(d)
    }

    /// Wraps a detection per shadow mode. Body size (413) is enforced even in
    /// shadow: the gateway cannot buffer past the limit, so there is nothing to forward.
    pub(crate) fn verdict(&self, d: Detection) -> Verdict {
        if self.shadow && d.status != 413 {
            Verdict::WouldBlock(d)
        } else {
            Verdict::Deny(d)
        }
    }

    fn excluded(&self, route: &str, d: &Detection) -> bool {
        self.excludes.iter().any(|e| {
            if e.id != d.id && e.id != d.class.as_str() {
                return false;
            }
            if e.route.as_deref().is_some_and(|r| r != route) {
                return false;
            }
            if let Some(p) = &e.param {
                let name = match &d.location {
                    Location::QueryValue(n)
                    | Location::Cookie(n)
                    | Location::FormField(n)
                    | Location::JsonValue(n) => n,
                    _ => return false,
                };
                if name != p {
                    return false;
                }
            }
            if let Some(h) = &e.header {
                match &d.location {
                    Location::Header(n) if n.eq_ignore_ascii_case(h) => {}
                    _ => return false,
                }
            }
            true
        })
    }
}

fn compile_exclusion(profile: &str, e: &ExcludeConfig) -> Result<Exclusion, WafConfigError> {
    let class_part = e.id.split('-').next().unwrap_or("");
    if Class::from_name(&e.id).is_none() && Class::from_name(class_part).is_none() {
        return Err(WafConfigError::UnknownExclusion {
            profile: profile.to_owned(),
            id: e.id.clone(),
            known: Class::ALL
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(Exclusion {
        id: e.id.clone(),
        param: e.param.clone(),
        header: e.header.as_ref().map(|h| h.to_ascii_lowercase()),
        route: e.route.clone(),
    })
}
