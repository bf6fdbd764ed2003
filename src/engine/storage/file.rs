//! On-disk backend (`file:///abs/dir`, `file://./rel/dir`).
//!
//! Layout: every `/`-separated key segment is percent-encoded (everything but
//! `A-Z a-z 0-9 _ = -`, so encoded names never contain `.`); intermediate
//! segments are directories named `<enc>.d`, the last segment is a file named
//! `<enc>.obj`. An object file is one JSON header line (metadata, content type,
//! content encoding) followed by the body bytes.
//!
//! Writes are crash-safe: the object is written to a temporary file in the same
//! directory (`.tmp-<pid>-<random>`), fsynced, then renamed over the target, so a
//! reader (in this process or another) sees the old object or the new one, never
//! part of one. Temporary files of a process that died mid-write are removed when
//! their directory is next listed and by a sweep when a database opens the root.
//!
//! Conditional writes (`If-Match` / `If-None-Match`) hold across processes: every
//! write takes an exclusive `flock` on one of 64 lock files under `.s3db-locks/`
//! (chosen by the key's SHA-256), then compares the target's ETag with the
//! precondition and renames its temporary file over the target, all under that
//! lock. Only the compare-and-rename is locked; the body is written before. An
//! object's ETag is a random tag stored in its header line (`"e"`); a file written
//! before ETags existed gets one from its modification time and length.
//!
//! Listing walks directories in S3 key order (a directory sorts as `<segment>/`), pruned by prefix and by
//! the continuation token (the last key returned), so pages are exact and a
//! listing never holds more than one directory's names. Sorted directory
//! listings are cached per (directory, mtime, write generation).

use super::{
    BodyStream, ListPage, ListedObject, ObjectMeta, PutRequest, Storage, StreamedPut, STREAM_CHUNK,
};
use crate::engine::error::{EngineError, ErrorKind, Result};
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::StreamExt;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use tokio::io::AsyncWriteExt;

const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'=').remove(b'-');
const MAX_NAME: usize = 240;
const CACHE_DIRS: usize = 8;
/// Lock files under `<root>/.s3db-locks/` (conditional writes, see the module docs).
const LOCK_STRIPES: u8 = 64;
const LOCK_DIR: &str = ".s3db-locks";

type DirListing = Arc<Vec<(String, bool, String)>>; // (sort key, is_dir, file name)

pub struct FileStorage {
    root: PathBuf,
    generation: AtomicU64,
    cache: Mutex<HashMap<PathBuf, (SystemTime, u64, DirListing)>>,
}

fn enc(seg: &str) -> Result<String> {
    let e = utf8_percent_encode(seg, SEGMENT).to_string();
    if e.len() > MAX_NAME {
        return Err(EngineError::new(
            ErrorKind::InvalidId,
            format!(
                "key segment too long for the file backend ({} bytes encoded, max {MAX_NAME})",
                e.len()
            ),
        ));
    }
    Ok(e)
}

/// A temporary file's name: `.tmp-<pid>-<random>`, so another process can tell
/// whether its writer is still alive.
fn temp_name() -> String {
    format!(".tmp-{}-{}", std::process::id(), nanoid::nanoid!(12))
}

/// Whether a dot-file is a temporary file whose writer is gone (killed in the
/// middle of a write): its process no longer exists (checked through `/proc`
/// where there is one, otherwise the file is over an hour old).
fn is_abandoned_temp(name: &str, path: &Path) -> bool {
    let Some(rest) = name.strip_prefix(".tmp-") else {
        return false;
    };
    let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
    match pid {
        Some(pid) if pid == std::process::id() => false,
        Some(pid) if Path::new("/proc/self").exists() => {
            !Path::new(&format!("/proc/{pid}")).exists()
        }
        _ => std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600),
    }
}

