// Reading what the egress guard (test/support/egressGuard.cjs) and Chromium's NetLog recorded, for
// tests that prove a run stayed on loopback. Typical use, after a code-server run started with
// `startCodeServer({ egressLog })` and a browser with `launchBrowser({ netLog })`, both stopped:
//
//   const attempts = await readEgressLog(egressLog);
//   assert.deepEqual(describeAttempts(nonLoopback(attempts)), []);
//   assert.ok((await readGuardedProcesses(egressLog)).some((p) => p.process.includes('dist/engine.mjs')));
//   const browser = nonLoopback(await readChromiumNetLog(netLog)).filter((a) => !a.probe);
//   assert.deepEqual(browser.map((a) => `${a.event} ${a.url ?? a.host}`), []);
//
// The second check matters: a log with no attempts proves nothing about a process the guard never
// reached.
import * as fs from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';

export type EgressKind = 'net' | 'tls' | 'http' | 'https' | 'dns' | 'fetch' | 'undici';

const EGRESS_KINDS: ReadonlySet<string> = new Set<EgressKind>(['net', 'tls', 'http', 'https', 'dns', 'fetch', 'undici']);

/** One outbound connection attempt as the guard wrote it (one per layer: fetch, undici, dns, net ...). */
export interface EgressAttempt {
  time: string;
  pid: number;
  ppid: number;
  /** 0 on a process's main thread. */
  threadId: number;
  /** The process's executable and arguments, shortened. */
  process: string;
  kind: EgressKind;
  /** The name or address asked for; null when the caller gave none. */
  host: string | null;
  /** null for DNS look-ups, and when the caller gave none. */
  port: number | null;
  loopback: boolean;
  /** Where the attempt came from; written for every non-loopback attempt. */
  stack?: string;
}

/** A process (or worker thread) that loaded the guard. */
export interface GuardedProcess {
  time: string;
  pid: number;
  ppid: number;
  threadId: number;
  process: string;
}

/** One network step Chromium's NetLog recorded: a URL request, a host resolution or a socket connect. */
export interface ChromiumNetAttempt {
  event: 'URL_REQUEST_START_JOB' | 'HOST_RESOLVER_MANAGER_REQUEST' | 'HOST_RESOLVER_MANAGER_JOB' | 'TCP_CONNECT_ATTEMPT' | 'UDP_CONNECT';
  host: string;
  port: number | null;
  loopback: boolean;
  /** URL requests only. */
  url?: string;
  /**
   * URL requests only: the page origin that asked, or "not an origin" for the browser's own requests
   * (component updates, sign-in checks): the difference between the workbench or a webview and Chromium.
   */
  initiator?: string;
  /**
   * True for Chromium's IPv6 reachability check: a UDP connect() to CHROMIUM_IPV6_PROBE that sends no
   * datagram (it only asks the kernel for a route). Its host resolver makes it before resolving any
   * name, IP literals such as 127.0.0.1 included, so it is in every log; nothing leaves the machine.
   */
  probe: boolean;
}

/** The address Chromium's host resolver connects a UDP socket to, without sending, to see whether IPv6 routes. */
export const CHROMIUM_IPV6_PROBE = '2001:4860:4860::8888';

/** The guard's attempts, in the order written; [] when the file does not exist (nothing was recorded). */
export async function readEgressLog(file: string): Promise<EgressAttempt[]> {
  return (await readJsonLines(file)).map(({ value, where }) => toAttempt(value, `${file}:${where}`));
}

/** The processes that loaded the guard (`<file>.processes`); [] when none did. */
export async function readGuardedProcesses(file: string): Promise<GuardedProcess[]> {
  const processesFile = `${file}.processes`;
  return (await readJsonLines(processesFile)).map(({ value, where: line }) => {
    const where = `${processesFile}:${line}`;
    const record = asRecord(value, where);
    return {
      time: field(record, 'time', 'string', where),
      pid: field(record, 'pid', 'number', where),
      ppid: field(record, 'ppid', 'number', where),
      threadId: typeof record.threadId === 'number' ? record.threadId : 0,
      process: field(record, 'process', 'string', where),
    };
  });
}

/** The attempts that left loopback (127.0.0.0/8, ::1, localhost). */
export function nonLoopback<T extends { loopback: boolean }>(attempts: readonly T[]): T[] {
  return attempts.filter((attempt) => !attempt.loopback);
}

/** One line per attempt, for assertion messages: "pid 123 dns registry.npmjs.org (node /usr/bin/npm install ...) at <frame>". */
export function describeAttempts(attempts: readonly EgressAttempt[]): string[] {
  return attempts.map((attempt) => {
    const target = attempt.port === null ? String(attempt.host) : `${attempt.host}:${attempt.port}`;
    const frame = attempt.stack?.split('\n')[0];
    return `pid ${attempt.pid} ${attempt.kind} ${target} (${attempt.process})${frame ? ` ${frame}` : ''}`;
  });
}

/** 127.0.0.0/8, ::1 (any spelling, also IPv4-mapped) and `localhost`: the guard's own rule. */
export function isLoopbackHost(host: string): boolean {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === 'localhost') return true;
  const zone = name.indexOf('%');
  if (zone >= 0) name = name.slice(0, zone);
  if (isIPv4(name)) return name.startsWith('127.');
  if (!isIPv6(name)) return false;
  let canonical: string;
  try {
    canonical = new URL(`http://[${name}]/`).hostname.slice(1, -1); // WHATWG writes IPv6 canonically
  } catch {
    return false;
  }
  if (canonical === '::1') return true;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) return parseInt(mapped[1]!, 16) >> 8 === 127;
  return false;
}

