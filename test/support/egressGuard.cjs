// Egress guard: records every outbound connection attempt of this Node process, so that tests can
// prove Hearth's promise that nothing leaves the machine. It only records; it never blocks, and it
// never throws into the process it watches (every hook swallows its own errors).
//
// Plain CommonJS so that it can be preloaded before anything else runs:
//   HEARTH_EGRESS_LOG=/abs/egress.jsonl NODE_OPTIONS="--require /abs/test/support/egressGuard.cjs" node app.js
// NODE_OPTIONS is inherited by child Node processes (code-server's server, its extension host, tsserver,
// Hearth's model process, npm ...), and each of them loads the guard again and appends to the same file.
//
// Output, one JSON object a line (appended with O_APPEND, one write() each, so processes do not interleave):
//   $HEARTH_EGRESS_LOG            {time, pid, ppid, threadId, process, kind, host, port, loopback, stack?}
//                                 kind: net | tls | http | https | dns | fetch | undici; port is null for dns
//   $HEARTH_EGRESS_LOG.processes  {time, pid, ppid, threadId, process}: one line per process (and worker
//                                 thread) that loaded the guard, so a test can check that the processes it
//                                 cares about were watched at all.
// One connection shows up once per layer it passes (fetch + undici + dns + net), which is deliberate: the
// layers tell who asked. `stack` is written for non-loopback attempts (and for all with HEARTH_EGRESS_STACKS=1).
// Loopback: 127.0.0.0/8, ::1 (also IPv4-mapped), and the name `localhost`.
'use strict';

const GUARD = Symbol.for('hearth.egressGuard');
const WRAPPED = Symbol.for('hearth.egressGuard.wrapped');

/** True for 127.0.0.0/8, ::1 (any spelling, also ::ffff:127.x.y.z) and `localhost`. */
function isLoopback(host) {
  if (typeof host !== 'string') return false;
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost') return true;
  const zone = name.indexOf('%');
  if (zone >= 0) name = name.slice(0, zone);
  const net = require('node:net');
  if (net.isIPv4(name)) return name.startsWith('127.');
  if (net.isIPv6(name)) {
    // The WHATWG URL parser writes IPv6 in its canonical short form, e.g. 0:0:0:0:0:0:0:1 -> ::1.
    let canonical;
    try {
      canonical = new URL(`http://[${name}]/`).hostname.slice(1, -1);
    } catch {
      return false;
    }
    if (canonical === '::1') return true;
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
    if (mapped) return parseInt(mapped[1], 16) >> 8 === 127;
    const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(canonical);
    return dotted !== null && dotted[1].startsWith('127.');
  }
  return false;
}

