'use strict';
// Shared plumbing of the interop peers: argument parsing, the bounded receive record,
// the /__received HTTP endpoint and process lifetime.

const MAX_RECORD = 50000;

function parseArgs(argv, booleans = []) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) {
        out[a.slice(2, eq)] = a.slice(eq + 1);
      } else if (booleans.includes(a.slice(2))) {
        out[a.slice(2)] = true;
      } else if (i + 1 < argv.length) {
        out[a.slice(2)] = argv[++i];
      } else {
        throw new Error(`option ${a} needs a value`);
      }
    } else {
      out._.push(a);
    }
  }
  return out;
}

/** Makes a value JSON-safe: Buffers/typed arrays become {"$binary": base64}, functions {"$ack": true}. */
function jsonSafe(value, depth = 0) {
  if (depth > 32) return '$too-deep';
  if (Buffer.isBuffer(value)) return { $binary: value.toString('base64'), length: value.length };
  if (value instanceof ArrayBuffer) return jsonSafe(Buffer.from(value), depth);
  if (ArrayBuffer.isView(value)) return jsonSafe(Buffer.from(value.buffer, value.byteOffset, value.byteLength), depth);
  if (typeof value === 'function') return { $ack: true };
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1));
  if (value && typeof value === 'object') {
    const o = {};
    for (const k of Object.keys(value)) o[k] = jsonSafe(value[k], depth + 1);
    return o;
  }
  return value;
}

/** Append-only record with a hard cap; entries past the cap are counted, not kept. */
class Record {
  constructor(cap = MAX_RECORD) {
    this.cap = cap;
    this.entries = [];
    this.seq = 0;
    this.dropped = 0;
  }

  add(entry) {
    const e = Object.assign({ seq: ++this.seq, t: Date.now() }, jsonSafe(entry));
    if (this.entries.length >= this.cap) {
      this.dropped++;
      return;
    }
    this.entries.push(e);
  }

  since(seq) {
    return seq > 0 ? this.entries.filter((e) => e.seq > seq) : this.entries;
  }

  clear() {
    this.entries = [];
    this.dropped = 0;
  }
}

/**
 * Serves GET /__received[?since=N] (JSON array), DELETE /__received (clear) and GET /__health.
 * Returns true when the request was one of these.
 */
function handleRecordRequest(record, req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname === '/__health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return true;
  }
  if (url.pathname !== '/__received') return false;
  if (req.method === 'GET') {
    const since = Number.parseInt(url.searchParams.get('since') || '0', 10) || 0;
    const body = JSON.stringify(record.since(since));
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-record-dropped': String(record.dropped),
      'x-record-seq': String(record.seq),
      'cache-control': 'no-store',
    });
    res.end(body);
  } else if (req.method === 'DELETE') {
    record.clear();
    res.writeHead(204);
    res.end();
  } else {
    res.writeHead(405, { allow: 'GET, DELETE' });
    res.end();
  }
  return true;
}

/**
 * Listens on 127.0.0.1:<port>, prints `LISTENING <port>` as the first stdout line, and installs the
 * lifetime guards: SIGTERM/SIGINT exit, `--stdin-watch` exits when the parent closes our stdin
 * (so a crashed JVM leaves no orphan), `--ttl SECONDS` exits after that long whatever happens.
 */
function listen(server, args, onClose) {
  const port = Number.parseInt(args._[0] ?? args.port ?? '0', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`bad port argument: ${args._[0]}`);
    process.exit(2);
  }
  const host = args.host || '127.0.0.1';
  const stop = (why) => {
    console.error(`stopping: ${why}`);
    try { if (onClose) onClose(); } catch (e) { /* exiting anyway */ }
    server.close();
    setTimeout(() => process.exit(0), 500); // whatever still holds the loop open
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (args['stdin-watch']) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('error', () => stop('stdin error'));
    process.stdin.resume();
  }
  if (args.ttl) {
    const ttl = Number.parseInt(args.ttl, 10);
    if (ttl > 0) setTimeout(() => stop(`ttl ${ttl}s reached`), ttl * 1000).unref();
  }
  server.on('error', (e) => {
    console.error(`listen failed: ${e.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    process.stdout.write(`LISTENING ${server.address().port}\n`);
  });
}

module.exports = { parseArgs, jsonSafe, Record, handleRecordRequest, listen };
