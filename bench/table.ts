// The console table of a bench report: one row per figure with median, min, max and the target.
import type { BenchReport, HarnessThreads, SuiteBlock } from './report.ts';
import type { Figure } from './stats.ts';

type Row = [string, Figure | number | string | null | undefined, string?];

function cell(v: number): string {
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100);
}

export function rowsOf(r: BenchReport): Row[] {
  const rows: Row[] = [];
  if (r.floor) {
    rows.push(['floor: round trip, plain (ms)', r.floor.plain.rttMs]);
    rows.push(['floor: connect, plain (ms)', r.floor.plain.connectMs]);
    rows.push(['floor: connect+handshake+login, plain (ms)', r.floor.plain.loginMs]);
    rows.push(['floor: raw client CPU per round trip (ms)', r.floor.plain.cpuPerRoundTripMs.client]);
    rows.push(['floor: server CPU per round trip (ms)', r.floor.plain.cpuPerRoundTripMs.server]);
    rows.push(['floor: round trip, TLS (ms)', r.floor.tls.rttMs]);
    rows.push(['floor: connect, TLS (ms)', r.floor.tls.connectMs]);
    rows.push(['floor: connect+handshake+login, TLS (ms)', r.floor.tls.loginMs]);
  }
  for (const x of r.suiteByJobs ?? (r.suite ? [r.suite] : [])) {
    const j = `suite --jobs ${x.jobs}`;
    rows.push([`${j}: wall, ${x.selection} (ms)`, x.wallMs]);
    rows.push([`${j}: round trips / connections / logins`, `${x.roundTrips} / ${x.connections} / ${x.logins}`]);
    rows.push([`${j}: sequential floor (ms)`, x.floorMs]);
    rows.push([`${j}: ratio wall / sequential floor`, x.ratio, '≤ 1.3']);
    rows.push([`${j}: harness CPU (ms)`, x.cpuMs.harness]);
    rows.push([`${j}: harness CPU per round trip (ms)`, x.cpuPerRoundTripMs.harness]);
    threadRows(rows, `${j}: harness`, x.threads);
    rows.push([`${j}: server CPU per round trip (ms)`, x.cpuPerRoundTripMs.server]);
    rows.push([`${j}: harness peak RSS (MB)`, x.peakRssMb, '≤ 200']);
    warmRows(rows, j, x);
  }
  if (r.suiteEmbedded) {
    const x = r.suiteEmbedded;
    const j = 'suite, server in the harness process';
    rows.push([`${j}: wall, ${x.selection} (ms)`, x.wallMs]);
    rows.push([`${j}: floor round trip, same process (ms)`, x.rttMs]);
    rows.push([`${j}: floor connect+handshake+login, same process (ms)`, x.loginMs]);
    rows.push([`${j}: sequential floor (ms)`, x.floorMs]);
    rows.push([`${j}: ratio wall / sequential floor`, x.ratio, '≤ 1.3']);
    rows.push([`${j}: process CPU per round trip (ms)`, x.cpuPerRoundTripMs.harness]);
    threadRows(rows, `${j}: process`, x.threads);
    warmRows(rows, j, x);
  }
  const failingBlocks = r.failingByJobs ?? (r.failingSuite ? [r.failingSuite] : []);
  for (const x of failingBlocks.filter((b, i) => failingBlocks.findIndex((c) => c.jobs === b.jobs) === i)) {
    rows.push([`passing, ${x.selection}, --jobs ${x.jobs}: wall (ms)`, x.passingWallMs]);
  }
  for (const x of failingBlocks) {
    const f = `failing (no ${x.dropped.join(', ')}), --jobs ${x.jobs}`;
    rows.push([`${f}: wall (ms)`, x.wallMs]);
    rows.push([`${f}: failed checks`, x.checks.failed]);
    rows.push([`${f}: wall / passing wall`, x.ratioToPassing, '≤ 2']);
  }
  if (r.catalogue) {
    const c = r.catalogue;
    const j = `catalogue --jobs ${c.jobs}, server in the harness process`;
    rows.push([`${j}: passing run, ${c.selection} (ms)`, c.passingWallMs]);
    rows.push([`${j}: faults run / not run`, `${c.faults} / ${c.notRun.length}`]);
    rows.push([`${j}: median failing wall / passing wall`, c.medianRatio, '≤ 2']);
    rows.push([`${j}: faults over 2× a passing run`, c.overTarget.length]);
    for (const x of c.slowest) rows.push([`${j}: ${x.fault} (${x.failed} failed), wall / passing wall`, x.ratio, '≤ 2']);
  }
  if (r.fuzz) {
    for (const name of ['frames', 'validators', 'stateful'] as const) {
      const f = r.fuzz[name];
      if ('available' in f) rows.push([`fuzz ${name}`, `not available: ${f.reason}`]);
      else {
        rows.push([`fuzz ${name}: cases/s (${f.cases} per run)`, f.casesPerSecond]);
        if (f.tls) rows.push([`fuzz ${name}: cases/s over TLS`, f.tls.casesPerSecond]);
        if (f.fast) {
          rows.push([`fuzz ${name}: fast tier cases/s (${f.fast.cases} per run)`, f.fast.casesPerSecond, '≥ 5000']);
          if (f.fast.steadyCasesPerSecond)
            rows.push([`fuzz ${name}: fast tier cases/s, second half of a run`, f.fast.steadyCasesPerSecond, '≥ 5000']);
          rows.push([`fuzz ${name}: fast tier cases/s over TLS`, f.fast.tls.casesPerSecond]);
          rows.push([`fuzz ${name}: fast tier harness peak RSS (MB)`, f.fast.peakRssMb, '≤ 200']);
        }
        rows.push([`fuzz ${name}: model-checked requests/s`, f.requestsPerSecond, name === 'stateful' ? '≥ 2000' : undefined]);
        rows.push([`fuzz ${name}: harness CPU/request (ms)`, f.cpuPerRequestMs]);
        rows.push([`fuzz ${name}: harness peak RSS (MB)`, f.peakRssMb, '≤ 200']);
      }
    }
  }
  if (r.server) {
    const s = r.server;
    if (s.userList) {
      rows.push([`server: ${s.sessions} sessions logged in (ms)`, s.setupMs]);
      rows.push([`server: UserList p50, ${s.sessions} online (ms)`, s.userList.p50Ms]);
      rows.push([`server: UserList p99, ${s.sessions} online (ms)`, s.userList.p99Ms, '< 20']);
      rows.push(['server: one UserConnected reaches all (ms)', s.broadcastAllMs]);
      if (s.serverCpu) {
        rows.push([`server: CPU per UserList, ${s.sessions} online (ms)`, s.serverCpu.userListMs]);
        rows.push([`server: CPU per broadcast to ${s.sessions} (ms)`, s.serverCpu.broadcastMs]);
      }
      rows.push(['server: RSS per session (KB)', s.rssPerSessionKb]);
    }
    if (s.soak) {
      rows.push(['soak: fuzzed frames / crashes', `${s.soak.frames} / ${s.soak.crashes}`, '0 crashes']);
      rows.push(['soak: frames/s', s.soak.framesPerSecond]);
      rows.push(['soak: server RSS first → last, peak (MB)', `${s.soak.rssFirstMb} → ${s.soak.rssLastMb}, ${s.soak.peakRssMb}`]);
    }
  }
  if (r.startup) {
    rows.push(['startup: --help (ms)', r.startup.helpMs]);
    rows.push(['startup: --list (ms)', r.startup.listMs]);
  }
  return rows;
}