/// Remove abandoned temporary files under `dir`, depth first (run once per root
/// when a database opens it, on a background thread).
fn sweep_abandoned(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for ent in rd.flatten() {
        let name = ent.file_name().to_string_lossy().into_owned();
        let path = ent.path();
        if name.ends_with(".d") {
            sweep_abandoned(&path);
        } else if is_abandoned_temp(&name, &path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn dec(name: &str) -> String {
    percent_decode_str(name).decode_utf8_lossy().into_owned()
}

fn io_err(ctx: &str, path: &Path, e: std::io::Error) -> EngineError {
    EngineError::io(&format!("{ctx} {}", path.display()), e)
}

fn ms(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(_) => 0,
    }
}

impl FileStorage {
    pub fn new(root: PathBuf) -> Result<Self> {
        std::fs::create_dir_all(&root)
            .map_err(|e| io_err("cannot create data directory", &root, e))?;
        // What a process killed in the middle of a write left behind. Listing a
        // directory removes its own leftovers too, so nothing waits for this sweep.
        let swept = root.clone();
        let _ = std::thread::Builder::new()
            .name("s3db-file-sweep".into())
            .spawn(move || sweep_abandoned(&swept));
        Ok(FileStorage {
            root,
            generation: AtomicU64::new(0),
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Directory that holds the key's object file, and the file name.
    fn locate(&self, key: &str) -> Result<(PathBuf, String)> {
        let mut segs: Vec<&str> = key.split('/').collect();
        let last = segs.pop().unwrap_or("");
        let mut dir = self.root.clone();
        for s in segs {
            dir.push(format!("{}.d", enc(s)?));
        }
        Ok((dir, format!("{}.obj", enc(last)?)))
    }

    fn read_header(
        path: &Path,
        missing: ErrorKind,
        key: &str,
    ) -> Result<(ObjectMeta, std::io::BufReader<std::fs::File>)> {
        let f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(EngineError::new(
                    missing,
                    format!("The specified key does not exist: {key}"),
                ))
            }
            Err(e) => return Err(io_err("cannot open", path, e)),
        };
        let md = f.metadata().map_err(|e| io_err("cannot stat", path, e))?;
        let mut r = std::io::BufReader::new(f);
        let mut line = Vec::new();
        r.read_until(b'\n', &mut line)
            .map_err(|e| io_err("cannot read", path, e))?;
        let header: Value = serde_json::from_slice(&line).map_err(|e| {
            EngineError::new(
                ErrorKind::CorruptData,
                format!("corrupt object file {}: {e}", path.display()),
            )
        })?;
        let mut meta = ObjectMeta {
            key: key.to_string(),
            size: md.len().saturating_sub(line.len() as u64),
            last_modified_ms: md.modified().map(ms).unwrap_or(0),
            ..Default::default()
        };
        if let Some(m) = header.get("m").and_then(Value::as_object) {
            for (k, v) in m {
                if let Some(s) = v.as_str() {
                    meta.metadata.insert(k.clone(), s.to_string());
                }
            }
        }
        meta.content_type = header.get("ct").and_then(Value::as_str).map(str::to_string);
        meta.content_encoding = header.get("ce").and_then(Value::as_str).map(str::to_string);
        meta.etag = Some(match header.get("e").and_then(Value::as_str) {
            Some(e) => e.to_string(),
            None => {
                let nanos = md
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("\"f{nanos:x}-{:x}\"", md.len())
            }
        });
        Ok((meta, r))
    }

    /// The ETag of the object file at `path`, or `None` when there is none.
    fn current_etag(path: &Path) -> Result<Option<String>> {
        match Self::read_header(path, ErrorKind::NotFound, "") {
            Ok((meta, _)) => Ok(meta.etag),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The exclusive lock of `key`'s stripe, held until the returned file is dropped.
    fn lock_stripe(&self, key: &str) -> Result<std::fs::File> {
        use sha2::Digest;
        let stripe = sha2::Sha256::digest(key.as_bytes())[0] % LOCK_STRIPES;
        let dir = self.root.join(LOCK_DIR);
        let path = dir.join(format!("{stripe:02}.lock"));
        let open = || {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
        };
        let f = match open() {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| io_err("cannot create directory", &dir, e))?;
                open().map_err(|e| io_err("cannot open lock file", &path, e))?
            }
            Err(e) => return Err(io_err("cannot open lock file", &path, e)),
        };
        f.lock().map_err(|e| io_err("cannot lock", &path, e))?;
        Ok(f)
    }

    /// Moves the written temporary file `tmp` over `target` (the object file of
    /// `key`) if `req`'s precondition holds, under the key's stripe lock.
    fn replace(&self, key: &str, req: &PutRequest, tmp: &Path, target: &Path) -> Result<()> {
        let _lock = self.lock_stripe(key)?;
        if let Some(p) = &req.precondition {
            if !p.holds(Self::current_etag(target)?.as_deref()) {
                return Err(p.failed(key));
            }
        }
        std::fs::rename(tmp, target).map_err(|e| io_err("cannot write object", target, e))
    }

    /// The object file's first line: metadata, content type and encoding as JSON.
    fn header_line(req: &PutRequest) -> Result<Vec<u8>> {
        let mut header = Map::new();
        header.insert(
            "m".into(),
            Value::Object(
                req.metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                    .collect(),
            ),
        );
        header.insert(
            "ct".into(),
            Value::from(
                req.content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".into()),
            ),
        );
        if let Some(ce) = &req.content_encoding {
            header.insert("ce".into(), Value::from(ce.clone()));
        }
        header.insert(
            "e".into(),
            Value::from(format!("\"{}\"", nanoid::nanoid!(16))),
        );
        let mut line = serde_json::to_vec(&Value::Object(header)).map_err(|e| {
            EngineError::new(
                ErrorKind::UnknownError,
                format!("cannot encode header: {e}"),
            )
        })?;
        line.push(b'\n');
        Ok(line)
    }

    fn put_sync(&self, key: &str, req: &PutRequest) -> Result<()> {
        self.write_sync(key, req, &mut |f| f.write_all(&req.body))
    }

    /// Writes `req`'s header then whatever `body` writes, atomically (temp + fsync + rename).
    fn write_sync(
        &self,
        key: &str,
        req: &PutRequest,
        body: &mut dyn FnMut(&mut std::fs::File) -> std::io::Result<()>,
    ) -> Result<()> {
        let (dir, name) = self.locate(key)?;
        let line = Self::header_line(req)?;
        for attempt in 0..3 {
            std::fs::create_dir_all(&dir)
                .map_err(|e| io_err("cannot create directory", &dir, e))?;
            let tmp = dir.join(temp_name());
            let written = (|| -> std::io::Result<()> {
                let mut f = std::fs::File::create(&tmp)?;
                f.write_all(&line)?;
                body(&mut f)?;
                f.sync_all()
            })();
            match written {
                Ok(()) => {
                    let replaced = self.replace(key, req, &tmp, &dir.join(&name));
                    if replaced.is_err() {
                        let _ = std::fs::remove_file(&tmp);
                    }
                    replaced?;
                    self.generation.fetch_add(1, Ordering::SeqCst);
                    return Ok(());
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    // A concurrent delete may have removed the (empty) directory: retry.
                    if e.kind() == std::io::ErrorKind::NotFound && attempt < 2 {
                        continue;
                    }
                    return Err(io_err("cannot write object", &dir.join(&name), e));
                }
            }
        }
        Err(EngineError::new(
            ErrorKind::UnknownError,
            "cannot write object",
        ))
    }

    fn delete_sync(&self, key: &str) -> Result<()> {
        let (dir, name) = self.locate(key)?;
        match std::fs::remove_file(dir.join(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err("cannot delete", &dir.join(&name), e)),
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        // Prune now-empty directories up to the root (fails harmlessly when not empty).
        let mut d = dir;
        while d != self.root && d.starts_with(&self.root) {
            if std::fs::remove_dir(&d).is_err() {
                break;
            }
            if !d.pop() {
                break;
            }
        }
        Ok(())
    }

    fn dir_listing(&self, dir: &Path) -> Result<Option<DirListing>> {
        let mtime = match std::fs::metadata(dir) {
            Ok(m) => m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("cannot stat", dir, e)),
        };
        let gen = self.generation.load(Ordering::SeqCst);
        if let Ok(c) = self.cache.lock() {
            if let Some((t, g, l)) = c.get(dir) {
                if *t == mtime && *g == gen {
                    return Ok(Some(l.clone()));
                }
            }
        }
        let rd = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("cannot list", dir, e)),
        };
        let mut entries = Vec::new();
        for ent in rd {
            let ent = ent.map_err(|e| io_err("cannot list", dir, e))?;
            let fname = ent.file_name().to_string_lossy().into_owned();
            if fname.starts_with('.') {
                if is_abandoned_temp(&fname, &ent.path()) {
                    let _ = std::fs::remove_file(ent.path());
                }
                continue;
            }
            if let Some(stem) = fname.strip_suffix(".obj") {
                entries.push((dec(stem), false, fname.clone()));
            } else if let Some(stem) = fname.strip_suffix(".d") {
                entries.push((format!("{}/", dec(stem)), true, fname.clone()));
            }
        }
        entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let listing = Arc::new(entries);
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= CACHE_DIRS {
                c.clear();
            }
            c.insert(dir.to_path_buf(), (mtime, gen, listing.clone()));
        }
        Ok(Some(listing))
    }

    /// Depth-first walk in key order collecting up to `want` keys.
    fn walk(
        &self,
        dir: &Path,
        base: &str,
        prefix: &str,
        after: Option<&str>,
        want: usize,
        out: &mut Vec<ListedObject>,
    ) -> Result<()> {
        let Some(listing) = self.dir_listing(dir)? else {
            return Ok(());
        };
        // Skip entries sorting at or before the token in one binary search.
        let start = match after {
            Some(t) if t.starts_with(base) => {
                let rel = &t[base.len()..];
                listing.partition_point(|(s, is_dir, _)| {
                    if *is_dir {
                        // keep a directory the token points into
                        s.as_bytes() < rel.as_bytes() && !rel.starts_with(s.as_str())
                    } else {
                        s.as_bytes() <= rel.as_bytes()
                    }
                })
            }
            _ => 0,
        };
        for (s, is_dir, fname) in listing[start..].iter() {
            if out.len() >= want {
                return Ok(());
            }
            let full = format!("{base}{s}");
            if *is_dir {
                if !(prefix.starts_with(&full) || full.starts_with(prefix)) {
                    if full.as_bytes() > prefix.as_bytes() {
                        return Ok(());
                    }
                    continue;
                }
                if let Some(t) = after {
                    if full.as_str() < t && !t.starts_with(&full) {
                        continue;
                    }
                }
                self.walk(&dir.join(fname), &full, prefix, after, want, out)?;
            } else {
                if !full.starts_with(prefix) {
                    if full.as_bytes() > prefix.as_bytes() {
                        return Ok(());
                    }
                    continue;
                }
                if let Some(t) = after {
                    if full.as_str() <= t {
                        continue;
                    }
                }
                let path = dir.join(fname);
                let md = match std::fs::metadata(&path) {
                    Ok(m) => m,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(io_err("cannot stat", &path, e)),
                };
                out.push(ListedObject {
                    key: full,
                    size: md.len(),
                    last_modified_ms: md.modified().map(ms).unwrap_or(0),
                });
            }
        }
        Ok(())
    }

    fn list_sync(&self, prefix: &str, max_keys: usize, token: Option<String>) -> Result<ListPage> {
        // Descend directly to the deepest directory the prefix fully names.
        let mut dir = self.root.clone();
        let mut base = String::new();
        if let Some(idx) = prefix.rfind('/') {
            for seg in prefix[..idx].split('/') {
                dir.push(format!("{}.d", enc(seg)?));
                base.push_str(seg);
                base.push('/');
            }
        }
        let mut out = Vec::with_capacity(max_keys + 1);
        self.walk(
            &dir,
            &base,
            prefix,
            token.as_deref(),
            max_keys + 1,
            &mut out,
        )?;
        let more = out.len() > max_keys;
        out.truncate(max_keys);
        let next_token = if more {
            out.last().map(|o| o.key.clone())
        } else {
            None
        };
        Ok(ListPage {
            objects: out,
            next_token,
        })
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        EngineError::new(
            ErrorKind::InternalError,
            format!("file backend task failed: {e}"),
        )
    })?
}

