//! View pieces that several handler modules use: what a page shows, built from the domain. No routes
//! here; handlers share through these modules instead of importing each other.

pub mod choices;
pub mod family_room;
pub mod leavers;
pub mod live;
pub mod meeting;
pub mod meeting_doc;
pub mod minutes;
pub mod protection;
pub mod safety;
pub mod table_form;
pub mod top3;
pub mod versioned;
