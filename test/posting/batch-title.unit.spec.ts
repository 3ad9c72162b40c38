import { describe, expect, it } from 'vitest';
import { serializeGlBatch } from '../../src/adapters/intacct/glbatch-serializer.js';
import { parseXmlDocument } from '../../src/adapters/intacct/xml/response-parser.js';
import { reversalOf } from '../../src/domain/document/decider.js';
import { parseFisDocument } from '../../src/domain/fis/index.js';
import { preparePosting } from '../../src/domain/posting/index.js';
import { batchTitle, cutAtGrapheme, fitBatchTitle, reversalTitle, TITLE_MAX } from '../../src/domain/posting/text.js';
import { expenseEntry } from '../intacct/journal-fixtures.js';
import { demoCheck, demoMappings, OPTIONS } from './fixtures.js';

/** Length as Intacct would count characters: Unicode code points. */
const length = (text: string): number => [...text].length;
const xmlTitle = (xml: string): string => (parseXmlDocument(xml) as { create: { GLBATCH: { BATCH_TITLE: string } } }).create.GLBATCH.BATCH_TITLE;

/** Every cut is on a grapheme boundary: the cut text is a run of whole graphemes of the original. */
function isGraphemePrefix(prefix: string, of: string): boolean {
  const segments = [...new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(of)].map((s) => s.segment);
  let built = '';
  for (const s of segments) {
    if (built === prefix) return true;
    built += s;
  }
  return built === prefix;
}

