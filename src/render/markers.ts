// Hidden markers that let a re-run find and update what an earlier run wrote (comments, PR bodies).

/** `<!-- cosplay:KIND -->`; KIND is letters, digits and `._:/#-` (e.g. `solve`, `spec`, `gate:src/a.py#f`). */
export function commentMarker(kind: string): string {
  if (!/^[A-Za-z0-9._:/#-]+$/.test(kind) || kind.includes('--')) {
    throw new Error(
      `Invalid comment marker kind ${JSON.stringify(kind)}: use letters, digits and . _ : / # -`,
    );
  }
  return `<!-- cosplay:${kind} -->`;
}

/** True when `body` carries the marker for `kind` (on its own, not as a prefix of a longer kind). */
export function hasMarker(body: string | null | undefined, kind: string): boolean {
  return typeof body === 'string' && body.includes(commentMarker(kind));
}
