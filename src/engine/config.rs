//! Connection strings and database options -> [`Config`] (one parser for both).
//!
//! Accepted forms (s3db.js 4.1.7 plus the embedded backends):
//!
//! | form | backend |
//! | --- | --- |
//! | `s3://KEY:SECRET@bucket/prefix` (no key: default AWS credential chain) | AWS S3 |
//! | `http(s)://KEY:SECRET@host:port/bucket/prefix` (bucket defaults to `s3db`) | any S3 endpoint, path style |
//! | `memory://bucket/prefix` | in-process |
//! | `file:///abs/dir` or `file://./rel/dir` | on-disk |
//!
//! Query parameters override fields (`region`, `endpoint`, `forcePathStyle`,
//! `bucket`, `keyPrefix`). Unlike 4.1.7 (defect F1) credentials are
//! percent-decoded, `forcePathStyle=false` means false and `s3://` targets the
//! endpoint of its region. Error messages never contain the secret.

use crate::engine::error::{EngineError, ErrorKind, Result};
use percent_encoding::percent_decode_str;

pub const S3_DEFAULT_REGION: &str = "us-east-1";
pub const S3_DEFAULT_ENDPOINT: &str = "https://s3.us-east-1.amazonaws.com";
pub const DEFAULT_PARALLELISM: usize = 10;

/// Deadlines and retries of requests to an S3 endpoint: an operation never waits
/// longer than `operation_ms` however the server behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkPolicy {
    /// Establishing a connection (TCP + TLS).
    pub connect_ms: u64,
    /// One attempt: from sending the request to the response headers; also the
    /// longest pause between two chunks of a streamed body.
    pub attempt_ms: u64,
    /// The whole operation, all attempts and the backoff between them included.
    pub operation_ms: u64,
    /// Attempts per operation (1 = no retry); AWS standard mode between them.
    pub max_attempts: u32,
}

impl Default for NetworkPolicy {
    fn default() -> Self {
        NetworkPolicy {
            connect_ms: 3_000,
            attempt_ms: 30_000,
            operation_ms: 90_000,
            max_attempts: 4,
        }
    }
}

