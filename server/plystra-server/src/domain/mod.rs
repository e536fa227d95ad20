//! Domain logic with no poem or sqlx types: passwords, tokens, time.

pub mod password;
pub mod principal;
pub mod registration;
pub mod time;
pub mod tokens;
