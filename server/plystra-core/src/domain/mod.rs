//! Domain logic with no poem or sqlx types: the authz engine, passwords, tokens, time.

pub mod authz;
pub mod password;
pub mod principal;
pub mod registration;
pub mod time;
pub mod tokens;
