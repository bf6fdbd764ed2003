//! The binding's entry point: one s3db.js method name and its arguments array
//! to the operation that implements it.

use super::*;

/// Argument `i`, moved out (the record of a write is not copied).
fn take_arg(args: &mut [Value], i: usize) -> Value {
    args.get_mut(i).map(std::mem::take).unwrap_or(Value::Null)
}

impl Resource {
    /// Dispatch from the binding: `op` is the s3db.js method name, `args` its arguments array.
    pub async fn call(&self, op: &str, args: Value) -> Result<Output> {
        let mut args = match args {
            Value::Array(a) => a,
            Value::Null => Vec::new(),
            other => vec![other],
        };
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
        let id_arg = |i: usize| -> Result<String> {
            given_id(args.get(i)).ok_or_else(|| {
                EngineError::new(ErrorKind::InvalidId, "Invalid id: an id is required")
            })
        };
        let opts =
            |i: usize| -> Map<String, Value> { arg(i).as_object().cloned().unwrap_or_default() };
        let usize_opt = |o: &Map<String, Value>, k: &str| -> Option<usize> {
            o.get(k)
                .and_then(Value::as_f64)
                .filter(|x| x.is_finite() && *x >= 0.0)
                .map(|x| x as usize)
        };
        let string_list = |v: Value| -> Result<Vec<String>> {
            match v {
                Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        given_id(Some(x)).ok_or_else(|| {
                            EngineError::new(ErrorKind::InvalidId, "Invalid id in list")
                        })
                    })
                    .collect(),
                _ => Err(EngineError::new(
                    ErrorKind::InvalidId,
                    "expected an array of ids",
                )),
            }
        };
        let scope_of = |o: &Map<String, Value>| -> Result<Scope> {
            Self::scope(&self.schema(), o.get("partition"), o.get("partitionValues"))
        };
        match op {
            "insert" => {
                let mode = InsertMode::for_call(&self.schema(), args.get(1));
                self.insert_with(take_arg(&mut args, 0), mode).await
            }
            "get" => self.get(&id_arg(0)?).await,
            "exists" => match id_arg(0) {
                Ok(id) => self.exists(&id).await,
                Err(_) => Ok(Output::new(Value::Bool(false))),
            },
            "update" => {
                let given = take_arg(&mut args, 0);
                self.update(&given, take_arg(&mut args, 1)).await
            }
            "upsert" => self.upsert(take_arg(&mut args, 0)).await,
            "delete" => self.delete(&id_arg(0)?).await,
            "insertMany" => match take_arg(&mut args, 0) {
                Value::Array(items) => {
                    let mode = InsertMode::for_call(&self.schema(), args.get(1));
                    self.insert_many(items, mode).await
                }
                _ => Err(EngineError::new(
                    ErrorKind::InvalidResourceItem,
                    "insertMany() expects an array",
                )),
            },
            "getMany" => self.get_many(string_list(arg(0))?).await,
            "deleteMany" => self.delete_many(string_list(arg(0))?).await,
            "getAll" => self.get_all().await,
            "deleteAll" => self.delete_all().await,
            "deleteAllData" => self.delete_all_data().await,
            "hasContent" => match id_arg(0) {
                Ok(id) => self.has_content(&id).await,
                Err(_) => Ok(Output::new(Value::Bool(false))),
            },
            "deleteContent" => self.delete_content(&id_arg(0)?).await,
            "createPartitionReferences" => self.write_partition_references(arg(0), "insert").await,
            "updatePartitionReferences" => self.write_partition_references(arg(0), "update").await,
            "deletePartitionReferences" => self.delete_partition_references(arg(0)).await,
            "listIds" => {
                let o = opts(0);
                self.list_ids(
                    &scope_of(&o)?,
                    usize_opt(&o, "offset").unwrap_or(0),
                    usize_opt(&o, "limit").filter(|l| *l > 0),
                )
                .await
            }
            "count" => self.count(&scope_of(&opts(0))?).await,
            "getFromPartition" => {
                let o = opts(0);
                let id = given_id(o.get("id")).ok_or_else(|| {
                    EngineError::new(ErrorKind::InvalidId, "Invalid id: an id is required")
                })?;
                let name = o.get("partitionName").and_then(Value::as_str).unwrap_or("");
                let values = o
                    .get("partitionValues")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                self.get_from_partition(&id, name, &values).await
            }
            "list" => {
                let o = opts(0);
                self.list(
                    &scope_of(&o)?,
                    usize_opt(&o, "offset").unwrap_or(0),
                    usize_opt(&o, "limit").filter(|l| *l > 0),
                )
                .await
            }
            "page" => {
                let o = opts(0);
                let skip = o
                    .get("skipCount")
                    .map(|v| v.as_bool().unwrap_or(!v.is_null()))
                    .unwrap_or(false);
                self.page(
                    &scope_of(&o)?,
                    usize_opt(&o, "offset").unwrap_or(0),
                    usize_opt(&o, "size").unwrap_or(100),
                    skip,
                )
                .await
            }
            "query" => {
                let o = opts(1);
                self.query(
                    &scope_of(&o)?,
                    opts(0),
                    usize_opt(&o, "offset").unwrap_or(0),
                    usize_opt(&o, "limit").unwrap_or(100),
                    // The facade says whether the per-record event has a listener;
                    // callers that do not say get 4.1.7's events.
                    o.get("scannedEvents")
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                )
                .await
            }
            other => Err(EngineError::new(
                ErrorKind::InvalidArgument,
                format!("unknown resource operation '{other}'"),
            )),
        }
    }
}
