'use strict'
// Engine calls answered through the database's completion channel (src/napi/completions.rs):
// one promise per call on the JS side, and one wake-up of the JS thread for every call that
// finished in the meantime (instead of a promise, a threadsafe function and a libuv handle
// created and torn down by the binding per call).

class NativeCalls {
  constructor (nativeDb) {
    this._db = nativeDb
    this._pending = new Map()
    this._next = 0
    nativeDb.onCompletions(() => this._drain())
  }

  /** `resourceCall(name, op, args)` of the engine: resolves with its `{result, events}` JSON. */
  resourceCall (name, op, args) {
    return new Promise((resolve, reject) => {
      const id = this._next = (this._next + 1) >>> 0
      // The channel never holds the process open by itself: pending calls do, as promises did.
      if (this._pending.size === 0) this._db.holdLoop(true)
      this._pending.set(id, { resolve, reject })
      try {
        this._db.resourceCall(name, op, args, id)
      } catch (err) {
        this._pending.delete(id)
        this._releaseIfIdle()
        reject(err)
      }
    })
  }

  // The event loop is held only while some call is pending.
  _releaseIfIdle () {
    if (this._pending.size === 0) this._db.holdLoop(false)
  }

  _drain () {
    for (const { id, ok, text } of this._db.takeCompletions()) {
      const call = this._pending.get(id)
      if (call === undefined) continue
      this._pending.delete(id)
      // A failure's text is the engine's error (fromNative turns it into its class).
      if (ok) call.resolve(text)
      else call.reject(new Error(text))
    }
    this._releaseIfIdle()
  }
}

module.exports = { NativeCalls }
