//! The vocabulary of outcomes: detection classes, where in the request a detection
//! was made, and the verdict handed back to the gateway. No detection logic here.

use std::fmt;

/// A detection class. `as_str` values are stable: they appear in logs, metrics
/// labels (`class`) and exclusion rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// SQL injection.
    Sqli,
    /// Cross-site scripting (HTML / JavaScript injection).
    Xss,
    /// OS command injection (unix and windows shells).
    Cmdi,
    /// Local file inclusion / path traversal / restricted files.
    Lfi,
    /// Remote file inclusion.
    Rfi,
    /// PHP code injection and PHP object injection.
    Php,
    /// Java: deserialisation gadgets, JNDI / log4shell, expression languages.
    Java,
    /// NoSQL (MongoDB-style) operator injection.
    Nosqli,
    /// Server-side request forgery (metadata endpoints, internal hosts, schemes).
    Ssrf,
    /// XML external entities.
    Xxe,
    /// Bash function-definition injection (CVE-2014-6271).
    Shellshock,
    /// Protocol abuse: CRLF / header injection, smuggling markers, bad encodings.
    Protocol,
    /// Generic code injection: prototype pollution, template injection, node/perl/ruby.
    Generic,
    /// Declared media type not allowed or not parseable (status 415).
    ContentType,
    /// Body larger than the profile's limit (status 413).
    BodySize,
    /// JSON structure over the profile's limits, or not JSON at all.
    JsonLimits,
    /// JSON string literal with entropy above the threshold.
    Entropy,
}

impl Class {
    /// Every class, in a fixed order (used for metrics pre-registration).
    pub const ALL: &'static [Class] = &[
        Class::Sqli,
        Class::Xss,
        Class::Cmdi,
        Class::Lfi,
        Class::Rfi,
        Class::Php,
        Class::Java,
        Class::Nosqli,
        Class::Ssrf,
        Class::Xxe,
        Class::Shellshock,
        Class::Protocol,
        Class::Generic,
        Class::ContentType,
        Class::BodySize,
        Class::JsonLimits,
        Class::Entropy,
    ];

    /// Stable lowercase name, e.g. `"sqli"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Class::Sqli => "sqli",
            Class::Xss => "xss",
            Class::Cmdi => "cmdi",
            Class::Lfi => "lfi",
            Class::Rfi => "rfi",
            Class::Php => "php",
            Class::Java => "java",
            Class::Nosqli => "nosqli",
            Class::Ssrf => "ssrf",
            Class::Xxe => "xxe",
            Class::Shellshock => "shellshock",
            Class::Protocol => "protocol",
            Class::Generic => "generic",
            Class::ContentType => "content_type",
            Class::BodySize => "body_size",
            Class::JsonLimits => "json_limits",
            Class::Entropy => "entropy",
        }
    }

    /// Parses a stable name back into a class.
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.iter().copied().find(|c| c.as_str() == name)
    }

    /// Index among the scored (attack) classes, `None` for gate classes.
    pub(crate) fn score_index(self) -> Option<usize> {
        let i = self as usize;
        (i < SCORED_CLASSES).then_some(i)
    }
}

/// Number of classes that are scored by detectors (`Sqli` ..= `Generic`).
pub(crate) const SCORED_CLASSES: usize = 13;

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the request a detection was made. Names are as received (query and
/// form parameter names after percent-decoding, header names lowercase).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The request path.
    Path,
    /// A query parameter name.
    QueryName,
    /// A query parameter value; carries the parameter name.
    QueryValue(String),
    /// A header value; carries the lowercase header name.
    Header(String),
    /// A cookie value; carries the cookie name.
    Cookie(String),
    /// An urlencoded or multipart form field (name or value); carries the field name.
    FormField(String),
    /// A JSON object key.
    JsonKey,
    /// A JSON string value; carries its path (`a.b[2].c`).
    JsonValue(String),
    /// Text or an attribute value of an XML body.
    XmlText,
    /// The body as a whole (size, type, structure, opaque text).
    Body,
}

impl Location {
    /// Short stable name of the location kind, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::QueryName => "query_name",
            Location::QueryValue(_) => "query_value",
            Location::Header(_) => "header",
            Location::Cookie(_) => "cookie",
            Location::FormField(_) => "form_field",
            Location::JsonKey => "json_key",
            Location::JsonValue(_) => "json_value",
            Location::XmlText => "xml_text",
            Location::Body => "body",
        }
    }
}

/// One reason to refuse a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// Stable id, e.g. `"sqli-union"`; its prefix before `-` is the class name.
    pub id: &'static str,
    /// The class (metrics label).
    pub class: Class,
    /// Where it was seen.
    pub location: Location,
    /// Score reached (detectors) or 100 for hard gates.
    pub score: u32,
    /// Status the gateway should answer: 400 normally, 413 body size, 415 content type.
    pub status: u16,
}

/// The engine's answer for one request (or one phase of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing found.
    Allow,
    /// Refuse with `detection.status` and the fixed body.
    Deny(Detection),
    /// Shadow mode: would have been refused; log and count, then forward.
    WouldBlock(Detection),
}

impl Verdict {
    /// True for `Deny` only (shadow verdicts let the request through).
    pub fn is_deny(&self) -> bool {
        matches!(self, Verdict::Deny(_))
    }

    /// The detection behind a `Deny` or `WouldBlock`.
    pub fn detection(&self) -> Option<&Detection> {
        match self {
            Verdict::Allow => None,
            Verdict::Deny(d) | Verdict::WouldBlock(d) => Some(d),
        }
    }
}
