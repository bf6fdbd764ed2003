//! AWS Signature Version 4 (header form) for S3 requests.
//!
//! The signing key depends only on the secret, the day, the region and the service,
//! so it is derived once per day and credentials, not per request: a request costs
//! one SHA-256 of its canonical form and one HMAC.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::sync::Mutex;

type HmacSha256 = Hmac<Sha256>;

/// SHA-256 of the empty body, hex.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const SERVICE: &str = "s3";

/// The keys a request is signed with.
#[derive(Clone)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// One request as SigV4 sees it. `uri` and `query` are already in canonical form
/// (percent-encoded; query pairs sorted); `headers` are the headers sent, names
/// lowercase and sorted by name, each once.
pub struct Canonical<'a, N: AsRef<str>> {
    pub method: &'a str,
    pub uri: &'a str,
    pub query: &'a str,
    pub headers: &'a [(N, String)],
    pub payload_sha256: &'a str,
}

/// Signs requests for one region, caching the day's signing key.
pub struct Signer {
    region: String,
    /// (day `YYYYMMDD`, secret it was derived from, key).
    day_key: Mutex<Option<(String, String, [u8; 32])>>,
}

impl Signer {
    pub fn new(region: &str) -> Signer {
        Signer {
            region: region.to_string(),
            day_key: Mutex::new(None),
        }
    }

    /// The `Authorization` header value of `req`, sent at `amz_date`
    /// (`YYYYMMDDTHHMMSSZ`, the request's `x-amz-date`).
    pub fn authorization<N: AsRef<str>>(
        &self,
        keys: &Keys,
        amz_date: &str,
        req: &Canonical<'_, N>,
    ) -> String {
        let day = &amz_date[..8];
        let mut canonical = String::with_capacity(512);
        let _ = write!(canonical, "{}\n{}\n{}\n", req.method, req.uri, req.query);
        for (name, value) in req.headers {
            canonical.push_str(name.as_ref());
            canonical.push(':');
            push_trimmed(&mut canonical, value);
            canonical.push('\n');
        }
        canonical.push('\n');
        let signed_headers = signed_headers(req.headers);
        canonical.push_str(&signed_headers);
        canonical.push('\n');
        canonical.push_str(req.payload_sha256);

        let scope = format!("{day}/{}/{SERVICE}/aws4_request", self.region);
        let string_to_sign = format!(
            "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let key = self.signing_key(&keys.secret_access_key, day);
        let signature = hex::encode(hmac(&key, string_to_sign.as_bytes()));
        format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            keys.access_key_id
        )
    }

    fn signing_key(&self, secret: &str, day: &str) -> [u8; 32] {
        let mut cached = self.day_key.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((d, s, key)) = cached.as_ref() {
            if d == day && s == secret {
                return *key;
            }
        }
        let k_date = hmac(format!("AWS4{secret}").as_bytes(), day.as_bytes());
        let k_region = hmac(&k_date, self.region.as_bytes());
        let k_service = hmac(&k_region, SERVICE.as_bytes());
        let key = hmac(&k_service, b"aws4_request");
        *cached = Some((day.to_string(), secret.to_string(), key));
        key
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length: new_from_slice cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn signed_headers<N: AsRef<str>>(headers: &[(N, String)]) -> String {
    let mut out = String::with_capacity(headers.len() * 16);
    for (i, (name, _)) in headers.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name.as_ref());
    }
    out
}

