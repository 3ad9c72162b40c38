/**
 * Strings that are also names of Object.prototype members (or special to property assignment): a
 * code like these must map, or be a mapping gap, like any other code. Tests draw from these and from
 * ordinary codes with the simulators' seeded generator, so a failing run can be reproduced.
 */
export const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
] as const;

export const ORDINARY_CODES = ['474230', '21-KING', 'E1017', 'DEVAT', 'x'] as const;

export const CODE_NAMES: readonly string[] = [...PROTOTYPE_NAMES, ...ORDINARY_CODES];

export const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