/**
 * What Chromium's NetLog (`--log-net-log`) shows of URL requests, host resolutions and socket
 * connects, with their hosts. A log cut off by a killed browser is read as far as it goes.
 */
export async function readChromiumNetLog(file: string): Promise<ChromiumNetAttempt[]> {
  const log = parseNetLog(await fs.readFile(file, 'utf8'), file);
  const names = new Map<number, string>();
  for (const [name, id] of Object.entries(log.constants?.logEventTypes ?? {})) names.set(id, name);
  const attempts: ChromiumNetAttempt[] = [];
  for (const event of log.events ?? []) {
    const name = names.get(event.type);
    const params = event.params ?? {};
    if (name === 'URL_REQUEST_START_JOB' && typeof params.url === 'string') {
      const target = hostOfUrl(params.url);
      if (!target) continue; // data:, blob:, chrome: and the like reach no host
      attempts.push({
        event: name,
        ...target,
        probe: false,
        url: params.url,
        ...(typeof params.initiator === 'string' ? { initiator: params.initiator } : {}),
      });
    } else if ((name === 'HOST_RESOLVER_MANAGER_REQUEST' || name === 'HOST_RESOLVER_MANAGER_JOB') && typeof params.host === 'string') {
      // "https://example.com" (scheme and host) or "example.com:443".
      const target = params.host.includes('://') ? hostOfUrl(params.host) : hostAndPort(params.host);
      if (target) attempts.push({ event: name, ...target, probe: false });
    } else if ((name === 'TCP_CONNECT_ATTEMPT' || name === 'UDP_CONNECT') && typeof params.address === 'string') {
      const target = hostAndPort(params.address);
      if (target) attempts.push({ event: name, ...target, probe: name === 'UDP_CONNECT' && target.host === CHROMIUM_IPV6_PROBE });
    }
  }
  return attempts;
}

// --- internals ---------------------------------------------------------------------------------

interface NetLogFile {
  constants?: { logEventTypes?: Record<string, number> };
  events?: { type: number; params?: Record<string, unknown> }[];
}

function parseNetLog(text: string, file: string): NetLogFile {
  try {
    return JSON.parse(text) as NetLogFile;
  } catch {
    // Chromium writes the closing `]}` on exit; a killed browser leaves `..., {event},\n`.
    try {
      return JSON.parse(`${text.trimEnd().replace(/,$/, '')}]}`) as NetLogFile;
    } catch (error) {
      throw new Error(`${file} is not a Chromium NetLog: ${(error as Error).message}`);
    }
  }
}

function hostOfUrl(href: string): { host: string; port: number | null; loopback: boolean } | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  const defaults: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };
  const fallback = defaults[url.protocol];
  if (fallback === undefined || !url.hostname) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : fallback, loopback: isLoopbackHost(host) };
}

function hostAndPort(text: string): { host: string; port: number | null; loopback: boolean } | undefined {
  const match = /^\[(.+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  const host = match ? match[1]! : text;
  if (!host) return undefined;
  return { host, port: match ? Number(match[2]) : null, loopback: isLoopbackHost(host) };
}

async function readJsonLines(file: string): Promise<{ value: unknown; where: number }[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n');
  const result: { value: unknown; where: number }[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      result.push({ value: JSON.parse(line) as unknown, where: index + 1 });
    } catch (error) {
      // Each record is one write(); only the last line of a process killed mid-write may be cut.
      if (index === lines.length - 1) return;
      throw new Error(`${file}:${index + 1}: not JSON (${(error as Error).message})`);
    }
  });
  return result;
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: not a JSON object`);
  return value as Record<string, unknown>;
}

function field<K extends 'string' | 'number'>(record: Record<string, unknown>, key: string, type: K, where: string): K extends 'string' ? string : number {
  const value = record[key];
  if (typeof value !== type) throw new Error(`${where}: "${key}" is ${JSON.stringify(value)}, not a ${type}`);
  return value as K extends 'string' ? string : number;
}

function toAttempt(value: unknown, where: string): EgressAttempt {
  const record = asRecord(value, where);
  const kind = record.kind;
  if (typeof kind !== 'string' || !EGRESS_KINDS.has(kind)) throw new Error(`${where}: unknown kind ${JSON.stringify(kind)}`);
  const host = record.host;
  const port = record.port;
  if (host !== null && typeof host !== 'string') throw new Error(`${where}: "host" is ${JSON.stringify(host)}`);
  if (port !== null && typeof port !== 'number') throw new Error(`${where}: "port" is ${JSON.stringify(port)}`);
  if (typeof record.loopback !== 'boolean') throw new Error(`${where}: "loopback" is ${JSON.stringify(record.loopback)}`);
  return {
    time: field(record, 'time', 'string', where),
    pid: field(record, 'pid', 'number', where),
    ppid: field(record, 'ppid', 'number', where),
    threadId: typeof record.threadId === 'number' ? record.threadId : 0,
    process: field(record, 'process', 'string', where),
    kind: kind as EgressKind,
    host,
    port,
    loopback: record.loopback,
    ...(typeof record.stack === 'string' ? { stack: record.stack } : {}),
  };
}
