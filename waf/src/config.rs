//! The operator's `[waf.profile.NAME]` table as serde types. Parsing only:
//! validation and compilation live in `profile.rs`.

use bytesize::ByteSize;
use serde::Deserialize;

/// How aggressive the detectors are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Deny at score >= 5: tuned for few false positives on ordinary traffic.
    #[default]
    Balanced,
    /// Deny at score >= 3 and also on weak signals (off-site URLs, SQL function
    /// calls, single traversal steps). For APIs whose parameters carry no prose.
    Strict,
}

/// A request part the WAF may inspect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InspectPart {
    /// The request path.
    Path,
    /// Query parameter names and values.
    Query,
    /// Header values (structurally safe headers such as `Accept-*` are skipped).
    Headers,
    /// Cookie values.
    Cookies,
    /// The request body (needs `BodyScanner`).
    Body,
}

/// JSON structure limits, enforced by a pre-scan before the parser runs.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonLimitsConfig {
    /// Maximum nesting depth of arrays and objects.
    pub max_depth: u32,
    /// Maximum length of one string literal (raw bytes, before unescaping).
    pub max_string_bytes: ByteSize,
    /// Maximum number of values (scalars, arrays, objects) in the document.
    pub max_elements: u32,
}

impl Default for JsonLimitsConfig {
    fn default() -> Self {
        Self {
            max_depth: 32,
            max_string_bytes: ByteSize::kib(64),
            max_elements: 10_000,
        }
    }
}

/// One exclusion: silences detections whose id or class is `id`, optionally only
/// for one parameter, one header, and/or one route.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludeConfig {
    /// A detection id (`"sqli-tautology"`) or a class name (`"sqli"`).
    pub id: String,
    /// Parameter name: query / form field / cookie name, or a JSON value path.
    pub param: Option<String>,
    /// Header name (case-insensitive).
    pub header: Option<String>,
    /// Route name.
    pub route: Option<String>,
}

/// `[waf.profile.NAME]`. Every field is optional.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProfileConfig {
    /// `balanced` (default) or `strict`.
    pub mode: Mode,
    /// Log and count `would_block` instead of refusing (body size is still enforced).
    pub shadow: bool,
    /// Largest body buffered and inspected; larger bodies get 413.
    pub body_limit: ByteSize,
    /// Media types (`type/subtype`, lowercase, no parameters) accepted for bodies.
    pub allowed_content_types: Vec<String>,
    /// Shannon entropy threshold in bits per byte for JSON string literals; 0 = off.
    pub entropy_threshold: f64,
    /// JSON structure limits.
    pub json: JsonLimitsConfig,
    /// Request parts to inspect (default: all).
    pub inspect: Vec<InspectPart>,
    /// Exclusions, evaluated per detection.
    pub exclude: Vec<ExcludeConfig>,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Balanced,
            shadow: false,
            body_limit: ByteSize::mib(1),
            allowed_content_types: [
                "application/json",
                // JSON and XML media types by their suffix (`application/vnd.api+json`,
                // `application/merge-patch+json`, `application/soap+xml`): parsed as
                // JSON and XML
                "application/*+json",
                "application/*+xml",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
                "text/plain",
                "application/xml",
                "text/xml",
                "application/graphql",
                "application/octet-stream",
                "text/csv",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
            entropy_threshold: 7.2,
            json: JsonLimitsConfig::default(),
            inspect: vec![
                InspectPart::Path,
                InspectPart::Query,
                InspectPart::Headers,
                InspectPart::Cookies,
                InspectPart::Body,
            ],
            exclude: Vec::new(),
        }
    }
}
