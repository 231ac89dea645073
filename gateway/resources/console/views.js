// DOM helpers for the console. Every string from the gateway (users, IPs, routes, events, reasons) is set with
// textContent or as an attribute value, never parsed as HTML: a user named "<img onerror=...>" stays text.

/** An element with text content and optional class / data attributes. */
export function el(tag, text, opts = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (opts.cls) e.className = opts.cls;
  if (opts.data) for (const [k, v] of Object.entries(opts.data)) e.dataset[k] = String(v);
  return e;
}

export function byId(id) {
  return document.getElementById(id);
}

export function setText(id, text) {
  byId(id).textContent = String(text);
}

/** Formats a number for a table cell: integers as is, rates with one decimal. */
export function num(n) {
  if (typeof n !== 'number' || !isFinite(n)) return '0';
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/**
 * Makes the body of table #id show one row per item, in order. columns: [[field name | function(item), class]].
 * Rows are keyed by key(item) (data-key): a kept row is updated cell by cell, so its buttons (extra(item), made
 * once per row) survive the once-a-second refresh and a click is never lost to a re-render.
 */
export function fillTable(id, items, columns, key, extra) {
  const table = byId(id);
  const body = table.tBodies[0];
  const old = new Map();
  for (const tr of body.rows) if (tr.dataset.key !== undefined) old.set(tr.dataset.key, tr);
  const rows = items.map((item, i) => {
    const k = String(key ? key(item) : i);
    let tr = old.get(k);
    if (!tr) {
      tr = el('tr', null, { data: { key: k } });
      for (const [col, cls] of columns) tr.appendChild(el('td', '', { cls: cls || (typeof col === 'string' ? col : '') }));
      if (extra) tr.appendChild(extra(item));
    }
    columns.forEach(([col], j) => {
      const v = typeof col === 'function' ? col(item) : item[col];
      const text = v === null || v === undefined ? '' : (typeof v === 'number' ? num(v) : String(v));
      if (tr.cells[j].textContent !== text) tr.cells[j].textContent = text;
    });
    return tr;
  });
  if (rows.length === 0) {
    const tr = body.rows.length === 1 && body.rows[0].classList.contains('empty') ? body.rows[0] : el('tr', null, { cls: 'empty' });
    if (!tr.cells.length) {
      const td = el('td', 'none', { cls: 'muted' });
      td.colSpan = table.tHead.rows[0].cells.length;
      tr.appendChild(td);
    }
    rows.push(tr);
  }
  const same = rows.length === body.rows.length && rows.every((r, i) => body.rows[i] === r);
  if (!same) body.replaceChildren(...rows);
}

/** A button for a table row: its action and target travel in data attributes (one delegated click handler). */
export function rowButton(label, action, target, cls) {
  const b = el('button', label, { cls: cls || 'small', data: { action, target } });
  b.type = 'button';
  return b;
}

export function show(id, visible) {
  byId(id).hidden = !visible;
}

/** Shows a one-line message (an action's result); kind: 'notice' or 'error'. */
export function message(id, text, kind) {
  const p = byId(id);
  p.textContent = text;
  p.className = kind || 'notice';
  p.hidden = !text;
}

/** Short local time of an ISO instant. */
export function time(iso) {
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleTimeString([], { hour12: false });
}
