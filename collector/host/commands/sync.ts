import { readFileSync } from 'node:fs'
import { ContractError, parseRequest, type ParsedReq, type SyncStatus } from '../../contract'
import { StartupError } from '../errors'
import { commonOptions, parse, UsageError, type Command } from './common'
import { withStore } from './store'

const HELP = `Usage: outpost sync connect URL (--token T | --cert FILE --key FILE) [--ca FILE] [--json]
       outpost sync disconnect
       outpost sync push|pull|status [--json]
       outpost sync conflicts [--json]
       outpost sync resolve ID local|remote [--json]
       outpost sync consoles add NAME --role viewer|analyst|admin [--json]
       outpost sync consoles list|revoke NAME [--json]

Keeps this console in step with a team core (outpost serve --role core), on the data dir.
connect checks the URL and token (or client certificate) with the core (GET /sync/v1/hello) and
stores them; a running Outpost on the same data dir takes the connection up within seconds.
push sends the outbox in order; pull fetches what the core published after the stored cursor;
status shows the queue depth, the last success, the last error and the open conflicts, and the
NATS channel's (nats.enabled in config.yaml) queue, last success and last error, and the bundle
channel's: on an export-only console the outbox entries no bundle carried yet, and the last export.
consoles (on the core's data dir) makes a console's token with its role, printed once.

Options:
  --token T        the console's token, made on the core with: outpost sync consoles add NAME
  --ca FILE        PEM CA certificate to trust for an https:// core (pinned: only it)
  --cert FILE      PEM client certificate instead of a token, from the core's api.client_ca_file CA
                   (its CN is the console's name on the core)
  --key FILE       the client certificate's PEM private key (unencrypted)
  --role ROLE      viewer (hello, pull), analyst (+ push, evidence), admin (+ publish, consoles)
  --data-dir DIR   data dir
  --json           print JSON
  -h, --help       show this help
`

const statusText = (s: SyncStatus): string =>
  [
    `connector:    ${s.configured ? `connected to ${s.url} as ${s.console_id ?? '?'} (${s.role_on_core ?? '?'})` : 'not configured (no outbound connection)'}`,
    `queue depth:  ${s.queue_depth}`,
    `last success: ${s.last_success ?? 'never'}`,
    `last error:   ${s.last_error ?? 'none'}`,
    `next retry:   ${s.next_retry ?? '-'}`,
    `conflicts:    ${s.conflicts} open`,
    `pull cursor:  ${s.cursor}`,
    `node id:      ${s.node_id}`,
    ...(s.nats.enabled
      ? [
          `nats:         publishing to ${s.nats.servers.join(', ')} as site ${s.nats.site}${s.nats.connected ? ' (connected)' : ''}`,
          `nats queue:   ${s.nats.queue_depth}`,
          `nats success: ${s.nats.last_success ?? 'never'}`,
          `nats error:   ${s.nats.last_error ?? 'none'}`,
        ]
      : ['nats:         off']),
    s.bundles.channel
      ? `bundles:      export-only, ${s.bundles.queue_depth} outbox entries not yet carried (bundle export --outbox)`
      : `bundles:      ${s.bundles.mode}`,
    `last bundle:  ${s.bundles.last_export ?? 'never'}`,
  ].join('\n') + '\n'

const VERBS = ['connect', 'disconnect', 'push', 'pull', 'status', 'conflicts', 'resolve', 'consoles']

