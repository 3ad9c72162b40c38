/**
 * A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) on 127.0.0.1, for tests,
 * benchmarks and developers. Jars come from Maven Central via scripts/kafka/fetch-jars.sh.
 *
 * The broker's whole state lives in one work directory (server.properties, data, broker.pid,
 * broker.log, handle.json), so any process can take control of it: vitest's global setup starts it,
 * a test worker (another process) kills and restarts it on the same ports and data, and the global
 * teardown stops whichever JVM is running at the end (it reads broker.pid).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const defaultLibsDir = process.env.KAFKA_LIBS_DIR ?? join(repoRoot, '.cache/kafka/libs');
export const fetchJarsScript = join(repoRoot, 'scripts/kafka/fetch-jars.sh');

/** Everything another process needs to control the same broker. JSON-serialisable. */
export interface KafkaBrokerHandle {
  brokers: string;
  port: number;
  controllerPort: number;
  workDir: string;
  libsDir: string;
}

export interface StartKafkaBrokerOptions {
  libsDir?: string;
  /** Defaults to a fresh temp dir. An existing, formatted work dir is reused (restart). */
  workDir?: string;
  /** Fetch the jars when the cache is missing (runs fetch-jars.sh). Default true. */
  fetchJars?: boolean;
  startTimeoutMs?: number;
}

export class KafkaBrokerStartError extends Error {
  override readonly name = 'KafkaBrokerStartError';
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64 without padding (Uuid.toString()). */
/**
 * A KRaft cluster id: 16 random bytes, base64url. One that starts with '-' is read as an option by
 * kafka-storage (and failed about one start in 64), so such ids are drawn again, as Kafka's own
 * Uuid.randomUuid() does.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(h: KafkaBrokerHandle): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${h.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${h.port},CONTROLLER://127.0.0.1:${h.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${h.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(h.workDir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // After a SIGKILL the restarted broker must wait out its old registration's session before the
    // controller unfences it; the 9 s default makes every crash test slow.
    'broker.session.timeout.ms=3000',
    'broker.heartbeat.interval.ms=500',
    // A 2-core machine shared with other work: fewer threads start faster and steal less.
    'num.network.threads=2',
    'num.io.threads=2',
    'background.threads=2',
    'num.recovery.threads.per.data.dir=1',
    '',
  ].join('\n');
}

const log4j2Config = [
  'status = error',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = warn',
  'rootLogger.appenderRef.console.ref = STDOUT',
  // One INFO line tells a reader of broker.log when the broker came up.
  'logger.server.name = kafka.server.KafkaRaftServer',
  'logger.server.level = info',
  '',
].join('\n');

function java(h: KafkaBrokerHandle, mainClass: string, args: string[]): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j2.configurationFile=${join(h.workDir, 'log4j2.properties')}`,
    '-cp',
    `${h.libsDir}/*`,
    mainClass,
    ...args,
  ];
}

function ensureJars(libsDir: string, fetch: boolean): void {
  const hasJars = existsSync(libsDir) && readdirSync(libsDir).some((f) => f.startsWith('kafka_2.13-'));
  if (hasJars) return;
  if (!fetch) throw new KafkaBrokerStartError(`Kafka's jars are not in ${libsDir}: run scripts/kafka/fetch-jars.sh first`);
  const result = spawnSync('bash', [fetchJarsScript], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    throw new KafkaBrokerStartError(
      `Could not resolve Kafka's jars from Maven Central (scripts/kafka/fetch-jars.sh exited ${result.status}); check that java and mvn are installed and Maven Central is reachable`,
    );
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Controls one broker through its work dir; usable from any process that has the handle. */
export class KafkaBroker {
  private constructor(readonly handle: KafkaBrokerHandle) {}

  get brokers(): string {
    return this.handle.brokers;
  }

