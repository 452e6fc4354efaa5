//! View pieces that several handler modules use: what a page shows, built from the domain. No routes
//! here; handlers share through these modules instead of importing each other.

pub mod safety;
pub mod versioned;
