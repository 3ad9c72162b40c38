export { createGraphqlHandler, DEFAULT_MAX_BODY_BYTES, type GraphqlHandler, type GraphqlHandlerOptions } from './server.js';
export { buildConnectorSchema } from './schema.js';
export { parseApiTokens, authenticate, ApiTokenConfigError, type ApiToken, type Principal } from './auth.js';
export { DEFAULT_LIMITS, depthLimitRule, costLimitRule, type QueryLimits } from './limits.js';
