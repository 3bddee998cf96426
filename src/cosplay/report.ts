// A plain-text account of a run: each round's matrix, the decisions with their reasons, the pick and the
// baselines. Used by `cosplay demo` and by logs.
import { MATRIX_LEGEND, matrixOf, renderMatrix } from './matrix.js';
import type { CosplayResult, Decision } from './types.js';

function decisionLine(d: Decision, codes?: number[]): string {
  const c =
    codes && codes.length > 1 ? `codes ${codes.join(', ')}` : d.code !== undefined ? `code ${d.code}` : '';
  const who = [c, d.ut !== undefined ? `UT ${d.ut}` : ''].filter(Boolean).join(', ');
  return `  - ${d.step}${who ? ` [${who}]` : ''}: ${d.action}. ${d.reason}`;
}

/** Decision lines, with consecutive identical decisions about different codes on one line. */
function decisionLines(ds: Decision[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ds.length;) {
    const d = ds[i];
    const codes = d.code !== undefined ? [d.code] : [];
    let k = i + 1;
    while (
      d.code !== undefined &&
      k < ds.length &&
      ds[k].code !== undefined &&
      ds[k].step === d.step &&
      ds[k].action === d.action &&
      ds[k].ut === d.ut &&
      ds[k].reason === d.reason
    )
      codes.push(ds[k++].code!);
    out.push(decisionLine(d, codes));
    i = k;
  }
  return out;
}

function indent(s: string, by = '    '): string {
  return s
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

export function renderRun(r: CosplayResult, opts: { showCode?: boolean } = {}): string {
  const out: string[] = [];
  const t = r.task;
  out.push(`Task ${t.id} (${t.language}, ${t.kind}${t.entryPoint ? `, entry point ${t.entryPoint}` : ''})`);
  const p = r.params;
  out.push(
    `Parameters: N_c=${p.nCodes} N_t=${p.nTests} T_max=${p.maxRounds} R=${p.nRandomInputs} ` +
      `self-consistency ${p.scMinAgree} of ${p.scSamples} (up to ${p.scMaxAttempts} attempts), ` +
      `clustering ${p.cluster ? 'on' : 'off'}, early stop ${p.earlyStop ? 'on' : 'off'}`,
  );
  out.push(MATRIX_LEGEND);
  out.push('');
  out.push('Stage 1');
  for (const d of r.decisions.filter((x) => x.round === 0)) out.push(decisionLine(d));
  const init = r.initial;
  out.push(
    indent(
      renderMatrix(
        matrixOf(
          init.executionMatrix,
          init.utPool.map((u) => u.valid),
        ),
        { trusted: init.utPool.map((u) => u.origin === 'trusted') },
      ),
    ),
  );
  for (const round of r.rounds) {
    out.push('');
    out.push(`Stage 2, round ${round.round}${round.changed ? '' : ' (nothing changed)'}`);
    out.push(...decisionLines(round.decisions.filter((x) => x.action !== 'skipped')));
    const skipped = round.decisions.filter((x) => x.action === 'skipped');
    if (skipped.length) out.push(`  (skipped: ${skipped.map((d) => `${d.step}: ${d.reason}`).join('; ')})`);
    out.push(indent(renderMatrix(matrixOf(round.after.M, round.after.valid))));
  }
  for (const d of r.decisions.filter((x) => x.step === 'early stop')) out.push(decisionLine(d));
  out.push('');
  out.push(`Stage 2 ended: ${r.stopReason}`);
  out.push('');
  out.push('Stage 3');
  for (const d of r.decisions.filter((x) => x.round > p.maxRounds)) out.push(decisionLine(d));
  if (r.clusters.length)
    out.push(
      `  clusters: ${r.clusters.map((c) => `{${c.members.join(', ')}} agreements ${c.agreements}`).join('; ')}`,
    );
  out.push('');
  if (r.selected) {
    const c = r.codePool[r.selected.index];
    out.push(
      `Pick: code ${r.selected.index} (pCode ${r.selected.pCode}, origin ${c.origin}${c.round ? ` in round ${c.round}` : ''})`,
    );
    if (opts.showCode) out.push(indent(r.selected.code.replace(/\s+$/, '')));
  } else out.push('Pick: none');
  const b = r.baselines;
  const fmt = (name: string, x: typeof b.first) =>
    x
      ? `${name} code ${x.index}${x.tied.length > 1 ? ` (tied with ${x.tied.length - 1} more)` : ''}`
      : `${name} none`;
  out.push(
    `Baselines on the stage-1 matrix: ${[fmt('first', b.first), fmt('pass-count', b.passCount), fmt('CodeT', b.codet), fmt('MBR-exec', b.mbr)].join(', ')}`,
  );
  if (r.degraded.length) out.push(`Degraded: ${r.degraded.join('; ')}`);
  out.push(
    `Cost: ${r.requests} requests, ${r.tokens} tokens ` +
      `(stage 1 ${r.usage.byStage.stage1.requests}, stage 2 ${r.usage.byStage.stage2.requests}, stage 3 ${r.usage.byStage.stage3.requests} requests); ` +
      `${r.cellsExecuted} cells executed in ${Math.round(r.execMs)} ms; wall ${Math.round(r.wallMs)} ms, critical path ${Math.round(r.criticalPathMs)} ms` +
      (r.criticalPathMs > 0 ? ` (ratio ${(r.wallMs / r.criticalPathMs).toFixed(2)})` : ''),
  );
  return out.join('\n');
}
