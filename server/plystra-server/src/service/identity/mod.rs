//! Identity and scope entities (docs/behaviour.md §8): one module per tag, each a set of
//! [`Entity`](super::entity::Entity) declarations and thin handlers over the shared layer in
//! `service/entity.rs`.

mod groups;
mod members;
mod permissions;
mod roles;
mod spaces;
mod user_members;
mod users;
