//! A resource version's schema: attribute definitions, the short-key field map,
//! the conversion actions ("hooks" in s3db.js terms), validation, and the
//! record <-> metadata mapping.
//!
//! The field map is derived from the attribute **order** (storage doc §4.2). For
//! versions loaded from `s3db.json` the stored order is used, never the order of
//! the caller's object (defect A2).

pub mod validator;

use crate::engine::codec::{
    decode_array, decode_meta_value, encode_array, encode_meta_value, js_string, sha256_hex,
    stable_stringify,
};
use crate::engine::crypto;
use crate::engine::error::{EngineError, ErrorKind, Result};
use crate::engine::js;
use crate::engine::partition::{self, PartitionDef};
use crate::engine::storage::Metadata;
use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
pub use validator::{ValidationError, Validator};

pub use crate::engine::behavior::BEHAVIORS;
pub const PHASES: [&str; 4] = ["beforeMap", "afterMap", "beforeUnmap", "afterUnmap"];
/// The schema actions (4.1.7's `SchemaActions` names).
pub const KNOWN_ACTIONS: [&str; 11] = [
    "trim",
    "encrypt",
    "decrypt",
    "toString",
    "fromArray",
    "toArray",
    "toJSON",
    "fromJSON",
    "toNumber",
    "toBool",
    "fromBool",
];

/// Item type of an `array|items:<type>` field, restored on read (A5: 4.1.7 returned strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Number,
    Boolean,
}

fn array_item_kind(def: &Value) -> Option<ItemKind> {
    let rule = def.as_str()?;
    let at = rule.find("items:")?;
    let word: String = rule[at + "items:".len()..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    match word.as_str() {
        "number" => Some(ItemKind::Number),
        "boolean" => Some(ItemKind::Boolean),
        _ => None,
    }
}

/// How a leaf is stored beyond 4.1.7's actions (fixes A7/A8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    /// `date` rule: Date <-> ISO-8601 string.
    Date,
    /// `object` rule written as a string: JSON text under the field's own key.
    Json,
}

pub type Hooks = IndexMap<String, IndexMap<String, Vec<String>>>;

#[derive(Debug, Clone)]
pub struct Schema {
    pub name: String,
    pub version: String,
    pub attributes: Map<String, Value>,
    /// The schema options as stored in `s3db.json` (defaults merged with resource options).
    pub options: Map<String, Value>,
    pub behavior: String,
    pub passphrase: String,
    pub map: IndexMap<String, String>,
    pub reversed: HashMap<String, String>,
    /// short keys in index order with their attribute path
    ordered_keys: Vec<(String, String)>,
    pub hooks: Hooks,
    validator: Validator,
    nested: HashSet<String>,
    object_names: HashSet<String>,
    storage: HashMap<String, Storage>,
    array_items: HashMap<String, ItemKind>,
    pub date_fields: Vec<String>,
    separator: char,
    pub timestamps: bool,
    /// Partition definitions (the user's plus the timestamp ones), fields in key order.
    pub partitions: Vec<PartitionDef>,
    /// `_definitionHash` and the s3db.json version hash, computed once.
    definition_hash: String,
    version_hash: String,
}

