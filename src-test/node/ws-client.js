'use strict';
// `ws` 8.x client scenarios for a JSON route (event field `type`).
//
//   node ws-client.js --url ws://127.0.0.1:8080/chat [--direct] [--scenarios connect,room]
//                     [--token-via header|query|subprotocol|first-message] [--max-bytes 65536]
//
// With a gateway in between the token travels as chosen by --token-via (default header:
// Authorization: Bearer). With --direct the client sends the identity headers the gateway would
// forward (X-User-Id, X-User-Roles) straight to ws-chat-server.js.

const WebSocket = require('ws');
const { main, check, fail, requireToken, nonce, ScenarioFailure } = require('./lib/scenarios');

const USAGE = 'usage: node ws-client.js --url ws://HOST:PORT/PATH [--token-via header|query|subprotocol|first-message] [--max-bytes N]';
const XSS = '<script>alert(1)</script>hi';
const MAX_BUFFERED = 1000;

/** URL, headers and subprotocols carrying principal p's credentials (null p: none). */
function requestFor(ctx, p, extraHeaders = {}) {
  const url = new URL(ctx.opts.url);
  const headers = { ...extraHeaders };
  const protocols = [];
  let firstMessage = null;
  if (p && ctx.direct) {
    if (p.id) {
      headers['X-User-Id'] = p.id;
      headers['X-User-Roles'] = p.roles.join(',');
    }
  } else if (p) {
    const token = requireToken(p);
    const via = ctx.opts['token-via'] || 'header';
    if (via === 'header') headers.Authorization = `Bearer ${token}`;
    else if (via === 'query') url.searchParams.set('access_token', token);
    else if (via === 'subprotocol') protocols.push('bearer', token);
    else if (via === 'first-message') firstMessage = JSON.stringify({ type: 'auth', token });
    else fail(`unknown --token-via ${via}`);
  }
  return { url: url.toString(), headers, protocols, firstMessage };
}

/** Opens a socket; resolves with it (plus a bounded inbox), fails on HTTP refusal or error. */
function connect(ctx, p, extraHeaders) {
  const r = requestFor(ctx, p, extraHeaders);
  const ws = new WebSocket(r.url, r.protocols, { headers: r.headers, handshakeTimeout: ctx.timeoutMs, maxPayload: 16 * 1024 * 1024 });
  ws.inbox = [];
  ws.waiters = [];
  ws.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
  ws.on('message', (data, isBinary) => {
    let msg;
    try {
      msg = isBinary ? { $binary: Buffer.from(data).toString('base64') } : JSON.parse(data.toString('utf8'));
    } catch (e) {
      msg = { $text: data.toString('utf8') };
    }
    const w = ws.waiters.find((x) => x.pred(msg));
    if (w) {
      ws.waiters.splice(ws.waiters.indexOf(w), 1);
      w.resolve(msg);
    } else if (ws.inbox.length < MAX_BUFFERED) {
      ws.inbox.push(msg);
    }
  });
  ws.on('error', () => { /* reported through the promise below or the close event */ });
  ctx.defer(async () => {
    if (ws.readyState === WebSocket.OPEN) {
      ws.close(1000, 'done');
      await Promise.race([ws.closed, new Promise((r) => setTimeout(r, 500))]);
    }
    if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  });
  return ctx.within(new Promise((resolve, reject) => {
    ws.once('open', () => {
      if (r.firstMessage) ws.send(r.firstMessage);
      resolve(ws);
    });
    ws.once('unexpected-response', (req, res) => {
      reject(new ScenarioFailure(`HTTP ${res.statusCode} at the handshake`, { status: res.statusCode, headers: res.headers }));
      req.destroy();
    });
    ws.once('error', (e) => reject(new ScenarioFailure(`socket error: ${e.message}`)));
  }), `open as ${p ? p.name : 'nobody'}`);
}

