// The PCTR-style summary as one self-contained HTML page (no scripts, print-ready: Chromium prints it to PDF).

import type { Pctr, PctrCase } from './pctr.ts';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const VERDICT_CLASS: Record<string, string> = { pass: 'pass', fail: 'fail', inconclusive: 'inc', 'not applicable': 'na', 'not run': 'nr' };

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function caseRows(c: PctrCase): string[] {
  const limits = c.limits.length
    ? c.limits
        .map(
          (l) =>
            `${esc(l.measurement)}: <code>${esc(l.limit)}</code> ${l.verified ? 'verified' : '<b>unverified</b>'}` +
            `${l.corroborated ? ` (${esc(l.corroborated)})` : ''} → ${esc(l.outcome)}`,
        )
        .join('<br>')
    : '—';
  return [
    `<code class="id">${esc(c.testCaseId)}</code>`,
    esc(c.title),
    esc(c.clause ?? c.standard ?? ''),
    `<span class="v ${VERDICT_CLASS[c.verdict]}">${esc(c.verdict)}</span>${c.reason ? `<div class="why">${esc(c.reason)}</div>` : ''}`,
    limits,
  ];
}

export function pctrHtml(p: Pctr): string {
  const kv = (o: Record<string, string>) =>
    table(
      ['item', 'value'],
      Object.entries(o).map(([k, v]) => [esc(k), esc(v)]),
    );
  const totals = Object.entries(p.totals)
    .map(([k, v]) => `<span class="v ${VERDICT_CLASS[k]}">${esc(k)}: ${v}</span>`)
    .join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test report summary — ${esc(p.bench)} — ${esc(p.run)}</title>
<style>
body{font:12px/1.4 sans-serif;margin:16px;color:#111}h1{font-size:18px}h2{font-size:14px;margin-top:18px;border-bottom:1px solid #999}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #bbb;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#eee}.id{white-space:nowrap}code{font-size:11px}.v{padding:1px 5px;border-radius:3px;font-weight:bold;white-space:nowrap}
.pass{background:#cfc}.fail{background:#fbb}.inc{background:#fe9}.na{background:#ddd}.nr{background:#ccd}.why{font-size:10px;color:#444}
tr{page-break-inside:avoid}
</style></head><body>
<h1>Protocol conformance test report (summary)</h1>
<p>Run <code>${esc(p.run)}</code> on bench ${esc(p.bench)}; harness ${esc(p.harness)}.</p>
<p id="totals">${totals}</p>
<h2>Charger identity</h2>
<h3>As declared (bench file)</h3>${kv(p.identity.declared)}
<h3>As reported on the wire</h3>${kv(p.identity.wire)}
<h2>PICS: declared vs advertised</h2>
${table(
  ['item', 'declared', 'advertised on the wire', 'status'],
  p.pics.map((r) => [esc(r.item), esc(r.declared), esc(r.advertised), esc(r.status)]),
)}
<h2>Test cases</h2>
${table(['test case id', 'test', 'clause', 'verdict', 'limits used (verified flag) → outcome'], p.cases.map(caseRows))}
<h2>Unverified limits the verdicts used</h2>
<p>A limit not yet checked against the purchased standard text (verified: false); where the standard fixes no number it is the harness's choice.</p>
${table(
  ['clause', 'limit', 'used by'],
  p.unverifiedLimits.map((u) => [esc(u.clause), `<code>${esc(u.limit)}</code>`, esc(u.usedBy.join(', '))]),
)}
<h2>Limit profiles</h2>
<ul>${p.limitProfiles.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
</body></html>
`;
}
