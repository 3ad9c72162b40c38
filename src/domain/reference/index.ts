export * from './events.js';
export * from './bill-vendors.js';
