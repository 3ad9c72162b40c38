import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ConcurMaintenanceError, ConcurReconnectRequiredError } from '../../src/adapters/concur/oauth/errors.js';
import { ConcurTokenManager } from '../../src/adapters/concur/oauth/token-manager.js';
import { EncryptedFileCredentialStore, SecretBox } from '../../src/adapters/concur/secrets.js';
import { FIS_DIR } from '../fixtures/concur/index.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(async () => h?.close());

describe('Concur token manager against the simulator', () => {
  it('persists the rotated refresh token encrypted and uses it after a restart', async () => {
    h = await startHarness();
    const first = await h.tokens.getAccessToken();
    expect(first.geolocation).toBe(h.sim.url);
    const stored = await new EncryptedFileCredentialStore(h.tokenFile, new SecretBox('test-secret-key-material-0123456789abcdef')).load();
    expect(stored!.refreshToken).toMatch(/^sim-rt-/);
    const raw = await readFile(h.tokenFile, 'utf8');
    expect(raw).not.toContain(stored!.refreshToken);
    // The seed token was consumed by the rotation: a restart that used it would get code 108.
    const restarted = h.newTokenManager();
    const second = await restarted.getAccessToken();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(restarted.status().state).toBe('connected');
    const rotated = await new EncryptedFileCredentialStore(h.tokenFile, new SecretBox('test-secret-key-material-0123456789abcdef')).load();
    expect(rotated!.refreshToken).not.toBe(stored!.refreshToken);
    // A wrong key cannot read the file (and says what to do).
    await expect(new EncryptedFileCredentialStore(h.tokenFile, new SecretBox('another-key-material-0123456789abcdefgh')).load()).rejects.toThrow(
      /ML_SECRET_KEY/,
    );
  });

  it('picks up a refresh token rotated by another process sharing the data dir (no consumed token reused)', async () => {
    h = await startHarness();
    const service = h.tokens;
    await service.getAccessToken();
    // `cli ping` (another process, same ML_DATA_DIR) refreshes and rotates the token meanwhile.
    const ping = h.newTokenManager();
    await ping.forceRefresh('none');
    // The service's next refresh must use the newest stored token, not the one ping consumed.
    const again = await service.forceRefresh((await service.getAccessToken()).accessToken);
    expect(again.accessToken).toBeTruthy();
    expect(service.status().state).toBe('connected');
  });

  it('follows a datacenter redirect (code 16) and calls the API there', async () => {
    h = await startHarness({ fixtureDir: FIS_DIR });
    h.sim.state.homeDatacenter = 'secondary';
    const token = await h.tokens.getAccessToken();
    expect(token.geolocation).toBe(h.sim.secondDatacenterUrl);
    expect(h.sim.state.tokenRequests.map((r) => [r.datacenter, r.code])).toEqual([
      ['primary', 16],
      ['secondary', null],
    ]);
    const page = await h.fis.getQueuePage('expense', 0);
    expect(page.items.length).toBeGreaterThan(0);
    // Later refreshes go straight to the new datacenter, which is also what survives a restart.
    h.sim.state.expireAccessTokens();
    await h.newTokenManager().getAccessToken();
    expect(h.sim.state.tokenRequests.at(-1)).toMatchObject({ datacenter: 'secondary', code: null });
  });

  it('bootstraps from the company JWT (credtype=authtoken), form-encoded without charset, expires_in as a string', async () => {
    h = await startHarness({}, { refreshToken: null });
    const tm = h.newTokenManager({ refreshToken: null, companyUuid: h.sim.companyUuid, companyRequestToken: h.sim.companyRequestToken });
    const token = await tm.getAccessToken();
    expect(token.expiresAt - Date.now()).toBeGreaterThan(3500_000);
    expect(h.sim.state.tokenRequests[0]).toMatchObject({ grantType: 'password', contentType: 'application/x-www-form-urlencoded', code: null });
  });

  it('does one refresh for many concurrent callers and caches the token', async () => {
    h = await startHarness();
    const tokens = await Promise.all(Array.from({ length: 20 }, () => h.tokens.getAccessToken()));
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    await h.tokens.getAccessToken();
    expect(h.sim.state.tokenRequests).toHaveLength(1);
  });

  it('refreshes once and retries once when an API call gets a 401', async () => {
    h = await startHarness();
    await h.fis.getQueuePage('expense', 0);
    h.sim.state.expireAccessTokens();
    await Promise.all([h.fis.getQueuePage('expense', 0), h.fis.getQueuePage('invoice', 0)]);
    expect(h.sim.state.tokenRequests).toHaveLength(2);
  });

  it('enters a visible reconnect-required state on code 108 and stops asking', async () => {
    h = await startHarness();
    const first = await h.tokens.getAccessToken();
    // The stored (rotated) refresh token dies at Concur, e.g. revoked by an admin.
    h.sim.state.refreshTokens.clear();
    await expect(h.tokens.forceRefresh(first.accessToken)).rejects.toBeInstanceOf(ConcurReconnectRequiredError);
    expect(h.tokens.status()).toMatchObject({ state: 'reconnect-required' });
    expect(h.tokens.status().reason).toContain('108');
    for (let i = 0; i < 10; i++) await expect(h.tokens.getAccessToken()).rejects.toThrow(/Reconnect Concur/);
    expect(h.sim.state.tokenRequests).toHaveLength(2);
    // A person reconnects: a new seed credential replaces the dead stored chain on restart.
    const reconnected = h.newTokenManager({ refreshToken: h.sim.issueRefreshToken() });
    await expect(reconnected.getAccessToken()).resolves.toMatchObject({ geolocation: h.sim.url });
    expect(reconnected.status().state).toBe('connected');
  });

  it('waits out a maintenance window (code 134) instead of hammering the token endpoint', async () => {
    h = await startHarness();
    let now = Date.now();
    const tm = new ConcurTokenManager({
      config: { authBaseUrl: h.sim.url, clientId: h.sim.clientId, clientSecret: h.sim.clientSecret, refreshToken: h.sim.issueRefreshToken() },
      store: new EncryptedFileCredentialStore(`${h.tokenFile}.2`, new SecretBox('test-secret-key-material-0123456789abcdef')),
      now: () => now,
      maintenanceRetryMs: 60_000,
    });
    h.sim.faults.tokenMaintenance = 1;
    await expect(tm.getAccessToken()).rejects.toBeInstanceOf(ConcurMaintenanceError);
    await expect(tm.getAccessToken()).rejects.toBeInstanceOf(ConcurMaintenanceError);
    expect(tm.status().state).toBe('maintenance');
    expect(h.sim.state.tokenRequests).toHaveLength(1);
    now += 61_000;
    await expect(tm.getAccessToken()).resolves.toMatchObject({ geolocation: h.sim.url });
    expect(tm.status().state).toBe('connected');
  });

  it('keeps working and says so when the rotated token cannot be saved', async () => {
    h = await startHarness();
    const tm = new ConcurTokenManager({
      config: { authBaseUrl: h.sim.url, clientId: h.sim.clientId, clientSecret: h.sim.clientSecret, refreshToken: h.sim.issueRefreshToken() },
      store: {
        load: async () => null,
        save: async () => {
          throw new Error('EACCES: permission denied');
        },
      },
    });
    await tm.getAccessToken();
    expect(tm.status()).toMatchObject({ state: 'connected' });
    expect(tm.status().reason).toMatch(/could not be saved.*ML_DATA_DIR/);
    // The in-memory rotated token is used for the next refresh (the seed was consumed).
    h.sim.state.expireAccessTokens();
    await tm.forceRefresh((await tm.getAccessToken()).accessToken);
    expect(h.sim.state.tokenRequests.map((r) => r.code)).toEqual([null, null]);
  });
});
