import { fileURLToPath } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { createCore } from './create-core'
import { loadOrCreateToken } from './data-dir'
import { StartupError, errnoCode } from './errors'
import { createLogger, type LogLevel } from './log'
import { defaultDataDir } from './paths'
import { startServeHost } from './serve'
import { OUTPOST_VERSION } from './version'

export type CliIo = {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: NodeJS.ProcessEnv
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string>
  rendererDir: string
}

/** Usage problems exit 2; everything else that fails exits 1. */
class UsageError extends Error {}

const MAIN_HELP = `outpost ${OUTPOST_VERSION}: a SOC console for air-gapped operators

Usage: outpost <command> [options]

Commands:
  serve      run the collector and the console headless; open it in a browser
  version    print the version

Every command takes --help and --data-dir DIR (default: ${defaultDataDir()}, or $OUTPOST_DATA_DIR).
`

const SERVE_HELP = `Usage: outpost serve [--data-dir DIR] [--host HOST] [--port PORT]

Runs the same core as the desktop app under plain Node: the collector's listeners, the stores,
and the console over HTTP + WebSocket. When ready it prints one line
  OUTPOST_READY {"url":…,"api":…,"token":…,"listeners":{name:port}}
on stdout, then logs on stderr. Open "url" in a browser. Stop with Ctrl+C (SIGINT) or SIGTERM.

Options:
  --data-dir DIR     data dir (created on first run with a commented config.yaml)
  --host HOST        address for the console and API (default: api.host in config.yaml, 127.0.0.1)
  --port PORT        port for the console and API (default: api.port in config.yaml, 7480);
                     0 picks a free port, and every collector listener takes a free port too
  --log-level LEVEL  debug, info, warn or error (default: info)
  -h, --help         show this help
`

const commonOptions = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

const parse = <O extends ParseArgsConfig['options']>(args: string[], options: O, command: string) => {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true })
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see outpost ${command} --help)`)
  }
}

const parsePort = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got "${text}"`)
  return Number(text)
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

const serve = async (args: string[], io: CliIo): Promise<number> => {
  const { values } = parse(
    args,
    { ...commonOptions, host: { type: 'string' }, port: { type: 'string' }, 'log-level': { type: 'string' } },
    'serve',
  )
  if (values.help) {
    io.stdout(SERVE_HELP)
    return 0
  }
  const port = parsePort(values.port)
  const level = (values['log-level'] ?? 'info') as LogLevel
  if (!LEVELS.includes(level))
    throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}, got "${level}"`)
  if (values.host !== undefined && values.host.trim() === '') throw new UsageError('--host must not be empty')
  const log = createLogger({ level, write: io.stderr })
  const dataDir = values['data-dir'] ?? defaultDataDir(io.env)

  const core = await createCore({ dataDir, log, ephemeralPorts: port === 0 })
  let host
  try {
    const token = loadOrCreateToken(dataDir)
    const bindHost = values.host ?? core.config.api.host
    const bindPort = port ?? core.config.api.port
    try {
      host = await startServeHost({
        core,
        token,
        host: bindHost,
        port: bindPort,
        rendererDir: io.rendererDir,
        log,
      })
    } catch (error) {
      const why = errnoCode(error) === 'EADDRINUSE' ? 'address already in use' : (error as Error).message
      throw new StartupError(
        `cannot serve on ${bindHost}:${bindPort}: ${why}; pass --port with a free port (0 picks one)`,
        { cause: error },
      )
    }
    if (!['127.0.0.1', 'localhost', '::1'].includes(bindHost)) {
      log.warn('the console is reachable from the network; only the access token protects it', {
        host: bindHost,
      })
    }
    const listeners = Object.fromEntries(
      Object.entries(core.listeners).map(([name, endpoint]) => [name, endpoint.port]),
    )
    io.stdout(`OUTPOST_READY ${JSON.stringify({ url: host.url, api: host.api, token, listeners })}\n`)
    log.info('serving', {
      api: host.api,
      data_dir: dataDir,
      ...Object.fromEntries(Object.entries(listeners).map(([k, v]) => [`listener_${k}`, v])),
    })
  } catch (error) {
    await core.stop()
    throw error
  }

  const signal = await io.stopSignal()
  log.info('stopping', { signal })
  await host.close()
  await core.stop()
  return 0
}

const COMMANDS: Record<string, (args: string[], io: CliIo) => number | Promise<number>> = {
  serve,
  version: (args, io) => {
    const { values } = parse(args, commonOptions, 'version')
    io.stdout(
      values.help ? 'Usage: outpost version\n\nPrints the version of Outpost.\n' : `${OUTPOST_VERSION}\n`,
    )
    return 0
  },
  help: (_args, io) => {
    io.stdout(MAIN_HELP)
    return 0
  },
}

/** Runs one CLI invocation; returns the exit code. Never throws. */
export const runCli = async (argv: string[], io: CliIo): Promise<number> => {
  const [command, ...rest] = argv
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      io.stdout(MAIN_HELP)
      return command === undefined ? 2 : 0
    }
    if (command === '--version' || command === '-v') return await COMMANDS.version!([], io)
    const run = COMMANDS[command]
    if (!run) throw new UsageError(`unknown command "${command}" (see outpost --help)`)
    return await run(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`outpost: ${error.message}\n`)
      return 2
    }
    if (error instanceof StartupError) {
      io.stderr(`outpost: error: ${error.message}\n`)
      return 1
    }
    const detail = io.env.OUTPOST_DEBUG
      ? `\n${(error as Error).stack ?? ''}`
      : ' (set OUTPOST_DEBUG=1 for the stack)'
    io.stderr(`outpost: internal error: ${(error as Error).message}${detail}\n`)
    return 1
  }
}

const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
  stopSignal: () =>
    new Promise((resolve) => {
      const onSignal = (signal: string): void => {
        // A second signal means "now": exit without waiting for the flush.
        process.once('SIGINT', () => process.exit(130))
        process.once('SIGTERM', () => process.exit(143))
        resolve(signal)
      }
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
    }),
})

/** Entry point of the built `out/main/cli.js`, loaded by bin/outpost.js. */
export const main = async (): Promise<void> => {
  process.exitCode = await runCli(process.argv.slice(2), processIo())
}