fn rule_text(def: &Value) -> Vec<String> {
    match def {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                _ => String::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// 4.1.7's test: substring for a rule string, exact element for an array of rules.
fn def_contains(def: &Value, word: &str) -> bool {
    match def {
        Value::String(s) => s.contains(word),
        Value::Array(a) => a.iter().any(|v| v.as_str() == Some(word)),
        _ => false,
    }
}

fn rule_type(def: &Value) -> Option<String> {
    def.as_str().map(|s| {
        let t = s.split('|').next().unwrap_or("").trim();
        t.strip_suffix("[]")
            .map(|_| "array")
            .unwrap_or(t)
            .to_string()
    })
}

fn join_path(prefix: &str, k: &str) -> String {
    if prefix.is_empty() {
        k.to_string()
    } else {
        format!("{prefix}.{k}")
    }
}

/// `flatten(attributes, { safe: true })` keys, skipping `$$` keys.
fn flatten_defs(prefix: &str, obj: &Map<String, Value>, out: &mut Vec<(String, Value)>) {
    for (k, v) in obj {
        let full = join_path(prefix, k);
        match v {
            Value::Object(o) if !o.is_empty() => flatten_defs(&full, o, out),
            _ => out.push((full, v.clone())),
        }
    }
}

fn collect_objects(prefix: &str, obj: &Map<String, Value>, out: &mut Vec<String>) {
    for (k, v) in obj {
        if k.starts_with("$$") {
            continue;
        }
        let full = join_path(prefix, k);
        if let Value::Object(o) = v {
            out.push(full.clone());
            if o.get("$$type").and_then(Value::as_str) == Some("object") {
                collect_objects(&full, o, out);
            }
        }
    }
}

fn collect_nested(prefix: &str, obj: &Map<String, Value>, out: &mut HashSet<String>) {
    for (k, v) in obj {
        if k.starts_with("$$") {
            continue;
        }
        if let Value::Object(o) = v {
            let full = join_path(prefix, k);
            out.insert(full.clone());
            collect_nested(&full, o, out);
        }
    }
}

fn add_action(hooks: &mut Hooks, phase: &str, attr: &str, action: &str) {
    let list = hooks
        .entry(phase.to_string())
        .or_default()
        .entry(attr.to_string())
        .or_default();
    if !list.iter().any(|a| a == action) {
        list.push(action.to_string());
    }
}

fn get_bool(o: &Map<String, Value>, k: &str, default: bool) -> bool {
    match o.get(k) {
        Some(Value::Bool(b)) => *b,
        Some(Value::Null) | None => default,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().map(|x| x != 0.0).unwrap_or(default),
        Some(_) => true,
    }
}

/// Input for building a schema.
pub struct SchemaInput<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub attributes: &'a Map<String, Value>,
    /// Resource options as the user gave them (or as stored).
    pub options: &'a Map<String, Value>,
    pub behavior: &'a str,
    pub passphrase: &'a str,
    /// Database `cache` option (copied into options like 4.1.7).
    pub cache: Option<&'a Value>,
}

impl Schema {
    /// A schema from a definition as the facade sends it: `{ name, version (default
    /// "1"), attributes, options, behavior, passphrase (default `default_passphrase`),
    /// map? }`; a non-empty `map` is used as given.
    pub fn from_definition(def: &Map<String, Value>, default_passphrase: &str) -> Result<Schema> {
        let text = |k: &str, dflt: &str| {
            def.get(k)
                .and_then(Value::as_str)
                .unwrap_or(dflt)
                .to_string()
        };
        let empty = Map::new();
        let object = |k: &str| def.get(k).and_then(Value::as_object).unwrap_or(&empty);
        let mut schema = Schema::build(SchemaInput {
            name: &text("name", ""),
            version: &text("version", "1"),
            attributes: object("attributes"),
            options: object("options"),
            behavior: &text("behavior", "user-management"),
            passphrase: &text("passphrase", default_passphrase),
            cache: None,
        })?;
        let map: IndexMap<String, String> = object("map")
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect();
        if !map.is_empty() {
            schema.use_map(map);
        }
        Ok(schema)
    }

    pub fn build(input: SchemaInput<'_>) -> Result<Schema> {
        if !BEHAVIORS.contains(&input.behavior) {
            return Err(crate::engine::behavior::unknown(input.behavior));
        }
        let user = input.options;
        let timestamps = get_bool(user, "timestamps", false);
        let mut attributes = input.attributes.clone();
        if timestamps {
            for k in ["createdAt", "updatedAt"] {
                if !attributes.contains_key(k) {
                    attributes.insert(k.to_string(), Value::from("string|optional"));
                }
            }
        }
        // Partitions: the user's, plus the timestamp partitions 4.1.7 adds.
        let mut partitions = match user.get("partitions") {
            Some(Value::Object(p)) => p.clone(),
            _ => Map::new(),
        };
        if timestamps {
            for (pname, field) in [
                ("byCreatedDate", "createdAt"),
                ("byUpdatedDate", "updatedAt"),
            ] {
                if !partitions.contains_key(pname) {
                    let mut fields = Map::new();
                    fields.insert(field.to_string(), Value::from("date|maxlength:10"));
                    let mut def = Map::new();
                    def.insert("fields".into(), Value::Object(fields));
                    partitions.insert(pname.to_string(), Value::Object(def));
                }
            }
        }

        let partition_defs = partition::parse_definitions(&partitions, &attributes, input.version)?;

        // --- field map -----------------------------------------------------
        let mut leaves = Vec::new();
        flatten_defs("", &attributes, &mut leaves);
        let mut all_keys: Vec<String> = leaves
            .iter()
            .filter(|(k, _)| !k.contains("$$"))
            .map(|(k, _)| k.clone())
            .collect();
        let mut objects = Vec::new();
        collect_objects("", &attributes, &mut objects);
        let object_names: HashSet<String> = objects.iter().cloned().collect();
        all_keys.extend(objects);
        let mut map = IndexMap::new();
        for k in all_keys {
            if !map.contains_key(&k) {
                let idx = map.len().to_string();
                map.insert(k, idx);
            }
        }
        let reversed: HashMap<String, String> =
            map.iter().map(|(k, v)| (v.clone(), k.clone())).collect();
        let ordered_keys = map.iter().map(|(k, v)| (v.clone(), k.clone())).collect();

        // --- options in 4.1.7's order -------------------------------------
        let auto_encrypt = get_bool(user, "autoEncrypt", true);
        let auto_decrypt = get_bool(user, "autoDecrypt", true);
        let separator_s = user
            .get("arraySeparator")
            .and_then(Value::as_str)
            .unwrap_or("|")
            .to_string();
        let separator = separator_s.chars().next().unwrap_or('|');
        let generate = get_bool(user, "generateAutoHooks", true);

        let mut hooks: Hooks = IndexMap::new();
        for p in PHASES {
            hooks.insert(p.to_string(), IndexMap::new());
        }
        // Stored / user-given schema-phase hooks (lifecycle hooks are never persisted, E1).
        if let Some(Value::Object(h)) = user.get("hooks") {
            for p in PHASES {
                if let Some(Value::Object(per_attr)) = h.get(p) {
                    for (attr, actions) in per_attr {
                        if let Value::Array(list) = actions {
                            for a in list
                                .iter()
                                .filter_map(Value::as_str)
                                .filter(|a| KNOWN_ACTIONS.contains(a))
                            {
                                add_action(&mut hooks, p, attr, a);
                            }
                        }
                    }
                }
            }
        }
        if generate {
            for (attr, def) in &leaves {
                if attr.contains("$$") {
                    continue;
                }
                if def_contains(def, "array") {
                    add_action(&mut hooks, "beforeMap", attr, "fromArray");
                    add_action(&mut hooks, "afterUnmap", attr, "toArray");
                    continue;
                }
                if def_contains(def, "secret") {
                    if auto_encrypt {
                        add_action(&mut hooks, "beforeMap", attr, "encrypt");
                    }
                    if auto_decrypt {
                        add_action(&mut hooks, "afterUnmap", attr, "decrypt");
                    }
                }
                if def_contains(def, "number") {
                    add_action(&mut hooks, "beforeMap", attr, "toString");
                    add_action(&mut hooks, "afterUnmap", attr, "toNumber");
                }
                if def_contains(def, "boolean") {
                    add_action(&mut hooks, "beforeMap", attr, "fromBool");
                    add_action(&mut hooks, "afterUnmap", attr, "toBool");
                }
            }
        }

        let mut options = Map::new();
        options.insert("autoEncrypt".into(), Value::Bool(auto_encrypt));
        options.insert("autoDecrypt".into(), Value::Bool(auto_decrypt));
        options.insert("arraySeparator".into(), Value::from(separator_s));
        options.insert("generateAutoHooks".into(), Value::Bool(generate));
        options.insert(
            "hooks".into(),
            serde_json::to_value(&hooks).unwrap_or(Value::Null),
        );
        let cache = user.get("cache").or(input.cache);
        if let Some(c) = cache {
            if !c.is_null() {
                options.insert("cache".into(), c.clone());
            }
        }
        options.insert("timestamps".into(), Value::Bool(timestamps));
        options.insert("partitions".into(), Value::Object(partitions));
        options.insert(
            "paranoid".into(),
            user.get("paranoid").cloned().unwrap_or(Value::Bool(true)),
        );
        options.insert(
            "allNestedObjectsOptional".into(),
            user.get("allNestedObjectsOptional")
                .cloned()
                .unwrap_or(Value::Bool(false)),
        );
        for (k, v) in user {
            if options.contains_key(k) || k == "hooks" || v.is_null() {
                continue;
            }
            options.insert(k.clone(), v.clone());
        }

        // --- storage kinds (A7/A8) and nested objects ------------------------
        let mut storage = HashMap::new();
        let mut date_fields = Vec::new();
        let mut array_items = HashMap::new();
        for (attr, def) in &leaves {
            if def_contains(def, "array") {
                if let Some(kind) = array_item_kind(def) {
                    array_items.insert(attr.clone(), kind);
                }
            }
            match rule_type(def).as_deref() {
                Some("date") => {
                    storage.insert(attr.clone(), Storage::Date);
                    date_fields.push(attr.clone());
                }
                Some("object") => {
                    storage.insert(attr.clone(), Storage::Json);
                }
                _ => {}
            }
            let _ = rule_text(def);
        }
        let mut nested = HashSet::new();
        collect_nested("", &attributes, &mut nested);

        let validator = Validator::compile(
            &attributes,
            get_bool(user, "allNestedObjectsOptional", false),
        )
        .map_err(|m| EngineError::new(ErrorKind::SchemaError, m))?;

        let mut schema = Schema {
            name: input.name.to_string(),
            version: input.version.to_string(),
            attributes,
            options,
            behavior: input.behavior.to_string(),
            passphrase: input.passphrase.to_string(),
            map,
            reversed,
            ordered_keys,
            hooks,
            validator,
            nested,
            object_names,
            storage,
            array_items,
            date_fields,
            separator,
            timestamps,
            partitions: partition_defs,
            definition_hash: String::new(),
            version_hash: String::new(),
        };
        schema.definition_hash = schema.compute_definition_hash();
        schema.version_hash = schema.compute_version_hash();
        Ok(schema)
    }

    /// Use a stored/imported field map instead of the one derived from the
    /// attribute order (4.1.7: a non-empty `map` argument is used as given).
    pub fn use_map(&mut self, map: IndexMap<String, String>) {
        self.reversed = map.iter().map(|(k, v)| (v.clone(), k.clone())).collect();
        let mut ordered: Vec<(String, String)> =
            map.iter().map(|(k, v)| (v.clone(), k.clone())).collect();
        ordered.sort_by(
            |(a, _), (b, _)| match (a.parse::<u64>(), b.parse::<u64>()) {
                (Ok(x), Ok(y)) => x.cmp(&y),
                _ => a.cmp(b),
            },
        );
        self.ordered_keys = ordered;
        self.map = map;
        self.definition_hash = self.compute_definition_hash();
        self.version_hash = self.compute_version_hash();
    }

    pub fn paranoid(&self) -> bool {
        match self.options.get("paranoid") {
            Some(Value::Bool(false)) => false,
            Some(Value::Null) | Some(Value::Bool(true)) | None => true,
            Some(_) => true,
        }
    }

    /// Attributes used for hashing (timestamps dropped when on).
    fn hash_attributes(&self) -> Value {
        let mut a = self.attributes.clone();
        if self.timestamps {
            a.shift_remove("createdAt");
            a.shift_remove("updatedAt");
        }
        Value::Object(a)
    }

    /// `versions.<v>.hash` in s3db.json.
    pub fn version_hash(&self) -> String {
        self.version_hash.clone()
    }

    /// `_definitionHash` on records.
    pub fn definition_hash(&self) -> String {
        self.definition_hash.clone()
    }

    fn compute_version_hash(&self) -> String {
        let mut o = Map::new();
        o.insert("attributes".into(), self.hash_attributes());
        o.insert("behavior".into(), Value::from(self.behavior.clone()));
        format!(
            "sha256:{}",
            sha256_hex(stable_stringify(&Value::Object(o)).as_bytes())
        )
    }

    fn compute_definition_hash(&self) -> String {
        format!(
            "sha256:{}",
            sha256_hex(stable_stringify(&self.hash_attributes()).as_bytes())
        )
    }

    pub fn validate(&self, record: &mut Map<String, Value>) -> Vec<ValidationError> {
        self.validator.validate(record)
    }

    fn actions(&self, phase: &str, attr: &str) -> &[String] {
        self.hooks
            .get(phase)
            .and_then(|h| h.get(attr))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn flatten_record(
        &self,
        prefix: &str,
        obj: &Map<String, Value>,
        out: &mut Vec<(String, Value)>,
    ) {
        for (k, v) in obj {
            let full = join_path(prefix, k);
            match v {
                Value::Object(o) if self.nested.contains(&full) && !js::is_valid_date(v) => {
                    self.flatten_record(&full, o, out)
                }
                _ => out.push((full, v.clone())),
            }
        }
    }

    /// Record (validated, without id) -> metadata (values encoded, `_v` included).
    pub fn encode(&self, record: &Map<String, Value>) -> Result<Metadata> {
        let mut flat = Vec::new();
        self.flatten_record("", record, &mut flat);
        let mut md = Metadata::new();
        md.insert("_v".into(), self.version.clone());
        for (path, value) in flat {
            let Some(short) = self.map.get(&path) else {
                continue;
            }; // A3: never write `undefined`
            if self.object_names.contains(&path) {
                continue; // nested object name: its leaves carry the data (A7: `{}` skipped)
            }
            let Some(text) = self.encode_leaf(&path, value)? else {
                continue;
            };
            md.insert(short.clone(), encode_meta_value(&text));
        }
        Ok(md)
    }

    fn encode_leaf(&self, path: &str, mut value: Value) -> Result<Option<String>> {
        if value.is_null() {
            return Ok(None); // A4: no "null" strings
        }
        for action in self.actions("beforeMap", path) {
            value = self.apply_action(action, value, path)?;
        }
        let text = match (&value, self.storage.get(path)) {
            (Value::String(s), _) => s.clone(),
            (_, Some(Storage::Json)) => value.to_string(),
            (Value::Object(o), _) if o.is_empty() => return Ok(None),
            (v, _) => js_string(v),
        };
        Ok(Some(text))
    }

    /// One schema action (4.1.7's `SchemaActions`, defects fixed: `toNumber` is JS
    /// `Number()`, `null` stays `null`) on the value of field `path`.
    pub fn apply_action(&self, action: &str, value: Value, path: &str) -> Result<Value> {
        Ok(match (action, &value) {
            ("toString", Value::Number(n)) => {
                Value::from(n.as_f64().map(js::number_to_string).unwrap_or_default())
            }
            ("toString", Value::String(_)) => value,
            ("toString", other) => Value::from(js_string(other)),
            ("fromArray", Value::Array(items)) => Value::from(encode_array(items, self.separator)),
            ("fromBool", v) => Value::from(if is_truthy_bool(v) { "1" } else { "0" }),
            ("encrypt", v) => Value::from(crypto::encrypt(&js_string(v), &self.passphrase)?),
            ("trim", Value::String(s)) => Value::from(s.trim()),
            ("toJSON", v) => Value::from(v.to_string()),
            ("toNumber", Value::String(s)) => {
                if s == "null" {
                    Value::Null
                } else {
                    match js::string_to_number(s) {
                        x if x.is_finite() => js::number_to_json(x),
                        _ => Value::Null,
                    }
                }
            }
            ("toArray", Value::String(s)) => {
                let items = decode_array(s, self.separator);
                Value::Array(match self.array_items.get(path) {
                    Some(kind) => items.into_iter().map(|v| typed_item(*kind, v)).collect(),
                    None => items,
                })
            }
            ("toBool", v) => Value::Bool(is_truthy_bool(v)),
            ("decrypt", Value::String(s)) => Value::from(
                crypto::decrypt_with_fallback(s, &self.passphrase).map_err(|e| {
                    EngineError::new(
                        ErrorKind::DecryptionError,
                        format!("cannot decrypt field '{path}': {}", e.message()),
                    )
                    .with("field", path.to_string())
                })?,
            ),
            ("fromJSON", Value::String(s)) => serde_json::from_str(s).unwrap_or(value.clone()),
            _ => value,
        })
    }

    /// `applyHooksActions(item, phase)`: every action the schema's `phase` lists,
    /// on a flat item (`a.b` paths), in place.
    pub fn apply_phase(&self, item: &mut Map<String, Value>, phase: &str) -> Result<()> {
        let Some(fields) = self.hooks.get(phase) else {
            return Ok(());
        };
        for (path, actions) in fields {
            for action in actions {
                if let Some(v) = item.get(path).cloned() {
                    item.insert(path.clone(), self.apply_action(action, v, path)?);
                }
            }
        }
        Ok(())
    }

    /// Metadata (+ optional overflow entries) -> record (without id).
    pub fn decode(&self, md: &Metadata) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for (short, path) in &self.ordered_keys {
            let Some(raw) = md.get(short) else { continue };
            if self.object_names.contains(path) {
                continue;
            }
            let value = self.decode_leaf(path, decode_meta_value(raw))?;
            insert_path(&mut out, path, value);
        }
        Ok(out)
    }

    fn decode_leaf(&self, path: &str, text: String) -> Result<Value> {
        let mut value = Value::String(text);
        for action in self.actions("afterUnmap", path) {
            value = self.apply_action(action, value, path)?;
        }
        match (self.storage.get(path), &value) {
            (Some(Storage::Date), Value::String(s)) => {
                let mut o = Map::new();
                o.insert("$date".into(), Value::from(s.clone()));
                Ok(Value::Object(o))
            }
            (Some(Storage::Json), Value::String(s)) => {
                Ok(serde_json::from_str(s).unwrap_or(value.clone()))
            }
            _ => Ok(value),
        }
    }

    /// `{ version, name, options, attributes, map, behavior }` like `resource.export()`.
    pub fn export(&self) -> Value {
        let mut o = Map::new();
        o.insert("version".into(), Value::from(self.version.clone()));
        o.insert("name".into(), Value::from(self.name.clone()));
        o.insert("options".into(), Value::Object(self.options.clone()));
        o.insert("attributes".into(), Value::Object(self.attributes.clone()));
        o.insert(
            "map".into(),
            serde_json::to_value(&self.map).unwrap_or(Value::Null),
        );
        o.insert("behavior".into(), Value::from(self.behavior.clone()));
        o.insert(
            "dateFields".into(),
            serde_json::to_value(&self.date_fields).unwrap_or(Value::Null),
        );
        o.insert("definitionHash".into(), Value::from(self.definition_hash()));
        o.insert("versionHash".into(), Value::from(self.version_hash()));
        Value::Object(o)
    }
}

/// An array item read back as the type its rule declares; text that is not one stays text.
fn typed_item(kind: ItemKind, v: Value) -> Value {
    let Value::String(s) = &v else { return v };
    match kind {
        ItemKind::Number => match js::string_to_number(s) {
            x if x.is_finite() && !s.trim().is_empty() => js::number_to_json(x),
            _ => v,
        },
        ItemKind::Boolean => match s.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => v,
        },
    }
}

fn is_truthy_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() == Some(1.0),
        Value::String(s) => matches!(s.as_str(), "true" | "1" | "yes" | "y"),
        _ => false,
    }
}

fn insert_path(out: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut cur = out;
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(p.to_string(), value);
            return;
        }
        let entry = cur
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        match entry {
            Value::Object(m) => cur = m,
            _ => return,
        }
    }
}
