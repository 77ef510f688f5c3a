import pino, { type Logger } from 'pino';

/**
 * JSON lines, one per event, for log collectors; when stdout is a terminal (someone running
 * `parley serve` by hand), the same lines made readable by pino-pretty in pino's worker thread.
 */
export function createLogger(level: string): Logger {
  const base = { level, base: { service: 'parley' } };
  if (!process.stdout.isTTY) return pino(base);
  return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
}