  /** Creates (or reuses) a work dir, formats storage once, starts the JVM and waits until it serves. */
  static async start(options: StartKafkaBrokerOptions = {}): Promise<KafkaBroker> {
    const libsDir = options.libsDir ?? defaultLibsDir;
    ensureJars(libsDir, options.fetchJars ?? true);
    const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'ml-kafka-'));
    mkdirSync(workDir, { recursive: true });
    const handleFile = join(workDir, 'handle.json');
    let handle: KafkaBrokerHandle;
    if (existsSync(handleFile)) {
      handle = { ...(JSON.parse(readFileSync(handleFile, 'utf8')) as KafkaBrokerHandle), libsDir };
    } else {
      const port = await freePort();
      let controllerPort = await freePort();
      while (controllerPort === port) controllerPort = await freePort();
      handle = { brokers: `127.0.0.1:${port}`, port, controllerPort, workDir, libsDir };
      writeFileSync(join(workDir, 'server.properties'), serverProperties(handle));
      writeFileSync(join(workDir, 'log4j2.properties'), log4j2Config);
      const format = spawnSync('java', java(handle, 'kafka.tools.StorageTool', ['format', '-t', newClusterId(), '-c', join(workDir, 'server.properties')]), {
        encoding: 'utf8',
      });
      if (format.status !== 0) {
        throw new KafkaBrokerStartError(
          `Formatting Kafka storage in ${workDir} failed (exit ${format.status}): ${(format.stderr || format.stdout || String(format.error)).slice(-2000)}`,
        );
      }
      writeFileSync(handleFile, JSON.stringify(handle, null, 2));
    }
    const broker = new KafkaBroker(handle);
    await broker.startProcess(options.startTimeoutMs ?? 90_000);
    return broker;
  }

  /** Takes control of a broker started by another process (e.g. vitest's global setup). */
  static attach(handle: KafkaBrokerHandle): KafkaBroker {
    return new KafkaBroker(handle);
  }

  get pid(): number | undefined {
    const file = join(this.handle.workDir, 'broker.pid');
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  }

  get logFile(): string {
    return join(this.handle.workDir, 'broker.log');
  }

  /** Graceful stop (SIGTERM: the broker flushes and closes its logs), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    await this.signal('SIGTERM', timeoutMs);
  }

  /** A crash: SIGKILL, no flush. The next start recovers the logs from disk. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 10_000);
  }

  /** Starts the JVM again on the same ports and data (after stop or kill). */
  async restart(timeoutMs = 90_000): Promise<void> {
    if (this.pid !== undefined) await this.stop();
    await this.startProcess(timeoutMs);
  }

  /** Stops the broker and deletes its work dir. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.handle.workDir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    process.kill(pid, signal);
    const deadline = Date.now() + timeoutMs;
    while (isAlive(pid)) {
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGKILL');
        await sleep(200);
        break;
      }
      await sleep(50);
    }
    rmSync(join(this.handle.workDir, 'broker.pid'), { force: true });
  }

  private async startProcess(timeoutMs: number): Promise<void> {
    if (this.pid !== undefined) return;
    const { workDir } = this.handle;
    const out = openSync(this.logFile, 'a');
    // Detached with its output in a file: the JVM outlives the process that started it (a test
    // worker may restart it), and the teardown finds it again through broker.pid.
    const child = spawn('java', java(this.handle, 'kafka.Kafka', [join(workDir, 'server.properties')]), {
      detached: true,
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    let exit: string | null = null;
    child.on('exit', (code, signal) => (exit = `exit code ${code ?? '-'}, signal ${signal ?? '-'}`));
    child.on('error', (error) => (exit = error.message));
    child.unref();
    if (child.pid === undefined) throw new KafkaBrokerStartError(`Could not start java for the Kafka broker: is a Java 17+ runtime installed?`);
    writeFileSync(join(workDir, 'broker.pid'), String(child.pid));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exit !== null)
        throw new KafkaBrokerStartError(`The Kafka broker in ${workDir} exited while starting (${exit}). Last lines of ${this.logFile}:\n${this.logTail()}`);
      if (await this.serves()) return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new KafkaBrokerStartError(
          `The Kafka broker on ${this.brokers} did not accept connections within ${timeoutMs} ms. Last lines of ${this.logFile}:\n${this.logTail()}`,
        );
      }
      await sleep(250);
    }
  }

  /** True once the broker answers metadata requests with itself as a live node. */
  async serves(): Promise<boolean> {
    const admin = new Kafka({
      clientId: 'broker-probe',
      brokers: [this.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 2000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 && cluster.controller !== null;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  logTail(lines = 30): string {
    if (!existsSync(this.logFile)) return '(no log)';
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }
}
