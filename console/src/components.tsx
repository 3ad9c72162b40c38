import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, gql } from './api.js';
import { formatDate, formatDateTime, formatMoney } from './format.js';

export interface QueryState<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload(): Promise<void>;
}

/** Runs `load` when `key` changes; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, key: string): QueryState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const current = useRef(0);
  const run = useCallback(async () => {
    const ticket = ++current.current;
    setLoading(true);
    try {
      const result = await load();
      if (ticket === current.current) setData(result), setError(null);
    } catch (e) {
      if (ticket === current.current) setError(e as Error);
    } finally {
      if (ticket === current.current) setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  useEffect(() => {
    void run();
  }, [run]);
  return { data, error, loading, reload: run };
}

/** Marks the page as loaded (`body[data-ready]`, a performance mark): tests and the benchmark wait for it. */
export function useReady(name: string, ready: boolean, data?: unknown): void {
  useEffect(() => {
    if (!ready) return;
    document.body.dataset['ready'] = name;
    performance.mark(`ready:${name}`);
  }, [name, ready, data]);
}

export function PageTitle({ title, children }: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · ml-connector`;
  }, [title]);
  return (
    <div class="page-head">
      <h1>{title}</h1>
      {children}
    </div>
  );
}

export function ErrorMessage({ error, prefix }: { error: Error | null; prefix?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError && error.code !== 'ERROR' ? ` (${error.code})` : '';
  return (
    <p class="error" role="alert">
      {prefix ? `${prefix}: ` : ''}
      {error.message}
      {code}
    </p>
  );
}

export function Notice({ children }: { children?: ComponentChildren }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {children}
    </p>
  );
}

const STATUS_TONE: Record<string, string> = {
  POSTED: 'ok',
  CONFIRMED: 'ok',
  REJECTED: 'bad',
  FAILED: 'warn',
  AWAITING_MAPPING: 'warn',
  SUPERSEDED: 'muted',
  REVERSED: 'muted',
};

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${STATUS_TONE[status] ?? 'info'}`}>{status.replace(/_/g, ' ')}</span>;
}

export function Money({ amount, currency }: { amount: string | null | undefined; currency: string | null | undefined }) {
  return (
    <span class="num" data-amount={amount ?? ''} data-currency={currency ?? ''}>
      {formatMoney(amount, currency)}
    </span>
  );
}

export function DateTime({ iso }: { iso: string | null | undefined }) {
  return iso ? <time dateTime={iso}>{formatDateTime(iso)}</time> : <span>—</span>;
}

export function DateOnly({ day }: { day: string | null | undefined }) {
  return day ? <time dateTime={day}>{formatDate(day)}</time> : <span>—</span>;
}

/** A table that scrolls sideways on a narrow window instead of squeezing; reachable by keyboard. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export interface DimensionOption {
  id: string;
  name: string | null;
}

const optionCache = new Map<string, Promise<DimensionOption[]>>();

/** Active values of one reference kind from the Intacct cache (GraphQL `dimensions`), loaded once. */
export function activeValues(kind: string): Promise<DimensionOption[]> {
  let cached = optionCache.get(kind);
  if (!cached) {
    cached = gql<{ dimensions: Array<{ id: string; name: string | null; status: string }> }>(
      `query($k: ReferenceKind) { dimensions(kind: $k) { id name status } }`,
      { k: kind },
    ).then((r) => r.dimensions.filter((d) => d.status === 'active').map(({ id, name }) => ({ id, name })));
    cached.catch(() => optionCache.delete(kind));
    optionCache.set(kind, cached);
  }
  return cached;
}

export const forgetActiveValues = (): void => optionCache.clear();

/**
 * A text field that suggests the valid, active Intacct values of a kind as you type (a native
 * datalist: keyboard and screen reader support come with it) and says whether the value is one.
 */
export function ValuePicker(props: {
  id: string;
  label: string;
  kind: string | null;
  value: string;
  onValue(value: string, valid: boolean): void;
  required?: boolean;
}) {
  const [options, setOptions] = useState<DimensionOption[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (!props.kind) return;
    activeValues(props.kind).then(setOptions, setError);
  }, [props.kind]);
  const match = options?.find((o) => o.id === props.value.trim());
  const listId = `${props.id}-values`;
  const hintId = `${props.id}-hint`;
  const check = (value: string): boolean => !props.kind || !options || options.some((o) => o.id === value.trim());
  useEffect(() => {
    props.onValue(props.value, check(props.value));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [options]);
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        list={props.kind ? listId : undefined}
        value={props.value}
        autoComplete="off"
        required={props.required}
        aria-describedby={hintId}
        aria-invalid={props.value !== '' && !check(props.value) ? 'true' : undefined}
        onInput={(e) => {
          const value = (e.currentTarget as HTMLInputElement).value;
          props.onValue(value, check(value));
        }}
      />
      {props.kind && (
        <datalist id={listId}>
          {(options ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.name ? `${o.id} — ${o.name}` : o.id}
            </option>
          ))}
        </datalist>
      )}
      <small id={hintId} class={props.value !== '' && !check(props.value) ? 'hint hint-bad' : 'hint'}>
        {error
          ? `Could not load the ${props.kind} values: ${error.message}`
          : !props.kind
            ? 'Free text (this kind has no reference cache).'
            : options === null
              ? 'Loading valid values…'
              : match
                ? `${match.id}: ${match.name ?? '(no name)'} (active)`
                : props.value.trim() === ''
                  ? `Type to search ${options.length} active ${props.kind.toLowerCase()} values.`
                  : `"${props.value.trim()}" is not an active ${props.kind.toLowerCase()} value in Intacct.`}
      </small>
    </div>
  );
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
