// Test reports of the repository's own test run: JUnit XML (pytest --junitxml, jest-junit, node --test
// --test-reporter=junit, vitest --reporter=junit), Jest/Vitest JSON (--json) and pytest-json-report.
import { XMLParser } from 'fast-xml-parser';

export type CaseStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface TestCaseResult {
  /** Stable identity across runs: `classname::name` (JUnit), `file::full name` (JSON reports). */
  id: string;
  name: string;
  classname?: string;
  /** The test's file as the report gives it (relative or absolute), when it does. */
  file?: string;
  line?: number;
  status: CaseStatus;
  /** One-line failure message. */
  message?: string;
  /** The failure's full text (traceback, stack). */
  details?: string;
}

export type ReportFormat = 'junit' | 'jest-json' | 'pytest-json';

export interface ParsedReport {
  format: ReportFormat;
  cases: TestCaseResult[];
}

function asArray<T>(x: T | T[] | undefined | null): T[] {
  return x === undefined || x === null ? [] : Array.isArray(x) ? x : [x];
}

function text(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number') return String(x);
  if (x && typeof x === 'object' && '#text' in (x as Record<string, unknown>))
    return String((x as Record<string, unknown>)['#text'] ?? '');
  return '';
}

function attr(node: Record<string, unknown>, name: string): string | undefined {
  const v = node[`@_${name}`];
  return v === undefined || v === null ? undefined : String(v);
}

/** Test cases of a JUnit XML document (any nesting of testsuites/testsuite). */
export function parseJUnitXml(xml: string): TestCaseResult[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => ['testsuite', 'testcase', 'failure', 'error', 'skipped'].includes(name),
  });
  const doc = parser.parse(xml) as Record<string, unknown>;
  const out: TestCaseResult[] = [];
  const visit = (node: unknown, suiteFile?: string) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const file = attr(n, 'file') ?? attr(n, 'filepath') ?? suiteFile;
    for (const tc of asArray(n.testcase as Record<string, unknown>[])) {
      if (!tc || typeof tc !== 'object') continue;
      const name = attr(tc, 'name') ?? '';
      const classname = attr(tc, 'classname');
      const failures = asArray(tc.failure as unknown[]);
      const errors = asArray(tc.error as unknown[]);
      const skipped = asArray(tc.skipped as unknown[]);
      const bad = failures[0] ?? errors[0];
      const status: CaseStatus =
        failures.length > 0
          ? 'failed'
          : errors.length > 0
            ? 'error'
            : skipped.length > 0
              ? 'skipped'
              : 'passed';
      const c: TestCaseResult = {
        id: `${classname ?? ''}::${name}`,
        name,
        status,
      };
      if (classname) c.classname = classname;
      const f = attr(tc, 'file') ?? file;
      if (f) c.file = f;
      const line = Number(attr(tc, 'line'));
      if (Number.isInteger(line) && line > 0) c.line = line;
      if (bad !== undefined) {
        const b = bad && typeof bad === 'object' ? (bad as Record<string, unknown>) : {};
        const message = attr(b, 'message') ?? attr(tc, 'failure');
        if (message) c.message = message;
        const details = text(bad).trim();
        if (details) c.details = details;
      }
      out.push(c);
    }
    for (const child of asArray(n.testsuite as unknown[])) visit(child, file);
    for (const child of asArray(n.testsuites as unknown[])) visit(child, file);
  };
  visit(doc);
  return out;
}

interface JestAssertion {
  ancestorTitles?: string[];
  title?: string;
  fullName?: string;
  status?: string;
  failureMessages?: string[];
  location?: { line?: number; column?: number } | null;
}

/** Test cases of a Jest (or Vitest) `--json` report. */
export function parseJestJson(report: { testResults?: unknown[] }): TestCaseResult[] {
  const out: TestCaseResult[] = [];
  for (const r of asArray(report.testResults as Array<Record<string, unknown>>)) {
    const file =
      typeof r.name === 'string' ? r.name : typeof r.testFilePath === 'string' ? r.testFilePath : '';
    const assertions = asArray((r.assertionResults ?? r.testResults) as JestAssertion[]);
    if (assertions.length === 0 && (r.status === 'failed' || typeof r.message === 'string') && r.message) {
      // The file failed as a whole (syntax error, failing import).
      out.push({
        id: `${file}::(file)`,
        name: '(file)',
        file,
        status: 'error',
        message: firstLine(String(r.message)),
        details: String(r.message),
      });
      continue;
    }
    for (const a of assertions) {
      const name = a.fullName ?? [...(a.ancestorTitles ?? []), a.title ?? ''].join(' ');
      const status: CaseStatus =
        a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
      const c: TestCaseResult = { id: `${file}::${name}`, name, file, status };
      const msgs = asArray(a.failureMessages).filter((m) => typeof m === 'string');
      if (msgs.length > 0) {
        c.details = msgs.join('\n');
        c.message = firstLine(msgs[0]!);
      }
      if (a.location?.line) c.line = a.location.line;
      out.push(c);
    }
  }
  return out;
}

/** Test cases of a pytest-json-report document. */
export function parsePytestJson(report: { tests?: unknown[] }): TestCaseResult[] {
  const out: TestCaseResult[] = [];
  for (const t of asArray(report.tests as Array<Record<string, any>>)) {
    const nodeid = String(t.nodeid ?? '');
    const [file, ...rest] = nodeid.split('::');
    const outcome = String(t.outcome ?? '');
    const status: CaseStatus =
      outcome === 'passed' || outcome === 'xfailed'
        ? 'passed'
        : outcome === 'failed'
          ? 'failed'
          : outcome === 'error'
            ? 'error'
            : 'skipped';
    const c: TestCaseResult = { id: nodeid, name: rest.join('::') || nodeid, status };
    if (file) c.file = file;
    if (typeof t.lineno === 'number') c.line = t.lineno + 1;
    const phase = [t.call, t.setup, t.teardown].find((p) => p && (p.outcome === 'failed' || p.longrepr)) as
      Record<string, any> | undefined;
    if (phase) {
      if (typeof phase.longrepr === 'string') c.details = phase.longrepr;
      const crash = phase.crash as { message?: string } | undefined;
      if (crash?.message) c.message = firstLine(crash.message);
    }
    out.push(c);
  }
  return out;
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  ).slice(0, 500);
}

/** Parses a report file's content, whatever its format; null when it is not a test report. */
export function parseReport(content: string): ParsedReport | null {
  const t = content.trimStart();
  if (t.startsWith('<')) {
    if (!/<testsuites?\b|<testcase\b/.test(t.slice(0, 100_000))) return null;
    try {
      return { format: 'junit', cases: parseJUnitXml(content) };
    } catch {
      return null;
    }
  }
  if (t.startsWith('{')) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(content) as Record<string, unknown>;
    } catch {
      return null;
    }
    if (Array.isArray(obj.testResults)) return { format: 'jest-json', cases: parseJestJson(obj) };
    if (Array.isArray(obj.tests) && ('summary' in obj || 'collectors' in obj || 'exitcode' in obj))
      return { format: 'pytest-json', cases: parsePytestJson(obj) };
  }
  return null;
}

/** Cases that failed or errored. */
export function failingCases(cases: TestCaseResult[]): TestCaseResult[] {
  return cases.filter((c) => c.status === 'failed' || c.status === 'error');
}
