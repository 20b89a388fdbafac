import { api, login, logout, whoami, streamSummaries, ApiError } from './api.js';
import { LiveChart } from './charts.js';
import { loadRedisNodes, showMonitorTiles } from './monitors.js';

const $ = (id) => document.getElementById(id);
let charts;
let stream;
let refreshTimer;

const pct = (x) => (x == null ? '–' : `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`);
const ms = (x) => (x == null ? '–' : `${x >= 100 ? Math.round(x) : x.toFixed(1)} ms`);
const num = (x) => (x == null ? '–' : Math.round(x).toLocaleString());
const time = (t) => (t ? new Date(t).toLocaleTimeString() : '–');

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function showLogin(message = '') {
  stream?.stop();
  clearInterval(refreshTimer);
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('logout').hidden = true;
  $('health').hidden = true;
  $('who').textContent = '';
  $('conn').textContent = '';
  $('login-error').textContent = message;
}

async function showApp() {
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('logout').hidden = false;
  charts ??= {
    requests: new LiveChart($('c-requests'), ['req/s'], { yMin: 0 }),
    latency: new LiveChart($('c-latency'), ['p50', 'p95', 'p99'], { unit: ' ms', yMin: 0 }),
    errors: new LiveChart($('c-errors'), ['5xx/s', 'error %'], { yMin: 0 }),
    hits: new LiveChart($('c-hits'), ['L1', 'L2', 'DB', 'overall'], { unit: '%', yMin: 0 }),
    sessions: new LiveChart($('c-sessions'), ['active'], { yMin: 0 }),
    lag: new LiveChart($('c-lag'), ['lag'], { unit: ' ms', yMin: 0 }),
  };
  await backfill();
  stream = streamSummaries(onSummary, (state) => {
    if (state === 'unauthorized') return showLogin('Your session ended. Log in again.');
    $('conn').textContent = state === 'live' ? '● live' : '○ reconnecting…';
  });
  await Promise.all([refreshPanels(), loadPresets().catch(() => {})]);
  refreshTimer = setInterval(refreshPanels, 5000);
}

/** The last minutes from history, so charts are not empty right after login. */
async function backfill() {
  try {
    const { points } = await api('/v1/admin/metrics/history?window=10m');
    for (const p of points) {
      if (p.requests === 0 && p.instances === 0) continue;
      plot(p.t, {
        requestsPerSec: p.requestsPerSec,
        errorsPerSec: p.errors / 60,
        errorRate: p.errorRate,
        p50Ms: p.p50Ms,
        p95Ms: p.p95Ms,
        p99Ms: p.p99Ms,
        hitRate: p.hitRate,
        eventLoopLagMs: p.eventLoopLagMs,
        activeSessions: null,
      });
    }
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw err;
  }
}

function plot(t, s) {
  const hit = (x) => (x == null ? null : x * 100);
  charts.requests.push(t, [s.requestsPerSec]);
  charts.latency.push(t, [s.p50Ms, s.p95Ms, s.p99Ms]);
  charts.errors.push(t, [s.errorsPerSec, s.errorRate * 100]);
  charts.hits.push(t, [hit(s.hitRate.l1), hit(s.hitRate.l2), hit(s.hitRate.db), hit(s.hitRate.overall)]);
  charts.sessions.push(t, [s.activeSessions]);
  charts.lag.push(t, [s.eventLoopLagMs]);
}

