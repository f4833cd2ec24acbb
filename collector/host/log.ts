export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, string | number | boolean | null | undefined>
export type Logger = Record<LogLevel, (message: string, fields?: LogFields) => void>

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

const formatFields = (fields: LogFields | undefined): string => {
  if (!fields) return ''
  let out = ''
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    const text = String(value)
    out += ` ${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`
  }
  return out
}

/** Human-readable lines (`time LEVEL message key=value`) to a writable, stderr by default. */
export const createLogger = (options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger => {
  const min = order[options.level ?? 'info']
  const write = options.write ?? ((line: string) => process.stderr.write(line))
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (order[level] < min) return
      write(
        `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${formatFields(fields)}\n`,
      )
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
