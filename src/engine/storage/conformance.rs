//! Behaviour every [`Storage`] backend must show (run by each backend's tests;
//! the S3 run needs `S3DB_TEST_S3_URL`).

use super::{Bucket, Metadata, Precondition, PutRequest, Storage};
use crate::engine::error::ErrorKind;
use bytes::Bytes;
use std::sync::Arc;

fn md(pairs: &[(&str, &str)]) -> Metadata {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub async fn run_all(storage: Arc<dyn Storage>, prefix: &str) {
    let b = Bucket::new(storage, "conformance".into(), prefix.into());
    put_get_head(&b).await;
    not_found(&b).await;
    list_pagination(&b).await;
    list_prefix_boundaries(&b).await;
    delete_many_and_copy(&b).await;
    metadata_limit(&b).await;
    streamed_bodies(&b).await;
    conditional_writes(&b).await;
}

/// A deterministic body of `len` bytes, cut into uneven chunks.
fn chunked(len: usize, chunk: usize) -> (Vec<u8>, super::BodyStream) {
    use futures::StreamExt;
    let whole: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    let parts: Vec<crate::engine::error::Result<Bytes>> = whole
        .chunks(chunk.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    (whole, futures::stream::iter(parts).boxed())
}

async fn read_all(mut s: super::BodyStream) -> Vec<u8> {
    use futures::StreamExt;
    let mut out = Vec::new();
    while let Some(c) = s.next().await {
        out.extend_from_slice(&c.expect("chunk"));
    }
    out
}

/// `put_stream`/`get_stream`: empty, small, exactly one S3 part, and multipart
/// (a chunk straddling part boundaries); a failing body writes nothing.
async fn streamed_bodies(b: &Bucket) {
    use futures::StreamExt;
    let part = super::s3::PART_SIZE;
    for (len, chunk) in [
        (0, 1),
        (1000, 333),
        (part, 65536),
        (2 * part + 12345, 3 * 1024 * 1024 + 7),
    ] {
        let key = format!("stream/len={len}");
        let (whole, body) = chunked(len, chunk);
        let req = PutRequest {
            metadata: md(&[("0", "kept")]),
            content_type: Some("video/mp4".into()),
            ..Default::default()
        };
        let sent = b.put_stream(&key, req, body).await.expect("put_stream");
        assert_eq!(sent.bytes, len as u64, "{key}");
        let (meta, got) = b.get_stream(&key).await.expect("get_stream");
        assert_eq!(meta.size, len as u64, "{key}");
        assert_eq!(meta.metadata.get("0").map(String::as_str), Some("kept"));
        assert_eq!(meta.content_type.as_deref(), Some("video/mp4"));
        let got = read_all(got).await;
        assert!(
            got == whole,
            "{key}: body differs ({} bytes read)",
            got.len()
        );
        b.delete(&key).await.expect("delete");
    }
    // A body that fails midway leaves the previous object as it was.
    b.put(
        "stream/failing",
        PutRequest {
            body: Bytes::from_static(b"before"),
            ..Default::default()
        },
    )
    .await
    .expect("put");
    let failing = futures::stream::iter(vec![
        Ok(Bytes::from(vec![7u8; part + 1])),
        Err(crate::engine::error::EngineError::new(
            ErrorKind::Cancelled,
            "producer failed",
        )),
    ])
    .boxed();
    let err = b
        .put_stream("stream/failing", PutRequest::default(), failing)
        .await
        .expect_err("failing body");
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    let (_, body) = b.get("stream/failing").await.expect("get");
    assert_eq!(&body[..], b"before");
    assert!(matches!(
        b.get_stream("stream/missing").await.map(|_| ()),
        Err(e) if e.kind() == ErrorKind::NoSuchKey
    ));
    b.delete("stream/failing").await.expect("delete");
}

async fn put_get_head(b: &Bucket) {
    let req = PutRequest {
        body: Bytes::from_static(b"{\"a\":1}"),
        metadata: md(&[("0", "hello"), ("_v", "v0"), ("1", "u:%C3%A7")]),
        content_type: Some("application/json".into()),
        content_encoding: None,
        precondition: None,
    };
    b.put("pgh/resource=x/v=v0/id=1", req).await.expect("put");
    let (meta, body) = b.get("pgh/resource=x/v=v0/id=1").await.expect("get");
    assert_eq!(&body[..], b"{\"a\":1}");
    assert_eq!(meta.metadata.get("0").map(String::as_str), Some("hello"));
    assert_eq!(meta.metadata.get("_v").map(String::as_str), Some("v0"));
    assert_eq!(meta.metadata.get("1").map(String::as_str), Some("u:%C3%A7"));
    assert_eq!(meta.content_type.as_deref(), Some("application/json"));
    let head = b.head("pgh/resource=x/v=v0/id=1").await.expect("head");
    assert_eq!(head.size, 7);
    assert!(head.last_modified_ms > 0);
    // empty body, default content type, overwrite
    b.put(
        "pgh/resource=x/v=v0/id=1",
        PutRequest {
            metadata: md(&[("0", "")]),
            ..Default::default()
        },
    )
    .await
    .expect("overwrite");
    let head = b.head("pgh/resource=x/v=v0/id=1").await.expect("head");
    assert_eq!(head.size, 0);
    assert_eq!(
        head.content_type.as_deref(),
        Some("application/octet-stream")
    );
    assert!(b.exists("pgh/resource=x/v=v0/id=1").await.expect("exists"));
    b.delete("pgh/resource=x/v=v0/id=1").await.expect("delete");
    assert!(!b.exists("pgh/resource=x/v=v0/id=1").await.expect("exists"));
}

async fn not_found(b: &Bucket) {
    let e = b.head("nf/missing").await.expect_err("head missing");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.message().contains("nf/missing"));
    let e = b.get("nf/missing").await.expect_err("get missing");
    assert_eq!(e.kind(), ErrorKind::NoSuchKey);
    b.delete("nf/missing")
        .await
        .expect("delete of a missing key succeeds");
    let e = b
        .copy("nf/missing", "nf/other")
        .await
        .expect_err("copy missing");
    assert!(e.is_not_found());
}

async fn list_pagination(b: &Bucket) {
    let n = 2345usize;
    let keys: Vec<String> = (0..n).map(|i| format!("lp/id={i:05}")).collect();
    // Bounded like the engine's own limiter: thousands of simultaneous connects
    // overflow a small test server's accept backlog (connect timeouts).
    use futures::{StreamExt, TryStreamExt};
    futures::stream::iter(keys.iter().cloned())
        .map(|k| async move { b.put(&k, PutRequest::default()).await })
        .buffer_unordered(32)
        .try_collect::<Vec<()>>()
        .await
        .expect("puts");
    let mut lister = b.lister("lp/");
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(page) = lister.next_page(1000).await.expect("page") {
        assert!(page.len() <= 1000);
        pages += 1;
        seen.extend(page.into_iter().map(|o| o.key));
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, keys, "all keys, in order, no duplicates");
    // small pages
    let first = b.list_page("lp/", 7, None).await.expect("small page");
    assert_eq!(first.objects.len(), 7);
    let second = b
        .list_page("lp/", 7, first.next_token.clone())
        .await
        .expect("next");
    assert_eq!(second.objects[0].key, keys[7]);
    let deleted = b.delete_many(&keys).await.expect("delete many");
    assert_eq!(deleted.len(), n);
    assert!(b
        .list_page("lp/", 1000, None)
        .await
        .expect("empty")
        .objects
        .is_empty());
}

async fn list_prefix_boundaries(b: &Bucket) {
    for k in [
        "pb/user/id=1",
        "pb/users/id=2",
        "pb/user-x/id=3",
        "pb/user/id=1/sub",
        "pb/user0",
    ] {
        b.put(k, PutRequest::default()).await.expect("put");
    }
    let page = b.list_page("pb/user/", 1000, None).await.expect("list");
    let keys: Vec<_> = page.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, vec!["pb/user/id=1", "pb/user/id=1/sub"]);
    let page = b.list_page("pb/user", 1000, None).await.expect("list");
    let keys: Vec<_> = page.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "pb/user-x/id=3",
            "pb/user/id=1",
            "pb/user/id=1/sub",
            "pb/user0",
            "pb/users/id=2"
        ]
    );
    let all: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
    b.delete_many(&all).await.expect("cleanup");
}

