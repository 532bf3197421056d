//! HealthScribe's output shapes (see `output-contract.md`): field names in PascalCase, times in seconds.
//! Anything Bedside adds beyond HealthScribe is an extra field that HealthScribe parsers ignore.

pub mod transcript;
pub mod summary;
