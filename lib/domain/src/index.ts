export * from './errors.js';
export * from './canonical-json.js';
export * from './merkle.js';
export * from './primitives.js';
export * from './trust.js';
export * from './anchors.js';
export * from './events.js';
export * from './validate.js';