function onSummary(s) {
  plot(s.at, { ...s, hitRate: s.cacheHitRate, errorsPerSec: s.requestsPerSec * s.errorRate });
  $('t-rps').textContent = s.requestsPerSec.toFixed(1);
  $('t-p99').textContent = ms(s.p99Ms);
  $('t-err').textContent = pct(s.errorRate);
  $('t-hit').textContent = pct(s.cacheHitRate.overall);
  $('t-sessions').textContent = num(s.activeSessions);
  $('t-lag').textContent = ms(s.eventLoopLagMs);
  $('t-inst').textContent = num(s.instances);
  showMonitorTiles(s);
  const badge = $('health');
  badge.hidden = false;
  badge.className = `badge ${s.health.status}`;
  badge.textContent = `Health ${s.health.score}`;
  $('health-score').textContent = `${s.health.score}/100 — ${s.health.status}`;
  const reasons = $('health-reasons');
  reasons.replaceChildren(
    ...(s.health.deductions.length === 0
      ? [el('li', 'Nothing lost: every factor is on target.', 'muted')]
      : s.health.deductions.map((d) => {
          const li = el('li');
          li.append(el('span', `−${d.points}`, 'pts'), document.createTextNode(d.reason));
          return li;
        })),
  );
}

async function refreshPanels() {
  await Promise.all([loadAlerts(), loadEvents(), loadBans(), loadLoadTests(), loadRedisNodes()]).catch((err) => {
    if (err instanceof ApiError && err.status === 401) showLogin('Your session ended. Log in again.');
  });
}

async function loadAlerts() {
  const state = $('alert-filter').value;
  const { alerts } = await api(`/v1/admin/alerts${state ? `?state=${state}` : ''}`);
  const rows = alerts.slice(0, 50).map((a) => {
    const tr = el('tr');
    tr.dataset.alertId = a.id;
    tr.append(
      cell(el('span', a.state, `state ${a.state}`)),
      el('td', a.rule),
      el('td', a.severity, `sev-${a.severity}`),
      el('td', a.value == null ? '–' : `${round(a.value)} ${a.op} ${a.threshold}`),
      el('td', time(a.firedAt ?? a.startedAt)),
    );
    const actions = el('td', undefined, 'actions');
    if (a.acknowledgedAt) actions.append(el('span', `acked by ${a.acknowledgedBy ?? '?'}`, 'muted'));
    else if (a.state !== 'resolved') actions.append(button('Ack', () => act(a.id, 'ack')));
    if (a.state !== 'resolved') actions.append(button('Resolve', () => act(a.id, 'resolve')));
    tr.append(actions);
    return tr;
  });
  $('alerts').tBodies[0].replaceChildren(...rows);
  $('alerts-empty').hidden = rows.length > 0;
}

