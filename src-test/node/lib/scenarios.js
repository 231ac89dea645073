'use strict';
// Scenario runner shared by the client scripts: one JSON line per scenario
// ({"scenario","ok","ms","details"}), every scenario and the whole script time-bounded.

const { parseArgs } = require('./common');

class ScenarioFailure extends Error {
  constructor(message, details) {
    super(message);
    this.details = details;
  }
}

function check(condition, message, details) {
  if (!condition) throw new ScenarioFailure(message, details);
}

function fail(message, details) {
  throw new ScenarioFailure(message, details);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new ScenarioFailure(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Principals the scripts act as; ids must equal the tokens' subjects when a gateway is in between. */
function principals(opts) {
  const env = process.env;
  return {
    user: { name: 'user', id: opts['user-id'] || env.WSGATE_USER_ID || 'alice', roles: ['user'], token: opts['token-user'] || env.WSGATE_TOKEN_USER },
    user2: { name: 'user2', id: opts['user2-id'] || env.WSGATE_USER2_ID || 'bob', roles: ['user'], token: opts['token-user2'] || env.WSGATE_TOKEN_USER2 },
    admin: { name: 'admin', id: opts['admin-id'] || env.WSGATE_ADMIN_ID || 'root', roles: ['admin'], token: opts['token-admin'] || env.WSGATE_TOKEN_ADMIN },
    bad: { name: 'bad', id: null, roles: [], token: opts['bad-token'] || env.WSGATE_BAD_TOKEN || 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.invalid-signature' },
  };
}

function requireToken(p) {
  if (!p.token) fail(`no token for principal "${p.name}" (--token-${p.name} or WSGATE_TOKEN_${p.name.toUpperCase()})`);
  return p.token;
}

function nonce() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

const USAGE_COMMON = `
common options:
  --url URL              target (gateway, or the upstream itself with --direct)
  --direct               talk to the upstream directly: send the identity the gateway would forward, no tokens
  --scenarios a,b,c      which scenarios (default: all; with --direct: the ones that need no gateway)
  --timeout-ms N         per scenario (default 5000)
  --token-user T --token-user2 T --token-admin T --bad-token T   (or env WSGATE_TOKEN_USER, ..._USER2, ..._ADMIN, WSGATE_BAD_TOKEN)
  --user-id ID --user2-id ID --admin-id ID   subjects of those tokens (default alice, bob, root; env WSGATE_USER_ID, ...)
output: one JSON line per scenario {"scenario","ok","ms","details"}; exit 0 when all ok, 1 otherwise, 2 on bad usage.`;

/**
 * scenarios: [{name, direct: bool, run: async (ctx) => details}]
 * ctx: {opts, p (principals), timeoutMs, direct, defer(fn), within(promise, what)}
 */
async function main(scenarios, usage, booleans = []) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2), ['direct', 'help', ...booleans]);
  } catch (e) {
    console.error(`${e.message}\n${usage}${USAGE_COMMON}`);
    process.exit(2);
  }
  if (opts.help || !opts.url) {
    const list = scenarios.map((s) => `${s.name}${s.direct ? '' : ' (gateway only)'}`).join(', ');
    console.error(`${usage}${USAGE_COMMON}\nscenarios: ${list}`);
    process.exit(opts.help ? 0 : 2);
  }
  const direct = !!opts.direct;
  const timeoutMs = Number.parseInt(opts['timeout-ms'] || '5000', 10);
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const names = opts.scenarios
    ? String(opts.scenarios).split(',').map((s) => s.trim()).filter(Boolean)
    : scenarios.filter((s) => !direct || s.direct).map((s) => s.name);
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${[...byName.keys()].join(', ')}`);
    process.exit(2);
  }

  // Whole-script bound: every scenario's budget plus its cleanup, then a hard exit.
  const totalMs = names.length * (timeoutMs + 1500) + 3000;
  const hard = setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ scenario: '$script', ok: false, ms: totalMs, details: { error: `script bound of ${totalMs} ms exceeded` } })}\n`);
    process.exit(3);
  }, totalMs);

  const p = principals(opts);
  let failures = 0;
  for (const name of names) {
    const cleanups = [];
    const ctx = {
      opts,
      p,
      direct,
      timeoutMs,
      defer: (fn) => cleanups.push(fn),
      within: (promise, what) => withTimeout(promise, timeoutMs, what),
    };
    const started = Date.now();
    let line;
    try {
      const details = await withTimeout(Promise.resolve().then(() => byName.get(name).run(ctx)), timeoutMs, `scenario ${name}`);
      line = { scenario: name, ok: true, ms: Date.now() - started, details: details ?? {} };
    } catch (e) {
      failures++;
      line = { scenario: name, ok: false, ms: Date.now() - started, details: Object.assign({ error: e.message }, e.details || {}) };
    }
    for (const fn of cleanups.reverse()) {
      try { await withTimeout(Promise.resolve().then(fn), 1000, 'cleanup'); } catch (e) { /* best effort */ }
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  clearTimeout(hard);
  // Lingering sockets must not keep the process alive.
  process.exitCode = failures === 0 ? 0 : 1;
  setTimeout(() => process.exit(process.exitCode), 50);
}

module.exports = { main, check, fail, withTimeout, requireToken, nonce, ScenarioFailure };