function warmRows(rows: Row[], j: string, x: SuiteBlock): void {
  if (!x.warm) return;
  const w = `${j}, run ${x.warm.run} in one process`;
  rows.push([`${w}: wall (ms)`, x.warm.wallMs]);
  rows.push([`${w}: ratio wall / sequential floor`, x.warm.ratio, '≤ 1.3']);
  rows.push([`${w}: CPU (ms)`, x.warm.cpuMs]);
  threadRows(rows, `${w}:`, x.warm.threads);
}

/** Where a run's CPU went by thread (Linux): the main thread's critical path and what competes with it. */
function threadRows(rows: Row[], who: string, t: HarnessThreads | null): void {
  if (!t) return;
  rows.push([`${who} main thread on a core (ms)`, t.mainOnCpuMs]);
  rows.push([`${who} main thread waiting for a core (ms)`, t.mainWaitMs]);
  rows.push([`${who} other threads on a core: V8 compiler, GC (ms)`, t.otherThreadsOnCpuMs]);
}

/** Markdown table (also what the README shows). */
export function formatTable(r: BenchReport): string {
  const lines = ['| Figure | Median | Min | Max | Target |', '| --- | ---: | ---: | ---: | --- |'];
  for (const [name, v, target] of rowsOf(r)) {
    let cols: string[];
    if (v === null || v === undefined) cols = ['–', '', ''];
    else if (typeof v === 'string') cols = [v, '', ''];
    else if (typeof v === 'number') cols = [cell(v), '', ''];
    else cols = [cell(v.median), cell(v.min), cell(v.max)];
    lines.push(`| ${name} | ${cols.join(' | ')} | ${target ?? ''} |`);
  }
  const m = r.machine;
  lines.push(
    '',
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}; load average ${m.loadAvgStart.join(' ')} at the start${m.loadAvgEnd ? `, ${m.loadAvgEnd.join(' ')} at the end` : ''}${r.quick ? ' (--quick budget)' : ''}`,
  );
  return lines.join('\n');
}
