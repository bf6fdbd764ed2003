'use strict'
// Plugins (4.1.7: Plugin, PluginObject): the base class and the plain-object form.

const { EventEmitter } = require('node:events')

class Plugin extends EventEmitter {
  async setup (database) { this.database = database }
  async start () {}
  async stop () {}
  beforeSetup () { this.emit('plugin.beforeSetup', new Date()) }
  afterSetup () { this.emit('plugin.afterSetup', new Date()) }
  beforeStart () { this.emit('plugin.beforeStart', new Date()) }
  afterStart () { this.emit('plugin.afterStart', new Date()) }
  beforeStop () { this.emit('plugin.beforeStop', new Date()) }
  afterStop () { this.emit('plugin.afterStop', new Date()) }
}

const PluginObject = {
  async setup (database) {},
  async start () {},
  async stop () {}
}

module.exports = { Plugin, PluginObject }
