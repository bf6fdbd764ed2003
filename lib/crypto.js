'use strict'
// Crypto helpers (4.1.7: encrypt, decrypt, sha256), computed by the engine.

const { native } = require('./native')
const { callSync } = require('./errors')

async function encrypt (content, passphrase) {
  return callSync(() => native.nativeEncrypt(String(content), String(passphrase)))
}

async function decrypt (encrypted, passphrase) {
  return callSync(() => native.nativeDecrypt(String(encrypted), String(passphrase)))
}

async function sha256 (message) {
  return native.nativeSha256(String(message))
}

module.exports = { encrypt, decrypt, sha256 }
