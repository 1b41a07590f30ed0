import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getWhenReady, runHello, verifiedGet } from './run-hello.js'

const NAME = 'hello.test'
let pebble: Pebble
let work: string
let roots: string
let env: Record<string, string>

beforeAll(async () => {
  pebble = await startPebble()
  work = await mkdtemp(join(tmpdir(), 'hello-process-'))
  await writeFile(join(work, 'api-ca.pem'), pebble.caPem)
  roots = (await pebble.roots()).join('')
  env = {
    DOMAINS: NAME,
    ACME_DIRECTORY: pebble.directoryUrl,
    ACME_CA_CERTS: join(work, 'api-ca.pem'),
    CERTS_DIR: join(work, 'certs'),
    HTTPS_PORT: String(pebble.tlsPort),
    HTTP_PORT: String(pebble.httpPort),
    HOST: '127.0.0.1',
    WORKERS: '2',
  }
})

afterAll(async () => {
  await pebble?.stop()
  await rm(work, { recursive: true, force: true })
})

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

describe('hello as a process', () => {
  it('obtains a certificate on the first handshake and answers a verified GET, then restarts with zero new orders and stops on SIGTERM', async () => {
    const first = runHello(env)
    try {
      const res = await getWhenReady(pebble.tlsPort, NAME, roots)
      expect(res).toMatchObject({ status: 200, body: 'Hello, TLS!\n' })
      expect(pebble.orderCount()).toBe(1)
      // The log line may trail the response by a moment (another worker may have obtained it).
      await expect
        .poll(() => first.output(), { timeout: 5000 })
        .toContain('"msg":"certificate obtained for hello.test"')

      // The health endpoint answers on both ports.
      expect(await verifiedGet(pebble.tlsPort, NAME, roots, '/healthz')).toMatchObject({
        status: 200,
        body: 'ok\n',
      })
      expect(await httpGet(pebble.httpPort, '/healthz')).toEqual({ status: 200, body: 'ok\n' })
    } finally {
      first.child.kill('SIGTERM')
    }
    const started = Date.now()
    expect(await first.exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(5000)

    // Private files in a private directory.
    const certs = env.CERTS_DIR as string
    expect((await stat(certs)).mode & 0o777).toBe(0o700)
    const files = await listFiles(certs)
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) expect((await stat(file)).mode & 0o777, file).toBe(0o600)
    expect(files.some((f) => f.endsWith('.tmp') || f.includes('.tmp-'))).toBe(false)

    const second = runHello(env)
    try {
      const res = await getWhenReady(pebble.tlsPort, NAME, roots)
      expect(res.body).toBe('Hello, TLS!\n')
      expect(pebble.orderCount()).toBe(1)
    } finally {
      second.child.kill('SIGTERM')
    }
    expect(await second.exited).toBe(0)
  })

  it('redirects plain HTTP to HTTPS for a configured name only', async () => {
    const app = runHello({ ...env, WORKERS: '1' })
    try {
      await getWhenReady(pebble.tlsPort, NAME, roots)
      const redirect = await new Promise<{ status: number; location?: string }>(
        (resolve, reject) => {
          get(
            {
              host: '127.0.0.1',
              port: pebble.httpPort,
              path: '/x?y=1',
              headers: { host: NAME },
              agent: false,
            },
            (res) => {
              res.resume()
              resolve({ status: res.statusCode ?? 0, location: res.headers.location })
            },
          ).on('error', reject)
        },
      )
      expect([301, 308]).toContain(redirect.status)
      expect(redirect.location).toBe(`https://${NAME}:${pebble.tlsPort}/x?y=1`)
      const other = await new Promise<number>((resolve, reject) => {
        get(
          {
            host: '127.0.0.1',
            port: pebble.httpPort,
            path: '/',
            headers: { host: 'evil.example' },
            agent: false,
          },
          (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          },
        ).on('error', reject)
      })
      expect([301, 308]).not.toContain(other)
    } finally {
      app.child.kill('SIGTERM')
      await app.exited
    }
  })

  it.each([
    [{ DOMAINS: '' }, 'set DOMAINS'],
    [{ ACME_DIRECTORY: 'http://insecure.example/dir' }, 'ACME_DIRECTORY must be an https URL'],
    [{ ACME_DIRECTORY: 'prod' }, 'ACME_DIRECTORY must be "production", "staging" or an https URL'],
    [{ HTTPS_PORT: '70000' }, 'HTTPS_PORT must be a port number'],
    [{ HTTP_PORT: 'eighty' }, 'HTTP_PORT must be a port number from 1 to 65535 or "off"'],
    [{ WORKERS: '0' }, 'WORKERS must be a whole number'],
    [{ ACME_EMAIL: 'not-an-address' }, 'ACME_EMAIL is not an e-mail address'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL must start with redis://'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
  ])(
    'bad configuration %o stops at start with exit code 2 and one line',
    async (override, message) => {
      const app = runHello({ ...env, ...override })
      expect(await app.exited).toBe(2)
      const lines = app.output().trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^hello: /)
      expect(lines[0]).toContain(message)
    },
  )
})

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}