export const syncCommand: Command = {
  summary: 'sync with a team core: connect, push, pull, status, conflicts; consoles on a core',
  run: (args, io) => {
    const { values, positionals } = parse(
      args,
      {
        ...commonOptions,
        json: { type: 'boolean' },
        token: { type: 'string' },
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        role: { type: 'string' },
      },
      'sync',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, ...rest] = positionals
    if (verb === undefined || !VERBS.includes(verb))
      throw new UsageError(
        `${verb === undefined ? 'say what to do' : `unknown sync command "${verb}"`}: use ${VERBS.join(', ')} (see outpost sync --help)`,
      )
    const print = (json: unknown, text: string): void =>
      io.stdout(values.json ? JSON.stringify(json) + '\n' : text)

    let connect: ParsedReq<'sync:connect'> | undefined
    if (verb === 'connect') {
      if (rest.length !== 1)
        throw new UsageError('outpost sync connect needs the core URL, e.g. https://core:7480')
      if (!values.token && !values.cert)
        throw new UsageError(
          'outpost sync connect needs --token T (made on the core with outpost sync consoles add), or --cert FILE --key FILE',
        )
      if ((values.cert === undefined) !== (values.key === undefined))
        throw new UsageError('--cert and --key go together: the client certificate and its private key')
      const read = (option: string, file: string | undefined): string | undefined => {
        if (file === undefined) return undefined
        try {
          return readFileSync(file, 'utf8')
        } catch (error) {
          throw new UsageError(`--${option} ${file}: cannot read it (${(error as Error).message})`)
        }
      }
      const ca = read('ca', values.ca)
      const cert = read('cert', values.cert)
      const key = read('key', values.key)
      const parsed = parseRequest('sync:connect', {
        url: rest[0],
        ...(values.token ? { token: values.token } : {}),
        ...(ca ? { ca_pem: ca } : {}),
        ...(cert && key ? { cert_pem: cert, key_pem: key } : {}),
      })
      if (!parsed.ok)
        throw new UsageError(
          parsed.error.message
            .replace('sync:connect: ', '')
            .replace(/\bcert_pem\b/g, '--cert')
            .replace(/\bkey_pem\b/g, '--key')
            .replace(/\bca_pem\b/g, '--ca'),
        )
      connect = parsed.value
    }

    return withStore(values['data-dir'], io.env, async ({ sync }) => {
      try {
        if (verb === 'connect') {
          const status = await sync.handlers['sync:connect'](connect!)
          await sync.stop()
          print(status, `connected to ${status.url} as ${status.console_id} (${status.role_on_core})\n`)
        } else if (verb === 'disconnect') {
          const status = await sync.handlers['sync:disconnect']({})
          print(status, 'disconnected: no outbound connection until the next connect\n')
        } else if (verb === 'status') {
          const status = sync.status()
          print(status, statusText(status))
        } else if (verb === 'push' || verb === 'pull') {
          sync.start({ loop: false })
          if (!sync.connector.configured)
            throw new ContractError(
              'invalid_request',
              'no core configured: run outpost sync connect URL --token T first',
            )
          const result =
            verb === 'push'
              ? await sync.handlers['sync:push-now']({})
              : await sync.handlers['sync:pull-now']({})
          const count = 'pushed' in result ? `pushed ${result.pushed}` : `pulled ${result.pulled}`
          print(result, `${count}, ${result.conflicts} conflicts; queue depth ${result.status.queue_depth}\n`)
        } else if (verb === 'conflicts') {
          const { conflicts } = await sync.handlers['sync:conflicts']({ open: true, limit: 1000 })
          print(
            { conflicts },
            conflicts.length === 0
              ? 'no open conflicts\n'
              : conflicts
                  .map(
                    (c) =>
                      `#${c.id} ${c.kind} ${c.object_id}: local v${c.local.version} (${c.local.updated_at}) vs remote v${c.remote.version} (${c.remote.updated_at}) by ${c.remote.origin}; kept ${c.winner}`,
                  )
                  .join('\n') + '\n',
          )
        } else if (verb === 'resolve') {
          const [id, choose] = rest
          if (!id || !/^\d+$/.test(id) || (choose !== 'local' && choose !== 'remote'))
            throw new UsageError(
              'outpost sync resolve needs a conflict ID and local or remote, e.g. outpost sync resolve 3 local',
            )
          const { conflict } = await sync.handlers['sync:resolve']({ id: Number(id), choose })
          print({ conflict }, `conflict #${conflict.id} resolved: kept ${choose}\n`)
        } else {
          const [what, name] = rest
          if (what === 'list') {
            const consoles = sync.consoles.list()
            print(
              { consoles },
              consoles.length === 0
                ? 'no consoles\n'
                : consoles
                    .map(
                      (c) =>
                        `${c.name}  ${c.role}  ${c.revoked_at ? 'revoked' : 'active'}  last seen ${c.last_seen_at ?? 'never'}`,
                    )
                    .join('\n') + '\n',
            )
          } else if (what === 'add' && name) {
            if (!values.role)
              throw new UsageError('outpost sync consoles add NAME needs --role viewer|analyst|admin')
            const made = sync.consoles.add(name, values.role)
            print(
              made,
              `console ${made.console.name} (${made.console.role}); its token, shown only now:\n${made.token}\n`,
            )
          } else if (what === 'revoke' && name) {
            const revoked = sync.consoles.revoke(name)
            print({ console: revoked }, `console ${revoked.name} revoked\n`)
          } else
            throw new UsageError(
              'use outpost sync consoles add NAME --role ROLE, consoles list or consoles revoke NAME',
            )
        }
        return 0
      } catch (error) {
        if (error instanceof ContractError) throw new StartupError(error.message)
        throw error
      }
    })
  },
}
