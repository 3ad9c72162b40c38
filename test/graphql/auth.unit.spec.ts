import { describe, expect, it } from 'vitest';
import { ApiTokenConfigError, authenticate, parseApiTokens } from '../../src/graphql/auth.js';

const T = 'a-long-enough-token-0001';

describe('parseApiTokens', () => {
  it('parses name:role:token entries, keeping colons inside the token', () => {
    expect(parseApiTokens(` ada:admin:${T} , vera:viewer:x:${T}`)).toEqual([
      { name: 'ada', role: 'admin', token: T },
      { name: 'vera', role: 'viewer', token: `x:${T}` },
    ]);
    expect(parseApiTokens('')).toEqual([]);
    expect(parseApiTokens(undefined)).toEqual([]);
  });

  it('names every problem by entry and name, never quoting a token', () => {
    const bad = `ada:root:${T},bob:viewer:short,,carl:viewer,ada:viewer:${T}2`;
    let message = '';
    try {
      parseApiTokens(bad);
    } catch (error) {
      expect(error).toBeInstanceOf(ApiTokenConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('entry 1 (ada): role "root" must be viewer, operator or admin');
    expect(message).toContain('entry 2 (bob): token must be at least 16 characters');
    expect(message).toContain('entry 3 is empty');
    expect(message).toContain('entry 4 must be name:role:token');
    expect(message).not.toContain(T);
    expect(message).not.toContain('short');
  });

  it('refuses a name or a token used twice', () => {
    expect(() => parseApiTokens(`ada:admin:${T},ada:viewer:${T}x`)).toThrow(/name "ada" is used twice/);
    expect(() => parseApiTokens(`ada:admin:${T},bob:viewer:${T}`)).toThrow(/same token is given to two names/);
  });
});

describe('authenticate', () => {
  const tokens = parseApiTokens(`ada:admin:${T},vera:viewer:${T}v`);
  it('maps a bearer token to its name and role', () => {
    expect(authenticate(`Bearer ${T}v`, tokens, false)).toEqual({ ok: true, principal: { name: 'vera', role: 'viewer', actor: 'user:vera' } });
    expect(authenticate(`bearer ${T}`, tokens, false)).toMatchObject({ ok: true, principal: { name: 'ada' } });
  });
  it('refuses missing, malformed and unknown tokens outside sandbox; sandbox admits only the missing one', () => {
    expect(authenticate(undefined, tokens, false)).toMatchObject({ ok: false, reason: expect.stringContaining('Authentication required') });
    expect(authenticate(`Basic abc`, tokens, false)).toMatchObject({ ok: false });
    expect(authenticate(`Bearer ${T}x`, tokens, false)).toMatchObject({ ok: false, reason: expect.stringContaining('not valid') });
    expect(authenticate(undefined, tokens, true)).toEqual({ ok: true, principal: { name: 'sandbox', role: 'admin', actor: 'user:sandbox' } });
    expect(authenticate(`Bearer ${T}x`, tokens, true)).toMatchObject({ ok: false });
  });
});