async fn delete_many_and_copy(b: &Bucket) {
    b.put(
        "dc/a",
        PutRequest {
            metadata: md(&[("0", "a")]),
            body: Bytes::from_static(b"A"),
            ..Default::default()
        },
    )
    .await
    .expect("put");
    b.copy("dc/a", "dc/b").await.expect("copy");
    let (m, body) = b.get("dc/b").await.expect("get copy");
    assert_eq!(&body[..], b"A");
    assert_eq!(m.metadata.get("0").map(String::as_str), Some("a"));
    let deleted = b
        .delete_many(&[
            "dc/a".to_string(),
            "dc/b".to_string(),
            "dc/never".to_string(),
        ])
        .await
        .expect("delete many");
    assert!(deleted.contains(&"dc/a".to_string()) && deleted.contains(&"dc/b".to_string()));
    assert!(!b.exists("dc/a").await.expect("exists"));
}

async fn metadata_limit(b: &Bucket) {
    let big = "x".repeat(2044);
    let e = b
        .put(
            "ml/a",
            PutRequest {
                metadata: md(&[("0", big.as_str()), ("_v", "v0")]),
                ..Default::default()
            },
        )
        .await
        .expect_err("over 2 KB");
    assert_eq!(e.kind(), ErrorKind::MetadataTooLarge);
    assert!(!b.exists("ml/a").await.expect("exists"), "nothing written");
    let fits = "x".repeat(2048 - 5);
    b.put(
        "ml/b",
        PutRequest {
            metadata: md(&[("0", fits.as_str()), ("_v", "v0")]),
            ..Default::default()
        },
    )
    .await
    .expect("exactly 2048 fits");
    b.delete("ml/b").await.expect("cleanup");
}

