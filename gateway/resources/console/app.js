// The wsgate admin console: polls the admin API once a second with the token from sessionStorage
// (Authorization: Bearer, never a cookie) and renders what it answers. No inline script: the CSP forbids it.
import { byId, el, fillTable, message, rowButton, setText, show, time } from './views.js';
import { RateChart } from './charts.js';

const KEY = 'wsgate.adminToken';
const POLL_MS = 1000;
const AUDIT_KEPT = 100;
const ARM_MS = 4000; // a destructive button asks for a second click within this time

let token = sessionStorage.getItem(KEY);
let generation = 0; // bumped on log in / log out, so a poll of an old session never reschedules itself
let prev = null; // the previous /admin/stats answer, for rates
let auditLast = 0;
let audit = []; // [{n, line}] newest first
let connections = [];
let charts = null;

class HttpError extends Error {
  constructor(status, body) {
    super('HTTP ' + status);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body, bearer = token) {
  const init = { method, headers: { Authorization: 'Bearer ' + bearer }, cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) throw new HttpError(res.status, json);
  return json;
}

function explain(e) {
  if (e.status === 401) return 'Token refused (401).';
  if (e.status === 404) return 'The admin API is off: the gateway has no admin token (admin.token_env is unset).';
  if (e.status) return 'The gateway answered ' + e.status + (e.body && e.body.error ? ': ' + e.body.error : '') + '.';
  return 'The gateway is unreachable (' + e.message + ').';
}

// ---- session

byId('login-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const candidate = byId('token').value.trim();
  byId('login-button').disabled = true;
  try {
    await api('GET', '/admin/stats', undefined, candidate);
    token = candidate;
    sessionStorage.setItem(KEY, token);
    byId('token').value = '';
    start();
  } catch (e) {
    message('login-error', explain(e), 'error');
  } finally {
    byId('login-button').disabled = false;
  }
});

byId('logout').addEventListener('click', () => stop(''));

function start() {
  generation++;
  message('login-error', '');
  show('login', false);
  show('console', true);
  show('status', true);
  prev = null;
  auditLast = 0;
  audit = [];
  if (!charts) {
    charts = {
      messages: new RateChart(byId('chart-messages')),
      reasons: new RateChart(byId('chart-reasons')),
      routes: new RateChart(byId('chart-routes')),
    };
    window.addEventListener('resize', () => Object.values(charts).forEach(c => c.resize()));
  }
  poll(generation);
}

function stop(why) {
  generation++;
  token = null;
  sessionStorage.removeItem(KEY);
  show('console', false);
  show('status', false);
  show('login', true);
  message('login-error', why, 'error');
  byId('token').focus();
}

async function poll(gen) {
  try {
    const [stats, conns, auditPage] = await Promise.all([
      api('GET', '/admin/stats'),
      api('GET', '/admin/connections'),
      api('GET', '/admin/audit?since=' + auditLast),
    ]);
    if (gen !== generation) return;
    render(stats, conns, auditPage);
    message('banner', '');
  } catch (e) {
    if (gen !== generation) return;
    if (e.status === 401 || e.status === 404) {
      stop(explain(e));
      return;
    }
    message('banner', explain(e) + ' Retrying every second.', 'error');
  }
  if (gen === generation) setTimeout(() => poll(gen), POLL_MS);
}

// ---- rendering

function render(stats, conns, auditPage) {
  renderStatus(stats);
  renderConnections(stats);
  renderRates(stats);
  renderTops(stats.top);
  connections = conns;
  renderConnectionTable();
  renderAudit(auditPage);
  prev = stats;
}

function renderStatus(s) {
  setText('policy-version', s.policy.version === undefined ? '?' : 'v' + s.policy.version);
  const last = s.policy.last_reload;
  const lr = byId('last-reload');
  if (!last) {
    lr.textContent = 'no reload since start';
  } else {
    lr.textContent = (last.ok ? 'last reload ok (v' + last.version + ')' : 'last reload FAILED') + ' at ' + time(last.time);
  }
  lr.classList.toggle('bad', !!last && !last.ok);
  const errors = last && !last.ok ? last.errors : [];
  byId('reload-errors').replaceChildren(...errors.map(e => el('li', e)));
  show('reload-errors', errors.length > 0);
  const store = byId('store-state');
  store.textContent = s.store.kind + (s.store.up ? ' up' : ' DOWN');
  store.classList.toggle('up', s.store.up);
  store.classList.toggle('down', !s.store.up);
  setText('updated', 'updated ' + time(s.time));
}

