/**
 * The logging interface the manager writes to: the subset of pino's API it uses, so a pino
 * logger (or anything with the same four methods) plugs in as is. Fields come first, the message
 * second. Key material is never passed to it.
 *
 * @example
 * import pino from 'pino'
 * createManager({ hosts: ['example.com'], logger: pino() })
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

function line(level: string, fields: Record<string, unknown>, message: string): string {
  const extra = Object.entries(fields)
    .map(
      ([key, value]) =>
        `${key}=${value instanceof Error ? JSON.stringify(value.message) : JSON.stringify(value)}`,
    )
    .join(' ')
  return `autotls ${level}: ${message}${extra ? ` ${extra}` : ''}`
}

/**
 * The default logger: warnings and errors to `console.warn` / `console.error`, one line each;
 * debug and info are dropped.
 *
 * @example
 * consoleLogger.warn({ name: 'example.com' }, 'renewal failed')
 * // autotls warn: renewal failed name="example.com"
 */
export const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (fields, message) => console.warn(line('warn', fields, message)),
  error: (fields, message) => console.error(line('error', fields, message)),
}
