// Rendering for people and for the repository: test files, pull request bodies, comments, job summaries.
export * from './types.js';
export * from './markers.js';
export * from './testfile.js';
export * from './report.js';
