//! Host + path routing over `matchit`. One tree per configured host plus one for routes
//! without a host; a request tries its host's tree first, then the host-less tree.
//! A path that matches with a method no route on it allows gives 405 with `Allow`.
//!
//! Owns: route lookup. Must not: allocate on the lookup path beyond matchit's params.

use std::collections::HashMap;
use std::sync::Arc;

use http::Method;

use crate::snapshot::Route;

/// Routes that share one path pattern, told apart by method.
#[derive(Debug)]
struct Slot {
    routes: Vec<Arc<Route>>,
    /// Comma-separated methods of every route in the slot, for `Allow`.
    allow: http::HeaderValue,
}

/// The compiled routing table.
#[derive(Debug, Default)]
pub struct Router {
    by_host: HashMap<String, matchit::Router<usize>>,
    any_host: matchit::Router<usize>,
    slots: Vec<Slot>,
}

/// Outcome of a lookup.
#[derive(Debug)]
pub enum RouteMatch<'a> {
    Found(&'a Arc<Route>),
    MethodNotAllowed(&'a http::HeaderValue),
    NotFound,
}

/// A route that could not be inserted (conflicting pattern).
#[derive(Debug, Clone)]
pub struct RouteConflict {
    pub index: usize,
    pub message: String,
}

impl Router {
    /// Builds the table; `routes` are in file order (index = position in `[[route]]`).
    pub fn build(routes: &[Arc<Route>]) -> Result<Router, Vec<RouteConflict>> {
        let mut r = Router::default();
        let mut errors = Vec::new();
        // (host, path) -> slot index
        let mut seen: HashMap<(Option<String>, String), usize> = HashMap::new();
        for (index, route) in routes.iter().enumerate() {
            let key = (route.host.clone(), route.path.clone());
            if let Some(&slot) = seen.get(&key) {
                let overlap = r.slots[slot]
                    .routes
                    .iter()
                    .any(|other| other.methods.iter().any(|m| route.methods.contains(m)));
                if overlap {
                    errors.push(RouteConflict {
                        index,
                        message: format!(
                            "route `{}` overlaps another route on the same host, path and method",
                            route.name
                        ),
                    });
                    continue;
                }
                r.slots[slot].routes.push(route.clone());
                continue;
            }
            let slot = r.slots.len();
            let tree = match &route.host {
                Some(h) => r.by_host.entry(h.clone()).or_default(),
                None => &mut r.any_host,
            };
            if let Err(e) = tree.insert(route.path.as_str(), slot) {
                errors.push(RouteConflict {
                    index,
                    message: format!("path pattern conflicts with another route: {e}"),
                });
                continue;
            }
            seen.insert(key, slot);
            r.slots.push(Slot {
                routes: vec![route.clone()],
                allow: http::HeaderValue::from_static(""),
            });
        }
        for slot in &mut r.slots {
            let mut methods: Vec<&str> = slot
                .routes
                .iter()
                .flat_map(|r| r.methods.iter().map(Method::as_str))
                .collect();
            methods.sort_unstable();
            methods.dedup();
            slot.allow = http::HeaderValue::from_str(&methods.join(", "))
                .unwrap_or(http::HeaderValue::from_static(""));
        }
        if errors.is_empty() {
            Ok(r)
        } else {
            Err(errors)
        }
    }

    /// `host` must already be lower-cased without port; `path` is the canonical path.
    pub fn lookup(&self, host: Option<&str>, path: &str, method: &Method) -> RouteMatch<'_> {
        let hit = host
            .and_then(|h| self.by_host.get(h))
            .and_then(|t| t.at(path).ok())
            .or_else(|| self.any_host.at(path).ok());
        let Some(m) = hit else {
            return RouteMatch::NotFound;
        };
        let Some(slot) = self.slots.get(*m.value) else {
            return RouteMatch::NotFound;
        };
        // HEAD is served by a route that allows GET (RFC 9110 §9.3.2).
        let found = slot
            .routes
            .iter()
            .find(|r| r.methods.contains(method))
            .or_else(|| {
                (method == Method::HEAD)
                    .then(|| {
                        slot.routes
                            .iter()
                            .find(|r| r.methods.contains(&Method::GET))
                    })
                    .flatten()
            });
        match found {
            Some(r) => RouteMatch::Found(r),
            None => RouteMatch::MethodNotAllowed(&slot.allow),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Route;

    fn route(name: &str, host: Option<&str>, path: &str, methods: &[Method]) -> Arc<Route> {
        Arc::new(Route::for_test(name, host, path, methods))
    }

    #[test]
    fn lookup_prefers_host_tree_then_any_host() {
        let routes = vec![
            route("api", Some("api.example.com"), "/{*rest}", &[Method::GET]),
            route("web", None, "/{*rest}", &[Method::GET]),
        ];
        let r = Router::build(&routes).expect("builds");
        let RouteMatch::Found(hit) = r.lookup(Some("api.example.com"), "/x", &Method::GET) else {
            panic!("no match")
        };
        assert_eq!(hit.name, "api");
        let RouteMatch::Found(hit) = r.lookup(Some("other"), "/x", &Method::GET) else {
            panic!("no match")
        };
        assert_eq!(hit.name, "web");
    }

    #[test]
    fn lookup_wrong_method_gives_allow_list() {
        let routes = vec![route("a", None, "/items/{id}", &[Method::GET, Method::PUT])];
        let r = Router::build(&routes).expect("builds");
        match r.lookup(None, "/items/7", &Method::DELETE) {
            RouteMatch::MethodNotAllowed(allow) => assert_eq!(allow, "GET, PUT"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            r.lookup(None, "/nope", &Method::GET),
            RouteMatch::NotFound
        ));
    }

    #[test]
    fn same_path_split_by_method_routes_each_method() {
        let routes = vec![
            route("read", None, "/x", &[Method::GET]),
            route("write", None, "/x", &[Method::POST]),
        ];
        let r = Router::build(&routes).expect("builds");
        let RouteMatch::Found(hit) = r.lookup(None, "/x", &Method::POST) else {
            panic!()
        };
        assert_eq!(hit.name, "write");
        let RouteMatch::Found(hit) = r.lookup(None, "/x", &Method::HEAD) else {
            panic!()
        };
        assert_eq!(hit.name, "read");
    }

    #[test]
    fn overlapping_methods_on_same_path_conflict() {
        let routes = vec![
            route("a", None, "/x", &[Method::GET]),
            route("b", None, "/x", &[Method::GET]),
        ];
        assert!(Router::build(&routes).is_err());
    }
}
