// `--html FILE`: one self-contained page (inline CSS and script, no network) that shows where a
// server stands at a glance: the root causes first, a matrix of spec sections × checks by status,
// coverage of rule ids and error keys per family, and every failed or flaky check with its rule,
// seed section, what was sent, expected vs actual, and the transcript of every connection involved
// (passwords were masked when the frames were rendered). Filterable by status and section. The
// page is rendered here as HTML; its script only filters and opens details, so it reads without it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { rootCauseLine, rootCauses, type RootCause } from './root-causes.ts';
import { SPEC_ERROR_KEYS, SPEC_RULE_IDS } from './spec-ids.ts';
import { toolVersion } from './tool-version.ts';
import type { CheckResult, CheckStatus, Failure, RunResult } from './types.ts';
import { expectedLines } from './types.ts';

const STATUSES: readonly CheckStatus[] = ['failed', 'flaky', 'skipped', 'passed'];

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Rule id family: the id without its number (`ADM-KICK-7` → `ADM-KICK`, `UND-3` → `UND`), else its first word (`VAL-USERNAME` → `VAL`). */
export function ruleFamily(id: string): string {
  return /-\d+[a-z]?$/i.test(id) ? id.replace(/-\d+[a-z]?$/i, '') : id.split('-')[0]!;
}

/** Error key family: its first word (`E-USERNAME-TOO-LONG` → `E-USERNAME`). */
export function errorFamily(key: string): string {
  return key.split('-').slice(0, 2).join('-');
}

interface FamilyRow {
  family: string;
  covered: number;
  total: number;
  missing: string[];
}

function families(all: readonly string[], missing: ReadonlySet<string>, familyOf: (id: string) => string): FamilyRow[] {
  const rows = new Map<string, FamilyRow>();
  for (const id of all) {
    const f = familyOf(id);
    const row = rows.get(f) ?? { family: f, covered: 0, total: 0, missing: [] };
    row.total++;
    if (missing.has(id)) row.missing.push(id);
    else row.covered++;
    rows.set(f, row);
  }
  return [...rows.values()];
}

function pct(covered: number, total: number): number {
  return total === 0 ? 100 : Math.floor((covered * 100) / total);
}