pub struct SharedFile(pub Arc<FileStorage>);

impl Storage for SharedFile {
    fn name(&self) -> &'static str {
        "file"
    }

    fn put(&self, key: String, req: PutRequest) -> BoxFuture<'_, Result<()>> {
        let s = self.0.clone();
        Box::pin(blocking(move || s.put_sync(&key, &req)))
    }

    fn get(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, Bytes)>> {
        let s = self.0.clone();
        Box::pin(blocking(move || {
            let (dir, name) = s.locate(&key)?;
            let path = dir.join(name);
            let (meta, mut r) = FileStorage::read_header(&path, ErrorKind::NoSuchKey, &key)?;
            let mut body = Vec::with_capacity(meta.size as usize);
            r.read_to_end(&mut body)
                .map_err(|e| io_err("cannot read", &path, e))?;
            Ok((meta, Bytes::from(body)))
        }))
    }

    fn head(&self, key: String) -> BoxFuture<'_, Result<ObjectMeta>> {
        let s = self.0.clone();
        Box::pin(blocking(move || {
            let (dir, name) = s.locate(&key)?;
            FileStorage::read_header(&dir.join(name), ErrorKind::NotFound, &key).map(|(m, _)| m)
        }))
    }

    fn list(
        &self,
        prefix: String,
        max_keys: usize,
        token: Option<String>,
    ) -> BoxFuture<'_, Result<ListPage>> {
        let s = self.0.clone();
        Box::pin(blocking(move || s.list_sync(&prefix, max_keys, token)))
    }

    fn delete(&self, key: String) -> BoxFuture<'_, Result<()>> {
        let s = self.0.clone();
        Box::pin(blocking(move || s.delete_sync(&key)))
    }

    fn delete_many(&self, keys: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
        let s = self.0.clone();
        Box::pin(blocking(move || {
            for k in &keys {
                s.delete_sync(k)?;
            }
            Ok(keys)
        }))
    }

    /// Chunks go to a temporary file beside the target (so at most one chunk is
    /// in memory), which is fsynced and renamed over the target at the end; a
    /// failed body leaves the old object and no temporary file.
    fn put_stream(
        &self,
        key: String,
        req: PutRequest,
        mut body: BodyStream,
    ) -> BoxFuture<'_, Result<StreamedPut>> {
        let s = self.0.clone();
        Box::pin(async move {
            let (dir, name) = s.locate(&key)?;
            let line = FileStorage::header_line(&req)?;
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|e| io_err("cannot create directory", &dir, e))?;
            let tmp = dir.join(temp_name());
            let target = dir.join(&name);
            let written: Result<u64> = async {
                let mut f = tokio::fs::File::create(&tmp)
                    .await
                    .map_err(|e| io_err("cannot create", &tmp, e))?;
                f.write_all(&line)
                    .await
                    .map_err(|e| io_err("cannot write", &tmp, e))?;
                let mut bytes = 0u64;
                while let Some(chunk) = body.next().await {
                    let chunk = chunk?;
                    bytes += chunk.len() as u64;
                    f.write_all(&chunk)
                        .await
                        .map_err(|e| io_err("cannot write", &tmp, e))?;
                }
                f.sync_all()
                    .await
                    .map_err(|e| io_err("cannot sync", &tmp, e))?;
                drop(f);
                let (s, tmp, target) = (s.clone(), tmp.clone(), target.clone());
                blocking(move || s.replace(&key, &req, &tmp, &target)).await?;
                Ok(bytes)
            }
            .await;
            match written {
                Ok(bytes) => {
                    s.generation.fetch_add(1, Ordering::SeqCst);
                    Ok(StreamedPut { bytes, requests: 1 })
                }
                Err(e) => {
                    let _ = tokio::fs::remove_file(&tmp).await;
                    Err(e)
                }
            }
        })
    }

    /// The body is read in chunks of [`STREAM_CHUNK`] bytes as the consumer asks.
    fn get_stream(&self, key: String) -> BoxFuture<'_, Result<(ObjectMeta, BodyStream)>> {
        let s = self.0.clone();
        Box::pin(async move {
            let (meta, reader) = blocking(move || {
                let (dir, name) = s.locate(&key)?;
                FileStorage::read_header(&dir.join(name), ErrorKind::NoSuchKey, &key)
            })
            .await?;
            // The header reader may hold the first bytes of the body in its buffer.
            let buffered = Bytes::copy_from_slice(reader.buffer());
            let file = tokio::fs::File::from_std(reader.into_inner());
            let path = meta.key.clone();
            let rest =
                tokio_util::io::ReaderStream::with_capacity(file, STREAM_CHUNK).map(move |r| {
                    r.map_err(|e| EngineError::io(&format!("cannot read object {path}"), e))
                });
            let body: BodyStream = futures::stream::once(async move { Ok(buffered) })
                .filter(|b| futures::future::ready(!matches!(b, Ok(b) if b.is_empty())))
                .chain(rest)
                .boxed();
            Ok((meta, body))
        })
    }

    fn copy(&self, from: String, to: String) -> BoxFuture<'_, Result<()>> {
        let s = self.0.clone();
        Box::pin(blocking(move || {
            let (dir, name) = s.locate(&from)?;
            let path = dir.join(name);
            let (meta, mut r) = FileStorage::read_header(&path, ErrorKind::NoSuchKey, &from)?;
            // The body is copied file to file (never whole in memory), from its start on every attempt.
            let body_start = r
                .stream_position()
                .map_err(|e| io_err("cannot read", &path, e))?;
            let head = PutRequest {
                metadata: meta.metadata,
                content_type: meta.content_type,
                content_encoding: meta.content_encoding,
                ..Default::default()
            };
            s.write_sync(&to, &head, &mut |f| {
                r.seek(std::io::SeekFrom::Start(body_start))?;
                std::io::copy(&mut r, f).map(|_| ())
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn conformance() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = FileStorage::new(dir.path().to_path_buf()).expect("root");
        super::super::conformance::run_all(Arc::new(SharedFile(Arc::new(s))), "").await;
    }

    #[tokio::test]
    async fn survives_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = SharedFile(Arc::new(
            FileStorage::new(dir.path().to_path_buf()).expect("root"),
        ));
        let mut md = super::super::Metadata::new();
        md.insert("0".into(), "x".into());
        s.put(
            "a/b=c/id=1".into(),
            PutRequest {
                metadata: md,
                body: Bytes::from_static(b"hi"),
                ..Default::default()
            },
        )
        .await
        .expect("put");
        let s2 = SharedFile(Arc::new(
            FileStorage::new(dir.path().to_path_buf()).expect("root"),
        ));
        let (m, b) = s2.get("a/b=c/id=1".into()).await.expect("get");
        assert_eq!(&b[..], b"hi");
        assert_eq!(m.metadata.get("0").map(String::as_str), Some("x"));
    }
}