function renderConnections(s) {
  setText('open-total', s.connections.open);
  fillTable('routes-table', s.connections.by_route, [['route'], ['transport'], ['open', 'num']],
    r => r.route + ' ' + r.transport);
}

/** Per second between the previous answer and this one (before: the previous value); 0 on the first answer. */
function perSecond(s, value, before) {
  if (!prev || before === undefined) return 0;
  const dt = (s.time_ms - prev.time_ms) / 1000;
  return dt > 0 ? Math.max(0, (value - before) / dt) : 0;
}

function reasonCounts(s) {
  const counts = { ...s.refusals.by_reason };
  for (const [status, n] of Object.entries(s.handshakes.refused_by_status)) counts['handshake ' + status] = n;
  return counts;
}

function routeCounts(s) {
  const counts = {};
  for (const r of s.refusals.by_route) counts[r.route] = (counts[r.route] || 0) + r.count;
  return counts;
}

function renderRates(s) {
  const t = s.time_ms / 1000;
  const rin = perSecond(s, s.messages.in, prev && prev.messages.in);
  const rout = perSecond(s, s.messages.out, prev && prev.messages.out);
  setText('rate-in', rin.toFixed(1));
  setText('rate-out', rout.toFixed(1));
  charts.messages.push(t, { in: rin, out: rout });

  const reasons = reasonCounts(s);
  const before = prev ? reasonCounts(prev) : {};
  const reasonRates = {};
  for (const [k, n] of Object.entries(reasons)) reasonRates[k] = perSecond(s, n, prev ? (before[k] || 0) : undefined);
  charts.reasons.push(t, reasonRates);
  setText('refusals-total', s.refusals.total + s.handshakes.refused);
  fillTable('reasons-table', Object.keys(reasons).sort().map(k => ({ reason: k, total: reasons[k], rate: reasonRates[k].toFixed(1) })),
    [['reason'], ['total', 'num count'], ['rate', 'num']], r => r.reason);

  const routes = routeCounts(s);
  const beforeRoutes = prev ? routeCounts(prev) : {};
  const routeRates = {};
  for (const [k, n] of Object.entries(routes)) routeRates[k] = perSecond(s, n, prev ? (beforeRoutes[k] || 0) : undefined);
  charts.routes.push(t, routeRates);
  fillTable('refusal-routes-table', s.refusals.by_route, [['route'], ['reason'], ['count', 'num']], r => r.route + ' ' + r.reason);
}

function renderTops(top) {
  fillTable('top-ips-refusals', top.ips_by_refusals, [['ip'], ['count', 'num']], r => r.ip);
  fillTable('top-users-refusals', top.users_by_refusals, [['user'], ['count', 'num']], r => r.user);
  fillTable('top-ips-traffic', top.ips_by_traffic, [['ip'], ['messages', 'num'], ['connections', 'num']], r => r.ip);
  fillTable('top-users-traffic', top.users_by_traffic, [['user'], ['messages', 'num'], ['connections', 'num']], r => r.user);
}

function renderConnectionTable() {
  const f = byId('conn-filter').value.trim().toLowerCase();
  const shown = connections.filter(c => !f || [c.user, c.ip, c.route].some(v => v && v.toLowerCase().includes(f)));
  setText('conn-shown', shown.length === connections.length ? '' : shown.length + ' of ' + connections.length + ' shown');
  fillTable('conn-table', shown,
    [['id', 'num'], ['user'], ['ip'], ['route'], [c => time(c.since), 'since'], ['in', 'num'], ['out', 'num']],
    c => c.id + '|' + (c.user || ''),
    c => {
      const td = el('td', null, { cls: 'actions' });
      td.appendChild(rowButton('Close', 'close', c.id, 'small secondary'));
      if (c.user) td.appendChild(rowButton('Revoke user', 'revoke', c.user, 'small danger'));
      return td;
    });
}