function coverageTable(title: string, rows: FamilyRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td><code>${esc(r.family)}</code></td><td class="num">${r.covered} / ${r.total}</td>` +
        `<td><div class="bar"><div style="width:${pct(r.covered, r.total)}%"></div></div></td>` +
        `<td class="missing">${r.missing.map((m) => `<code>${esc(m)}</code>`).join(' ')}</td></tr>`,
    )
    .join('\n');
  return `<table class="coverage"><caption>${esc(title)}</caption><thead><tr><th>family</th><th>covered</th><th></th><th>without a check</th></tr></thead><tbody>${body}</tbody></table>`;
}

function coverageSection(result: RunResult): string {
  if (result.coverage === undefined) return '';
  const c = result.coverage;
  const rules = families(SPEC_RULE_IDS, new Set(c.rules.missing), ruleFamily);
  // The error keys reachable in the run's profile: those cited by a check, plus those missing.
  const cited = new Set(result.checks.flatMap((r) => r.errors));
  const reachable = (SPEC_ERROR_KEYS as readonly string[]).filter((k) => cited.has(k) || c.errors.missing.includes(k));
  const errors = families(reachable, new Set(c.errors.missing), errorFamily);
  return `<section id="coverage"><h2>Coverage</h2>
<p>rule ids: <b>${c.rules.covered} of ${c.rules.total}</b> (${pct(c.rules.covered, c.rules.total)}%) · error keys reachable in profile ${esc(result.profile)}: <b>${c.errors.covered} of ${c.errors.total}</b> (${pct(c.errors.covered, c.errors.total)}%)</p>
<div class="cols">${coverageTable('rule ids per family', rules)}${coverageTable('error keys per family', errors)}</div></section>`;
}

function transcriptHtml(t: NonNullable<CheckResult['transcript']>): string {
  // One block per connection, in the order they first appear: every connection involved.
  const byConn = new Map<string, typeof t.entries>();
  for (const e of t.entries) byConn.set(e.conn, [...(byConn.get(e.conn) ?? []), e]);
  const arrow = { opened: '+', sent: '→', received: '←', closed: '×' } as const;
  const t0 = t.entries[0]?.at ?? 0;
  const blocks = [...byConn].map(([conn, entries]) => {
    const rows = entries
      .map(
        (e) =>
          `<tr class="dir-${e.dir}"><td class="num">+${e.at - t0} ms</td><td>${arrow[e.dir]}</td><td><code>${esc(e.dir === 'opened' ? '(connected)' : e.dir === 'closed' ? '(closed)' : e.text)}</code></td></tr>`,
      )
      .join('');
    return `<div class="conn"><h5>${esc(entries[0]!.actor)} <span class="dim">${esc(conn)}</span></h5><table>${rows}</table></div>`;
  });
  const omitted = t.omitted > 0 ? `<p class="dim">${t.omitted} events from the middle of the check left out</p>` : '';
  return `<details class="transcript"><summary>transcript: ${byConn.size} connection${byConn.size === 1 ? '' : 's'}, ${t.entries.length} events</summary>${omitted}${blocks.join('')}</details>`;
}

function failureHtml(f: Failure): string {
  const row = (label: string, value: string) => `<tr><th>${label}</th><td><pre>${esc(value)}</pre></td></tr>`;
  return `<table class="failure">${row('rule', f.rule)}${f.actor ? row('actor', f.actor) : ''}${row('sent', f.sent)}${row('expected', expectedLines(f).join('\n'))}${row('actual', f.actual)}</table>`;
}

function checkHtml(r: CheckResult, titles: ReadonlyMap<string, string>): string {
  const detail: string[] = [];
  detail.push(
    `<p>rules: ${r.rules.map((x) => `<code>${esc(x)}</code>`).join(' ') || '(none)'}${r.errors.length > 0 ? ` · errors: ${r.errors.map((x) => `<code>${esc(x)}</code>`).join(' ')}` : ''}</p>`,
  );
  if (r.seed !== undefined) detail.push(`<p>seed section: ${esc(r.seed)}</p>`);
  if (r.status === 'flaky')
    detail.push(
      `<p class="flaky-note">FLAKY: failed, then passed when re-run on fresh connections (${r.attempts?.failed ?? 1} of ${r.attempts?.runs ?? 2} runs failed)</p>`,
    );
  if (r.message !== undefined && r.status === 'skipped') detail.push(`<p>skipped: ${esc(r.message)}</p>`);
  if (r.expectedFailure?.held === true)
    detail.push(`<p class="skipped">expected failure (--expect-failures): ${esc(r.expectedFailure.reason)}</p>`);
  if (r.expectedFailure?.held === false)
    detail.push(`<p class="failed">listed as an expected failure but passes now: ${esc(r.expectedFailure.reason)}</p>`);
  if (r.attempts && r.status === 'failed') detail.push(`<p>failed ${r.attempts.failed} of ${r.attempts.runs} runs</p>`);
  for (const f of r.failures) detail.push(failureHtml(f));
  if (r.transcript) detail.push(transcriptHtml(r.transcript));
  const section = titles.get(r.section);
  return `<details class="check ${r.status}" id="check-${esc(r.id)}" data-status="${r.status}" data-section="${esc(r.section)}">
<summary><span class="badge ${r.status}">${r.status}</span>${r.expectedFailure ? ` <span class="badge skipped">${r.expectedFailure.held ? 'expected' : 'passes now'}</span>` : ''} <code>${esc(r.id)}</code> — ${esc(r.title)}${r.message && r.status !== 'skipped' ? ` <span class="dim">${esc(r.message.split('\n')[0]!)}</span>` : ''}</summary>
<div class="body">${section ? `<p class="dim">${esc(section)}</p>` : ''}${detail.join('\n')}</div></details>`;
}

function rootCauseHtml(g: RootCause, i: number): string {
  const ex = g.example;
  return `<details class="cause"${i === 0 ? ' open' : ''}><summary><b>${esc(rootCauseLine(g))}</b></summary>
<p>e.g. <a href="#check-${esc(ex.check)}" data-jump="${esc(ex.check)}"><code>${esc(ex.check)}</code></a>; all: ${g.checkIds
    .slice(0, 30)
    .map((id) => `<a href="#check-${esc(id)}" data-jump="${esc(id)}"><code>${esc(id)}</code></a>`)
    .join(' ')}${g.checkIds.length > 30 ? ` … ${g.checkIds.length - 30} more` : ''}</p>
${failureHtml(ex.failure)}${ex.transcript ? transcriptHtml(ex.transcript) : ''}</details>`;
}

function matrixHtml(result: RunResult, titles: ReadonlyMap<string, string>): string {
  const sections = new Map<string, CheckResult[]>();
  for (const r of result.checks) sections.set(r.section, [...(sections.get(r.section) ?? []), r]);
  const rows = [...sections].map(([id, checks]) => {
    const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
    const cells = checks
      .map(
        (c) =>
          `<a class="cell ${c.status}" href="#check-${esc(c.id)}" data-jump="${esc(c.id)}" data-status="${c.status}" title="${esc(`${c.id} — ${c.title} (${c.status})`)}"></a>`,
      )
      .join('');
    return `<tr data-section="${esc(id)}"><th><code>${esc(id)}</code><div class="dim">${esc(titles.get(id) ?? '')}</div></th>${STATUSES.map((s) => `<td class="num ${count(s) > 0 ? s : ''}">${count(s)}</td>`).join('')}<td class="cells">${cells}</td></tr>`;
  });
  return `<table class="matrix"><thead><tr><th>section</th>${STATUSES.map((s) => `<th>${s}</th>`).join('')}<th>checks</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

const STYLE = `
:root{--pass:#2e7d32;--fail:#c62828;--skip:#9e9e9e;--flaky:#8e24aa;font-family:system-ui,sans-serif;font-size:14px}
body{margin:0 auto;max-width:1200px;padding:16px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
code,pre{font-family:ui-monospace,monospace;font-size:12px}pre{white-space:pre-wrap;word-break:break-all;margin:0}
.dim{color:#777}.num{text-align:right;font-variant-numeric:tabular-nums}
.summary span{display:inline-block;margin-right:14px;font-size:16px}.summary b{font-size:20px}
.passed{color:var(--pass)}.failed{color:var(--fail)}.skipped{color:var(--skip)}.flaky{color:var(--flaky)}
.badge{display:inline-block;min-width:52px;text-align:center;border-radius:3px;color:#fff;font-size:11px;padding:1px 4px}
.badge.passed{background:var(--pass)}.badge.failed{background:var(--fail)}.badge.skipped{background:var(--skip)}.badge.flaky{background:var(--flaky)}
table{border-collapse:collapse}td,th{padding:3px 6px;vertical-align:top;text-align:left}
.matrix tr{border-bottom:1px solid #eee}.matrix .cells{line-height:0}
.cell{display:inline-block;width:11px;height:11px;margin:1px;border-radius:2px}
.cell.passed{background:var(--pass)}.cell.failed{background:var(--fail)}.cell.skipped{background:var(--skip)}.cell.flaky{background:var(--flaky)}
.filters{position:sticky;top:0;background:#fff;padding:8px 0;border-bottom:1px solid #ddd;z-index:1}
.filters label{margin-right:12px}
details.check{border-left:4px solid #ddd;margin:4px 0;padding:2px 8px}
details.check.failed{border-color:var(--fail)}details.check.flaky{border-color:var(--flaky)}details.check.passed{border-color:var(--pass)}details.check.skipped{border-color:var(--skip)}
details>summary{cursor:pointer}.body{padding:4px 0 8px 12px}
.failure{margin:6px 0;background:#fafafa;border:1px solid #eee;width:100%}.failure th{width:70px;color:#555}
.transcript .conn{margin:6px 0 6px 8px}.transcript td.num{white-space:nowrap}.transcript h5{margin:4px 0;font-size:13px}
.transcript tr.dir-sent code{color:#1565c0}.transcript tr.dir-received code{color:#2e7d32}.transcript tr.dir-opened,.transcript tr.dir-closed{color:#777}
.cause{margin:6px 0;padding:4px 8px;border:1px solid #f3c4c4;background:#fff8f8}
.cols{display:flex;gap:24px;flex-wrap:wrap}.coverage caption{text-align:left;font-weight:bold;padding:4px}
.bar{width:90px;height:8px;background:#eee;margin-top:4px}.bar div{height:8px;background:var(--pass)}
.missing code{color:#999;margin-right:4px}.hidden{display:none}.flaky-note{color:var(--flaky)}
`;

// Filters by status and section; a link to a check opens it and clears filters that would hide it.
const SCRIPT = `
(function(){
  var statusBoxes = Array.prototype.slice.call(document.querySelectorAll('input[name=status]'));
  var sectionSelect = document.getElementById('section-filter');
  function apply(){
    var on = {}; statusBoxes.forEach(function(b){ on[b.value] = b.checked; });
    var section = sectionSelect.value;
    var shown = 0;
    document.querySelectorAll('details.check').forEach(function(d){
      var visible = on[d.dataset.status] && (section === '' || d.dataset.section === section);
      d.classList.toggle('hidden', !visible); if (visible) shown++;
    });
    document.querySelectorAll('table.matrix tbody tr').forEach(function(tr){
      tr.classList.toggle('hidden', section !== '' && tr.dataset.section !== section);
    });
    document.getElementById('shown-count').textContent = String(shown);
  }
  statusBoxes.forEach(function(b){ b.addEventListener('change', apply); });
  sectionSelect.addEventListener('change', apply);
  document.querySelectorAll('[data-jump]').forEach(function(a){
    a.addEventListener('click', function(ev){
      var d = document.getElementById('check-' + a.dataset.jump); if (!d) return;
      ev.preventDefault();
      statusBoxes.forEach(function(b){ if (b.value === d.dataset.status) b.checked = true; });
      if (sectionSelect.value !== '' && sectionSelect.value !== d.dataset.section) sectionSelect.value = '';
      apply(); d.open = true; d.scrollIntoView({block: 'start'});
    });
  });
  apply();
})();
`;

export function renderHtml(result: RunResult, sectionTitles: ReadonlyMap<string, string> = new Map()): string {
  const s = result.summary;
  const causes = rootCauses(result.checks);
  const sections = [...new Set(result.checks.map((c) => c.section))];
  const interesting = result.checks.filter((c) => c.status === 'failed' || c.status === 'flaky');
  const t = result.target;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>nexus-conform: ${esc(t.address)} — ${s.failed} failed, ${s.passed} passed</title>
<style>${STYLE}</style></head><body>
<header><h1>nexus-conform ${esc(toolVersion())} — ${esc(t.address)}${t.embedded ? ' (embedded reference server)' : ''}</h1>
<p class="dim">${t.transport === 'tls' ? 'TLS' : 'plain TCP'}${t.fingerprint ? ` · fingerprint ${esc(t.fingerprint)}` : ''} · profile ${esc(result.profile)}, match ${esc(result.match)} · seed ${result.seed} · ${esc(result.startedAt)} · ${(result.durationMs / 1000).toFixed(1)} s${result.restored ? ` · cleanup: ${result.restored.ok ? 'target equals its pre-run snapshot' : `<b class="failed">${esc(result.restored.differences.join('; '))}</b>`}` : ''}</p>
<p class="summary">${STATUSES.map((st) => `<span class="${st}"><b data-summary="${st}">${s[st]}</b> ${st}</span>`).join('')}<span><b data-summary="total">${s.total}</b> checks</span></p></header>
<section id="root-causes"><h2>Root causes (${causes.length}, most checks first)</h2>
${causes.length === 0 ? '<p class="passed">No failures.</p>' : causes.map(rootCauseHtml).join('\n')}</section>
<section id="matrix"><h2>Sections × checks</h2>${matrixHtml(result, sectionTitles)}</section>
${coverageSection(result)}
<section id="checks"><h2>Checks (<span id="shown-count">${result.checks.length}</span> shown)</h2>
<div class="filters">${STATUSES.map((st) => `<label><input type="checkbox" name="status" value="${st}"${st === 'passed' || st === 'skipped' ? '' : ' checked'}> <span class="${st}">${st} (${s[st]})</span></label>`).join('')}
<label>section <select id="section-filter"><option value="">all sections</option>${sections.map((id) => `<option value="${esc(id)}">${esc(id)}</option>`).join('')}</select></label>
<span class="dim">${interesting.length} failed or flaky</span></div>
${result.checks.map((r) => checkHtml(r, sectionTitles)).join('\n')}
</section>
<script>${SCRIPT}</script>
</body></html>
`;
}

export function writeHtmlReport(file: string, result: RunResult, sectionTitles?: ReadonlyMap<string, string>): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderHtml(result, sectionTitles));
}
