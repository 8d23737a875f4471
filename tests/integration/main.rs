//! keyward's integration tests: one binary, one topic per module.

mod corpus;
mod fix;
mod hook;
mod precommit;
mod report;
mod rules;
mod staged;
mod suggest;
mod util;
