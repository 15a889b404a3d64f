//! Builds the web pages' templates (templates/web) into the binary: nothing to ship beside it.
fn main() {
    minijinja_embed::embed_templates!("templates/web");
}
