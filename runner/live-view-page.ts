// The live bench view's page: one self-contained HTML document (inline CSS and script, a plain canvas chart)
// that follows the server-sent events of runner/live-view-server.ts. Nothing is fetched from the network, so it
// works on an isolated lab network. Kept whole: it is one document the browser reads, not TypeScript code.

export const LIVE_VIEW_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mcs-hil live bench view</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 8px 16px; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; }
#banner { display: none; padding: 10px 16px; font-weight: 600; font-size: 16px; }
#banner.fault, #banner.failed { display: block; background: #c62828; color: #fff; }
#banner.abort { display: block; background: #6a1b9a; color: #fff; }
#safe-banner { display: none; padding: 6px 16px; font-weight: 600; background: #ef6c00; color: #fff; }
#safe-banner.active { display: block; }
main { display: grid; grid-template-columns: 2fr 1fr; gap: 12px; padding: 12px; }
section { background: #fff; border-radius: 6px; padding: 8px 12px; box-shadow: 0 1px 2px #0002; }
section h2 { font-size: 13px; text-transform: uppercase; color: #667; margin: 4px 0 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dt { color: #667; } dd { margin: 0; font-family: ui-monospace, monospace; }
#chart { width: 100%; height: 280px; display: block; }
.legend span { margin-right: 14px; font-size: 12px; }
ol, ul { margin: 0; padding-left: 0; list-style: none; font-family: ui-monospace, monospace; font-size: 12px; }
#messages { max-height: 260px; overflow-y: auto; }
#banners li.fault, #banners li.failed { color: #c62828; } #banners li.abort { color: #6a1b9a; } #banners li.safe-state { color: #ef6c00; }
.wide { grid-column: 1 / -1; }
#conn.closed { color: #ffab91; }
</style></head>
<body>
<header><h1>mcs-hil live bench view</h1><span id="bench"></span><span id="run-state"></span>
<span id="progress" data-testid="progress"></span><span id="conn">connecting…</span></header>
<div id="banner" data-testid="banner"></div><div id="safe-banner" data-testid="safe-state"></div>
<main>
<section><h2>Current and voltage</h2><canvas id="chart" data-testid="chart"></canvas>
<div class="legend"><span style="color:#1565c0">■ measured current (A)</span><span style="color:#1565c0">┄ requested current (A)</span>
<span style="color:#2e7d32">■ measured voltage (V)</span><span id="chart-range"></span></div></section>
<section><h2>Test</h2><dl>
<dt>test</dt><dd id="test" data-testid="test"></dd><dt>doing</dt><dd id="step" data-testid="step"></dd>
<dt>elapsed</dt><dd id="elapsed"></dd><dt>ETA</dt><dd id="eta"></dd><dt>verdicts</dt><dd id="verdicts"></dd>
<dt>faults</dt><dd id="faults"></dd></dl></section>
<section><h2>Protocol</h2><dl><dt>stage</dt><dd id="stage" data-testid="stage"></dd><dt>flow</dt><dd id="flow"></dd></dl></section>
<section><h2>Lines, contactors, output</h2><dl id="lines"></dl></section>
<section><h2>Charger's advertised limits</h2><dl id="limits"></dl></section>
<section><h2>Faults, aborts, safe state</h2><ul id="banners"></ul></section>
<section class="wide"><h2>Last messages</h2><div id="messages"><ol id="message-list"></ol></div></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
let state = null; let points = []; const WINDOW_S = 60;
const fmtS = (s) => s === undefined || s === null ? '—' : s < 120 ? s.toFixed(1) + ' s' : Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
function dl(el, rows) {
  el.replaceChildren(...rows.flatMap(([k, v]) => { const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v; dd.dataset.key = k; return [dt, dd]; }));
}
function render() {
  const s = state; if (!s) return;
  $('bench').textContent = (s.bench || '') + (s.suite ? ' · suite ' + s.suite : '');
  $('run-state').textContent = s.runState;
  const done = s.passed + s.failed + s.skipped;
  $('progress').textContent = 'test ' + (s.test ? s.test.n : done) + ' of ' + s.total;
  $('test').textContent = s.test ? '[' + s.test.n + '/' + s.total + '] ' + s.test.title : '—';
  $('step').textContent = s.test && s.test.step ? s.test.step : '—';
  $('elapsed').textContent = fmtS(s.elapsedS) + ' (bench clock)';
  $('eta').textContent = fmtS(s.etaS);
  $('verdicts').textContent = s.passed + ' passed, ' + s.failed + ' failed' + (s.skipped ? ', ' + s.skipped + ' skipped' : '');
  $('faults').textContent = s.faults.length ? s.faults.join(', ') : 'none';
  $('stage').textContent = s.protocol.stage || '—';
  $('flow').textContent = s.protocol.flow.join(' → ') || '—';
  const lines = Object.entries(s.lines);
  dl($('lines'), [...(lines.length ? lines : [['CE/ID, CP', 'no signal line on this bench']]), ['contactors', s.contactors || '—'], ['output', s.output || '—']]);
  dl($('limits'), Object.keys(s.limits).length ? Object.entries(s.limits) : [['', 'not advertised yet']]);
  // The latest fault, failure or abort stays up; the safe-state strip shows while the bench is going safe.
  const alarm = s.banners.filter((x) => x.level !== 'safe-state').pop();
  $('banner').className = alarm ? alarm.level : ''; $('banner').textContent = alarm ? alarm.text : '';
  const safe = s.banners.filter((x) => x.level === 'safe-state').pop();
  $('safe-banner').className = s.safeStateActive ? 'active' : '';
  $('safe-banner').textContent = s.safeStateActive && safe ? safe.text : '';
  $('banners').replaceChildren(...s.banners.slice().reverse().map((x) => { const li = document.createElement('li');
    li.className = x.level; li.textContent = fmtS(x.t) + '  ' + x.text; return li; }));
  $('message-list').replaceChildren(...s.messages.slice().reverse().map((m) => { const li = document.createElement('li');
    li.textContent = fmtS(m.t) + '  ' + m.source + ' ' + (m.dir === 'tx' ? '→' : '←') + ' ' + m.name + (m.detail ? ' (' + m.detail + ')' : '');
    return li; }));
}
function draw() {
  const c = $('chart'); const w = c.clientWidth, h = c.clientHeight; c.width = w; c.height = h;
  const g = c.getContext('2d'); g.clearRect(0, 0, w, h);
  if (!points.length) { g.fillStyle = '#889'; g.fillText('no instrument samples yet', 10, 20); return; }
  // The newest WINDOW_S seconds, or the whole run while it is shorter.
  const t1 = points[points.length - 1].t, t0 = Math.max(points[0].t, t1 - WINDOW_S), span = Math.max(1, t1 - t0);
  const shown = points.filter((p) => p.t >= t0);
  const maxOf = (k) => Math.max(1, ...shown.map((p) => Math.abs(p[k] || 0)));
  const iMax = Math.max(maxOf('iA'), maxOf('reqA')) * 1.1, vMax = maxOf('vV') * 1.1;
  const x = (t) => 40 + ((t - t0) / span) * (w - 80);
  const line = (key, max, color, dash) => { g.strokeStyle = color; g.setLineDash(dash); g.beginPath(); let on = false;
    for (const p of shown) { if (p[key] === undefined || p[key] === null) { on = false; continue; }
      const y = h - 20 - (p[key] / max) * (h - 30); on ? g.lineTo(x(p.t), y) : g.moveTo(x(p.t), y); on = true; }
    g.stroke(); g.setLineDash([]); };
  g.strokeStyle = '#dde'; g.strokeRect(40, 10, w - 80, h - 30);
  line('vV', vMax, '#2e7d32', []); line('iA', iMax, '#1565c0', []); line('reqA', iMax, '#1565c0', [6, 4]);
  g.fillStyle = '#1565c0'; g.fillText(Math.round(iMax) + ' A', 2, 14); g.fillStyle = '#2e7d32'; g.fillText(Math.round(vMax) + ' V', w - 38, 14);
  g.fillStyle = '#667'; g.fillText(fmtS(Math.max(0, t0)), 40, h - 4); g.fillText(fmtS(t1), w - 80, h - 4);
  $('chart-range').textContent = 'last point ' + t1.toFixed(2) + ' s';
  c.dataset.lastT = String(t1); c.dataset.points = String(shown.length);
}
const es = new EventSource('/events');
es.addEventListener('state', (ev) => { const m = JSON.parse(ev.data);
  if (m.reset) points = []; points.push(...m.points);
  if (points.length && points[0].t < points[points.length - 1].t - 2 * WINDOW_S) points = points.filter((p) => p.t >= points[points.length - 1].t - WINDOW_S);
  state = m.state; $('conn').textContent = 'live'; $('conn').className = ''; render(); draw(); });
es.addEventListener('end', () => { $('conn').textContent = 'run ended: live view closed'; $('conn').className = 'closed'; es.close(); });
es.onerror = () => { $('conn').textContent = 'disconnected'; $('conn').className = 'closed'; };
window.addEventListener('resize', draw);
</script></body></html>
`;
