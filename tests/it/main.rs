//! Integration tests: each starts the real app (see common/mod.rs) on SQLite, or on PostgreSQL when
//! TEST_DATABASE_URL is set. One test binary, so the suite links once.

mod accounts;
mod api;
mod api_keys;
mod asks;
mod backup;
mod browser;
mod cli;
mod common;
mod crash;
mod daily;
mod database;
mod everyday;
mod everyday_browser;
mod exports;
mod families;
mod fuzz;
mod health;
mod later;
mod layout;
mod live;
mod live_access;
mod login;
mod matrix;
mod meetings;
mod pages;
mod partners;
mod partnerships;
mod portal;
mod purpose;
mod referrals;
mod safety;
mod slow;
mod smtp;
mod storm;
mod webhooks;
