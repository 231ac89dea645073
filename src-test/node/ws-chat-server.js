'use strict';
// `ws` 8.x JSON chat upstream for wsgate interop tests.
//
//   node ws-chat-server.js <port|0> [--stdin-watch] [--ttl SECONDS] [--max-payload BYTES] [--require-user]
//
// Accepts WebSocket upgrades on any path. Prints `LISTENING <port>` first. Every upgrade and every
// received message is kept in a bounded record at GET /__received (JSON array; ?since=SEQ; DELETE clears):
//   upgrade  {conn, url, headers, remoteAddress, user}
//   message  {conn, user, binary, bytes, text | data:{"$binary"}}   the raw message as received
//   close    {conn, user, code, reason}                     code as the server saw it (1006 after its own 1009)
//   error    {conn, user, message, code}                    e.g. "Max payload size exceeded"
// Messages (JSON, event field `type`):
//   join-room {room}              -> {"type":"joined","room"} to the sender
//   send-message {room, message}  -> {"type":"message","from","room","message"} to the room's others,
//                                    {"type":"sent","room"} to the sender
//   typing {room}                 -> {"type":"typing","from","room"} to the room's others
//   private-message {to, message} -> {"type":"private-message","from","message"} to user `to`
//   admin-kick {user}             -> {"type":"kicked","user"} to the sender (no role check: that is the gateway's job)
//   echo {...}                    -> the same object back
// `from` is the X-User-Id request header, or "anonymous". Upstream-side problems answer
// {"type":"upstream-error",...} (never "error", which is the gateway's notice event).
// --require-user answers 401 to upgrades without X-User-Id; --max-payload makes `ws` close with 1009.

const http = require('node:http');
const { WebSocketServer } = require('ws');
const { parseArgs, Record, handleRecordRequest, listen } = require('./lib/common');

const args = parseArgs(process.argv.slice(2), ['stdin-watch', 'require-user']);
const record = new Record();
const maxPayload = args['max-payload'] ? Number.parseInt(args['max-payload'], 10) : 100 * 1024 * 1024;

const httpServer = http.createServer((req, res) => {
  if (handleRecordRequest(record, req, res)) return;
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
});

const wss = new WebSocketServer({ noServer: true, maxPayload });
let nextConn = 0;
const rooms = new Map(); // room -> Set<ws>

httpServer.on('upgrade', (req, socket, head) => {
  const user = req.headers['x-user-id'];
  if (args['require-user'] && !user) {
    record.add({ kind: 'upgrade-refused', url: req.url, headers: req.headers, remoteAddress: req.socket.remoteAddress });
    const body = '{"error":"unauthorized","reason":"no X-User-Id"}';
    socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

function send(ws, obj) {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(obj));
}

function toRoom(room, except, obj) {
  const members = rooms.get(room);
  if (!members) return;
  const text = JSON.stringify(obj);
  for (const m of members) if (m !== except && m.readyState === m.OPEN) m.send(text);
}

wss.on('connection', (ws, req) => {
  const conn = ++nextConn;
  const user = req.headers['x-user-id'] || 'anonymous';
  ws.user = user;
  ws.rooms = new Set();
  record.add({ kind: 'upgrade', conn, url: req.url, headers: req.headers, remoteAddress: req.socket.remoteAddress, user });

  ws.on('message', (data, isBinary) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
    const entry = { kind: 'message', conn, user, binary: isBinary, bytes: buf.length };
    if (isBinary) entry.data = buf;
    else entry.text = buf.toString('utf8');
    record.add(entry);
    if (isBinary) return;

    let msg;
    try {
      msg = JSON.parse(entry.text);
    } catch (e) {
      send(ws, { type: 'upstream-error', code: 'bad_json' });
      return;
    }
    if (!msg || typeof msg !== 'object') {
      send(ws, { type: 'upstream-error', code: 'not_an_object' });
      return;
    }
    switch (msg.type) {
      case 'join-room': {
        if (typeof msg.room !== 'string') return send(ws, { type: 'upstream-error', code: 'room_required' });
        if (!rooms.has(msg.room)) rooms.set(msg.room, new Set());
        rooms.get(msg.room).add(ws);
        ws.rooms.add(msg.room);
        return send(ws, { type: 'joined', room: msg.room });
      }
      case 'send-message':
        toRoom(msg.room, ws, { type: 'message', from: user, room: msg.room, message: msg.message });
        return send(ws, { type: 'sent', room: msg.room });
      case 'typing':
        return toRoom(msg.room, ws, { type: 'typing', from: user, room: msg.room });
      case 'private-message':
        for (const c of wss.clients) if (c.user === msg.to) send(c, { type: 'private-message', from: user, message: msg.message });
        return undefined;
      case 'admin-kick':
        return send(ws, { type: 'kicked', user: msg.user ?? null });
      case 'echo':
        return send(ws, msg);
      default:
        return send(ws, { type: 'upstream-error', code: 'unhandled', event: msg.type ?? null });
    }
  });

  ws.on('close', (code, reason) => {
    record.add({ kind: 'close', conn, user, code, reason: reason.toString('utf8') });
    for (const r of ws.rooms) {
      const members = rooms.get(r);
      if (members) {
        members.delete(ws);
        if (members.size === 0) rooms.delete(r);
      }
    }
  });
  ws.on('error', (e) => record.add({ kind: 'error', conn, user, message: e.message, code: e.code ?? null }));
});

listen(httpServer, args, () => {
  for (const c of wss.clients) c.terminate();
});
