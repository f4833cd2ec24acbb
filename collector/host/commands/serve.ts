import { loadApiTls } from '../api-tls'
import { createCore } from '../create-core'
import { loadOrCreateToken } from '../data-dir'
import { StartupError, errnoCode } from '../errors'
import { createLogger, type LogLevel } from '../log'
import { dataFiles, defaultDataDir } from '../paths'
import { startServeHost } from '../serve'
import { commonOptions, parse, parsePort, UsageError, type CliIo, type Command } from './common'

const SERVE_HELP = `Usage: outpost serve [--data-dir DIR] [--host HOST] [--port PORT] [--role console|core]

Runs the same core as the desktop app under plain Node: the collector's listeners, the stores,
and the console over HTTP + WebSocket. When ready it prints one line
  OUTPOST_READY {"url":…,"api":…,"token":…,"listeners":{name:port}}
on stdout, then logs on stderr. Open "url" in a browser. Stop with Ctrl+C (SIGINT) or SIGTERM.

Options:
  --data-dir DIR     data dir (created on first run with a commented config.yaml)
  --host HOST        address for the console and API (default: api.host in config.yaml, 127.0.0.1)
  --port PORT        port for the console and API (default: api.port in config.yaml, 7480);
                     0 picks a free port, and every collector listener takes a free port too
  --role ROLE        console (default) or core: a team core also answers the sync API under
                     /sync/v1/ for consoles with their own tokens (outpost sync consoles add)
  --log-level LEVEL  debug, info, warn or error (default: info)
  -h, --help         show this help
`

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

const run = async (args: string[], io: CliIo): Promise<number> => {
  const { values } = parse(
    args,
    {
      ...commonOptions,
      host: { type: 'string' },
      port: { type: 'string' },
      role: { type: 'string' },
      'log-level': { type: 'string' },
    },
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
  const role = values.role ?? 'console'
  if (role !== 'console' && role !== 'core')
    throw new UsageError(`--role must be console or core, got "${role}"`)
  const log = createLogger({ level, write: io.stderr })
  const dataDir = values['data-dir'] ?? defaultDataDir(io.env)

  const core = await createCore({ dataDir, log, ephemeralPorts: port === 0, role })
  let host
  try {
    const token = loadOrCreateToken(dataDir)
    const bindHost = values.host ?? core.config.api.host
    const bindPort = port ?? core.config.api.port
    const tls = loadApiTls(core.config.api, dataDir, dataFiles(dataDir).config)
    try {
      host = await startServeHost({
        core,
        token,
        host: bindHost,
        port: bindPort,
        rendererDir: io.rendererDir,
        log,
        maxUploadBytes: core.config.api.max_upload_bytes,
        uploadsDir: dataFiles(dataDir).uploads,
        tls,
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
    io.stdout(`OUTPOST_READY ${JSON.stringify({ url: host.url, api: host.api, token, listeners, role })}\n`)
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

export const serveCommand: Command = {
  summary: 'run the collector and the console headless; open it in a browser',
  run,
}