function install() {
  const file = process.env.HEARTH_EGRESS_LOG;
  if (!file) return;
  // Once per realm: NODE_OPTIONS and an explicit require may both load it, and worker threads load
  // it again with their own built-in modules (which is what they need).
  if (globalThis[GUARD]) return;
  globalThis[GUARD] = true;

  const fs = require('node:fs');
  const path = require('node:path');
  const logFile = path.resolve(file);
  const allStacks = process.env.HEARTH_EGRESS_STACKS === '1';
  let threadId = 0;
  try {
    threadId = require('node:worker_threads').threadId; // 0 on the main thread
  } catch {
    // no worker_threads
  }
  /** Missing, as option values go: undefined, null or '' (a URL's port when it has none). */
  const given = (value) => value !== undefined && value !== null && value !== '';
  const firstGiven = (...values) => values.find(given);
  let fd;
  let processFd;

  function summary() {
    const parts = [path.basename(process.execPath), ...process.argv.slice(1)];
    const text = parts.map((part) => (part.length > 200 ? `${part.slice(0, 197)}...` : part)).join(' ');
    return text.length > 600 ? `${text.slice(0, 597)}...` : text;
  }

  function append(which, record) {
    try {
      const line = `${JSON.stringify(record)}\n`;
      if (which === 'processes') {
        processFd ??= fs.openSync(`${logFile}.processes`, 'a');
        fs.writeSync(processFd, line);
      } else {
        fd ??= fs.openSync(logFile, 'a');
        fs.writeSync(fd, line);
      }
    } catch {
      // Never break the host process over its log.
    }
  }

  function stack() {
    // Node's default of 10 frames is used up inside http's agent and net before the caller shows.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    let text;
    try {
      text = new Error().stack || '';
    } finally {
      Error.stackTraceLimit = limit;
    }
    const lines = text.split('\n').slice(1);
    // Drop the guard's own frames; keep the caller's.
    const own = __filename;
    return lines.filter((line) => !line.includes(own)).slice(0, 25).map((line) => line.trim()).join('\n');
  }

  function record(kind, host, port) {
    try {
      const loopback = isLoopback(host);
      const portNumber = given(port) ? Number(port) : null;
      const entry = {
        time: new Date().toISOString(),
        pid: process.pid,
        ppid: process.ppid,
        threadId,
        process: summary(),
        kind,
        host: typeof host === 'string' ? host : given(host) ? String(host) : null,
        port: Number.isFinite(portNumber) ? portNumber : null,
        loopback,
      };
      if (!loopback || allStacks) entry.stack = stack();
      append('attempts', entry);
    } catch {
      // never throw into the host process
    }
  }

  /** Replaces obj[key] with a function that calls `observe(args)` first, then the original. */
  function wrap(obj, key, observe) {
    try {
      const original = obj && obj[key];
      if (typeof original !== 'function' || original[WRAPPED]) return;
      const wrapped = function (...args) {
        try {
          observe(args, this);
        } catch {
          // never throw into the host process
        }
        return new.target ? Reflect.construct(original, args, new.target) : Reflect.apply(original, this, args);
      };
      // Keep name, length and symbols such as dns.lookup's util.promisify marker.
      for (const prop of Reflect.ownKeys(original)) {
        if (prop === 'prototype' || prop === 'caller' || prop === 'arguments') continue;
        try {
          Object.defineProperty(wrapped, prop, Object.getOwnPropertyDescriptor(original, prop));
        } catch {
          // non-configurable: leave it
        }
      }
      if (original.prototype !== undefined) wrapped.prototype = original.prototype;
      Object.defineProperty(wrapped, WRAPPED, { value: original });
      const descriptor = Object.getOwnPropertyDescriptor(obj, key);
      if (descriptor && !descriptor.writable && !descriptor.set && descriptor.configurable) {
        Object.defineProperty(obj, key, { ...descriptor, value: wrapped });
      } else {
        obj[key] = wrapped;
      }
    } catch {
      // A hook we cannot install is a hook we do without.
    }
  }

  // --- net: every TCP connection (http, https, tls, undici and fetch all end here) ---------------
  const net = require('node:net');
  /** Sockets whose connect() was recorded, so the diagnostics_channel fallback does not repeat them. */
  const seenSockets = new WeakSet();

  /** host/port of net's connect() arguments, or undefined for a unix socket / pipe. */
  function netTarget(args) {
    let first = args[0];
    // net.connect() and http's Agent pass an already-normalized [options, callback] array.
    if (Array.isArray(first)) first = first[0];
    if (first !== null && typeof first === 'object') {
      if (given(first.path)) return undefined;
      if (!given(first.port) && !given(first.host)) return undefined;
      return { host: firstGiven(first.host, 'localhost'), port: first.port };
    }
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first };
    }
    return undefined; // a string that is not a port: a path
  }

  wrap(net.Socket.prototype, 'connect', (args, socket) => {
    if (socket && typeof socket === 'object') seenSockets.add(socket); // pipes too: seen, not recorded
    const target = netTarget(args);
    if (target) record('net', target.host, target.port);
  });

  // --- tls ----------------------------------------------------------------------------------------
  const tls = require('node:tls');
  wrap(tls, 'connect', (args) => {
    // (options[, cb]) | (port[, host][, options][, cb]) | (path[, options][, cb])
    const [first, second, third] = args;
    if (first !== null && typeof first === 'object') {
      if (given(first.path)) return;
      record('tls', firstGiven(first.host, first.servername, 'localhost'), first.port);
      return;
    }
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      const options = typeof second === 'object' && second !== null ? second : typeof third === 'object' && third !== null ? third : {};
      record('tls', typeof second === 'string' ? second : firstGiven(options.host, 'localhost'), first);
    }
  });

  // --- http / https -------------------------------------------------------------------------------
  function httpTarget(args, defaultPort) {
    let url;
    let options = {};
    const [first, second] = args;
    if (typeof first === 'string') url = new URL(first);
    else if (first instanceof URL) url = first;
    else if (first !== null && typeof first === 'object') options = first;
    if (url && second !== null && typeof second === 'object') options = second;
    if (given(options.socketPath)) return undefined;
    let host = firstGiven(options.hostname, options.host, url && url.hostname, 'localhost');
    if (typeof host === 'string' && host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    const agentPort = options.agent && typeof options.agent === 'object' ? options.agent.defaultPort : undefined;
    const port = firstGiven(options.port, url && url.port, options.defaultPort, agentPort, defaultPort);
    return { host, port };
  }
  for (const [kind, moduleName, defaultPort] of [['http', 'node:http', 80], ['https', 'node:https', 443]]) {
    const mod = require(moduleName);
    for (const key of ['request', 'get']) {
      wrap(mod, key, (args) => {
        const target = httpTarget(args, defaultPort);
        if (target) record(kind, target.host, target.port);
      });
    }
  }

  // --- dns ------------------------------------------------------------------------------------------
  const dns = require('node:dns');
  const RESOLVE = ['resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCaa', 'resolveCname', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse'];
  const observeName = (args) => record('dns', args[0], null);
  // lookup() of an IP literal asks no resolver (net and server.listen() call it with their addresses).
  const observeLookup = (args) => {
    if (!net.isIP(String(args[0]))) record('dns', args[0], null);
  };
  for (const api of [dns, dns.promises]) {
    if (!api) continue;
    wrap(api, 'lookup', observeLookup);
    wrap(api, 'lookupService', observeName);
    // The module-level resolve* are bound copies of a default Resolver's methods, not the prototype's,
    // so both are hooked (and neither goes through the other: no double records).
    for (const key of RESOLVE) wrap(api, key, observeName);
    if (api.Resolver && api.Resolver.prototype) for (const key of RESOLVE) wrap(api.Resolver.prototype, key, observeName);
  }
  try {
    const dnsPromises = require('node:dns/promises');
    if (dnsPromises !== dns.promises) {
      wrap(dnsPromises, 'lookup', observeLookup);
      for (const key of RESOLVE) wrap(dnsPromises, key, observeName);
    }
  } catch {
    // older Node
  }

  // --- fetch ------------------------------------------------------------------------------------
  function urlTarget(input) {
    let href;
    if (typeof input === 'string') href = input;
    else if (input instanceof URL) href = input.href;
    else if (input && typeof input === 'object' && typeof input.url === 'string') href = input.url; // Request
    if (href === undefined) return undefined;
    const url = new URL(href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    let host = url.hostname;
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    return { host, port: url.port || (url.protocol === 'https:' ? 443 : 80) };
  }
  if (typeof globalThis.fetch === 'function') {
    wrap(globalThis, 'fetch', (args) => {
      const target = urlTarget(args[0]);
      if (target) record('fetch', target.host, target.port);
    });
  }

  // --- undici (Node's fetch and the npm package) and sockets, via diagnostics_channel ----------------
  try {
    const dc = require('node:diagnostics_channel');
    const subscribe = (name, listener) => {
      if (typeof dc.subscribe === 'function') dc.subscribe(name, listener);
      else dc.channel(name).subscribe(listener);
    };
    subscribe('undici:request:create', (message) => {
      try {
        const origin = message && message.request && message.request.origin;
        const target = urlTarget(origin instanceof URL ? origin : typeof origin === 'string' ? origin : undefined);
        if (target) record('undici', target.host, target.port);
      } catch {
        // never throw into the host process
      }
    });
    // net.connect() announces its socket before calling socket.connect(); if that call did not reach
    // the hook above (someone kept an unwrapped connect), record the socket once it knows its peer.
    subscribe('net.client.socket', (message) => {
      try {
        const socket = message && message.socket;
        if (!socket || typeof socket.once !== 'function') return;
        process.nextTick(() => {
          if (seenSockets.has(socket)) return;
          socket.once('connect', () => {
            // remoteAddress is undefined on a unix socket or pipe: not network traffic.
            if (!seenSockets.has(socket) && given(socket.remoteAddress)) record('net', socket.remoteAddress, socket.remotePort);
          });
        });
      } catch {
        // never throw into the host process
      }
    });
  } catch {
    // no diagnostics_channel
  }

  // ESM `import { request } from 'node:http'` sees these wrappers only after a sync.
  try {
    require('node:module').syncBuiltinESMExports();
  } catch {
    // older Node
  }

  append('processes', { time: new Date().toISOString(), pid: process.pid, ppid: process.ppid, threadId, process: summary() });
}

try {
  install();
} catch {
  // The guard must never stop the process it watches from starting.
}

module.exports = { isLoopback };
