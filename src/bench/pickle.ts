// A deliberately tiny unpickler: enough for LiveCodeBench's compressed test cases, which are
// base64(zlib(pickle.dumps(json.dumps(tests)))), i.e. a pickle holding ONE str (or bytes). It interprets only
// the opcodes such a pickle uses (any protocol 0-5) and refuses everything else, so it can never construct
// objects or call anything.

export class UnsupportedPickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPickleError';
  }
}

function readUInt(buf: Buffer, pos: number, bytes: 1 | 2 | 4 | 8): number {
  if (pos + bytes > buf.length) throw new UnsupportedPickleError('truncated pickle');
  if (bytes === 1) return buf.readUInt8(pos);
  if (bytes === 2) return buf.readUInt16LE(pos);
  if (bytes === 4) return buf.readUInt32LE(pos);
  const big = buf.readBigUInt64LE(pos);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new UnsupportedPickleError('pickle length too large');
  return Number(big);
}

/** Unpickles a pickle whose value is a single str (returned as is) or bytes (decoded as UTF-8). */
export function unpickleString(buf: Buffer): string {
  const stack: string[] = [];
  const memo = new Map<number, string>();
  let pos = 0;
  const take = (n: number): Buffer => {
    if (pos + n > buf.length) throw new UnsupportedPickleError('truncated pickle');
    const b = buf.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = (): string => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) throw new UnsupportedPickleError('truncated pickle');
    const s = buf.subarray(pos, end).toString('latin1');
    pos = end + 1;
    return s;
  };
  while (pos < buf.length) {
    const op = buf[pos++];
    switch (op) {
      case 0x80: // PROTO
        pos += 1;
        break;
      case 0x95: // FRAME (8-byte length; frames are transparent here)
        pos += 8;
        break;
      case 0x8c: {
        // SHORT_BINUNICODE
        const n = readUInt(buf, pos, 1);
        pos += 1;
        stack.push(take(n).toString('utf8'));
        break;
      }
      case 0x58: {
        // BINUNICODE
        const n = readUInt(buf, pos, 4);
        pos += 4;
        stack.push(take(n).toString('utf8'));
        break;
      }
      case 0x8d: {
        // BINUNICODE8
        const n = readUInt(buf, pos, 8);
        pos += 8;
        stack.push(take(n).toString('utf8'));
        break;
      }
      case 0x43: {
        // SHORT_BINBYTES
        const n = readUInt(buf, pos, 1);
        pos += 1;
        stack.push(take(n).toString('utf8'));
        break;
      }
      case 0x42: {
        // BINBYTES
        const n = readUInt(buf, pos, 4);
        pos += 4;
        stack.push(take(n).toString('utf8'));
        break;
      }
      case 0x8e: {
        // BINBYTES8
        const n = readUInt(buf, pos, 8);
        pos += 8;
        stack.push(take(n).toString('utf8'));
        break;
      }
      case 0x56: {
        // UNICODE (protocol 0): raw-unicode-escape text up to newline
        const raw = line();
        stack.push(
          raw.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a, b) =>
            String.fromCodePoint(parseInt(a ?? b, 16)),
          ),
        );
        break;
      }
      case 0x94: // MEMOIZE
        if (!stack.length) throw new UnsupportedPickleError('MEMOIZE on an empty stack');
        memo.set(memo.size, stack[stack.length - 1]);
        break;
      case 0x71: // BINPUT
        memo.set(readUInt(buf, pos, 1), stack[stack.length - 1]);
        pos += 1;
        break;
      case 0x72: // LONG_BINPUT
        memo.set(readUInt(buf, pos, 4), stack[stack.length - 1]);
        pos += 4;
        break;
      case 0x70: // PUT (protocol 0)
        memo.set(Number(line()), stack[stack.length - 1]);
        break;
      case 0x68: {
        // BINGET
        const v = memo.get(readUInt(buf, pos, 1));
        pos += 1;
        if (v === undefined) throw new UnsupportedPickleError('BINGET of an unknown memo slot');
        stack.push(v);
        break;
      }
      case 0x2e: // STOP
        if (stack.length !== 1) throw new UnsupportedPickleError('pickle does not hold exactly one string');
        return stack[0];
      default:
        throw new UnsupportedPickleError(
          `pickle opcode 0x${op.toString(16)} at byte ${pos - 1} is not supported (only a pickled str is)`,
        );
    }
  }
  throw new UnsupportedPickleError('pickle has no STOP opcode');
}
