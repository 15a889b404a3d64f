//! Builds the web pages' templates (templates/web) into the binary: nothing to ship beside it.
//! The migrations are embedded too (`embed_migrations!` in src/db/pool.rs); a new one must
//! rebuild the crate even when no Rust file changed.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    minijinja_embed::embed_templates!("templates/web");
}
