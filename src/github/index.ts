// GitHub-facing building blocks for the modes: client, permissions, pull requests, comments, labels, git,
// job summary and annotations.
export * from './client.js';
export * from './errors.js';
export * from './permissions.js';
export * from './issues.js';
export * from './labels.js';
export * from './comments.js';
export * from './pulls.js';
export * from './summary.js';
export * from './git.js';
