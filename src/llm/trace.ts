// The JSONL trace: one line per event (run start, every attempt, budget stops, run end), written
// synchronously as it happens so that the file is complete up to the last event even when the run fails
// or the process exits without closing the client. Every line passes through the redactor.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Redactor } from './redact.js';

export interface TraceWriter {
  write(event: Record<string, unknown>): void;
  close(): void;
}

export const NO_TRACE: TraceWriter = { write() {}, close() {} };

export function openTrace(path: string, redact: Redactor): TraceWriter {
  mkdirSync(dirname(path), { recursive: true });
  let fd: number | null = openSync(path, 'a');
  return {
    write(event) {
      if (fd === null) return;
      const line = redact(JSON.stringify({ time: new Date().toISOString(), ...event })) + '\n';
      try {
        writeSync(fd, line);
      } catch {
        // a trace that cannot be written must not fail the run
      }
    },
    close() {
      if (fd === null) return;
      try {
        closeSync(fd);
      } finally {
        fd = null;
      }
    },
  };
}