fn conditional(body: &'static [u8], precondition: Option<Precondition>) -> PutRequest {
    PutRequest {
        body: Bytes::from_static(body),
        precondition,
        ..Default::default()
    }
}

/// If-None-Match / If-Match: a write whose precondition fails changes nothing and
/// is a ConflictError; of writers racing from one version, exactly one lands.
async fn conditional_writes(b: &Bucket) {
    assert!(
        b.guard().enabled().await.expect("guard"),
        "conditional writes are on"
    );
    let key = "cond/record";
    let create = || conditional(b"first", Some(Precondition::IfNoneMatch));
    b.put(key, create()).await.expect("create when absent");
    let e = b.put(key, create()).await.expect_err("create when present");
    assert_eq!(e.kind(), ErrorKind::ConflictError);
    assert_eq!(
        e.details.get("reason").and_then(|v| v.as_str()),
        Some("exists")
    );

    let seen = b.head(key).await.expect("head");
    let etag = seen.etag.clone().expect("an ETag");
    let (got, body) = b.get(key).await.expect("get");
    assert_eq!(
        got.etag.as_deref(),
        Some(etag.as_str()),
        "get and head give one ETag"
    );
    assert_eq!(&body[..], b"first");

    b.put(
        key,
        conditional(b"second", Some(Precondition::IfMatch(etag.clone()))),
    )
    .await
    .expect("replace the version read");
    let now = b.head(key).await.expect("head").etag.expect("ETag");
    assert_ne!(now, etag, "a write makes a new ETag");
    let e = b
        .put(
            key,
            conditional(b"stale", Some(Precondition::IfMatch(etag))),
        )
        .await
        .expect_err("replace a version that is gone");
    assert_eq!(e.kind(), ErrorKind::ConflictError);
    assert_eq!(
        e.details.get("reason").and_then(|v| v.as_str()),
        Some("changed")
    );
    assert_eq!(
        &b.get(key).await.expect("get").1[..],
        b"second",
        "refused write changed nothing"
    );

    let e = b
        .put(
            "cond/missing",
            conditional(b"x", Some(Precondition::IfMatch(now.clone()))),
        )
        .await
        .expect_err("If-Match on a missing key");
    assert_eq!(e.kind(), ErrorKind::ConflictError);
    assert!(b.head("cond/missing").await.is_err());

    // Eight writers from the same version: one lands, seven are refused.
    let racers = (0..8).map(|_| {
        b.put(
            key,
            conditional(b"racer", Some(Precondition::IfMatch(now.clone()))),
        )
    });
    let results = futures::future::join_all(racers).await;
    let landed = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(landed, 1, "{results:?}");
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| e.kind() == ErrorKind::ConflictError));

    // A streamed create-only write over an existing object is refused; the object stays.
    let (whole, stream) = chunked(3000, 700);
    let e = b
        .put_stream(
            key,
            conditional(b"", Some(Precondition::IfNoneMatch)),
            stream,
        )
        .await
        .expect_err("streamed create over an existing key");
    assert_eq!(e.kind(), ErrorKind::ConflictError);
    assert_eq!(&b.get(key).await.expect("get").1[..], b"racer");
    let (_, stream) = chunked(3000, 700);
    let etag = b.head(key).await.expect("head").etag;
    b.put_stream(
        key,
        conditional(b"", etag.map(Precondition::IfMatch)),
        stream,
    )
    .await
    .expect("streamed replace of the version read");
    assert_eq!(b.get(key).await.expect("get").1.to_vec(), whole);

    // Unconditional writes still replace whatever is there.
    b.put(key, conditional(b"plain", None))
        .await
        .expect("unconditional");
    b.delete_many(&[key.to_string()]).await.expect("cleanup");
}
