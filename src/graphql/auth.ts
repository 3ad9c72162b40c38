import { timingSafeEqual, createHash } from 'node:crypto';
import type { AuthChecker } from 'type-graphql';
import type { Role } from '../application/connector-api.js';
import { forbidden } from './errors.js';
import { ConnectorError } from '../domain/errors.js';

/** One configured API token (`ML_API_TOKENS`, docs/contract.md, Configuration). */
export interface ApiToken {
  name: string;
  role: Role;
  token: string;
}

/** Who is calling: the token's name and role, or the sandbox's implicit admin. */
export interface Principal {
  name: string;
  role: Role;
  /** The event actor for changes made by this caller (`user:<name>`). */
  actor: string;
}

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];
const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** Short tokens are guessable; a bearer token is the only thing protecting the API. */
const MIN_TOKEN_LENGTH = 16;

export class ApiTokenConfigError extends ConnectorError {
  override readonly name = 'ApiTokenConfigError';
}

/**
 * Parses `ML_API_TOKENS` ("name:role:token,…"). Each problem names the entry by position and name,
 * never by its token, so the message can be logged.
 */
export function parseApiTokens(value: string | undefined | null): ApiToken[] {
  if (!value || value.trim() === '') return [];
  const tokens: ApiToken[] = [];
  const problems: string[] = [];
  value.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const where = `ML_API_TOKENS entry ${index + 1}`;
    if (entry === '') return problems.push(`${where} is empty: remove the extra comma`);
    const parts = entry.split(':');
    if (parts.length < 3) return problems.push(`${where} must be name:role:token (got ${parts.length} part${parts.length === 1 ? '' : 's'})`);
    const [name, role] = [parts[0]!.trim(), parts[1]!.trim()];
    // The token may itself contain ':' (e.g. base64 variants); everything after the role is the token.
    const token = parts.slice(2).join(':').trim();
    if (!/^[A-Za-z0-9._@-]{1,64}$/.test(name)) return problems.push(`${where}: name "${name}" must be 1-64 letters, digits, '.', '_', '@' or '-'`);
    if (!ROLES.includes(role as Role)) return problems.push(`${where} (${name}): role "${role}" must be viewer, operator or admin`);
    if (token.length < MIN_TOKEN_LENGTH)
      return problems.push(`${where} (${name}): token must be at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`);
    if (tokens.some((t) => t.name === name)) return problems.push(`${where}: name "${name}" is used twice`);
    if (tokens.some((t) => t.token === token)) return problems.push(`${where} (${name}): the same token is given to two names`);
    tokens.push({ name, role: role as Role, token });
  });
  if (problems.length > 0) throw new ApiTokenConfigError(problems.join('; '));
  return tokens;
}

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; reason: string };

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Resolves the `Authorization` header to a principal. Tokens are compared as SHA-256 digests with
 * `timingSafeEqual`, so neither content nor length leaks through timing; every configured token is
 * compared so the time does not depend on which one matched.
 */
export function authenticate(authorization: string | undefined, tokens: readonly ApiToken[], sandbox: boolean): AuthOutcome {
  if (!authorization || authorization.trim() === '') {
    if (sandbox) return { ok: true, principal: { name: 'sandbox', role: 'admin', actor: 'user:sandbox' } };
    return { ok: false, reason: 'Authentication required: send "Authorization: Bearer <token>" with a token from ML_API_TOKENS' };
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match) return { ok: false, reason: 'The Authorization header must be "Bearer <token>"' };
  const given = digest(match[1]!);
  let found: ApiToken | undefined;
  for (const candidate of tokens) if (timingSafeEqual(given, digest(candidate.token)) && !found) found = candidate;
  // A wrong token is refused even in sandbox mode: silently downgrading it would hide a typo.
  if (!found) return { ok: false, reason: 'The bearer token is not valid: check it against ML_API_TOKENS' };
  return { ok: true, principal: { name: found.name, role: found.role, actor: `user:${found.name}` } };
}

export const hasRole = (principal: Principal, required: Role): boolean => RANK[principal.role] >= RANK[required];

/**
 * type-graphql auth checker: `@Authorized('operator')` admits operator and admin. A refusal is a
 * FORBIDDEN error that names the field, the role it needs and the caller's role.
 */
export const roleAuthChecker: AuthChecker<{ principal: Principal }, Role> = ({ context, info }, roles) => {
  if (roles.length === 0 || roles.some((role) => hasRole(context.principal, role))) return true;
  const needed = [...roles].sort((a, b) => RANK[a] - RANK[b])[0]!;
  throw forbidden(
    `${info.parentType.name}.${info.fieldName} needs the ${needed} role; token "${context.principal.name}" has the ${context.principal.role} role. Ask an admin for a token with that role.`,
  );
};
