/**
 * What each built-in action produces for an operator to review and run on an air-gapped site:
 * firewall snippets (nftables, iptables, netsh), PowerShell and bash scripts with their rollback,
 * an evidence checklist. Pure: parameters in (already checked by the contract), text out.
 *
 * Every value put into a script has passed the contract's allowlist (canonical IPs, safe host and
 * user names) AND is quoted for the language it lands in, so neither layer alone stands between a
 * hostile parameter and a shell.
 */
import { createHash } from 'node:crypto'
import { ipVersion, type ActionArtifact, type ActionParams, type ActionType } from '../contract'

/** A single-quoted POSIX shell word: nothing inside is expanded. */
export const shQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`
/** A single-quoted PowerShell string: only ' is special (doubled); typographic quotes count too. */
export const psQuote = (text: string): string => `'${text.replace(/['‘’‚‛]/g, (q) => q + q)}'`

export const sha256Hex = (text: string | Uint8Array): string =>
  createHash('sha256').update(text).digest('hex')

const artifact = (name: string, media_type: string, content: string): ActionArtifact => ({
  name,
  media_type,
  content,
  sha256: sha256Hex(content),
})

/** What Outpost knows of the current state: the IPs its completed block_ip actions blocked. */
export type KnownState = {
  blocked: ReadonlyArray<{ ip: string; direction: 'inbound' | 'outbound' | 'both' }>
}

export type Built = {
  summary: string
  artifacts: ActionArtifact[]
  diff: string | null
  warnings: string[]
}

const fileSafe = (text: string): string => text.replace(/[^A-Za-z0-9.-]/g, '-')

const header = (comment: string, actionId: string, what: string): string =>
  `${comment} Outpost response action ${actionId}: ${what}\n${comment} Generated for review; run it yourself, as an administrator.\n`

/** The nftables ruleset Outpost maintains for its blocks (table inet outpost). */
export const nftRuleset = (blocked: KnownState['blocked']): string => {
  const rule = (ip: string, field: 'saddr' | 'daddr') =>
    `    ip${ipVersion(ip) === 6 ? '6' : ''} ${field} ${ip} drop`
  const inbound = blocked.filter((b) => b.direction !== 'outbound').map((b) => rule(b.ip, 'saddr'))
  const outbound = blocked.filter((b) => b.direction !== 'inbound').map((b) => rule(b.ip, 'daddr'))
  return [
    'table inet outpost {',
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    ...inbound,
    '  }',
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    ...outbound,
    '  }',
    '}',
    '',
  ].join('\n')
}

/** A line diff of two small texts: removed lines `-`, added `+`, the rest ` ` (order of `after`). */
export const lineDiff = (before: string, after: string, name: string): string => {
  const old = before.split('\n')
  const next = after.split('\n')
  const oldSet = new Set(old)
  const nextSet = new Set(next)
  const lines = [`--- ${name} (now)`, `+++ ${name} (after this action)`]
  for (const line of old) if (!nextSet.has(line)) lines.push(`-${line}`)
  for (const line of next) lines.push(`${oldSet.has(line) ? ' ' : '+'}${line}`)
  return lines.join('\n')
}

