import { existsSync, readFileSync } from 'node:fs'
import type { TrustedKey } from '../../contract'
import { KEY_SCOPES, type KeyScope } from '../../sync/keys/keys'
import { commonOptions, parse, UsageError, type Command } from './common'
import { withBundles } from './bundle-service'

const HELP = `Usage: outpost keys show [--json]
       outpost keys trust NAME FILE|KEY [--scope records|content|both] [--json]
       outpost keys list [--json]
       outpost keys revoke NAME [--json]

Ed25519 keys for signed bundles (outpost bundle --help). This installation signs with its own
key, made on first use in <data dir>/keys/signing.key (mode 0600; never in exports or dumps).

  show     prints this installation's public key (ed25519:<base64>) and its fingerprint: give
           the key to the other side, and compare the fingerprint aloud with them
  trust    accepts bundles signed by KEY (the other side's "keys show" line, a file holding
           it, or a PEM public key) under NAME; --scope limits it to records or content
           bundles (default both)
  list     the trusted keys
  revoke   stops trusting NAME (or a key id)

Every change is recorded in the audit log. Works on the data dir directly.

Options:
  --data-dir DIR   data dir
  --scope SCOPE    records, content or both (trust only; default both)
  --json           print JSON
  -h, --help       show this help
`

const table = (keys: readonly TrustedKey[]): string => {
  if (keys.length === 0) return 'no trusted keys (outpost keys trust NAME KEY adds one)\n'
  const rows = keys.map((k) => [k.name, k.key_id, k.scope, k.added_at, k.fingerprint])
  const header = ['NAME', 'KEY ID', 'SCOPE', 'ADDED', 'FINGERPRINT']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  return (
    [header, ...rows]
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  )
}

export const keysCommand: Command = {
  summary: 'show this installation’s signing key; trust, list or revoke others’ keys',
  run: (args, io) => {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, json: { type: 'boolean' }, scope: { type: 'string' } },
      'keys',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, name, key, ...extra] = positionals
    if (verb === undefined)
      throw new UsageError(
        'say what to do: show, trust NAME KEY, list or revoke NAME (see outpost keys --help)',
      )
    if (!['show', 'trust', 'list', 'revoke'].includes(verb))
      throw new UsageError(`unknown keys command "${verb}": use show, trust, list or revoke`)
    const expected = verb === 'trust' ? 2 : verb === 'revoke' ? 1 : 0
    const given = [name, key, ...extra].filter((x) => x !== undefined)
    if (given.length < expected)
      throw new UsageError(
        verb === 'trust'
          ? 'outpost keys trust needs a NAME and a KEY (or a FILE holding it)'
          : 'outpost keys revoke needs a NAME',
      )
    if (given.length > expected)
      throw new UsageError(`unexpected argument "${given[expected]}" (see outpost keys --help)`)
    if (values.scope !== undefined && verb !== 'trust')
      throw new UsageError('--scope goes with keys trust only')
    const scope = (values.scope ?? 'both') as KeyScope
    if (!KEY_SCOPES.includes(scope))
      throw new UsageError(`--scope must be one of ${KEY_SCOPES.join(', ')}, got "${values.scope}"`)

    return withBundles(values['data-dir'], io.env, (service) => {
      const print = (value: unknown, text: string): number => {
        io.stdout(values.json ? JSON.stringify(value) + '\n' : text)
        return 0
      }
      if (verb === 'show') {
        const own = service.showKey()
        return print(own, `${own.public_key}\nkey id:      ${own.key_id}\nfingerprint: ${own.fingerprint}\n`)
      }
      if (verb === 'list') {
        const keys = service.keys.list()
        return print({ keys }, table(keys))
      }
      if (verb === 'trust') {
        const text = existsSync(key!) ? readFileSync(key!, 'utf8') : key!
        const trusted = service.trust(name!, text, scope)
        return print(
          { key: trusted },
          `trusted "${trusted.name}" (key id ${trusted.key_id}, scope ${trusted.scope})\nfingerprint: ${trusted.fingerprint}\n`,
        )
      }
      const revoked = service.revoke(name!)
      return print({ key: revoked }, `revoked "${revoked.name}" (key id ${revoked.key_id})\n`)
    })
  },
}
