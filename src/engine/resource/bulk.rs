//! Bulk operations: insertMany, getMany, getAll, deleteMany, deleteAll (results
//! in input order, D3; deletes in batches of 1000 keys).

use super::*;

impl Resource {
    // ----------------------------------------------------------------- bulk

    pub async fn insert_many(&self, items: Vec<Value>, mode: InsertMode) -> Result<Output> {
        let n = items.len();
        let results: Vec<Result<Output>> =
            futures::stream::iter(items.into_iter().map(|item| self.insert_with(item, mode)))
                .buffered(self.parallelism)
                .collect()
                .await;
        let mut out = Output::default();
        let mut ok = Vec::new();
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(mut o) => {
                    out.events.extend(o.take_events_as_item(ok.len()));
                    ok.push(o.result);
                }
                // The item is the caller's own object, which the facade still holds: no copy.
                Err(e) => out.event("error", vec![e.to_json(), input_ref(i)]),
            }
        }
        out.result = Value::Array(ok);
        out.event("insertMany", vec![Value::from(n)]);
        Ok(out)
    }

    /// Records for ids in input order; ids that no longer exist are skipped, other failures reject.
    pub(super) async fn fetch_many(
        &self,
        schema: &Schema,
        ids: Vec<String>,
    ) -> Result<Vec<Map<String, Value>>> {
        let recs: Vec<Option<Map<String, Value>>> =
            futures::stream::iter(ids.into_iter().map(|id| async move {
                match self.load(schema, &id).await {
                    Ok(r) => Ok(Some(r)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            }))
            .buffered(self.parallelism)
            .try_collect()
            .await?;
        Ok(recs.into_iter().flatten().collect())
    }

    pub async fn get_many(&self, ids: Vec<String>) -> Result<Output> {
        let schema = self.schema();
        let n = ids.len();
        let mut out = Output::default();
        for id in &ids {
            out.event("id", vec![Value::from(id.clone())]);
        }
        let recs = self.fetch_many(&schema, ids).await?;
        for i in 0..recs.len() {
            out.event("get", vec![item_ref(i)]);
            out.event("data", vec![item_ref(i)]);
        }
        out.result = Value::Array(recs.into_iter().map(Value::Object).collect());
        out.event("getMany", vec![Value::from(n)]);
        Ok(out)
    }

    pub async fn get_all(&self) -> Result<Output> {
        let schema = self.schema();
        let ids = self.ids(&schema, 0, None).await?;
        let n = ids.len();
        let mut out = Output::default();
        out.event("listIds", vec![Value::from(n)]);
        let recs = self.fetch_many(&schema, ids).await?;
        for i in 0..recs.len() {
            out.event("get", vec![item_ref(i)]);
        }
        let count = recs.len();
        out.result = Value::Array(recs.into_iter().map(Value::Object).collect());
        if n > 0 {
            out.event("getAll", vec![Value::from(count)]);
        }
        Ok(out)
    }

    pub async fn delete_many(&self, ids: Vec<String>) -> Result<Output> {
        let schema = self.schema();
        for id in &ids {
            check_id_for_read(id)?;
        }
        let keys: Vec<String> = ids.iter().map(|id| Self::key(&schema, id)).collect();
        // E2: keys of the same ids under earlier versions (removed after the batches).
        let older_keys: Vec<String> = self
            .older()
            .iter()
            .flat_map(|s| ids.iter().map(|id| Self::key(s, id)))
            .collect();
        // C1: the copies go too; their keys come from each record's values.
        let copies = if schema.partitions.is_empty() {
            Vec::new()
        } else {
            let schema = &schema;
            futures::stream::iter(ids.clone().into_iter().map(|id| async move {
                match self.load(schema, &id).await {
                    Ok(rec) => Self::copy_keys(schema, &id, &rec),
                    Err(_) => Vec::new(),
                }
            }))
            .buffered(self.parallelism)
            .concat()
            .await
        };
        let mut out = Output::default();
        let mut batches = Vec::new();
        for (chunk_ids, chunk_keys) in ids.chunks(1000).zip(keys.chunks(1000)) {
            let deleted = self.bucket.delete_many(chunk_keys).await?;
            for id in chunk_ids {
                out.event("deleted", vec![Value::from(id.clone())]);
            }
            batches.push(json!({
                "deleted": [{ "Deleted": deleted.iter().map(|k| json!({ "Key": self.bucket.full_key(k) })).collect::<Vec<_>>() }],
                "notFound": []
            }));
        }
        self.delete_keys(&copies).await?;
        self.delete_keys(&older_keys).await?;
        out.result = Value::Array(batches);
        out.event("deleteMany", vec![Value::from(ids.len())]);
        Ok(out)
    }

    pub async fn delete_all(&self) -> Result<Output> {
        let schema = self.schema();
        if schema.paranoid() {
            return Err(paranoid_error("deleteAll", &schema));
        }
        let prefix = Self::prefix(&schema);
        let deleted = self.delete_prefix(&prefix).await?;
        // C1: every partition copy of the resource goes with its records.
        self.delete_prefix(&format!("resource={}/partition=", schema.name))
            .await?;
        let mut out = Output::new(json!({ "deletedCount": deleted, "version": schema.version }));
        out.event("deleteAll", vec![json!({ "version": schema.version, "prefix": prefix.trim_end_matches('/'), "deletedCount": deleted })]);
        Ok(out)
    }

    /// `deleteAllData()`: every object of the resource, all versions and partition
    /// copies (prefix `resource=<name>/`; 4.1.7's prefix had no trailing `/`, so it
    /// also took resources whose name starts with this one: C2).
    pub async fn delete_all_data(&self) -> Result<Output> {
        let schema = self.schema();
        if schema.paranoid() {
            return Err(paranoid_error("deleteAllData", &schema));
        }
        let prefix = format!("resource={}/", schema.name);
        let deleted = self.delete_prefix(&prefix).await?;
        let mut out = Output::new(json!({ "deletedCount": deleted, "resource": schema.name }));
        out.event(
            "deleteAllData",
            vec![json!({ "resource": schema.name, "prefix": format!("resource={}", schema.name), "deletedCount": deleted })],
        );
        Ok(out)
    }

    /// Delete every key under `prefix`; the number deleted.
    pub(super) async fn delete_prefix(&self, prefix: &str) -> Result<usize> {
        let mut deleted = 0usize;
        loop {
            // Always re-list from the start: the previous page is gone.
            let page = self.bucket.list_page(prefix, 1000, None).await?;
            if page.objects.is_empty() {
                break;
            }
            let keys: Vec<String> = page.objects.into_iter().map(|o| o.key).collect();
            deleted += self.bucket.delete_many(&keys).await?.len();
        }
        Ok(deleted)
    }
}

/// 4.1.7's refusal of `deleteAll()`/`deleteAllData()` on a paranoid resource.
fn paranoid_error(method: &str, schema: &Schema) -> EngineError {
    let setting = schema
        .options
        .get("paranoid")
        .cloned()
        .unwrap_or(Value::Bool(true));
    EngineError::new(
        ErrorKind::ParanoidError,
        format!(
            "{method}() is a dangerous operation and requires paranoid: false option. Current paranoid setting: {}",
            js_string(&setting)
        ),
    )
}
