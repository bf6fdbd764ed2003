'use strict'
// Crypto helpers (4.1.7: encrypt, decrypt, sha256), computed by the engine.

const { native } = require('./native')
const { callAsync, argText } = require('./errors')

// Key derivation runs on the engine's blocking pool, never on the event loop.
async function encrypt (content, passphrase) {
  return callAsync(native.nativeEncrypt(argText(content, 'content'), argText(passphrase, 'passphrase')))
}

async function decrypt (encrypted, passphrase) {
  return callAsync(native.nativeDecrypt(argText(encrypted, 'encrypted'), argText(passphrase, 'passphrase')))
}

async function sha256 (message) {
  return native.nativeSha256(String(message))
}

module.exports = { encrypt, decrypt, sha256 }
