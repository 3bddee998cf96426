// The TypeScript transpiler as ONE file of the bundle (dist/ts-transpile.cjs): sucrase's `transform`, with its
// dependencies inlined. dist/cli.js and dist/index.js never include it; src/exec/typescript.ts requires it (and the
// sandboxed harness requires it inside the sandbox) only when a TypeScript file is run.
'use strict';
module.exports = { transform: require('sucrase').transform };
