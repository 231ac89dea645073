#!/usr/bin/env node
// Drives the admin console in headless Chromium (playwright-core, the system's chromium; nothing downloaded).
//
//   WSGATE_ADMIN_TOKEN=... node console-e2e.js --url http://127.0.0.1:PORT --chromium /usr/bin/chromium \
//       --expect '{"open":4,"reasons":{"unknown_event":2},"revokeUser":"alice","htmlUser":"<b>x</b>"}' --shots DIR
//
// Checks, in order: the page's security headers; a wrong token is refused (401) and not kept; the right token
// logs in (kept in sessionStorage, no cookie); the page shows the expected open count and refusal counts by
// reason; a user name made of HTML is shown as text; the filter narrows the table; revoking a row's user (two
// clicks) makes the row disappear; the reload button reloads; no console error, page error or CSP violation happened (except the 401 of
// the wrong-token step). Prints one JSON line {"ok":true|false,...}; exit code 0 only when everything held.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const WAIT_MS = 15000;
const steps = [];
const problems = []; // console errors, page errors, CSP violations

function args(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['url', 'chromium', 'expect', 'shots']) if (!out[k]) throw new Error('missing --' + k);
  return out;
}

async function main() {
  const a = args(process.argv);
  const token = process.env.WSGATE_ADMIN_TOKEN;
  if (!token) throw new Error('WSGATE_ADMIN_TOKEN is not set');
  const expect = JSON.parse(a.expect);
  fs.mkdirSync(a.shots, { recursive: true });
  let phase = 'load';

  const browser = await chromium.launch({
    executablePath: a.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1100 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on('console', m => {
      if (m.type() !== 'error' && m.type() !== 'warning') return;
      // the one expected error: the browser logs the 401 of the wrong-token step
      if (phase === 'wrong-token' && /status of 401/.test(m.text())) return;
      problems.push({ phase, type: m.type(), text: m.text() });
    });
    page.on('pageerror', e => problems.push({ phase, type: 'pageerror', text: String(e) }));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', e => {
        console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI);
      });
    });

    // 1. headers of the page itself
    const res = await page.goto(a.url + '/');
    const h = res.headers();
    const csp = h['content-security-policy'] || '';
    for (const d of ["default-src 'self'", "script-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"]) {
      if (!csp.includes(d)) throw new Error('CSP lacks ' + d + ': ' + csp);
    }
    if (csp.includes('unsafe-inline') || csp.includes('unsafe-eval')) throw new Error('CSP allows inline code: ' + csp);
    if (h['x-content-type-options'] !== 'nosniff') throw new Error('no X-Content-Type-Options: nosniff');
    if (h['referrer-policy'] !== 'no-referrer') throw new Error('no Referrer-Policy: no-referrer');
    steps.push('csp');

    // 2. a wrong token is refused and not kept
    phase = 'wrong-token';
    await page.fill('#token', 'not-the-' + token);
    await page.click('#login-button');
    await page.waitForSelector('#login-error:not([hidden])');
    const loginError = await page.textContent('#login-error');
    if (!/401/.test(loginError)) throw new Error('wrong token: unexpected message ' + loginError);
    if (await page.isVisible('#console')) throw new Error('wrong token: the console is shown');
    if (await page.evaluate(() => sessionStorage.length) !== 0) throw new Error('wrong token kept in sessionStorage');
    await page.screenshot({ path: path.join(a.shots, 'console-login-refused.png') });
    steps.push('wrong-token-refused');

    // 3. the right token logs in
    phase = 'login';
    await page.fill('#token', token);
    await page.click('#login-button');
    await page.waitForSelector('#console:not([hidden])');
    const stored = await page.evaluate(() => sessionStorage.getItem('wsgate.adminToken'));
    if (stored !== token) throw new Error('token not kept in sessionStorage');
    if (await page.evaluate(() => document.cookie) !== '') throw new Error('a cookie was set');
    steps.push('login');

    // 4. the numbers the JUnit side produced
    phase = 'live';
    await page.waitForFunction(e => {
      if (document.getElementById('open-total').textContent !== String(e.open)) return false;
      const rows = [...document.querySelectorAll('#reasons-table tbody tr')];
      return Object.entries(e.reasons).every(([reason, n]) => rows.some(r =>
        r.dataset.key === reason && r.querySelector('td.count').textContent === String(n)));
    }, expect).catch(async err => {
      const open = await page.textContent('#open-total');
      const reasons = await page.$$eval('#reasons-table tbody tr', rs => rs.map(r => r.textContent));
      throw new Error('page never showed the expected numbers: open=' + open + ' reasons=' + JSON.stringify(reasons) + ' (' + err.message + ')');
    });
    const rows = page.locator('#conn-table tbody tr');
    if (await rows.count() !== expect.open) throw new Error('connections table has ' + await rows.count() + ' rows');
    // a few more polls, so the charts have points and the rates a delta
    const updated = await page.textContent('#updated');
    await page.waitForFunction(u => document.getElementById('updated').textContent !== u, updated);
    await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length === 3);
    steps.push('numbers');

    // 5. a user name made of HTML is text, not markup
    if (expect.htmlUser) {
      const users = await page.$$eval('#conn-table td.user', tds => tds.map(td => td.textContent));
      if (!users.includes(expect.htmlUser)) throw new Error('HTML user not shown as text: ' + JSON.stringify(users));
      const injected = await page.$$eval('#conn-table img, #conn-table b, #top-users-traffic b', es => es.length);
      if (injected !== 0) throw new Error('a user name was parsed as HTML');
      steps.push('html-as-text');
    }
    await page.screenshot({ path: path.join(a.shots, 'console-overview.png'), fullPage: true });

    // 6. the filter
    const userRow = rows.filter({ has: page.locator('td.user', { hasText: new RegExp('^' + expect.revokeUser + '$') }) });
    await page.fill('#conn-filter', expect.revokeUser);
    await page.waitForFunction(() => document.querySelectorAll('#conn-table tbody tr:not(.empty)').length === 1);
    await page.fill('#conn-filter', '');
    await page.waitForFunction(n => document.querySelectorAll('#conn-table tbody tr').length === n, expect.open);
    steps.push('filter');

    // 7. revoke the row's user: first click arms, second revokes; the row goes away
    phase = 'revoke';
    if (await userRow.count() !== 1) throw new Error('no single row for ' + expect.revokeUser);
    const button = userRow.locator('button[data-action="revoke"]');
    await button.click();
    await page.waitForSelector('#conn-table button[data-armed="1"]');
    await button.click();
    await page.waitForFunction(() => /Revoked sub .*: 1 socket\(s\) closed with 4401/.test(
      document.getElementById('action-result').textContent));
    await userRow.waitFor({ state: 'detached' });
    await page.waitForFunction(n => document.getElementById('open-total').textContent === String(n), expect.open - 1);
    await page.screenshot({ path: path.join(a.shots, 'console-after-revoke.png'), fullPage: true });
    steps.push('revoke');

    // 8. reload from the header: the page shows the new version and the result
    phase = 'reload';
    const version = await page.textContent('#policy-version');
    await page.click('#reload');
    await page.waitForFunction(() => /^Reloaded: policy v\d+ serving \/chat\.$/.test(document.getElementById('action-result').textContent));
    await page.waitForFunction(v => {
      const now = document.getElementById('policy-version').textContent;
      return now !== v && document.getElementById('last-reload').textContent.startsWith('last reload ok (' + now + ')');
    }, version);
    steps.push('reload');

    if (problems.length) throw new Error('console errors: ' + JSON.stringify(problems));
    console.log(JSON.stringify({ ok: true, steps }));
  } finally {
    await browser.close();
  }
}

main().catch(e => {
  console.log(JSON.stringify({ ok: false, steps, problems, error: String(e && e.stack || e) }));
  process.exit(1);
});