const blockIp = (id: string, p: ActionParams['block_ip'], state: KnownState): Built => {
  const v6 = ipVersion(p.ip) === 6
  const ipt = v6 ? 'ip6tables' : 'iptables'
  const tag = `outpost-${id.slice(0, 8)}`
  const directions = p.direction === 'both' ? (['inbound', 'outbound'] as const) : [p.direction]
  const warnings: string[] = []
  const already = state.blocked.filter((b) => b.ip === p.ip)
  if (already.length > 0)
    warnings.push(
      `${p.ip} is already blocked (${already.map((b) => b.direction).join(', ')}) by an earlier action`,
    )

  const current = nftRuleset(state.blocked)
  const next = nftRuleset([...state.blocked, { ip: p.ip, direction: p.direction }])
  const iptRules = directions.map((d) =>
    d === 'inbound'
      ? `INPUT -s ${shQuote(p.ip)} -j DROP -m comment --comment ${shQuote(tag)}`
      : `OUTPUT -d ${shQuote(p.ip)} -j DROP -m comment --comment ${shQuote(tag)}`,
  )
  const netshName = (d: string) => `Outpost block ${p.ip} ${d === 'inbound' ? 'in' : 'out'}`
  const netshRules = directions.map(
    (d) =>
      `netsh advfirewall firewall add rule name="${netshName(d)}" dir=${d === 'inbound' ? 'in' : 'out'} action=block remoteip=${p.ip}`,
  )
  const name = fileSafe(p.ip)
  return {
    summary: `Block ${p.ip} (${p.direction}) with nftables, iptables or Windows Firewall`,
    artifacts: [
      artifact(
        `block-${name}.nft`,
        'text/plain',
        `${header('#', id, `block ${p.ip} (${p.direction})`)}# Load with: nft -f block-${name}.nft\nflush table inet outpost\n${next}`,
      ),
      artifact(
        `rollback-${name}.nft`,
        'text/plain',
        `${header('#', id, `undo the block of ${p.ip}`)}# Load with: nft -f rollback-${name}.nft\nflush table inet outpost\n${current}`,
      ),
      artifact(
        `block-${name}.iptables.sh`,
        'text/x-shellscript',
        `#!/bin/sh\n${header('#', id, `block ${p.ip} (${p.direction})`)}set -eu\n${iptRules.map((r) => `${ipt} -I ${r}`).join('\n')}\n`,
      ),
      artifact(
        `rollback-${name}.iptables.sh`,
        'text/x-shellscript',
        `#!/bin/sh\n${header('#', id, `undo the block of ${p.ip}`)}set -eu\n${iptRules.map((r) => `${ipt} -D ${r}`).join('\n')}\n`,
      ),
      artifact(
        `block-${name}.netsh.cmd`,
        'text/plain',
        `${header('REM', id, `block ${p.ip} (${p.direction})`)}${netshRules.join('\r\n')}\r\n`,
      ),
      artifact(
        `rollback-${name}.netsh.cmd`,
        'text/plain',
        `${header('REM', id, `undo the block of ${p.ip}`)}${directions
          .map((d) => `netsh advfirewall firewall delete rule name="${netshName(d)}"`)
          .join('\r\n')}\r\n`,
      ),
    ],
    diff: lineDiff(current, next, 'table inet outpost'),
    warnings,
  }
}

const hostGuardSh = (host: string): string => {
  const short = host.split('.')[0] ?? host
  return `here=$(hostname)\ncase "$here" in\n  ${shQuote(host)} | ${shQuote(short)} | ${shQuote(short)}.*) ;;\n  *) echo "this script is for ${host}, not $here" >&2; exit 1 ;;\nesac\n`
}
const hostGuardPs = (host: string): string => {
  const short = host.split('.')[0] ?? host
  return `$expected = ${psQuote(short)}\nif ($env:COMPUTERNAME -ne $expected) { throw "This script is for $expected, not $env:COMPUTERNAME" }\n`
}