impl NetworkPolicy {
    /// Set one knob by its option name (`connectTimeout`, `attemptTimeout`,
    /// `operationTimeout` in ms, `maxAttempts`); false for another name.
    pub fn set(&mut self, name: &str, value: u64) -> std::result::Result<bool, String> {
        let positive = |v: u64| {
            if v == 0 || v > 24 * 3_600_000 {
                Err(format!(
                    "{name} must be a positive number of milliseconds (at most a day)"
                ))
            } else {
                Ok(v)
            }
        };
        match name {
            "connectTimeout" | "connectMs" => self.connect_ms = positive(value)?,
            "attemptTimeout" | "attemptMs" => self.attempt_ms = positive(value)?,
            "operationTimeout" | "operationMs" => self.operation_ms = positive(value)?,
            "maxAttempts" => {
                if !(1..=20).contains(&value) {
                    return Err("maxAttempts must be an integer from 1 to 20".into());
                }
                self.max_attempts = value as u32
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[derive(Clone, PartialEq, Eq)]
pub enum Backend {
    S3,
    Memory,
    File { root: std::path::PathBuf },
}

#[derive(Clone)]
pub struct Config {
    pub backend: Backend,
    pub bucket: String,
    pub key_prefix: String,
    pub region: String,
    pub endpoint: Option<String>,
    pub force_path_style: bool,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
    pub session_token: Option<String>,
    pub parallelism: usize,
    pub network: NetworkPolicy,
    pub concurrency: Concurrency,
    /// Which client sends the S3 requests (query parameter `s3Client`).
    pub s3_client: S3Client,
}

/// The S3 client: the lean one (hot commands signed and sent here) where it can
/// reach the bucket, else the AWS SDK; or the AWS SDK for everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S3Client {
    Lean,
    Sdk,
}

/// How read-modify-writes guard against other writers (option `concurrency`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    /// Conditional writes when the server honours them; otherwise last-writer-wins
    /// with a one-time warning (the default).
    Auto,
    /// Conditional writes, required: a server that ignores them is an error.
    Optimistic,
    /// Unconditional writes: the last write wins (4.1.7's behaviour).
    LastWriterWins,
}

impl Concurrency {
    pub fn parse(s: &str) -> std::result::Result<Concurrency, String> {
        match s {
            "auto" => Ok(Concurrency::Auto),
            "optimistic" => Ok(Concurrency::Optimistic),
            "last-writer-wins" => Ok(Concurrency::LastWriterWins),
            other => Err(format!(
                "concurrency must be 'optimistic' or 'last-writer-wins' (or 'auto'), got '{other}'"
            )),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print credentials.
        f.debug_struct("Config")
            .field("bucket", &self.bucket)
            .field("key_prefix", &self.key_prefix)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("force_path_style", &self.force_path_style)
            .field("has_credentials", &self.access_key_id.is_some())
            .field("parallelism", &self.parallelism)
            .field("network", &self.network)
            .finish()
    }
}

/// Options that may override what the connection string says.
#[derive(Debug, Default, Clone)]
pub struct ConfigOverrides {
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub force_path_style: Option<bool>,
    pub parallelism: Option<usize>,
    /// Network knobs by option name (see [`NetworkPolicy::set`]).
    pub network: Vec<(String, u64)>,
    /// `concurrency` option (see [`Concurrency::parse`]).
    pub concurrency: Option<String>,
}

/// Hide the password part of a URL-ish string for error messages.
/// A URL scheme as RFC 3986 spells one (and short enough to echo in a message).
fn is_scheme(s: &str) -> bool {
    s.len() <= 16
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

pub fn redact(input: &str) -> String {
    // Credentials are whatever precedes the last `@` before the query, with or
    // without a scheme (a secret may hold `/`, so the authority is not trusted to
    // end at the first one); an `@` in a key prefix only hides a little more.
    let (head, rest) = match input.find("://") {
        Some(i) if is_scheme(&input[..i]) => (&input[..i + 3], &input[i + 3..]),
        _ => ("", input),
    };
    let query_at = rest.find('?').unwrap_or(rest.len());
    let (main, query) = rest.split_at(query_at);
    let main = match main.rfind('@') {
        Some(at) => format!("***:***@{}", &main[at + 1..]),
        None => main.to_string(),
    };
    let query = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _))
                if [
                    "sessionToken",
                    "secretAccessKey",
                    "accessKeyId",
                    "passphrase",
                ]
                .contains(&k.trim_start_matches('?')) =>
            {
                format!("{k}=***")
            }
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{head}{main}{query}")
}

fn bad(input: &str, why: &str) -> EngineError {
    EngineError::new(
        ErrorKind::ConnectionStringError,
        format!("Invalid connection string: {} ({why})", redact(input)),
    )
    .with("reason", why)
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn split_path(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(decode)
        .collect()
}

fn aws_endpoint(region: &str) -> String {
    if region == S3_DEFAULT_REGION {
        S3_DEFAULT_ENDPOINT.to_string()
    } else {
        format!("https://s3.{region}.amazonaws.com")
    }
}

impl Config {
    pub fn parse(input: &str, overrides: &ConfigOverrides) -> Result<Config> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(bad(input, "empty connection string"));
        }
        let scheme_end = trimmed.find("://").ok_or_else(|| {
            bad(
                input,
                "missing scheme, expected s3://, http(s)://, memory:// or file://",
            )
        })?;
        let scheme = trimmed[..scheme_end].to_ascii_lowercase();
        let mut cfg = match scheme.as_str() {
            "file" => Self::parse_file(input, &trimmed[scheme_end + 3..])?,
            "s3" | "http" | "https" | "memory" => Self::parse_url(input, trimmed, &scheme)?,
            other => {
                let shown = if is_scheme(other) {
                    format!(" '{other}'")
                } else {
                    String::new()
                };
                return Err(bad(
                    input,
                    &format!("unsupported scheme{shown}, expected s3, http, https, memory or file"),
                ));
            }
        };
        if let Some(e) = &overrides.endpoint {
            if cfg.backend == Backend::S3 {
                url::Url::parse(e)
                    .map_err(|err| bad(e, &format!("endpoint is not a URL: {err}")))?;
                cfg.endpoint = Some(e.trim_end_matches('/').to_string());
                cfg.force_path_style = true;
            }
        }
        if let Some(r) = &overrides.region {
            cfg.region = r.clone();
        }
        if let Some(p) = overrides.force_path_style {
            cfg.force_path_style = p;
        }
        if let Some(p) = overrides.parallelism {
            cfg.parallelism = p.max(1);
        }
        if let Some(c) = &overrides.concurrency {
            cfg.concurrency = Concurrency::parse(c).map_err(|why| bad(input, &why))?;
        }
        for (name, value) in &overrides.network {
            match cfg.network.set(name, *value) {
                Ok(true) => {}
                Ok(false) => return Err(bad(input, &format!("unknown network option '{name}'"))),
                Err(why) => return Err(bad(input, &why)),
            }
        }
        if cfg.bucket.is_empty() {
            return Err(bad(input, "bucket name is empty"));
        }
        Ok(cfg)
    }

    fn base(backend: Backend) -> Config {
        Config {
            backend,
            bucket: String::new(),
            key_prefix: String::new(),
            region: S3_DEFAULT_REGION.to_string(),
            endpoint: None,
            force_path_style: false,
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
            parallelism: DEFAULT_PARALLELISM,
            network: NetworkPolicy::default(),
            concurrency: Concurrency::Auto,
            s3_client: S3Client::Lean,
        }
    }

    fn parse_file(input: &str, rest: &str) -> Result<Config> {
        let (path_part, _query) = match rest.find('?') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let path_str = decode(path_part);
        if path_str.is_empty() {
            return Err(bad(input, "file:// needs a directory path"));
        }
        // file:///abs -> "/abs"; file://./rel -> "./rel"; file://localhost/abs -> "/abs"
        let path_str = path_str
            .strip_prefix("localhost/")
            .map(|p| format!("/{p}"))
            .unwrap_or(path_str);
        let path = std::path::PathBuf::from(&path_str);
        let root = if path.is_absolute() {
            path
        } else {
            std::env::current_dir()
                .map_err(|e| bad(input, &format!("cannot resolve relative path: {e}")))?
                .join(path)
        };
        // `./` and `.` segments say nothing: `/cwd/./data` is reported as `/cwd/data`.
        let root: std::path::PathBuf = root
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
        let mut cfg = Self::base(Backend::File { root: root.clone() });
        cfg.bucket = root.to_string_lossy().into_owned();
        Ok(cfg)
    }

    fn parse_url(input: &str, trimmed: &str, scheme: &str) -> Result<Config> {
        let url = url::Url::parse(trimmed).map_err(|e| bad(input, &e.to_string()))?;
        let user = decode(url.username());
        let pass = url.password().map(decode).unwrap_or_default();
        let mut cfg = match scheme {
            "memory" => {
                let mut c = Self::base(Backend::Memory);
                c.bucket = url.host_str().map(decode).unwrap_or_default();
                c.key_prefix = split_path(url.path()).join("/");
                c
            }
            "s3" => {
                let mut c = Self::base(Backend::S3);
                c.bucket = url.host_str().map(decode).unwrap_or_default();
                c.key_prefix = split_path(url.path()).join("/");
                c
            }
            _ => {
                let mut c = Self::base(Backend::S3);
                let host = url.host_str().ok_or_else(|| bad(input, "missing host"))?;
                let origin = match url.port() {
                    Some(p) => format!("{scheme}://{host}:{p}"),
                    None => format!("{scheme}://{host}"),
                };
                c.endpoint = Some(origin);
                c.force_path_style = true;
                let segs = split_path(url.path());
                c.bucket = segs.first().cloned().unwrap_or_else(|| "s3db".to_string());
                c.key_prefix = segs.get(1..).map(|s| s.join("/")).unwrap_or_default();
                c
            }
        };
        if !user.is_empty() {
            cfg.access_key_id = Some(user);
            cfg.secret_access_key = Some(pass);
        }
        for (k, v) in url.query_pairs() {
            let v = v.into_owned();
            match k.as_ref() {
                "region" => cfg.region = v,
                "endpoint" => cfg.endpoint = Some(v),
                "forcePathStyle" => {
                    cfg.force_path_style = parse_bool(&v)
                        .ok_or_else(|| bad(input, "forcePathStyle must be true or false"))?
                }
                "bucket" => cfg.bucket = v,
                "keyPrefix" | "prefix" => cfg.key_prefix = v.trim_matches('/').to_string(),
                "parallelism" => {
                    cfg.parallelism = v
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad(input, "parallelism must be a positive integer"))?
                }
                "sessionToken" => cfg.session_token = Some(v),
                "concurrency" => {
                    cfg.concurrency = Concurrency::parse(&v).map_err(|why| bad(input, &why))?
                }
                "s3Client" => {
                    cfg.s3_client = match v.as_str() {
                        "lean" => S3Client::Lean,
                        "sdk" => S3Client::Sdk,
                        _ => return Err(bad(input, "s3Client must be 'lean' or 'sdk'")),
                    }
                }
                knob @ ("connectTimeout" | "attemptTimeout" | "operationTimeout"
                | "maxAttempts") => {
                    let n = v
                        .parse::<u64>()
                        .map_err(|_| bad(input, &format!("{knob} must be a positive integer")))?;
                    cfg.network.set(knob, n).map_err(|why| bad(input, &why))?;
                }
                _ => {}
            }
        }
        if scheme == "s3" && cfg.endpoint.is_none() {
            cfg.endpoint = Some(aws_endpoint(&cfg.region));
        }
        Ok(cfg)
    }

