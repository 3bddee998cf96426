import { describe, expect, it } from '@jest/globals';
import {
  extractCodeBlock,
  extractJson,
  fencedBlocks,
  stripSpaceOutsideStrings,
} from '../../src/llm/parse.js';

describe('extractCodeBlock', () => {
  it('takes the fenced program out of prose', () => {
    const reply = 'Here is my solution:\n```python\ndef f(x):\n    return x + 1\n```\nIt adds one.';
    expect(extractCodeBlock(reply, 'python')).toBe('def f(x):\n    return x + 1\n');
  });
  it('prefers the longest block in the task language', () => {
    const reply =
      '```python\nx = 1\n```\nthen\n```python\ndef f():\n    return 2\n```\n```bash\nls -la /very/long/path\n```';
    expect(extractCodeBlock(reply, 'python')).toBe('def f():\n    return 2\n');
  });
  it('rejects a block truncated by the token limit', () => {
    expect(extractCodeBlock('```python\ndef f(x):\n    return', 'python')).toBeNull();
  });
  it('accepts bare code without fences, rejects bare prose', () => {
    expect(extractCodeBlock('def f():\n    return 1', 'python')).toBe('def f():\n    return 1\n');
    expect(extractCodeBlock('I cannot help with that.', 'python')).toBeNull();
    expect(extractCodeBlock('', 'javascript')).toBeNull();
  });
  it('reads javascript tags and CRLF replies', () => {
    expect(extractCodeBlock('```js\r\nfunction f() { return 1; }\r\n```\r\n', 'javascript')).toBe(
      'function f() { return 1; }\n',
    );
  });
  it('ignores blocks in another language', () => {
    expect(extractCodeBlock('```javascript\nconst x = 1;\n```', 'python')).toBeNull();
  });
});

describe('extractJson', () => {
  it('reads a json fence, then any fence, then a bare object', () => {
    expect(extractJson('```json\n{"inputs": ["f(1)"]}\n```')).toEqual({ inputs: ['f(1)'] });
    expect(extractJson('```\n[1, 2]\n```')).toEqual([1, 2]);
    expect(extractJson('Sure! {"expected": "True"} hope it helps')).toEqual({ expected: 'True' });
  });
  it('skips braces inside strings and unbalanced prefixes', () => {
    expect(extractJson('oops { not json } and then {"a": "}{"}')).toEqual({ a: '}{' });
  });
  it('returns null when nothing parses', () => {
    expect(extractJson('```json\n{"a": \n```')).toBeNull();
    expect(extractJson('no json here')).toBeNull();
  });
  it('marks an unclosed fence', () => {
    expect(fencedBlocks('```json\n{"a":1}').map((b) => b.closed)).toEqual([false]);
  });
});

describe('stripSpaceOutsideStrings', () => {
  it('removes whitespace outside literals and keeps it inside, escapes included', () => {
    expect(stripSpaceOutsideStrings("f([1, 2],\n 'a b')")).toBe("f([1,2],'a b')");
    expect(stripSpaceOutsideStrings('g("x \\" y", `t u`)')).toBe('g("x \\" y",`t u`)');
  });
});