async function act(id, action) {
  await api(`/v1/admin/alerts/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
  await loadAlerts();
}

async function loadEvents() {
  const body = await optional('/v1/admin/security/events?limit=20');
  const rows = (body?.events ?? []).map((e) =>
    row([time(e.createdAt), e.type, e.ip ?? '–', e.userId ?? e.email ?? '–']),
  );
  $('events').tBodies[0].replaceChildren(...rows);
  $('events-empty').hidden = rows.length > 0;
}

async function loadBans() {
  const body = await optional('/v1/admin/security/bans');
  const rows = (body?.bans ?? []).map((b) =>
    row([b.ip, b.reason ?? '–', b.expiresAt ? new Date(b.expiresAt).toLocaleString() : 'permanent']),
  );
  $('bans').tBodies[0].replaceChildren(...rows);
  $('bans-empty').hidden = rows.length > 0;
}

async function loadLoadTests() {
  const body = await optional('/v1/admin/loadtests');
  const runs = body?.runs ?? [];
  const rows = runs.slice(0, 20).map((r) => {
    const tr = el('tr');
    tr.dataset.runId = r.id;
    const status =
      r.status === 'running' && r.progress ? `running ${Math.round(r.progress.percent)}%` : (r.status ?? '–');
    tr.append(
      el('td', time(r.startedAt)),
      el('td', r.name ?? r.preset ?? r.scenario ?? r.id),
      cell(el('span', status, `status ${r.status ?? ''}`)),
      el('td', r.grade ? `grade ${r.grade}` : (r.error ?? '–')),
    );
    const actions = el('td', undefined, 'actions');
    if (r.status === 'running') actions.append(button('Stop', () => stopLoadTest(r.id)));
    else if (r.status !== 'error' || r.grade)
      actions.append(reportLink(r.id, 'html', 'report'), reportLink(r.id, 'json', 'JSON'));
    tr.append(actions);
    return tr;
  });
  $('loadtests').tBodies[0].replaceChildren(...rows);
  $('loadtests-empty').hidden = rows.length > 0;
}

/**
 * A link a new tab opens on its own, authenticated by the session cookie like every call of this page (a blob: copy
 * of the report would inherit this page's CSP, which blocks the report's inline charts). The server gives the HTML
 * report a CSP of its own.
 */
function reportLink(id, format, label) {
  const a = el('a', label);
  a.href = `/v1/admin/loadtests/${encodeURIComponent(id)}/report?format=${format}`;
  a.target = '_blank';
  a.rel = 'noopener';
  return a;
}

async function stopLoadTest(id) {
  await api(`/v1/admin/loadtests/${encodeURIComponent(id)}/stop`, { method: 'POST' });
  await loadLoadTests();
}

let presets = [];

/** The presets the server offers, once per login; the form stays hidden on servers without the load-test API. */
async function loadPresets() {
  const body = await optional('/v1/admin/loadtests/presets');
  presets = body?.presets ?? [];
  const select = $('lt-preset');
  select.replaceChildren(
    ...presets.map((p) => {
      const option = el('option', `${p.label} (${Math.round(p.durationMs / 1000)} s)`);
      option.value = p.id;
      return option;
    }),
  );
  select.value = presets.some((p) => p.id === 'auth/smoke') ? 'auth/smoke' : (presets[0]?.id ?? '');
  $('lt-form').hidden = presets.length === 0;
  $('lt-notes').textContent = (body?.notes ?? []).join(' ');
  $('lt-notes').hidden = !body?.notes?.length;
}

/** A panel whose API may not exist on this server: 404 means "nothing to show", not an error. */
async function optional(path) {
  try {
    return await api(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

const cell = (child) => {
  const td = el('td');
  td.append(child);
  return td;
};
const row = (values) => {
  const tr = el('tr');
  tr.append(...values.map((v) => el('td', v)));
  return tr;
};
const button = (label, onClick) => {
  const b = el('button', label, 'secondary');
  b.type = 'button';
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await onClick();
    } finally {
      b.disabled = false;
    }
  });
  return b;
};
const round = (v) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000);

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    const result = await login($('email').value, $('password').value);
    $('password').value = '';
    $('who').textContent = result.user?.email ?? '';
    await showApp();
  } catch (err) {
    showLogin(err instanceof ApiError && err.status === 403 ? 'This account is not an admin.' : err.message);
  }
});

$('logout').addEventListener('click', async () => {
  await logout().catch(() => {});
  showLogin();
});

$('alert-filter').addEventListener('change', () => loadAlerts().catch(() => {}));

$('lt-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const preset = presets.find((p) => p.id === $('lt-preset').value);
  if (!preset) return;
  const duration = $('lt-duration').value.trim();
  const submit = $('lt-form').querySelector('button');
  submit.disabled = true;
  $('lt-error').textContent = '';
  try {
    await api('/v1/admin/loadtests', { method: 'POST', body: { ...preset.body, ...(duration ? { duration } : {}) } });
    await loadLoadTests();
  } catch (err) {
    const detail = err.details?.map((d) => `${d.field}: ${d.message}`).join('; ');
    $('lt-error').textContent = detail || err.message;
  } finally {
    submit.disabled = false;
  }
});

/** A browser whose session cookie already signs in an admin opens on the dashboard. */
async function start() {
  const me = await whoami().catch(() => undefined);
  if (!me?.signedIn) return showLogin();
  if (!me.admin) return showLogin('This account is not an admin.');
  $('who').textContent = me.email ?? '';
  await showApp().catch((err) =>
    showLogin(err instanceof ApiError && err.status === 403 ? 'This account is not an admin.' : ''),
  );
}

start();
