// Parsers for the commands' flags: each names its flag in the UserError it throws for a bad value.
import { UserError } from '../types.js';

/** A commander argument parser for a flag that takes a positive integer. */
export function positiveInt(flag: string): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new UserError(`${flag} must be a positive integer, not "${value}"`);
    return n;
  };
}

/** A TCP port from 0 (any free port) to 65535; no value (or an empty one) means 0. */
export function parsePort(value: string | number | undefined, flag = '--port'): number {
  if (value === undefined || value === '') return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UserError(`${flag} must be an integer from 0 to 65535, got "${value}"`);
  return n;
}
