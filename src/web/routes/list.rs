//! How a route list is written: one macro gives its (method, path) pairs, what each route asks the
//! policy, and the function that registers them; `Grouped` registers them under their first path
//! segment.

use actix_web::{Route, web};

use crate::policy::Ask;

/// A route as (method, path) and the policy questions it asks.
pub type RouteAsk = (&'static str, &'static str, Option<&'static [Ask]>);

/// A list of routes: its (method, path) pairs, what each asks the policy, and the function that
/// registers them, under the three names given.
macro_rules! page_routes {
    ($routes:ident, $asks:ident, $register:ident;
     $(($method:ident, $path:literal, $handler:path $(, [$($ask:expr),+])?)),+ $(,)?) => {
        pub(crate) const $routes: &[(&str, &str)] = &[$((stringify!($method), $path)),+];

        pub(crate) const $asks: &[RouteAsk] =
            &[$((stringify!($method), $path, page_routes!(@ask $($($ask),+)?))),+];

        pub(crate) fn $register(into: &mut super::list::Grouped) {
            $(into.add($path, page_routes!(@method $method).to($handler));)+
        }
    };
    (@method GET) => { web::get() };
    (@method POST) => { web::post() };
    (@ask) => { None };
    (@ask $($ask:expr),+) => { Some(&[$($ask),+]) };
}
pub(crate) use page_routes;

/// The page routes grouped by their first path segment (`/gezinnen`, `/bijeenkomsten`, ...), each
/// group registered as one scope. The router tries routes in turn, and each route with a `{...}` part
/// costs a regular-expression match: without the groups, a chair's step to the next item was matched
/// against some 120 of them before its own, on every request. Now a request meets the scopes' plain
/// prefixes first and then only the routes of its own segment. Routes of one segment keep their order;
/// routes of different plain segments never match the same path, so their order does not matter. A
/// route whose first segment has a `{...}` part could match paths of any segment and would lose to the
/// scopes whatever its place in the list: `first_segment` refuses it, so the app does not start.
#[derive(Default)]
pub struct Grouped {
    groups: Vec<(&'static str, Vec<(&'static str, Route)>)>,
}

impl Grouped {
    pub fn add(&mut self, path: &'static str, route: Route) {
        let prefix = first_segment(path);
        match self.groups.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, routes)) => routes.push((path, route)),
            None => self.groups.push((prefix, vec![(path, route)])),
        }
    }

    pub fn register(self, cfg: &mut web::ServiceConfig) {
        for (prefix, routes) in self.groups {
            if prefix.is_empty() {
                for (path, route) in routes {
                    cfg.route(path, route);
                }
                continue;
            }
            let scope = routes
                .into_iter()
                .fold(web::scope(prefix), |scope, (path, route)| {
                    scope.route(&path[prefix.len()..], route)
                });
            cfg.service(scope);
        }
    }
}

/// The first segment of a route's path as a scope's prefix ("/gezinnen/{id}" gives "/gezinnen"); empty
/// for the root, which is registered on its own. Panics for a first segment with a `{...}` part.
fn first_segment(path: &'static str) -> &'static str {
    let end = path[1..].find('/').map_or(path.len(), |i| i + 1);
    let first = &path[..end];
    assert!(
        !first.contains('{'),
        "page route {path}: its first segment must be plain text"
    );
    if first.len() <= 1 { "" } else { first }
}

#[cfg(test)]
mod tests {
    use super::first_segment;

    #[test]
    fn a_route_is_grouped_under_its_first_plain_segment() {
        assert_eq!(first_segment("/gezinnen/{id}/plan"), "/gezinnen");
        assert_eq!(first_segment("/gezinnen"), "/gezinnen");
        assert_eq!(first_segment("/static/{path:.*}"), "/static");
        assert_eq!(first_segment("/"), "");
    }

    #[test]
    #[should_panic(expected = "must be plain text")]
    fn a_route_whose_first_segment_is_a_pattern_is_refused() {
        first_segment("/{slug}/x");
    }
}
