export * from './model.js';
export * from './events.js';
export * from './validate.js';
export * from './evolve.js';
export * from './json.js';
export * from './diff.js';
export * from './value-check.js';
export * from './decide.js';
