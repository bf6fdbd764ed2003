//! Listing: listIds, count, list, page, query, over the main prefix or a
//! partition ([`Scope`]), walking every page (D1).

use super::*;

impl Resource {
    // -------------------------------------------------------------- listing

    pub(crate) fn id_from_key(prefix: &str, key: &str) -> Option<String> {
        let rest = key.strip_prefix(prefix)?;
        rest.strip_prefix("id=").map(str::to_string)
    }

    pub(crate) fn main_scope(schema: &Schema) -> Scope {
        Scope::Main {
            prefix: Self::prefix(schema),
        }
    }

    /// Ids in key order, skipping `offset`, at most `limit` (all when None).
    pub(super) async fn ids(
        &self,
        schema: &Schema,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Vec<String>> {
        let entries = self
            .entries(&Self::main_scope(schema), offset, limit)
            .await?;
        Ok(entries.into_iter().map(|(id, _)| id).collect())
    }

    /// `(id, key)` of the scope in key order, skipping `offset`, at most `limit`.
    pub(super) async fn entries(
        &self,
        scope: &Scope,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Vec<(String, String)>> {
        let mut lister = self.bucket.lister(scope.prefix());
        let mut skipped = 0usize;
        let mut out = Vec::new();
        while let Some(page) = lister.next_page(1000).await? {
            for o in page {
                let Some(id) = scope.id_of(&o.key) else {
                    continue;
                };
                if skipped < offset {
                    skipped += 1;
                    continue;
                }
                if limit.map(|l| out.len() >= l).unwrap_or(false) {
                    return Ok(out);
                }
                out.push((id, o.key));
            }
            if limit.map(|l| out.len() >= l).unwrap_or(false) {
                break;
            }
        }
        Ok(out)
    }

    pub async fn list_ids(
        &self,
        scope: &Scope,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Output> {
        let entries = self.entries(scope, offset, limit).await?;
        let mut out = Output::default();
        out.event("listIds", vec![Value::from(entries.len())]);
        out.result = Value::Array(entries.into_iter().map(|(id, _)| Value::from(id)).collect());
        Ok(out)
    }

    pub(super) async fn count_n(&self, scope: &Scope) -> Result<usize> {
        let mut lister = self.bucket.lister(scope.prefix());
        let mut n = 0;
        while let Some(page) = lister.next_page(1000).await? {
            n += page
                .iter()
                .filter(|o| scope.id_of(&o.key).is_some())
                .count();
        }
        Ok(n)
    }

    pub async fn count(&self, scope: &Scope) -> Result<Output> {
        let n = self.count_n(scope).await?;
        let mut out = Output::new(Value::from(n));
        out.event("count", vec![Value::from(n)]);
        Ok(out)
    }

    pub(super) fn list_event(out: &mut Output, scope: &Scope, count: usize) {
        let (partition, values) = scope.describe();
        out.event(
            "list",
            vec![json!({ "partition": partition, "partitionValues": values, "count": count })],
        );
    }

    pub async fn list(&self, scope: &Scope, offset: usize, limit: Option<usize>) -> Result<Output> {
        let schema = self.schema();
        let entries = self.entries(scope, offset, limit).await?;
        let mut out = Output::default();
        // 4.1.7 lists a partition's keys directly: no `listIds` event there.
        if scope.is_main() {
            out.event("listIds", vec![Value::from(entries.len())]);
        }
        let recs = self.fetch_scoped(&schema, scope, entries).await?;
        let per_item = scope.item_event();
        for i in 0..recs.len() {
            out.event(per_item, vec![item_ref(i)]);
        }
        let count = recs.len();
        out.result = Value::Array(recs.into_iter().map(Value::Object).collect());
        Self::list_event(&mut out, scope, count);
        Ok(out)
    }

    pub async fn page(
        &self,
        scope: &Scope,
        offset: usize,
        size: usize,
        skip_count: bool,
    ) -> Result<Output> {
        let mut out = Output::default();
        let total = if skip_count {
            None
        } else {
            let n = self.count_n(scope).await?;
            out.event("count", vec![Value::from(n)]);
            Some(n)
        };
        let mut listed = self.list(scope, offset, Some(size)).await?;
        out.events.extend(listed.take_events());
        let items = listed.result;
        let returned = items.as_array().map(Vec::len).unwrap_or(0);
        let size_v = size.max(1);
        out.result = json!({
            "items": items,
            "totalItems": total,
            "page": offset / size_v,
            "pageSize": size,
            "totalPages": total.map(|t| t.div_ceil(size_v)),
            "_debug": {
                "requestedSize": size,
                "requestedOffset": offset,
                "actualItemsReturned": returned,
                "skipCount": skip_count,
                "hasTotalItems": total.is_some()
            }
        });
        out.event_with_result("page", vec![]);
        Ok(out)
    }

    pub async fn query(
        &self,
        scope: &Scope,
        filter: Map<String, Value>,
        offset: usize,
        limit: usize,
        scanned_events: bool,
    ) -> Result<Output> {
        if filter.is_empty() {
            return self.list(scope, offset, Some(limit)).await;
        }
        let schema = self.schema();
        let mut lister = self.bucket.lister(scope.prefix());
        let mut skipped = 0usize;
        let mut out = Output::default();
        let mut matched = Vec::new();
        let mut listed = 0usize;
        let mut fetched = 0usize;
        let per_item = scope.item_event();
        'pages: while let Some(page) = lister.next_page(1000).await? {
            let mut entries = Vec::new();
            for o in page {
                let Some(id) = scope.id_of(&o.key) else {
                    continue;
                };
                if skipped < offset {
                    skipped += 1;
                    continue;
                }
                entries.push((id, o.key));
            }
            listed += entries.len();
            for chunk in entries.chunks(self.parallelism.max(10)) {
                let recs = self.fetch_scoped(&schema, scope, chunk.to_vec()).await?;
                fetched += recs.len();
                for r in recs {
                    let hit = filter
                        .iter()
                        .all(|(k, v)| r.get(k).map(|x| strict_eq(x, v)).unwrap_or(false));
                    if hit {
                        // A match crosses once, in the result; its event refers to it.
                        if scanned_events {
                            out.event(per_item, vec![item_ref(matched.len())]);
                        }
                        matched.push(Value::Object(r));
                        if matched.len() >= limit {
                            break 'pages;
                        }
                    } else if scanned_events {
                        // Only when someone listens: a miss is otherwise dropped here,
                        // so memory does not grow with the records scanned.
                        out.event(per_item, vec![Value::Object(r)]);
                    }
                }
            }
        }
        if scope.is_main() {
            out.events.insert(0, json!(["listIds", listed]));
        }
        out.result = Value::Array(matched);
        // As 4.1.7's `list` inside query: the records read, before filtering.
        Self::list_event(&mut out, scope, fetched);
        Ok(out)
    }
}