const isolateHost = (id: string, p: ActionParams['isolate_host']): Built => {
  const name = fileSafe(p.host)
  const family = ipVersion(p.keep_ip) === 6 ? 'ip6' : 'ip'
  if (p.platform === 'windows') {
    const rule = (dir: 'Inbound' | 'Outbound') =>
      `New-NetFirewallRule -DisplayName ${psQuote(`Outpost isolation: keep ${p.keep_ip} ${dir}`)} -Direction ${dir} -RemoteAddress ${psQuote(p.keep_ip)} -Action Allow | Out-Null`
    return {
      summary: `Isolate ${p.host} (Windows Firewall blocks everything but ${p.keep_ip})`,
      artifacts: [
        artifact(
          `isolate-${name}.ps1`,
          'text/plain',
          `${header('#', id, `isolate ${p.host}, keeping ${p.keep_ip} reachable`)}$ErrorActionPreference = 'Stop'\n${hostGuardPs(p.host)}${rule('Inbound')}\n${rule('Outbound')}\nSet-NetFirewallProfile -All -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Block\n`,
        ),
        artifact(
          `rollback-isolate-${name}.ps1`,
          'text/plain',
          `${header('#', id, `end the isolation of ${p.host}`)}$ErrorActionPreference = 'Stop'\n${hostGuardPs(p.host)}Set-NetFirewallProfile -All -DefaultInboundAction Block -DefaultOutboundAction Allow\nGet-NetFirewallRule -DisplayName 'Outpost isolation: *' | Remove-NetFirewallRule\n`,
        ),
      ],
      diff: null,
      warnings: [`Connections to ${p.host} other than from ${p.keep_ip} drop as soon as it runs`],
    }
  }
  return {
    summary: `Isolate ${p.host} (nftables drops everything but ${p.keep_ip} and loopback)`,
    artifacts: [
      artifact(
        `isolate-${name}.sh`,
        'text/x-shellscript',
        `#!/bin/bash\n${header('#', id, `isolate ${p.host}, keeping ${p.keep_ip} reachable`)}set -euo pipefail\n${hostGuardSh(p.host)}nft -f - <<'NFT'\ntable inet outpost_isolation {\n  chain input { type filter hook input priority -10; policy drop;\n    iif lo accept\n    ${family} saddr ${p.keep_ip} accept\n  }\n  chain output { type filter hook output priority -10; policy drop;\n    oif lo accept\n    ${family} daddr ${p.keep_ip} accept\n  }\n}\nNFT\n`,
      ),
      artifact(
        `rollback-isolate-${name}.sh`,
        'text/x-shellscript',
        `#!/bin/bash\n${header('#', id, `end the isolation of ${p.host}`)}set -euo pipefail\n${hostGuardSh(p.host)}nft delete table inet outpost_isolation\n`,
      ),
    ],
    diff: null,
    warnings: [`Connections to ${p.host} other than from ${p.keep_ip} drop as soon as it runs`],
  }
}

const disableUser = (id: string, p: ActionParams['disable_user']): Built => {
  const name = fileSafe(p.user)
  if (p.platform === 'windows')
    return {
      summary: `Disable the account ${p.user} (Active Directory, or a local account)`,
      artifacts: [
        artifact(
          `disable-${name}.ps1`,
          'text/plain',
          `${header('#', id, `disable ${p.user}`)}$ErrorActionPreference = 'Stop'\n$user = ${psQuote(p.user)}\nif (Get-Command Disable-ADAccount -ErrorAction SilentlyContinue) {\n  Disable-ADAccount -Identity $user\n} else {\n  & net.exe user $user /active:no\n}\n`,
        ),
        artifact(
          `rollback-disable-${name}.ps1`,
          'text/plain',
          `${header('#', id, `enable ${p.user} again`)}$ErrorActionPreference = 'Stop'\n$user = ${psQuote(p.user)}\nif (Get-Command Enable-ADAccount -ErrorAction SilentlyContinue) {\n  Enable-ADAccount -Identity $user\n} else {\n  & net.exe user $user /active:yes\n}\n`,
        ),
      ],
      diff: null,
      warnings: [],
    }
  return {
    summary: `Lock the account ${p.user} (usermod -L, expired) and end its sessions`,
    artifacts: [
      artifact(
        `disable-${name}.sh`,
        'text/x-shellscript',
        `#!/bin/bash\n${header('#', id, `lock ${p.user}`)}set -euo pipefail\nuser=${shQuote(p.user)}\nusermod -L -- "$user"\nchage -E 0 -- "$user"\npkill -KILL -u "$user" || true\n`,
      ),
      artifact(
        `rollback-disable-${name}.sh`,
        'text/x-shellscript',
        `#!/bin/bash\n${header('#', id, `unlock ${p.user}`)}set -euo pipefail\nuser=${shQuote(p.user)}\nusermod -U -- "$user"\nchage -E -1 -- "$user"\n`,
      ),
    ],
    diff: null,
    warnings: [],
  }
}

const CHECKLIST = [
  'Photograph or note the screen and the time (and the clock offset to a trusted clock)',
  'Do not reboot or shut down: memory is lost; isolate on the network instead if needed',
  'Capture memory first if a tool is at hand (WinPmem, AVML), to external media',
  'Run the collection script below from external media, as an administrator',
  'Copy the output folder and its SHA256SUMS to write-once media; note who holds it (chain of custody)',
  'Attach the collected archive to this incident (Evidence)',
]

