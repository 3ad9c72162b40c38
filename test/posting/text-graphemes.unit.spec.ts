import { seededRandom as random } from '../../src/adapters/intacct/simulator/faults.js';
import { describe, expect, it } from 'vitest';
import { LINE_MEMO_MAX, serializeGlBatch, trimText } from '../../src/adapters/intacct/glbatch-serializer.js';
import { parseXmlDocument } from '../../src/adapters/intacct/xml/response-parser.js';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import {
  batchTitle,
  cleanText,
  cutAtGrapheme,
  expenseMemo,
  fitBatchTitle,
  isWellFormed,
  MEMO_MAX,
  mergeMemos,
  oneLine,
  TITLE_MAX,
  toWellFormed,
} from '../../src/domain/posting/text.js';
import { el, escapeXml } from '../../src/adapters/intacct/xml/xml-builder.js';
import { wellFormedJson } from '../../src/domain/unicode.js';
import { expenseEntry } from '../intacct/journal-fixtures.js';
import { demoCheck, demoMappings, OPTIONS } from './fixtures.js';

/**
 * Every text with a length limit (BATCH_TITLE, line memos, GLENTRY DESCRIPTION) is counted in
 * characters = Unicode code points (our assumption of how Intacct counts, README "Field lengths") and
 * cut only between grapheme clusters; whatever comes in, what goes out is well-formed UTF-16.
 */
const length = (text: string): number => [...text].length;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const clusters = (text: string): string[] => [...segmenter.segment(text)].map((s) => s.segment);

/** `prefix` is a run of whole grapheme clusters at the start of `of`. */
function isGraphemePrefix(prefix: string, of: string): boolean {
  let built = '';
  for (const s of clusters(of)) {
    if (built === prefix) return true;
    built += s;
  }
  return built === prefix;
}

/** The part a cut kept: the text without the "…" the cut added. */
const keptPart = (result: string, clean: string): string => (result === clean ? result : result.endsWith('…') ? result.slice(0, -1) : result);

/**
 * `out` is the input as it was (a text that fits and needs no cleaning is passed through), or whole
 * clusters of the cleaned input (`oneLine`), followed by "…" when cut.
 */
const isWholeClustersOf = (out: string, input: string): boolean => out === input || isGraphemePrefix(keptPart(out, oneLine(input)), oneLine(input));

const FAMILY = '👨‍👩‍👧‍👦'; // 7 code points, 11 UTF-16 units, one cluster
const THUMB_DARK = '👍🏿'; // skin-tone modifier
const FLAG_NO = '🇳🇴'; // two regional indicators
const RAINBOW_FLAG = '🏳️‍🌈'; // with VS16 and ZWJ
const KEYCAP = '1️⃣';
const E_ACUTE = 'e\u0301'; // base + combining acute
const ZALGO = 'a\u0300\u0301\u0302\u0303\u0304';
const HANGUL_JAMO = '\u1100\u1161\u11a8'; // one syllable from conjoining jamo
const ARABIC_PREPEND_SPACE = '\u0600 '; // Prepend + space: one cluster

