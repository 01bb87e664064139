//! Plan benchmark (written below).
fn main() {}