const collectEvidence = (id: string, p: ActionParams['collect_evidence']): Built => {
  const name = fileSafe(p.host)
  const checklist = artifact(
    `evidence-checklist-${name}.md`,
    'text/markdown',
    `# Evidence collection: ${p.host}\n\nOutpost response action ${id}.\n\n${CHECKLIST.map((c) => `- [ ] ${c}`).join('\n')}\n`,
  )
  const script =
    p.platform === 'windows'
      ? artifact(
          `collect-${name}.ps1`,
          'text/plain',
          `${header('#', id, `collect volatile evidence on ${p.host}`)}$ErrorActionPreference = 'Continue'\n${hostGuardPs(p.host)}$out = Join-Path (Get-Location) ("outpost-" + $expected + "-" + (Get-Date -Format 'yyyyMMddTHHmmss'))\nNew-Item -ItemType Directory -Path $out | Out-Null\nGet-Process | Select-Object Id, ProcessName, Path, StartTime | Export-Csv (Join-Path $out 'processes.csv') -NoTypeInformation\nGet-NetTCPConnection | Export-Csv (Join-Path $out 'tcp.csv') -NoTypeInformation\nGet-CimInstance Win32_Service | Select-Object Name, State, PathName | Export-Csv (Join-Path $out 'services.csv') -NoTypeInformation\nGet-ScheduledTask | Select-Object TaskName, TaskPath, State | Export-Csv (Join-Path $out 'tasks.csv') -NoTypeInformation\nquery.exe user > (Join-Path $out 'sessions.txt')\nGet-ChildItem $out -File | Get-FileHash -Algorithm SHA256 | Export-Csv (Join-Path $out 'SHA256SUMS.csv') -NoTypeInformation\nWrite-Output "collected into $out"\n`,
        )
      : artifact(
          `collect-${name}.sh`,
          'text/x-shellscript',
          `#!/bin/bash\n${header('#', id, `collect volatile evidence on ${p.host}`)}set -uo pipefail\n${hostGuardSh(p.host)}out="outpost-$(hostname)-$(date -u +%Y%m%dT%H%M%SZ)"\nmkdir -p -- "$out"\nps auxww > "$out/processes.txt"\nss -tupan > "$out/sockets.txt" 2>&1\nwho -a > "$out/sessions.txt"\nlast -n 200 > "$out/last.txt" 2>&1\ncrontab -l > "$out/crontab.txt" 2>&1\nsystemctl list-units --type=service --all > "$out/services.txt" 2>&1\n(cd "$out" && sha256sum -- * > SHA256SUMS)\necho "collected into $out"\n`,
        )
  return {
    summary: `Collect volatile evidence on ${p.host}: a checklist and a ${p.platform === 'windows' ? 'PowerShell' : 'bash'} script`,
    artifacts: [checklist, script],
    diff: null,
    warnings: [],
  }
}

/** The artifacts and diff of a built-in action; webhook and command describe the call they make. */
export const buildArtifacts = (
  type: ActionType,
  id: string,
  params: Record<string, unknown>,
  state: KnownState,
): Built => {
  switch (type) {
    case 'block_ip':
      return blockIp(id, params as ActionParams['block_ip'], state)
    case 'isolate_host':
      return isolateHost(id, params as ActionParams['isolate_host'])
    case 'disable_user':
      return disableUser(id, params as ActionParams['disable_user'])
    case 'collect_evidence':
      return collectEvidence(id, params as ActionParams['collect_evidence'])
    case 'webhook': {
      const p = params as ActionParams['webhook']
      return {
        summary: `POST to ${p.url}`,
        artifacts: [
          artifact(
            'webhook-request.json',
            'application/json',
            `${JSON.stringify({ method: 'POST', url: p.url, body: { action_id: id, ...p.body } }, null, 2)}\n`,
          ),
        ],
        diff: null,
        warnings: [],
      }
    }
    case 'command': {
      const p = params as ActionParams['command']
      return {
        summary: `Run ${p.command} ${p.args.map(shQuote).join(' ')} on the Outpost machine (no shell)`,
        artifacts: [
          artifact(
            'command.json',
            'application/json',
            `${JSON.stringify({ command: p.command, args: p.args }, null, 2)}\n`,
          ),
        ],
        diff: null,
        warnings: [],
      }
    }
  }
}
