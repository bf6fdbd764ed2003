//! Ids of a resource's current version, one listing page at a time.
//!
//! Only keys `resource=<name>/v=<version>/id=<id>` count: partition copies and
//! resources whose name merely starts with the same text are not listed (the
//! prefix ends with `/`), unlike 4.1.7's `ResourceIdsReader`.

use crate::engine::error::Result;
use crate::engine::resource::Resource;
use crate::engine::storage::LIST_PAGE_MAX;

#[derive(Debug, Default)]
pub struct IdsPage {
    pub ids: Vec<String>,
    /// Continuation token for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// One ListObjectsV2 page (at most `max_keys`, capped at 1000) of ids.
pub async fn ids_page(
    resource: &Resource,
    token: Option<String>,
    max_keys: usize,
) -> Result<IdsPage> {
    let schema = resource.schema();
    let prefix = Resource::prefix(&schema);
    let page = resource
        .bucket()
        .list_page(&prefix, max_keys.clamp(1, LIST_PAGE_MAX), token)
        .await?;
    let ids = page
        .objects
        .iter()
        .filter_map(|o| Resource::id_from_key(&prefix, &o.key))
        .collect();
    Ok(IdsPage {
        ids,
        next: page.next_token,
    })
}