describe('texts for Intacct are cut by character, between grapheme clusters', () => {
  it('a memo counts characters, not UTF-16 units: 60 astral letters fit in 100', () => {
    const astral = '𝒜'.repeat(60); // 120 UTF-16 units, 60 characters
    expect(cleanText(astral, MEMO_MAX)).toBe(astral);
    expect(trimText(astral, LINE_MEMO_MAX)).toBe(astral);
  });

  it('a memo is never cut inside a surrogate pair, an emoji sequence or before a combining mark', () => {
    // 'x' * 98 then a surrogate pair: cutting at 99 UTF-16 units used to leave a lone high surrogate.
    const pair = `${'x'.repeat(98)}😀😀😀`;
    const out = cleanText(pair, MEMO_MAX);
    expect(LONE.test(out)).toBe(false);
    expect(length(out)).toBeLessThanOrEqual(MEMO_MAX);
    expect(out).toBe(`${'x'.repeat(98)}😀…`);

    const accents = `${'x'.repeat(98)}${E_ACUTE}tail`;
    expect(cleanText(accents, MEMO_MAX)).toBe(`${'x'.repeat(98)}…`);
    expect(trimText(accents, LINE_MEMO_MAX)).toBe(`${'x'.repeat(98)}…`);

    const family = `${'x'.repeat(95)}${FAMILY}tail`;
    expect(trimText(family, LINE_MEMO_MAX)).toBe(`${'x'.repeat(95)}…`);
    expect(cleanText(family, MEMO_MAX)).toBe(`${'x'.repeat(95)}…`);

    const skin = `${'x'.repeat(98)}${THUMB_DARK}tail`;
    expect(trimText(skin, LINE_MEMO_MAX)).toBe(`${'x'.repeat(98)}…`);
    const flag = `${'x'.repeat(98)}${FLAG_NO}tail`;
    expect(trimText(flag, LINE_MEMO_MAX)).toBe(`${'x'.repeat(98)}…`);
  });

  it('the space dropped before "…" is a whole cluster: a prepended mark keeps the space it holds', () => {
    const text = `${'x'.repeat(97)}${ARABIC_PREPEND_SPACE}tail and more`;
    const out = cleanText(text, MEMO_MAX);
    expect(out).toBe(`${'x'.repeat(97)}${ARABIC_PREPEND_SPACE}…`);
    expect(cleanText(`${'x'.repeat(97)} y tail and more`, MEMO_MAX)).toBe(`${'x'.repeat(97)} y…`);
    expect(cleanText(`${'x'.repeat(98)} tail and more`, MEMO_MAX)).toBe(`${'x'.repeat(98)}…`);
  });

  it('a lone surrogate in the input becomes U+FFFD; well-formed input is left as it is', () => {
    expect(toWellFormed('a\ud83db')).toBe('a\ufffdb');
    expect(toWellFormed('a\ude00b\ud83d')).toBe('a\ufffdb\ufffd');
    expect(toWellFormed('a😀b')).toBe('a😀b');
    expect(isWellFormed('a😀b')).toBe(true);
    expect(isWellFormed('\ud83d')).toBe(false);
    expect(cleanText('Taxi \ud83d', MEMO_MAX)).toBe('Taxi \ufffd');
    expect(batchTitle('Trip \ude00', 'R1')).toBe('Trip \ufffd (R1)');
    expect(fitBatchTitle('Trip \ud83d (R1)')).toBe('Trip \ufffd (R1)');
    const xml = serializeGlBatch(expenseEntry('W1', [100], { batchTitle: 'Trip \ud83d (R1)' })).xml;
    expect(LONE.test(xml)).toBe(false);
  });

  it('the XML builder never writes a lone surrogate (employee and vendor names go through it too)', () => {
    const xml = el('CONTACT', [el('CONTACTNAME', 'Ana \ud83d'), el('PRINTAS', 'x\ude00 & 😀')]).xml;
    expect(xml).toBe('<CONTACT><CONTACTNAME>Ana \ufffd</CONTACTNAME><PRINTAS>x\ufffd &amp; 😀</PRINTAS></CONTACT>');
    expect(escapeXml('👨‍👩‍👧‍👦 <ok>')).toBe('👨‍👩‍👧‍👦 &lt;ok&gt;');
  });

  it('a value quoted in a document error is cut between grapheme clusters and well-formed', () => {
    const value = `${'x'.repeat(39)}${FAMILY}${'😀'.repeat(20)}\ud83d`;
    let message = '';
    try {
      parseFisDocument({
        id: 'doc-q',
        docType: 'expense',
        document: { employee: { employeeId: 'E1' }, report: { reportId: 'R', reportName: 'n', employeeCurrencyAlphaCode: 'USD' }, expenseEntry: value },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`"${'x'.repeat(39)}…"`);
    expect(isWellFormed(message)).toBe(true);
  });

  it('GraphQL answers are serialized well-formed: lone surrogates become U+FFFD, pairs and literal text stay', () => {
    const value = { a: 'x\ud83dy', b: ['😀', '\ude00'], c: 'literal \\ud83d text', d: 1 };
    const json = wellFormedJson(value);
    expect(JSON.parse(json)).toEqual({ a: 'x\ufffdy', b: ['😀', '\ufffd'], c: 'literal \\ud83d text', d: 1 });
    expect(wellFormedJson({ ok: 'plain' })).toBe(JSON.stringify({ ok: 'plain' }));
  });

  it('a document read from Concur JSON with lone surrogates yields well-formed names and memos', () => {
    const reportId = 'R-LONE-1';
    // The way Concur's JSON would carry them: escapes that JSON.parse turns into lone surrogates.
    const json = `{"id":"doc-lone-1","docType":"expense","document":{"employee":{"employeeId":"E1","employeeFirstName":"Ana","employeeLastName":"Lopez"},"report":{"reportId":"${reportId}","reportName":"Trip \\ud83d to Oslo ${'🇳🇴'.repeat(40)}","employeeCurrencyAlphaCode":"USD","totalApprovedAmount":25.99,"reportSubmitDate":"2026-06-01T00:00:00Z"},"expenseEntry":[{"entryId":"e1","expenseTypeCode":"MEALS","expenseTypeName":"Meals \\ude00","entryVendorDescription":"${'Café '.repeat(5)}${FAMILY.repeat(12)}","entryApprovedAmount":25.99,"allocation":[{"allocationId":"a1","allocationPercentage":100,"journal":[{"journalAccountCode":"474230","journalPayer":"COMP","journalPayee":"EMPL","amountGross":25.99}]}]}]}}`;
    const doc = parseFisDocument(JSON.parse(json));
    const result = preparePosting(doc, demoMappings(), demoCheck, OPTIONS);
    if (!result.ok) throw new Error(JSON.stringify(result));
    const { entry } = result;
    expect(LONE.test(entry.batchTitle)).toBe(false);
    expect(length(entry.batchTitle)).toBeLessThanOrEqual(TITLE_MAX);
    expect(entry.batchTitle.endsWith(`… (${reportId})`)).toBe(true);
    for (const line of entry.lines) {
      expect(LONE.test(line.memo)).toBe(false);
      expect(length(line.memo)).toBeLessThanOrEqual(MEMO_MAX);
    }
    expect(LONE.test(JSON.stringify(entry))).toBe(false);
    expect(JSON.stringify(entry)).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
  });
});

const PIECES = [
  'a',
  'Z',
  '7',
  ' ',
  '  ',
  '-',
  '(',
  ')',
  'é',
  E_ACUTE,
  ZALGO,
  '\u0301',
  '\u200d',
  '\ufe0f',
  '東',
  '京',
  '株式会社',
  '한',
  HANGUL_JAMO,
  '𝒜',
  '𠀋',
  '😀',
  FAMILY,
  THUMB_DARK,
  '🏿',
  FLAG_NO,
  '🇫',
  '🇷',
  RAINBOW_FLAG,
  KEYCAP,
  '\u0600',
  ARABIC_PREPEND_SPACE,
  'ก\u0e33',
  '\t',
  '\n',
  '\u0000',
  '\u00a0',
  '\u3000',
  '\ud83d',
  '\ude00',
];

function randomText(next: () => number, maxPieces: number): string {
  const n = Math.floor(next() * maxPieces);
  let text = '';
  for (let i = 0; i < n; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

describe('property: random emoji, combining marks, CJK and broken surrogates', () => {
  it('cleanText / trimText: well-formed, whole clusters of the cleaned input, never over the limit', () => {
    const next = random(20261203);
    for (let i = 0; i < 3000; i++) {
      const input = randomText(next, 90);
      const max = 1 + Math.floor(next() * 120);
      const clean = oneLine(input);
      for (const out of [cleanText(input, max), trimText(input, max)]) {
        const context = JSON.stringify({ input, max, out });
        expect(isWellFormed(out), context).toBe(true);
        expect(LONE.test(out), context).toBe(false);
        expect(length(out), context).toBeLessThanOrEqual(max);
        expect(isWholeClustersOf(out, input), context).toBe(true);
        if (length(clean) <= max) expect(out === clean || out === input, context).toBe(true);
      }
    }
  });

  it('cutAtGrapheme (with its ASCII shortcut) cuts exactly where segmenting the whole text would', () => {
    const reference = (text: string, max: number, trimEnd: boolean): string => {
      const kept: string[] = [];
      let used = 0;
      for (const c of clusters(text)) {
        if (used + length(c) > max) break;
        kept.push(c);
        used += length(c);
      }
      if (trimEnd) while (kept.length > 0 && /^\s+$/.test(kept.at(-1)!)) kept.pop();
      return kept.join('');
    };
    const next = random(4242);
    const ascii = ['a', 'b', ' ', '  ', '-', '.', 'Z'];
    for (let i = 0; i < 4000; i++) {
      // Mostly ASCII with a few other pieces, so that the shortcut and its fallbacks both run.
      let text = '';
      const n = Math.floor(next() * 40);
      for (let k = 0; k < n; k++) text += next() < 0.8 ? ascii[Math.floor(next() * ascii.length)] : PIECES[Math.floor(next() * PIECES.length)];
      const max = Math.floor(next() * 45);
      for (const trimEnd of [false, true])
        expect(cutAtGrapheme(text, max, trimEnd), JSON.stringify({ text, max, trimEnd })).toBe(reference(text, max, trimEnd));
    }
  });

  it('batchTitle / fitBatchTitle / the serialized GLBATCH: the same, and the id kept whole', () => {
    const next = random(7);
    for (let i = 0; i < 1500; i++) {
      const name = randomText(next, 60);
      const id = `R-${Math.floor(next() * 1e6)}`;
      const title = batchTitle(name, id);
      const context = JSON.stringify({ name, id, title });
      expect(isWellFormed(title), context).toBe(true);
      expect(length(title), context).toBeLessThanOrEqual(TITLE_MAX);
      expect(title === id || title.endsWith(` (${id})`), context).toBe(true);
      const namePart = title === id ? '' : title.slice(0, -` (${id})`.length);
      expect(isGraphemePrefix(keptPart(namePart, oneLine(name)), oneLine(name)), context).toBe(true);
      expect(fitBatchTitle(title), context).toBe(title);

      const memo = mergeMemos([expenseMemo(randomText(next, 20), randomText(next, 60)), cleanText(randomText(next, 80), MEMO_MAX)]);
      expect(isWellFormed(memo)).toBe(true);
      expect(length(memo)).toBeLessThanOrEqual(MEMO_MAX);
      const xml = serializeGlBatch(expenseEntry(`P${i}`, [100], { batchTitle: title })).xml;
      expect(LONE.test(xml), context).toBe(false);
      const parsed = parseXmlDocument(xml) as { create: { GLBATCH: { BATCH_TITLE: string } } };
      expect(parsed.create.GLBATCH.BATCH_TITLE, context).toBe(title);
    }
  });

  it('the GLENTRY DESCRIPTION of random memos stays within LINE_MEMO_MAX, whole clusters, well-formed', () => {
    const next = random(99);
    for (let i = 0; i < 500; i++) {
      const memo = randomText(next, 150);
      const entry = expenseEntry(`D${i}`, [100]);
      const withMemo = { ...entry, lines: entry.lines.map((l) => ({ ...l, memo })) };
      const xml = serializeGlBatch(withMemo).xml;
      expect(LONE.test(xml)).toBe(false);
      const expected = trimText(memo, LINE_MEMO_MAX);
      expect(length(expected)).toBeLessThanOrEqual(LINE_MEMO_MAX);
      expect(isWholeClustersOf(expected, memo), JSON.stringify({ memo, expected })).toBe(true);
    }
  });
});
