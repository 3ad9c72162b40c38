import { describe, expect, it } from 'vitest';
import { cleanText, mergeMemos, needsCleaning } from './text.js';

// The scan replaced this regex on the hot path; it must keep giving the same answers.
// eslint-disable-next-line no-control-regex
const REFERENCE = /[\u0000-\u001f\u007f]|\s\s|^\s|\s$/;

describe('memo texts', () => {
  it('detects text to clean exactly like the regex it replaced', () => {
    const alphabet = [
      'a',
      'Z',
      '-',
      ' ',
      '\t',
      '\n',
      '\r',
      '\u000b',
      '\u000c',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u0080',
      '\u00a0',
      '\u1680',
      '\u2000',
      '\u200a',
      '\u200b',
      '\u2028',
      '\u2029',
      '\u202f',
      '\u205f',
      '\u3000',
      '\ufeff',
      'é',
      '…',
      '\ud83d',
      '\ude00',
    ];
    const samples = ['', ' ', 'a', 'a ', ' a', 'a  b', 'a b', 'Meals - Some Vendor Inc.', 'x\u00a0 y', 'x\u3000'];
    let seed = 7;
    for (let i = 0; i < 20000; i++) {
      let text = '';
      const length = i % 9;
      for (let k = 0; k < length; k++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        text += alphabet[seed % alphabet.length];
      }
      samples.push(text);
    }
    for (const text of samples) expect([text, needsCleaning(text)]).toEqual([text, REFERENCE.test(text)]);
  });

  it('cleans and cuts memos', () => {
    expect(cleanText('  Taxi \u0000 ride\u00a0 ', 100)).toBe('Taxi ride');
    expect(cleanText('Meals - Some Vendor Inc.', 100)).toBe('Meals - Some Vendor Inc.');
    expect(cleanText('abcdefghij', 5)).toBe('abcd…');
  });

  it('merges memos: distinct ones joined, one repeated memo kept once', () => {
    expect(mergeMemos(['Taxi'])).toBe('Taxi');
    expect(mergeMemos(['Taxi', 'Taxi', 'Taxi'])).toBe('Taxi');
    expect(mergeMemos(['', '', ''])).toBe('');
    expect(mergeMemos(['Taxi', '', 'Hotel', 'Taxi'])).toBe('Taxi; Hotel');
    expect(mergeMemos([])).toBe('');
    expect(mergeMemos(['x'.repeat(80), 'x'.repeat(80)])).toBe('x'.repeat(80));
    expect(mergeMemos(['x'.repeat(80), 'y'.repeat(80)])).toBe(`${'x'.repeat(80)}; ${'y'.repeat(17)}…`);
  });
});