/** Expects the handshake to be refused; resolves with {status, headers, body}. */
function refused(ctx, p) {
  const r = requestFor(ctx, p);
  const ws = new WebSocket(r.url, r.protocols, { headers: r.headers, handshakeTimeout: ctx.timeoutMs });
  ws.on('error', () => { /* expected */ });
  ctx.defer(() => ws.terminate());
  return ctx.within(new Promise((resolve, reject) => {
    ws.once('open', () => reject(new ScenarioFailure('handshake accepted, expected a refusal')));
    ws.once('unexpected-response', (req, res) => {
      const chunks = [];
      let size = 0;
      res.on('data', (c) => { if (size < 4096) { chunks.push(c); size += c.length; } });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: res.statusCode, headers: res.headers, body: null }));
    });
  }), 'handshake refusal');
}

/** First message on ws matching pred (buffered ones first). */
function next(ctx, ws, pred, what) {
  const i = ws.inbox.findIndex(pred);
  if (i >= 0) return Promise.resolve(ws.inbox.splice(i, 1)[0]);
  return ctx.within(new Promise((resolve) => ws.waiters.push({ pred, resolve })), what);
}

function send(ws, obj) {
  ws.send(JSON.stringify(obj));
}

async function join(ctx, ws, room) {
  send(ws, { type: 'join-room', room });
  await next(ctx, ws, (m) => m.type === 'joined' && m.room === room, `joined ${room}`);
}

async function twoInRoom(ctx, extraHeadersA) {
  const [a, b] = await Promise.all([connect(ctx, ctx.p.user, extraHeadersA), connect(ctx, ctx.p.user2)]);
  const room = `room-${nonce()}`;
  await join(ctx, a, room);
  await join(ctx, b, room);
  return { a, b, room };
}

async function roomDelivery(ctx, sent, expected, extraHeadersA) {
  const { a, b, room } = await twoInRoom(ctx, extraHeadersA);
  send(a, { type: 'send-message', room, message: sent });
  const m = await next(ctx, b, (x) => x.type === 'message' && x.room === room, 'room message');
  check(m.from === ctx.p.user.id, `from is ${JSON.stringify(m.from)}, expected ${ctx.p.user.id}`, { received: m });
  check(m.message === expected, `message is ${JSON.stringify(m.message)}, expected ${JSON.stringify(expected)}`, { received: m });
  return { room, received: m };
}

async function expectNotice(ctx, msg, code) {
  const ws = await connect(ctx, ctx.p.user);
  send(ws, msg);
  const n = await next(ctx, ws, () => true, 'notice');
  check(n.type === 'error' && n.code === code && n.event === msg.type, `got ${JSON.stringify(n)}, expected an error notice ${code} for ${msg.type}`, { received: n });
  await join(ctx, ws, `after-notice-${nonce()}`); // the socket still works
  return { notice: n };
}

async function expectStatus(ctx, p, status, gatewayChecks) {
  const r = await refused(ctx, p);
  check(r.status === status, `HTTP ${r.status}, expected ${status}`, r);
  if (!ctx.direct && gatewayChecks) gatewayChecks(r);
  return r;
}

function firstMessageAuth(ctx) {
  return !ctx.direct && ctx.opts['token-via'] === 'first-message';
}

/** Opens as p (its token, if any, as the first message), sends msg, and expects the gateway to close 4401. */
async function expectClose4401(ctx, p, msg) {
  const ws = await connect(ctx, p);
  if (msg) send(ws, msg);
  const c = await ctx.within(ws.closed, 'close 4401');
  check(c.code === 4401, `close ${c.code}, expected 4401`, c);
  return { close: c };
}

