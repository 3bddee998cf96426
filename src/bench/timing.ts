// Where a benchmark task's time goes. Every millisecond of a task (from the start of its selection to the end
// of its grading) goes to exactly one phase: the highest-priority phase active at that moment (the method
// overlaps LLM calls with executions, so phases can be active at once), else `other`. Summed over tasks, the
// phases add up to the tasks' total time.

/** Phases in priority order (the first active one takes the time). */
export const PHASES = ['exec', 'grade', 'llm', 'stage3'] as const;
export type Phase = (typeof PHASES)[number];

/** Milliseconds per phase, summed over tasks; `other` is the rest of the tasks' time. */
export interface Timing {
  /** Executing cells for the selection (the method's matrices, stage 3's inputs, same-samples CodeT). */
  execMs: number;
  /** Grading against the ground truth (codes' correctness, UT correctness). */
  gradeMs: number;
  /** Waiting for the LLM (the replay model). */
  llmMs: number;
  /** Stage 3's own work (clustering), outside its executions and LLM calls. */
  stage3Ms: number;
  /** Everything else (the method's bookkeeping, scoring, traces, queues). */
  otherMs: number;
  /** Sum of the tasks' times (= the sum of the phases above). */
  taskMs: number;
}

export function emptyTiming(): Timing {
  return { execMs: 0, gradeMs: 0, llmMs: 0, stage3Ms: 0, otherMs: 0, taskMs: 0 };
}

export function addTiming(into: Timing, t: Timing): Timing {
  for (const k of Object.keys(into) as Array<keyof Timing>) into[k] += t[k] ?? 0;
  return into;
}

/** One task's clock. `enter` returns the function that leaves the phase (call it exactly once). */
export class PhaseClock {
  private readonly active: Record<Phase, number> = { exec: 0, grade: 0, llm: 0, stage3: 0 };
  private readonly spent: Record<Phase | 'other', number> = {
    exec: 0,
    grade: 0,
    llm: 0,
    stage3: 0,
    other: 0,
  };
  private last: number;
  private readonly start: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.start = this.last = now();
  }

  private settle(): void {
    const t = this.now();
    const top = PHASES.find((p) => this.active[p] > 0) ?? 'other';
    this.spent[top] += Math.max(0, t - this.last);
    this.last = t;
  }

  enter(phase: Phase): () => void {
    this.settle();
    this.active[phase]++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.settle();
      this.active[phase]--;
    };
  }

  /** Times `work` as `phase`. */
  async time<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
    const leave = this.enter(phase);
    try {
      return await work();
    } finally {
      leave();
    }
  }

  /** The phases so far, rounded to whole milliseconds. */
  timing(): Timing {
    this.settle();
    const r = (x: number) => Math.round(x);
    const t = {
      execMs: r(this.spent.exec),
      gradeMs: r(this.spent.grade),
      llmMs: r(this.spent.llm),
      stage3Ms: r(this.spent.stage3),
      otherMs: r(this.spent.other),
      taskMs: 0,
    };
    t.taskMs = t.execMs + t.gradeMs + t.llmMs + t.stage3Ms + t.otherMs;
    return t;
  }
}

const share = (x: number, total: number) => (total > 0 ? `${((100 * x) / total).toFixed(1)} %` : '-');

/** The breakdown as printed at the end of a run. */
export function formatTiming(t: Timing, wallMs: number): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`.padStart(10);
  const rows: Array<[string, number]> = [
    ['executing cells', t.execMs],
    ['grading (ground truth)', t.gradeMs],
    ['replay model / LLM', t.llmMs],
    ['stage 3 (own work)', t.stage3Ms],
    ['everything else', t.otherMs],
  ];
  return [
    `time summed over tasks (${(t.taskMs / 1000).toFixed(1)} s in ${(wallMs / 1000).toFixed(1)} s of wall time):`,
    ...rows.map(([k, v]) => `  ${k.padEnd(26)}${s(v)}  ${share(v, t.taskMs).padStart(7)}`),
  ];
}
