import { parseArgs } from 'node:util';
import { ConnectorError } from '../domain/errors.js';

/** A mistake in the command line: printed as one line, exit code 1. */
export class UsageError extends ConnectorError {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** Then the usage text follows the error. */
    readonly unknownCommand = false,
  ) {
    super(message);
  }
}

export type SyncKind = 'employees' | 'vendors' | 'dimensions';
export const SYNC_KINDS: readonly SyncKind[] = ['employees', 'vendors', 'dimensions'];

export type CliCommand =
  | { name: 'help' }
  | { name: 'ping' }
  | { name: 'backfill'; from: string; to: string; dryRun: boolean }
  | { name: 'replay'; projection: string | null }
  | { name: 'sync'; kinds: SyncKind[]; full: boolean }
  | { name: 'mappings-import'; file: string; reason: string | null; replace: boolean; dryRun: boolean; force: boolean }
  | { name: 'mappings-export'; out: string | null }
  | { name: 'retry'; id: string; batchDate: string | null; reason: string | null }
  | { name: 'list'; status: string[]; text: string | null; limit: number }
  | { name: 'show'; id: string }
  | { name: 'report'; from: string; to: string; csv: boolean };

/** Document statuses `list --status` accepts (the GraphQL DocumentStatus names). */
export const LIST_STATUSES = [
  'RECEIVED',
  'FETCHED',
  'AWAITING_MAPPING',
  'READY',
  'POSTING',
  'POSTED',
  'FAILED',
  'REJECTED',
  'CONFIRMED',
  'SUPERSEDED',
  'REVERSED',
] as const;

