import type { IntacctErrorCategory, PostingError } from '../../domain/document/events.js';
import type { IntacctErrorDetail } from './errors.js';

/**
 * Intacct error numbers are not specific (BL01001973 wraps dozens of problems), so the category
 * and the advice are taken from the text of description2/description. Each rule also rewrites the
 * message into what a person must change.
 */
interface Rule {
  pattern: RegExp;
  category: IntacctErrorCategory;
  /** What a person must do; `said` is Intacct's own text (description2, else description). */
  message: (m: RegExpExecArray, said: string) => string;
}

const RATE_LIMIT_MESSAGE = 'Intacct is limiting the request rate; the posting will be retried automatically.';
const AUTH_MESSAGE =
  'Intacct refused the credentials or the session: check INTACCT_SENDER_ID, INTACCT_USER_ID, their passwords and the Web Services authorization; the posting will be retried.';

const RULES: Rule[] = [
  {
    pattern: /GW-0010|rate limit|too many (concurrent )?requests/i,
    category: 'rate-limit',
    message: () => RATE_LIMIT_MESSAGE,
  },
  {
    pattern: /already (been )?(executed|processed|exists?|reversed)|duplicate|unique ?id|control ?id .*(used|processed)/i,
    category: 'duplicate',
    message: () => 'Intacct reports this posting was already sent; the connector reads it back instead of posting again.',
  },
  {
    pattern: /Department (\S+?) is restricted by (?:GL )?account (\S+?)[.,\s]/i,
    category: 'validation',
    message: (m) =>
      `Department ${m[1]} is restricted for account ${m[2]}: map this expense to a department allowed on account ${m[2]}, or lift the restriction in Intacct.`,
  },
  {
    pattern: /missing the (\w+) dimension for the Account (\S+?)[.,\s]/i,
    category: 'validation',
    message: (m) => `Account ${m[2]} requires a ${m[1]}: add a ${m[1]} mapping for the lines on account ${m[2]}.`,
  },
  {
    pattern: /Account (?:number )?(\S+?) is (?:not valid|inactive|invalid)/i,
    category: 'validation',
    message: (m) => `GL account ${m[1]} does not exist or is inactive in Intacct: correct the account mapping or activate the account.`,
  },
  {
    pattern: /(Department|Location|Project|Customer|Class|Employee|Vendor|Item) (\S+?) (?:is not valid|is invalid|does not exist|is inactive)/i,
    category: 'validation',
    message: (m) => `${m[1]} ${m[2]} does not exist or is inactive in Intacct: correct the ${m[1]!.toLowerCase()} mapping or activate it in Intacct.`,
  },
  {
    pattern: /period (?:is )?closed|closed period|must be on or after|books are closed/i,
    category: 'closed-period',
    message: (_m, said) => {
      const open = firstOpenDateIn(said);
      const date = open ? `${open} or later` : 'in an open period';
      return (
        `Intacct refused the batch date: "${said}". Reopen the period in Intacct and retry; or retry this document with a batch date ${date} ` +
        `(GraphQL retryPosting with batchDate and reason; CLI retry ID --batch-date ${open ?? 'YYYY-MM-DD'} --reason "…"); ` +
        'or set the mapping option closedPeriodPolicy to next-open-period so such documents post on the first open date by themselves.'
      );
    },
  },
  {
    pattern: /not balanced|debits? (?:do(?:es)? not )?equal|out of balance/i,
    category: 'validation',
    message: () => 'Intacct says the entry does not balance: check the mapped lines of this document.',
  },
  {
    pattern: /sign-?in|session|log ?in|invalid (?:user|password|company|sender)|not authorized|permission/i,
    category: 'auth',
    message: () => AUTH_MESSAGE,
  },
];

export interface ClassifyContext {
  /** Level the errors were found at; an authentication failure is always `auth`. */
  level: 'control' | 'authentication' | 'result' | 'http';
  httpStatus?: number | null;
}

export function classifyIntacctErrors(errors: readonly IntacctErrorDetail[], ctx: ClassifyContext): PostingError {
  const first = errors[0] ?? { errorNo: null, description: null, description2: null, correction: null };
  const base = { errorNo: first.errorNo, description: first.description, description2: first.description2, correction: first.correction };
  const status = ctx.httpStatus ?? null;
  if (status === 429 || errors.some((e) => e.errorNo === 'GW-0010')) return { ...base, category: 'rate-limit', message: RATE_LIMIT_MESSAGE };
  if (ctx.level === 'authentication') return { ...base, category: 'auth', message: AUTH_MESSAGE };
  for (const e of errors) {
    const haystack = [e.description2, e.description, e.correction].filter(Boolean).join(' ') + ' ';
    for (const rule of RULES) {
      const m = rule.pattern.exec(haystack);
      if (!m) continue;
      const said = (e.description2 || e.description || '').trim();
      const error: PostingError = { ...base, category: rule.category, message: withCorrection(rule.message(m, said), e.correction) };
      if (rule.category === 'closed-period') error.firstOpenDate = firstOpenDateIn(haystack);
      return error;
    }
  }
  if (status !== null && status >= 500) {
    return { ...base, category: 'transient', message: `Intacct answered HTTP ${status}; the posting will be retried automatically.` };
  }
  // A business-logic error we cannot read needs a person; anything else is retried.
  const isBusiness = errors.some((e) => /^BL|^PL|^DL/i.test(e.errorNo ?? ''));
  const text = [first.description2, first.description].filter(Boolean).join(' ') || 'no details';
  return isBusiness
    ? { ...base, category: 'validation', message: withCorrection(`Intacct rejected the entry: ${text}.`, first.correction) }
    : { ...base, category: 'transient', message: `Intacct error ${first.errorNo ?? ''}: ${text}; the posting will be retried automatically.` };
}

/**
 * The first date Intacct accepts, from its closed-period text ("Date must be on or after 12/01/2026";
 * company date formats vary, so dd.mm.yyyy-style and ISO dates are read too), as YYYY-MM-DD.
 */
export function firstOpenDateIn(text: string): string | null {
  const m = /on or after\s+(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})/i.exec(text);
  if (!m) return null;
  const [a, b, c] = [m[1]!, m[2]!, m[3]!];
  const [y, mo, d] = a.length === 4 ? [a, b, c] : m[0].includes('.') ? [c, b, a] : [c, a, b];
  const iso = `${y.padStart(4, '0')}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const day = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== iso ? null : iso;
}

function withCorrection(message: string, correction: string | null): string {
  return correction ? `${message} (Intacct suggests: ${correction})` : message;
}

/** A failure without any Intacct error text (network, unreadable answer, uncertain outcome). */
export function transientError(message: string): PostingError {
  return { category: 'transient', errorNo: null, description: null, description2: null, correction: null, message };
}