/// A header value as SigV4 canonicalizes it: trimmed, inner runs of spaces as one.
fn push_trimmed(out: &mut String, value: &str) {
    let mut space = false;
    for c in value.trim().chars() {
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
}

/// Hex SHA-256 of a body (the `x-amz-content-sha256` header).
pub fn payload_sha256(body: &[u8]) -> String {
    if body.is_empty() {
        EMPTY_SHA256.to_string()
    } else {
        hex::encode(Sha256::digest(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_keys() -> Keys {
        Keys {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        }
    }

    /// The GET Object example of AWS's SigV4 documentation for S3.
    #[test]
    fn aws_documented_get_object() {
        let headers = [
            ("host", "examplebucket.s3.amazonaws.com".to_string()),
            ("range", "bytes=0-9".to_string()),
            ("x-amz-content-sha256", EMPTY_SHA256.to_string()),
            ("x-amz-date", "20130524T000000Z".to_string()),
        ];
        let auth = Signer::new("us-east-1").authorization(
            &example_keys(),
            "20130524T000000Z",
            &Canonical {
                method: "GET",
                uri: "/test.txt",
                query: "",
                headers: &headers,
                payload_sha256: EMPTY_SHA256,
            },
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn the_day_key_is_derived_again_for_a_new_day_or_secret() {
        let s = Signer::new("us-east-1");
        let a = s.signing_key("one", "20240101");
        assert_eq!(a, s.signing_key("one", "20240101"));
        assert_ne!(a, s.signing_key("one", "20240102"));
        assert_ne!(a, s.signing_key("two", "20240101"));
    }

    #[test]
    fn header_values_are_trimmed_and_spaces_collapsed() {
        let mut out = String::new();
        push_trimmed(&mut out, "  a   b  c ");
        assert_eq!(out, "a b c");
    }

    /// Our signature equals the AWS SDK's signer's (aws-sigv4, S3 settings) for
    /// requests shaped like the ones the lean client sends.
    #[test]
    fn agrees_with_the_aws_sdk_signer() {
        use aws_sigv4::http_request::{
            sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
            SigningSettings, UriPathNormalizationMode,
        };
        use aws_smithy_runtime_api::client::identity::Identity;
        // (method, canonical URI, canonical query, headers besides the signer's own, body)
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Vec<(&'static str, String)>,
            &'a [u8],
        );
        let cases: Vec<Case> = vec![
            (
                "PUT",
                "/bucket/db/resource%3Dusers/id%3Da%20b",
                "",
                vec![
                    ("content-type", "application/json".into()),
                    ("if-none-match", "*".into()),
                    ("x-amz-meta-_v", "v0".into()),
                    ("x-amz-meta-name", "  two  spaces   here ".into()),
                ],
                b"{\"a\":1}",
            ),
            ("HEAD", "/bucket/k%C3%A9y", "", vec![], b""),
            (
                "GET",
                "/bucket",
                "continuation-token=a%2Fb%3D&list-type=2&max-keys=1000&prefix=db%2Fresource%3D",
                vec![],
                b"",
            ),
            (
                "POST",
                "/bucket",
                "delete=",
                vec![("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==".into())],
                b"<Delete/>",
            ),
        ];
        let keys = Keys {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: Some("token/with+chars=".into()),
        };
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_558_400);
        let amz_date = "20261206T120000Z";
        for (method, uri, query, extra, body) in cases {
            let hash = payload_sha256(body);
            let mut headers = extra.clone();
            headers.push(("host", "127.0.0.1:9000".into()));
            headers.push(("x-amz-content-sha256", hash.clone()));
            headers.push(("x-amz-date", amz_date.into()));
            headers.push(("x-amz-security-token", keys.session_token.clone().unwrap()));
            headers.sort_by(|a, b| a.0.cmp(b.0));
            let ours = Signer::new("eu-west-3").authorization(
                &keys,
                amz_date,
                &Canonical {
                    method,
                    uri,
                    query,
                    headers: &headers,
                    payload_sha256: &hash,
                },
            );
            let mut settings = SigningSettings::default();
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            let identity: Identity = aws_credential_types::Credentials::new(
                &keys.access_key_id,
                &keys.secret_access_key,
                keys.session_token.clone(),
                None,
                "test",
            )
            .into();
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("eu-west-3")
                .name("s3")
                .time(time)
                .settings(settings)
                .build()
                .unwrap()
                .into();
            let full = if query.is_empty() {
                format!("http://127.0.0.1:9000{uri}")
            } else {
                format!("http://127.0.0.1:9000{uri}?{query}")
            };
            let sdk_headers: Vec<(&str, &str)> = extra
                .iter()
                .map(|(n, v)| (*n, v.as_str()))
                .chain([("host", "127.0.0.1:9000")])
                .collect();
            let request = SignableRequest::new(
                method,
                full,
                sdk_headers.into_iter(),
                SignableBody::Bytes(body),
            )
            .unwrap();
            let theirs = sign(request, &params).unwrap().signature().to_string();
            assert!(
                ours.ends_with(&format!("Signature={theirs}")),
                "{method} {uri}: ours {ours}, SDK {theirs}"
            );
        }
    }
}