/** A real calendar day: 2026-02-30 looks like a date but Concur would reject it (or worse, roll it over). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

function parse(command: string, args: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    // parseArgs says e.g. "Unknown option '--form'"; add which command and where to look.
    throw new UsageError(`${command}: ${(error as Error).message.replace(/\. To specify a positional argument.*$/, '')}. See \`npm run cli -- help\``);
  }
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length) throw new UsageError(`${command} takes no argument "${positionals[0]}". See \`npm run cli -- help\``);
}

export function parseCommand(argv: readonly string[]): CliCommand {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { name: 'help' };
    case 'ping': {
      noPositionals('ping', parse('ping', rest, {}).positionals);
      return { name: 'ping' };
    }
    case 'backfill': {
      const { values, positionals } = parse('backfill', rest, { from: { type: 'string' }, to: { type: 'string' }, 'dry-run': { type: 'boolean' } });
      noPositionals('backfill', positionals);
      const from = values['from'] as string | undefined;
      const to = values['to'] as string | undefined;
      if (from === undefined || to === undefined)
        throw new UsageError('backfill needs --from YYYY-MM-DD and --to YYYY-MM-DD, e.g. backfill --from 2026-10-01 --to 2026-10-31 --dry-run');
      if (!isCalendarDate(from)) throw new UsageError(`--from must be YYYY-MM-DD, a real day (got "${from}")`);
      if (!isCalendarDate(to)) throw new UsageError(`--to must be YYYY-MM-DD, a real day (got "${to}")`);
      if (from > to) throw new UsageError(`--from (${from}) is after --to (${to})`);
      return { name: 'backfill', from, to, dryRun: values['dry-run'] === true };
    }
    case 'replay': {
      const { values, positionals } = parse('replay', rest, { projection: { type: 'string' } });
      noPositionals('replay', positionals);
      const projection = (values['projection'] as string | undefined)?.trim();
      if (projection === '') throw new UsageError('--projection needs a name, e.g. --projection posting-state');
      return { name: 'replay', projection: projection ?? null };
    }
    case 'sync': {
      const { values, positionals } = parse('sync', rest, { full: { type: 'boolean' } });
      const kinds = positionals.map((p) => p.toLowerCase());
      const unknown = kinds.find((k) => !(SYNC_KINDS as readonly string[]).includes(k));
      if (unknown !== undefined) throw new UsageError(`sync: unknown kind "${unknown}": use ${SYNC_KINDS.join(', ')} (or nothing for all)`);
      return { name: 'sync', kinds: [...new Set(kinds)] as SyncKind[], full: values['full'] === true };
    }
    case 'mappings': {
      const [sub, ...subArgs] = rest;
      if (sub === 'export') {
        const { values, positionals } = parse('mappings export', subArgs, { out: { type: 'string' } });
        noPositionals('mappings export', positionals);
        const out = values['out'] as string | undefined;
        if (out !== undefined && out.trim() === '') throw new UsageError('--out needs a file name, e.g. mappings export --out mappings.json');
        return { name: 'mappings-export', out: out ?? null };
      }
      if (sub === 'import') {
        const { values, positionals } = parse('mappings import', subArgs, {
          reason: { type: 'string' },
          replace: { type: 'boolean' },
          'dry-run': { type: 'boolean' },
          force: { type: 'boolean' },
        });
        if (positionals.length !== 1)
          throw new UsageError('mappings import needs exactly one FILE, e.g. mappings import mappings.json --reason "quarterly update"');
        const reason = (values['reason'] as string | undefined)?.trim() || null;
        // A forced value lands in the audit trail: the person says why, no default reason stands in.
        if (values['force'] === true && reason === null)
          throw new UsageError('mappings import --force needs --reason TEXT: say why values Intacct does not have are recorded anyway');
        return {
          name: 'mappings-import',
          file: positionals[0]!,
          reason,
          replace: values['replace'] === true,
          dryRun: values['dry-run'] === true,
          force: values['force'] === true,
        };
      }
      throw new UsageError(`mappings needs "import FILE" or "export" (got ${sub === undefined ? 'nothing' : `"${sub}"`})`);
    }
    case 'retry': {
      const { values, positionals } = parse('retry', rest, { 'batch-date': { type: 'string' }, reason: { type: 'string' } });
      if (positionals.length !== 1)
        throw new UsageError('retry needs exactly one document id, e.g. retry 0c45f960c3064ed88c39 --batch-date 2026-12-01 --reason "November is closed"');
      const batchDate = (values['batch-date'] as string | undefined) ?? null;
      const reason = (values['reason'] as string | undefined)?.trim() || null;
      if (batchDate !== null && !isCalendarDate(batchDate)) throw new UsageError(`--batch-date must be YYYY-MM-DD, a real day (got "${batchDate}")`);
      if (batchDate !== null && reason === null)
        throw new UsageError('--batch-date needs --reason "…" too: the audit trail keeps why this document posts on another date');
      return { name: 'retry', id: positionals[0]!, batchDate, reason };
    }
    case 'list': {
      const { values, positionals } = parse('list', rest, { status: { type: 'string' }, text: { type: 'string' }, limit: { type: 'string' } });
      noPositionals('list', positionals);
      const status = ((values['status'] as string | undefined) ?? '')
        .split(',')
        .map((s) => s.trim().toUpperCase().replace(/-/g, '_'))
        .filter(Boolean);
      const unknown = status.find((s) => !(LIST_STATUSES as readonly string[]).includes(s));
      if (unknown !== undefined) throw new UsageError(`list: unknown status "${unknown}": use ${LIST_STATUSES.join(', ')} (several with commas)`);
      const limitText = (values['limit'] as string | undefined) ?? '50';
      const limit = Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`--limit must be a whole number from 1 to 10000 (got "${limitText}")`);
      return { name: 'list', status, text: (values['text'] as string | undefined)?.trim() || null, limit };
    }
    case 'show': {
      const { positionals } = parse('show', rest, {});
      if (positionals.length !== 1)
        throw new UsageError('show needs exactly one document id (Concur document id, posting key or stream id), e.g. show 0c45f960c3064ed88c39');
      return { name: 'show', id: positionals[0]! };
    }
    case 'report': {
      const { values, positionals } = parse('report', rest, { from: { type: 'string' }, to: { type: 'string' }, csv: { type: 'boolean' } });
      noPositionals('report', positionals);
      const from = values['from'] as string | undefined;
      const to = values['to'] as string | undefined;
      if (from === undefined || to === undefined)
        throw new UsageError('report needs --from YYYY-MM-DD and --to YYYY-MM-DD (GL batch dates), e.g. report --from 2026-11-01 --to 2026-11-30 --csv');
      if (!isCalendarDate(from)) throw new UsageError(`--from must be YYYY-MM-DD, a real day (got "${from}")`);
      if (!isCalendarDate(to)) throw new UsageError(`--to must be YYYY-MM-DD, a real day (got "${to}")`);
      if (from > to) throw new UsageError(`--from (${from}) is after --to (${to})`);
      return { name: 'report', from, to, csv: values['csv'] === true };
    }
    default:
      throw new UsageError(`Unknown command "${name}"`, true);
  }
}

export const USAGE = `ml-connector CLI: npm run cli -- <command>

  ping                                     check the Concur and Intacct credentials (no running service needed)
  backfill --from YYYY-MM-DD --to YYYY-MM-DD [--dry-run]
                                           fetch and post Concur documents approved in a date range
  replay [--projection NAME]               rebuild one read model (or all) from the event log
  sync [employees|vendors|dimensions] [--full]
                                           synchronise reference data now (all kinds when none given); only what
                                           changed since the last run, --full: every record (finds deletions)
  mappings import FILE [--replace] [--dry-run] [--force] [--reason TEXT]
                                           merge FILE (JSON) into the mapping set: sections and keys in
                                           FILE override, the rest is kept; --replace makes FILE the whole
                                           set; --dry-run prints the changes and records nothing; --force
                                           (with --reason) records values Intacct does not have
  mappings export [--out FILE]             the mapping set as JSON, on stdout (nothing else) or into FILE
  retry ID [--batch-date YYYY-MM-DD --reason TEXT]
                                           post a FAILED, REJECTED or waiting document again, evaluated with
                                           today's mappings; --batch-date posts it on that date (closed period)
  list [--status S[,S…]] [--text T] [--limit N]
                                           documents, newest first: status, report, employee, amount, RECORDNO
  show ID                                  one document: its entry, timeline and last error
  report --from YYYY-MM-DD --to YYYY-MM-DD [--csv]
                                           audit report of entries with a GL batch date in the range: totals
                                           per account and dimension, mapping changes; --csv for a spreadsheet
  help                                     this text

Every command except ping talks to the running service (npm start):
  ML_URL     service URL (default http://localhost:$PORT, PORT default 4000)
  ML_TOKEN   API token (default: the first admin token of ML_API_TOKENS; none needed in sandbox)
`;
