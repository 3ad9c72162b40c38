import { el, type XmlFragment } from './xml-builder.js';

/** Web Services sender credentials: every request carries them in `<control>`. */
export interface SenderCredentials {
  senderId: string;
  senderPassword: string;
}

export interface LoginCredentials {
  userId: string;
  companyId: string;
  userPassword: string;
  /** Entity id for multi-entity companies; empty or absent = top level. */
  locationId?: string;
}

export type Authentication = { sessionId: string } | { login: LoginCredentials };

/** One `<function>`: its controlid identifies its `<result>` and (with uniqueid) de-duplicates it. */
export interface GatewayFunction {
  controlId: string;
  body: XmlFragment;
}

export interface RequestEnvelope {
  sender: SenderCredentials;
  /** Request controlid: for tracing only, Intacct does not check it for uniqueness. */
  requestControlId: string;
  uniqueId: boolean;
  /** false: each function commits on its own, so one bad document does not roll back the others. */
  transaction: boolean;
  auth: Authentication;
  functions: readonly GatewayFunction[];
}

export function buildRequest(req: RequestEnvelope): string {
  const auth =
    'sessionId' in req.auth
      ? el('authentication', el('sessionid', req.auth.sessionId))
      : el(
          'authentication',
          el('login', [
            el('userid', req.auth.login.userId),
            el('companyid', req.auth.login.companyId),
            el('password', req.auth.login.userPassword),
            req.auth.login.locationId ? el('locationid', req.auth.login.locationId) : null,
          ]),
        );
  const control = el('control', [
    el('senderid', req.sender.senderId),
    el('password', req.sender.senderPassword),
    el('controlid', req.requestControlId),
    el('uniqueid', req.uniqueId ? 'true' : 'false'),
    el('dtdversion', '3.0'),
    el('includewhitespace', 'false'),
  ]);
  const content = el(
    'content',
    req.functions.map((f) => el('function', f.body, { controlid: f.controlId })),
  );
  const operation = el('operation', [auth, content], { transaction: req.transaction ? 'true' : 'false' });
  return `<?xml version="1.0" encoding="UTF-8"?>${el('request', [control, operation]).xml}`;
}
