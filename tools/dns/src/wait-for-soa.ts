import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { DnsServerError } from './errors.js'

const run = promisify(execFile)

/** Resolves once `host:port` answers the SOA of `zone`; rejects after `timeoutMs` or `early`. */
export async function waitForSoa(
  host: string,
  port: number,
  zone: string,
  timeoutMs: number,
  early: Promise<never>,
  recurse = false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  const poll = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const { stdout } = await run('dig', [
        '+short',
        '+time=1',
        '+tries=1',
        recurse ? '+rec' : '+norec',
        '-p',
        String(port),
        `@${host}`,
        'SOA',
        `${zone}.`,
      ]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }))
      if (/^\S+\.\s+\S+\.\s+\d+/m.test(stdout)) return
      last = stdout
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new DnsServerError(
      'ERR_DNS_SERVER_START',
      `${host}:${port} did not answer SOA ${zone} within ${timeoutMs} ms ${last}`,
    )
  }
  await Promise.race([early, poll()])
}
