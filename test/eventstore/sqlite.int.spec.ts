import { eventStoreContract } from './contract.js';
import { openTempSqliteStore } from './temp-store.js';

eventStoreContract('SqliteEventStore (temp file)', () => openTempSqliteStore({ pollIntervalMs: 60_000 }), { denseFreshLog: true });