const scenarios = [
  {
    name: 'connect',
    direct: true,
    run: async (ctx) => {
      const ws = await connect(ctx, ctx.p.user);
      return { protocol: ws.protocol };
    },
  },
  {
    name: 'room',
    direct: true,
    run: (ctx) => {
      const text = `hello ${nonce()}`;
      return roomDelivery(ctx, text, text);
    },
  },
  {
    // A client-supplied X-User-Id must be replaced by the token's subject.
    name: 'spoofed-identity',
    direct: false,
    run: (ctx) => {
      const text = `spoof ${nonce()}`;
      return roomDelivery(ctx, text, text, { 'X-User-Id': 'mallory', 'X-User-Roles': 'admin' });
    },
  },
  { name: 'denied-event', direct: false, run: (ctx) => expectNotice(ctx, { type: 'admin-kick', user: ctx.p.user2.id }, 'forbidden') },
  { name: 'unknown-event', direct: false, run: (ctx) => expectNotice(ctx, { type: 'no-such-event', x: 1 }, 'unknown_event') },
  {
    // the event a `user` is refused passes for an `admin`
    name: 'admin-event',
    direct: true,
    run: async (ctx) => {
      const ws = await connect(ctx, ctx.p.admin);
      const target = `nobody-${nonce()}`;
      send(ws, { type: 'admin-kick', user: target });
      const m = await next(ctx, ws, () => true, 'answer to admin-kick');
      check(m.type === 'kicked' && m.user === target, `got ${JSON.stringify(m)}, expected kicked ${target}`, { received: m });
      return { received: m };
    },
  },
  { name: 'sanitize', direct: false, run: (ctx) => roomDelivery(ctx, XSS, 'hi') },
  {
    name: 'private-message',
    direct: true,
    run: async (ctx) => {
      const [a, b] = await Promise.all([connect(ctx, ctx.p.user), connect(ctx, ctx.p.user2)]);
      // With first-message auth the 101 comes before the upstream leg exists: one round trip proves b is
      // registered upstream before a addresses it.
      await join(ctx, b, `pm-${nonce()}`);
      const text = `psst ${nonce()}`;
      send(a, { type: 'private-message', to: ctx.p.user2.id, message: text });
      const m = await next(ctx, b, (x) => x.type === 'private-message' && x.message === text, 'private message');
      check(m.from === ctx.p.user.id, `from is ${JSON.stringify(m.from)}`, { received: m });
      return { received: m };
    },
  },
  {
    name: 'typing',
    direct: true,
    run: async (ctx) => {
      const { a, b, room } = await twoInRoom(ctx);
      send(a, { type: 'typing', room });
      const m = await next(ctx, b, (x) => x.type === 'typing' && x.room === room, 'typing');
      check(m.from === ctx.p.user.id, `from is ${JSON.stringify(m.from)}`, { received: m });
      return { received: m };
    },
  },
  {
    name: 'oversize',
    direct: true,
    run: async (ctx) => {
      const max = Number.parseInt(ctx.opts['max-bytes'] || '65536', 10);
      const ws = await connect(ctx, ctx.p.user);
      const shell = JSON.stringify({ type: 'send-message', room: 'big', message: '' });
      const msg = shell.replace('"message":""', `"message":"${'a'.repeat(max + 1 - shell.length)}"`);
      check(Buffer.byteLength(msg) === max + 1, 'oversize message built wrong');
      ws.send(msg);
      const c = await ctx.within(ws.closed, 'close after oversize message');
      check(c.code === 1009, `close ${c.code}, expected 1009`, c);
      return { sent: max + 1, close: c };
    },
  },
  {
    // with --token-via first-message the gateway accepts the handshake and closes 4401 instead
    name: 'no-token',
    direct: true,
    run: (ctx) => (firstMessageAuth(ctx)
      ? expectClose4401(ctx, null, { type: 'join-room', room: `no-auth-${nonce()}` })
      : expectStatus(ctx, null, 401, (r) => check(/^Bearer/.test(r.headers['www-authenticate'] || ''), 'no WWW-Authenticate: Bearer', r))),
  },
  {
    name: 'bad-token',
    direct: false,
    run: (ctx) => (firstMessageAuth(ctx)
      ? expectClose4401(ctx, ctx.p.bad)
      : expectStatus(ctx, ctx.p.bad, 401, (r) => check(/invalid_token/.test(r.headers['www-authenticate'] || ''), 'WWW-Authenticate lacks invalid_token', r))),
  },
];

main(scenarios, USAGE).catch((e) => {
  console.error(e);
  process.exit(2);
});
