import { describe, expect, it, afterAll } from '@jest/globals';
import { createExecutor } from '../../src/exec/index.js';

describe('smoke', () => {
  it('runs python and js in bwrap', async () => {
    const ex = await createExecutor({ sandbox: 'bwrap', workers: 2, timeoutMs: 2000 });
    try {
      const t0 = Date.now();
      const r = await ex.run({
        language: 'python',
        kind: 'stdio',
        codes: ['print(int(input())*2)', 'print(1)'],
        tests: [
          { input: '2\n', expected: '4' },
          { input: '3', expected: '6' },
        ],
      });
      console.log(JSON.stringify(r), Date.now() - t0);
      const r2 = await ex.run({
        language: 'python',
        kind: 'function',
        codes: ['def f(x):\n  return x*2', 'c=0\ndef f(x):\n  global c\n  c+=1\n  return c'],
        tests: [{ call: 'f(2)', expected: '4' }, { call: 'f(1)', expected: '1' }, { call: 'f(1)' }],
      });
      console.log(JSON.stringify(r2));
      const r3 = await ex.run({
        language: 'javascript',
        kind: 'function',
        entryPoint: 'f',
        codes: ['export function f(x){return x*2}', 'let c=0; module.exports = (x) => ++c'],
        tests: [
          { call: 'f(2)', expected: '4' },
          { call: 'f(1)', expected: '1' },
        ],
      });
      console.log(JSON.stringify(r3));
      const r4 = await ex.run({
        language: 'javascript',
        kind: 'stdio',
        codes: [
          'console.log(require("fs").readFileSync(0,"utf8").trim().split(" ").map(Number).reduce((a,b)=>a+b))',
        ],
        tests: [
          { input: '1 2', expected: '3' },
          { input: '5 5', expected: '11' },
        ],
      });
      console.log(JSON.stringify(r4));
    } finally {
      await ex.close();
    }
  });
});
