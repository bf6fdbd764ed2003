//! `secret` field encryption, format-compatible with s3db.js 4.1.7:
//! `base64(salt[16] || iv[12] || AES-256-GCM(ciphertext || tag[16]))`, key =
//! PBKDF2-HMAC-SHA256(passphrase, salt, 100 000 iterations, 32 bytes).
//!
//! 4.1.7 pays a full PBKDF2 per field per value. Here derived keys are cached per
//! (passphrase, salt) in an LRU, and new writes reuse one random salt per
//! passphrase and process with a fresh random IV each time: still the same wire
//! format, and 4.1.7 decrypts it. A derivation never runs on the JS thread (the
//! exported `encrypt`/`decrypt` run on the blocking pool) and, on a runtime
//! worker, runs under `block_in_place`.

use crate::engine::error::{EngineError, ErrorKind, Result};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use lru::LruCache;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::{Mutex, OnceLock};

pub const ITERATIONS: u32 = 100_000;
const SALT_LEN: usize = 16;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
const CACHE_MAX: usize = 4096;

type Key = [u8; 32];

struct Cache {
    /// Derived keys, least recently used evicted first (4.1.7 records each carry
    /// their own salt, so a bucket read back is many distinct keys).
    keys: LruCache<(String, [u8; SALT_LEN]), Key>,
    write_salt: HashMap<String, [u8; SALT_LEN]>,
}

fn cache() -> &'static Mutex<Cache> {
    static C: OnceLock<Mutex<Cache>> = OnceLock::new();
    C.get_or_init(|| {
        Mutex::new(Cache {
            keys: LruCache::new(NonZeroUsize::new(CACHE_MAX).unwrap_or(NonZeroUsize::MIN)),
            write_salt: HashMap::new(),
        })
    })
}

fn lock() -> std::sync::MutexGuard<'static, Cache> {
    match cache().lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    use aes_gcm::aead::rand_core::RngCore;
    let mut b = [0u8; N];
    aes_gcm::aead::OsRng.fill_bytes(&mut b);
    b
}

fn derive(passphrase: &str, salt: &[u8; SALT_LEN]) -> Key {
    let cache_key = (passphrase.to_string(), *salt);
    if let Some(k) = lock().keys.get(&cache_key) {
        return *k;
    }
    let pbkdf2 = || {
        let mut key = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), salt, ITERATIONS, &mut key);
        key
    };
    // A miss costs tens of milliseconds of CPU. On a runtime worker, tell tokio so that
    // it moves the worker's other tasks (requests in flight) to another thread meanwhile.
    let on_worker = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let key = if on_worker {
        tokio::task::block_in_place(pbkdf2)
    } else {
        pbkdf2()
    };
    lock().keys.put(cache_key, key);
    key
}

fn write_salt(passphrase: &str) -> [u8; SALT_LEN] {
    let mut c = lock();
    *c.write_salt
        .entry(passphrase.to_string())
        .or_insert_with(random_bytes::<SALT_LEN>)
}

/// Encrypt with an explicit salt (tests) or the per-process salt.
pub fn encrypt_with(
    plaintext: &str,
    passphrase: &str,
    salt: Option<[u8; SALT_LEN]>,
) -> Result<String> {
    let salt = salt.unwrap_or_else(|| write_salt(passphrase));
    let key = derive(passphrase, &salt);
    let iv = random_bytes::<IV_LEN>();
    let cipher = Aes256Gcm::new_from_slice(&key)
        .map_err(|e| EngineError::new(ErrorKind::InternalError, format!("cipher init: {e}")))?;
    let ct = cipher
        .encrypt(Nonce::from_slice(&iv), plaintext.as_bytes())
        .map_err(|_| EngineError::new(ErrorKind::InternalError, "encryption failed"))?;
    let mut out = Vec::with_capacity(SALT_LEN + IV_LEN + ct.len());
    out.extend_from_slice(&salt);
    out.extend_from_slice(&iv);
    out.extend_from_slice(&ct);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

pub fn encrypt(plaintext: &str, passphrase: &str) -> Result<String> {
    encrypt_with(plaintext, passphrase, None)
}

pub fn decrypt(b64: &str, passphrase: &str) -> Result<String> {
    let fail = || {
        EngineError::new(
            ErrorKind::DecryptionError,
            "The operation failed for an operation-specific reason",
        )
    };
    // Node's decoder skips characters outside the alphabet; do the same.
    let cleaned: String = b64
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/'))
        .collect();
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(cleaned.trim_end_matches('='))
        .map_err(|_| fail())?;
    if raw.len() < SALT_LEN + IV_LEN + TAG_LEN {
        return Err(fail());
    }
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&raw[..SALT_LEN]);
    let iv = &raw[SALT_LEN..SALT_LEN + IV_LEN];
    let key = derive(passphrase, &salt);
    let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| fail())?;
    let pt = cipher
        .decrypt(Nonce::from_slice(iv), &raw[SALT_LEN + IV_LEN..])
        .map_err(|_| fail())?;
    Ok(String::from_utf8_lossy(&pt).into_owned())
}

/// Decrypt with the database passphrase, falling back to `'secret'` (defect A10:
/// 4.1.7's creating process encrypted with `'secret'` whatever the database said).
pub fn decrypt_with_fallback(b64: &str, passphrase: &str) -> Result<String> {
    match decrypt(b64, passphrase) {
        Ok(s) => Ok(s),
        Err(e) if passphrase != "secret" => decrypt(b64, "secret").map_err(|_| e),
        Err(e) => Err(e),
    }
}

pub fn sha256(message: &str) -> String {
    crate::engine::codec::sha256_hex(message.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_sizes() {
        let e = encrypt("hunter2", "pw").expect("enc");
        assert_eq!(e.len(), 68);
        assert_eq!(decrypt(&e, "pw").expect("dec"), "hunter2");
        assert!(decrypt(&e, "other").is_err());
        assert_eq!(encrypt("", "pw").expect("enc").len(), 60);
        assert_eq!(
            decrypt_with_fallback(&encrypt("x", "secret").expect("e"), "custom").expect("fallback"),
            "x"
        );
        assert!(decrypt("not base64 at all", "pw").is_err());
    }

    #[test]
    fn sha256_vector() {
        assert_eq!(
            sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