    /// `{ bucket, keyPrefix, region, endpoint, forcePathStyle, parallelism, backend }`: never credentials.
    pub fn public_json(&self) -> serde_json::Value {
        let backend = match self.backend {
            Backend::S3 => "s3",
            Backend::Memory => "memory",
            Backend::File { .. } => "file",
        };
        serde_json::json!({
            "bucket": self.bucket, "keyPrefix": self.key_prefix, "region": self.region,
            "endpoint": self.endpoint.clone().unwrap_or_default(), "forcePathStyle": self.force_path_style,
            "parallelism": self.parallelism, "backend": backend,
            "timeouts": { "connectMs": self.network.connect_ms, "attemptMs": self.network.attempt_ms, "operationMs": self.network.operation_ms },
            "maxAttempts": self.network.max_attempts,
            "concurrency": match self.concurrency {
                Concurrency::Auto => "auto",
                Concurrency::Optimistic => "optimistic",
                Concurrency::LastWriterWins => "last-writer-wins",
            },
            "s3Client": match self.s3_client {
                S3Client::Lean => "lean",
                S3Client::Sdk => "sdk",
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Config {
        Config::parse(s, &ConfigOverrides::default()).expect("parses")
    }

    #[test]
    fn s3_form() {
        let c = p("s3://AK:SK@my-bucket/databases/app");
        assert_eq!(c.bucket, "my-bucket");
        assert_eq!(c.key_prefix, "databases/app");
        assert_eq!(c.endpoint.as_deref(), Some(S3_DEFAULT_ENDPOINT));
        assert_eq!(c.access_key_id.as_deref(), Some("AK"));
        assert!(!c.force_path_style);
        let c = p("s3://my-bucket?region=eu-west-1");
        assert_eq!(
            c.endpoint.as_deref(),
            Some("https://s3.eu-west-1.amazonaws.com")
        );
        assert!(c.access_key_id.is_none());
    }

    #[test]
    fn http_form() {
        let c = p("http://u:p@localhost:9000/s3db/tests/run1");
        assert_eq!(c.bucket, "s3db");
        assert_eq!(c.key_prefix, "tests/run1");
        assert_eq!(c.endpoint.as_deref(), Some("http://localhost:9000"));
        assert!(c.force_path_style);
        let c = p("http://u:p@localhost:9000/");
        assert_eq!(c.bucket, "s3db");
        assert_eq!(c.key_prefix, "");
        let c = p("https://u%40d:p%2Fw@host/b?forcePathStyle=false");
        assert_eq!(c.access_key_id.as_deref(), Some("u@d"));
        assert_eq!(c.secret_access_key.as_deref(), Some("p/w"));
        assert!(!c.force_path_style);
    }

    #[test]
    fn embedded_forms() {
        let c = p("memory://bkt/a/b");
        assert!(c.backend == Backend::Memory);
        assert_eq!((c.bucket.as_str(), c.key_prefix.as_str()), ("bkt", "a/b"));
        let c = p("file:///tmp/x");
        assert!(
            matches!(c.backend, Backend::File { ref root } if root == std::path::Path::new("/tmp/x"))
        );
        let c = p("file://./data");
        assert!(
            matches!(c.backend, Backend::File { ref root } if root.ends_with("data") && root.is_absolute())
        );
    }

    #[test]
    fn errors_hide_secrets() {
        for bad_input in [
            "",
            "nope",
            "ftp://a:supersecret@h/b",
            "http://a:supersecret@/b",
            "s3://a:supersecret@h/b?forcePathStyle=maybe",
        ] {
            let e = Config::parse(bad_input, &ConfigOverrides::default()).expect_err(bad_input);
            assert_eq!(e.kind(), ErrorKind::ConnectionStringError);
            assert!(!e.message().contains("supersecret"), "{}", e.message());
            assert!(e.message().starts_with("Invalid connection string"));
        }
    }
}