describe('BATCH_TITLE: one limit, the id always whole', () => {
  it('keeps the report id of a long name and stays within the limit', () => {
    const id = 'B1041655B4CE4171BDAA';
    const title = batchTitle('Quarterly customer visits to Oslo, Lyon, Kraków and São Paulo with the whole regional sales team', id);
    expect(title.endsWith(` (${id})`)).toBe(true);
    expect(length(title)).toBeLessThanOrEqual(TITLE_MAX);
    // Only the space before the cut may be dropped.
    expect(length(title)).toBeGreaterThanOrEqual(TITLE_MAX - 1);
    expect(title).toContain('…');
    // A name that fits is left alone.
    expect(batchTitle('Trip to Berlin', 'R1')).toBe('Trip to Berlin (R1)');
    expect(batchTitle('  Trip\u0000 to\n Berlin ', 'R1')).toBe('Trip to Berlin (R1)');
    expect(batchTitle(null, 'R1')).toBe('R1');
  });

  it('never splits an emoji, a surrogate pair or a base character from its combining marks', () => {
    const id = 'R-2026-0001';
    const room = TITLE_MAX - length(` (${id})`) - 1;
    const names = [
      // Family emoji: 7 code points (with ZWJs) that are one character on screen.
      '👨‍👩‍👧‍👦'.repeat(20),
      // e + combining acute, a + combining ring: 2 code points each.
      'e\u0301a\u030a'.repeat(60),
      // Astral letters (surrogate pairs) and a flag (two regional indicators).
      `${'𝒜'.repeat(room - 1)}🇳🇴🇳🇴 and more`,
      'x'.repeat(room - 1) + 'e\u0301\u0302' + 'tail',
    ];
    for (const name of names) {
      const title = batchTitle(name, id);
      expect(title.endsWith(`… (${id})`), title).toBe(true);
      expect(length(title)).toBeLessThanOrEqual(TITLE_MAX);
      const kept = title.slice(0, -`… (${id})`.length);
      expect(isGraphemePrefix(kept, name), `${JSON.stringify(kept)} is not whole graphemes of the name`).toBe(true);
      expect(kept.length).toBeGreaterThan(0);
      // No lone surrogate survives anywhere.
      expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(title)).toBe(false);
    }
    expect(cutAtGrapheme('ab👨‍👩‍👧‍👦', 4)).toBe('ab');
    expect(cutAtGrapheme('ab👨‍👩‍👧‍👦', 9)).toBe('ab👨‍👩‍👧‍👦');
  });

  it('a long id is kept whole: the name shrinks, and goes when there is no room for it', () => {
    const longId = 'X'.repeat(70);
    const title = batchTitle('A very long report name that cannot fit beside that id', longId);
    expect(title.endsWith(` (${longId})`)).toBe(true);
    expect(length(title)).toBeLessThanOrEqual(TITLE_MAX);
    const hugeId = 'Y'.repeat(TITLE_MAX + 5);
    expect(batchTitle('Some name', hugeId)).toBe(hugeId);
    expect(batchTitle('Some name', 'Z'.repeat(TITLE_MAX - 4))).toBe('Z'.repeat(TITLE_MAX - 4));
  });

  it('the posting rules size the title, and the serialized GLBATCH carries it unchanged with the id', () => {
    const reportId = 'B1041655B4CE4171BDAA';
    const item = {
      id: 'doc-title-1',
      docType: 'expense',
      document: {
        employee: { employeeId: 'E1', employeeFirstName: 'Ana', employeeLastName: 'Lopez' },
        report: {
          reportId,
          reportName: `Réunion à Paris 🇫🇷 ${'très longue '.repeat(12)}`,
          employeeCurrencyAlphaCode: 'USD',
          totalApprovedAmount: 25.99,
          reportSubmitDate: '2026-06-01T00:00:00Z',
        },
        expenseEntry: [
          {
            entryId: 'e1',
            expenseTypeCode: 'MEALS',
            expenseTypeName: 'Meals',
            entryApprovedAmount: 25.99,
            allocation: [
              {
                allocationId: 'a1',
                allocationPercentage: 100,
                journal: [{ journalAccountCode: '474230', journalPayer: 'COMP', journalPayee: 'EMPL', amountGross: 25.99 }],
              },
            ],
          },
        ],
      },
    };
    const result = preparePosting(parseFisDocument(item), demoMappings(), demoCheck, OPTIONS);
    if (!result.ok) throw new Error(JSON.stringify(result));
    const title = result.entry.batchTitle;
    expect(length(title)).toBeLessThanOrEqual(TITLE_MAX);
    expect(title.endsWith(` (${reportId})`)).toBe(true);
    const xml = serializeGlBatch(result.entry).xml;
    expect(xmlTitle(xml)).toBe(title);
    expect(xml).toContain(`(${reportId})</BATCH_TITLE>`);
  });

  it('the serializer never cuts an id: a title sized by an earlier version (100) is refitted keeping it', () => {
    const legacy = `${'Old long name '.repeat(6).trim()} (R-LEGACY-42)`.slice(-100);
    expect(length(legacy)).toBeGreaterThan(TITLE_MAX);
    const title = xmlTitle(serializeGlBatch(expenseEntry('L1', [100], { batchTitle: legacy })).xml);
    expect(title.endsWith(' (R-LEGACY-42)')).toBe(true);
    expect(length(title)).toBeLessThanOrEqual(TITLE_MAX);
    expect(fitBatchTitle('Trip (R1)')).toBe('Trip (R1)');
    const idAlone = 'Q'.repeat(TITLE_MAX + 10);
    expect(xmlTitle(serializeGlBatch(expenseEntry('L2', [100], { batchTitle: idAlone })).xml)).toBe(idAlone);
  });

  it('a reversal title keeps the original id, whatever the length of the name', () => {
    const id = 'R-8842';
    const original = batchTitle('Conference travel '.repeat(8), id);
    const reversed = reversalTitle(original, id);
    expect(reversed.startsWith('Reversal of Conference travel')).toBe(true);
    expect(reversed.endsWith(` (${id})`)).toBe(true);
    expect(length(reversed)).toBeLessThanOrEqual(TITLE_MAX);
    expect(reversalTitle('Trip (R1)', 'R1')).toBe('Reversal of Trip (R1)');
    expect(reversalTitle('R1', 'R1')).toBe('Reversal (R1)');

    const entry = expenseEntry('9', [100], { reportId: id, batchTitle: original });
    const reversal = reversalOf(entry, 'ML-EXP-9-1-REV');
    expect(reversal.batchTitle).toBe(reversed);
    expect(xmlTitle(serializeGlBatch(reversal).xml)).toBe(reversed);
  });
});
