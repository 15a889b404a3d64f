//! (to be written)

use super::PageRoute;

pub fn routes() -> Vec<PageRoute> {
    Vec::new()
}
