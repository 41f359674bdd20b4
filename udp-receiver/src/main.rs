//! Placeholder: this lesson is being written.

fn main() {}
