//! keyward's integration tests: one binary, one topic per module.

mod config;
mod corpus;
mod explain;
mod faults;
mod fix;
mod fix_targets;
mod formats;
mod hook;
mod hostile;
mod precommit;
mod properties;
mod range;
mod real_keys;
mod report;
mod rules;
mod staged;
mod suggest;
mod util;
