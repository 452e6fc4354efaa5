//! How a route list is written: one macro gives its (method, path) pairs, what each route asks the
//! policy, and the function that registers them.

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

        pub(crate) fn $register(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, page_routes!(@method $method).to($handler));)+
        }
    };
    (@method GET) => { web::get() };
    (@method POST) => { web::post() };
    (@ask) => { None };
    (@ask $($ask:expr),+) => { Some(&[$($ask),+]) };
}
pub(crate) use page_routes;