function renderAudit(page) {
  if (page.last < auditLast) audit = []; // the gateway restarted: numbering starts over
  const first = page.last - page.lines.length + 1;
  page.lines.forEach((line, i) => audit.unshift({ n: first + i, line }));
  audit = audit.slice(0, AUDIT_KEPT);
  auditLast = page.last;
  setText('audit-state', page.enabled ? '' : '(audit.denials is off: nothing is kept)');
  fillTable('audit-table', audit, [
    [a => a.line.time ? time(a.line.time) : '', 'time'],
    [a => a.line.kind],
    [a => a.line.route],
    [a => a.line.ip],
    [a => a.line.user],
    [a => a.line.kind === 'summary' ? a.line.left_out + ' left out' : (a.line.event !== undefined ? a.line.event : a.line.status)],
    [a => a.line.reason],
  ], a => a.n);
}

byId('conn-filter').addEventListener('input', renderConnectionTable);

// ---- actions

/** First click arms a destructive button, the second (within ARM_MS) runs it. */
function armed(b) {
  if (b.dataset.armed === '1') return true;
  b.dataset.armed = '1';
  b.dataset.label = b.textContent;
  b.textContent = 'Confirm ' + b.dataset.label.toLowerCase() + '?';
  setTimeout(() => {
    if (b.dataset.armed === '1') {
      b.dataset.armed = '';
      b.textContent = b.dataset.label;
    }
  }, ARM_MS);
  return false;
}

async function act(label, call) {
  try {
    const res = await call();
    message('action-result', label(res), 'notice');
  } catch (e) {
    if (e.status === 401) {
      stop(explain(e));
      return;
    }
    message('action-result', explain(e), 'error');
  }
}

byId('conn-table').addEventListener('click', ev => {
  const b = ev.target.closest('button[data-action]');
  if (!b || !armed(b)) return;
  b.disabled = true;
  const target = b.dataset.target;
  if (b.dataset.action === 'close') {
    act(() => 'Closed connection ' + target + '.', () => api('DELETE', '/admin/connections/' + encodeURIComponent(target)));
  } else if (b.dataset.action === 'revoke') {
    act(r => 'Revoked sub ' + target + ': ' + r.closed + ' socket(s) closed with 4401.', () => api('POST', '/admin/revoke', { sub: target }));
  }
});

/** {"sub"|"jti": value, ttl?} from the revoke form, or null (the browser then says what is missing). */
function revocationBody(withTtl) {
  const form = byId('revoke-form');
  if (!form.reportValidity()) return null;
  const kind = byId('revoke-kind').value;
  const body = { [kind]: byId('revoke-value').value.trim() };
  const ttl = byId('revoke-ttl').value.trim();
  if (withTtl && ttl) body.ttl = ttl;
  return body;
}

byId('revoke-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const body = revocationBody(true);
  if (!body) return;
  const what = Object.entries(body)[0].join(' ');
  act(r => 'Revoked ' + what + ': ' + r.closed + ' socket(s) closed with 4401.', () => api('POST', '/admin/revoke', body));
});

byId('lift-submit').addEventListener('click', () => {
  const body = revocationBody(false);
  if (!body) return;
  const what = Object.entries(body)[0].join(' ');
  act(() => 'Lifted the revocation of ' + what + '.', () => api('DELETE', '/admin/revoke', body));
});

byId('reload').addEventListener('click', async () => {
  const b = byId('reload');
  b.disabled = true;
  try {
    const r = await api('POST', '/admin/reload');
    message('action-result', 'Reloaded: policy v' + r.version + ' serving ' + r.routes.join(', ') + '.', 'notice');
  } catch (e) {
    if (e.status === 400 && e.body && e.body.errors) {
      message('action-result', 'Reload refused; the old policy still serves: ' + e.body.errors.join(' | '), 'error');
    } else if (e.status === 401) {
      stop(explain(e));
    } else {
      message('action-result', explain(e), 'error');
    }
  } finally {
    b.disabled = false;
  }
});

if (token) start();
else byId('token').focus();
