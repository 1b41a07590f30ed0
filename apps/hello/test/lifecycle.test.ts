import {
  chmod,
  chown,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  getWhenReady,
  HELLO,
  type HelloProcess,
  runHello,
  until,
  verifiedGet,
} from './run-hello.js'

const NAME = 'life.test'
const OTHER = 'later.test'
const USER = { uid: 1000, gid: 1000 }
let pebble: Pebble
let work: string
let entry: string
let roots: string
let base: Record<string, string>

beforeAll(async () => {
  pebble = await startPebble()
  work = await mkdtemp(join(tmpdir(), 'hello-life-'))
  // Processes running as uid 1000 read the bundle, the CA file and their directories below.
  await chmod(work, 0o755)
  // A copy of the bundle there too: the checkout itself may not be readable by uid 1000 (a
  // clone in a 0700 temporary directory, as CI makes).
  await cp(dirname(HELLO), join(work, 'dist'), { recursive: true })
  entry = join(work, 'dist', basename(HELLO))
  await writeFile(join(work, 'api-ca.pem'), pebble.caPem)
  roots = (await pebble.roots()).join('')
  base = {
    DOMAINS: `${NAME},${OTHER}`,
    ACME_DIRECTORY: pebble.directoryUrl,
    ACME_CA_CERTS: join(work, 'api-ca.pem'),
    HTTPS_PORT: String(pebble.tlsPort),
    HTTP_PORT: String(pebble.httpPort),
    HOST: '127.0.0.1',
    WORKERS: '1',
  }
})

afterAll(async () => {
  await pebble?.stop()
  await rm(work, { recursive: true, force: true })
})

/** Runs the copy of the bundle in the world-readable work directory. */
function run(env: Record<string, string>, user?: { uid: number; gid: number }): HelloProcess {
  return runHello(env, user, entry)
}

let dirs = 0
async function certsDir(mode = 0o755): Promise<string> {
  const dir = join(work, `certs-${++dirs}`)
  await mkdir(dir)
  await chmod(dir, mode)
  return dir
}

/** Stops `app` if it still runs (tests that end it themselves leave nothing to do). */
async function stopped(app: HelloProcess): Promise<void> {
  if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL')
  await app.exited
}

function plainGet(
  path: string,
  headers: Record<string, string> = {},
  port = pebble.httpPort,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Sends `head` over a verified TLS connection and resolves with everything the server answered. */
function rawTls(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: pebble.tlsPort,
      servername: NAME,
      ca: roots,
    })
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('secureConnect', () => socket.write(head))
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('end', () => resolve(answer))
    socket.on('error', (error) => (answer ? resolve(answer) : reject(error)))
  })
}

/** Sends `head` to the HTTP port and resolves with everything the server answered. */
function rawHttp(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(pebble.httpPort, '127.0.0.1', () => socket.write(head))
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('end', () => resolve(answer))
    socket.on('error', (error) => (answer ? resolve(answer) : reject(error)))
  })
}

async function chownTree(path: string, id: number): Promise<void> {
  await chown(path, id, id)
  if (!(await stat(path)).isDirectory()) return
  for (const entry of await readdir(path)) await chownTree(join(path, entry), id)
}

async function uidOf(pid: number): Promise<string | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return /^Uid:\s+(\d+)/m.exec(status)?.[1]
}

describe('hello started as root with RUN_AS', () => {
  it('takes over a root-owned 0755 CERTS_DIR and serves as that user; holding a certificate, it stays ready while the directory is unusable and says why', async () => {
    const dir = await certsDir()
    const app = run({ ...base, CERTS_DIR: dir, RUN_AS: '1000:1000' })
    try {
      expect(await getWhenReady(pebble.tlsPort, NAME, roots)).toMatchObject({ status: 200 })
      expect(await uidOf(app.child.pid as number)).toBe('1000')
      const info = await stat(dir)
      expect([info.uid, info.gid, info.mode & 0o777]).toEqual([1000, 1000, 0o700])
      expect(await plainGet('/readyz')).toEqual({ status: 200, body: `serving ${NAME}\n` })

      // The directory and everything in it become root's: hello can no longer store anything,
      // but what it holds in memory is still served.
      await chownTree(dir, 0)
      expect(await plainGet('/readyz')).toEqual({
        status: 200,
        body: `serving ${NAME} from memory, but the certificate cache is not usable (EACCES): new names and renewals wait for it\n`,
      })
      expect((await verifiedGet(pebble.tlsPort, NAME, roots)).status).toBe(200)
      // The log line reaches the pipe on its own schedule, not before the response above.
      await expect
        .poll(() => app.output(), { timeout: 5000 })
        .toContain(
          '"msg":"the certificate cache is not usable (EACCES): certificates held in memory are still served; new names and renewals wait for it"',
        )

      await chownTree(dir, 1000)
      expect(await plainGet('/readyz')).toEqual({ status: 200, body: `serving ${NAME}\n` })
      await expect
        .poll(() => app.output(), { timeout: 5000 })
        .toContain('"msg":"the certificate cache is usable again"')
    } finally {
      await stopped(app)
    }
  })

  it('holding nothing, it is not ready while CERTS_DIR is unusable but alive; fixed, it is ready and serves at once', async () => {
    const dir = await certsDir()
    const app = run({ ...base, CERTS_DIR: dir, RUN_AS: '1000:1000' })
    try {
      await until(() => plainGet('/healthz'), 10_000)
      await chownTree(dir, 0)
      expect(await plainGet('/readyz')).toEqual({
        status: 503,
        body: 'the certificate cache is not usable (EACCES)\n',
      })
      expect(await plainGet('/healthz')).toEqual({ status: 200, body: 'ok\n' })

      await chownTree(dir, 1000)
      expect((await plainGet('/readyz')).status).toBe(200)
      expect(await verifiedGet(pebble.tlsPort, NAME, roots)).toMatchObject({
        status: 200,
        body: 'Hello, TLS!\n',
      })
    } finally {
      await stopped(app)
    }
  })

  it('a name whose first handshake failed because CERTS_DIR was not writable is served by the next request once the directory is fixed', async () => {
    const dir = await certsDir()
    const app = run({ ...base, CERTS_DIR: dir, RUN_AS: '1000:1000' })
    try {
      expect(await getWhenReady(pebble.tlsPort, NAME, roots)).toMatchObject({ status: 200 })
      await chownTree(dir, 0)
      await expect(verifiedGet(pebble.tlsPort, OTHER, roots)).rejects.toThrow()
      await chownTree(dir, 1000)
      // No failure memory to wait out: the cause was the environment, not the CA.
      expect(await verifiedGet(pebble.tlsPort, OTHER, roots)).toMatchObject({
        status: 200,
        body: 'Hello, TLS!\n',
      })
    } finally {
      await stopped(app)
    }
  })

  it('with two workers, the workers and then the primary serve as that user', async () => {
    const dir = await certsDir()
    const app = run({ ...base, CERTS_DIR: dir, RUN_AS: '1000:1000', WORKERS: '2' })
    try {
      expect(await getWhenReady(pebble.tlsPort, NAME, roots)).toMatchObject({ status: 200 })
      await expect.poll(() => uidOf(app.child.pid as number), { timeout: 5000 }).toBe('1000')
      expect((await stat(dir)).uid).toBe(1000)
    } finally {
      app.child.kill('SIGTERM')
      expect(await app.exited).toBe(0)
    }
  })
})

describe('ports below 1024', () => {
  it.each(['1', '2'])(
    'with WORKERS=%s, are bound as root before the switch to RUN_AS',
    async (workers) => {
      const low = await freePrivilegedPort()
      const app = run({
        ...base,
        CERTS_DIR: await certsDir(),
        RUN_AS: '1000:1000',
        HTTP_PORT: String(low),
        WORKERS: workers,
      })
      try {
        await until(() => plainGet('/healthz', {}, low), 10_000)
        await expect.poll(() => uidOf(app.child.pid as number), { timeout: 5000 }).toBe('1000')
      } finally {
        app.child.kill('SIGTERM')
        expect(await app.exited).toBe(0)
      }
    },
  )
})

describe('timeouts for a public server', () => {
  it('closes a TLS request whose head never ends after 10 s with a 408 (headersTimeout), and a silent connection on port 80 after 10 s (idle timeout)', async () => {
    const app = run({ ...base, CERTS_DIR: await certsDir(0o700) })
    try {
      await getWhenReady(pebble.tlsPort, NAME, roots)
      const opened = Date.now()
      const silent = tcpConnect(pebble.httpPort, '127.0.0.1')
      const silentClosed = new Promise<number>((resolve) =>
        silent.on('close', () => resolve(Date.now() - opened)),
      )
      silent.on('error', () => {})
      const [slow] = await slowHeaders(1)
      let answer = ''
      slow?.setEncoding('utf8')
      slow?.on('data', (chunk: string) => (answer += chunk))
      const slowClosed = new Promise<number>((resolve) =>
        slow?.on('close', () => resolve(Date.now() - opened)),
      )
      const [silentMs, slowMs] = await Promise.all([silentClosed, slowClosed])
      // Node's defaults held such connections 60–90 s.
      expect(slowMs).toBeGreaterThan(9_000)
      expect(slowMs).toBeLessThan(12_000)
      expect(silentMs).toBeGreaterThan(9_000)
      expect(silentMs).toBeLessThan(12_000)
      expect(answer).toMatch(/^HTTP\/1\.1 408 /)
    } finally {
      await stopped(app)
    }
  }, 30_000)
})

describe('hello started as an unprivileged user', () => {
  it('exits 2 within 2 s with one line naming the fix when CERTS_DIR is root-owned 0755', async () => {
    const dir = await certsDir()
    const started = Date.now()
    const app = run({ ...base, CERTS_DIR: dir }, USER)
    expect(await app.exited).toBe(2)
    expect(Date.now() - started).toBeLessThan(2000)
    const lines = app.output().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toBe(
      `hello: CERTS_DIR ${dir} is not writable by uid 1000 (EACCES): run "chown -R 1000:1000" on that directory (for a host directory mounted at /certs, on the host), or start the container as root without --user so hello prepares it itself`,
    )
  })

  it('exits 2 with one line when REDIS_URL points at nothing', async () => {
    const closed = await freeLoopbackPort()
    const app = run({ ...base, REDIS_URL: `redis://127.0.0.1:${closed}` }, USER)
    expect(await app.exited).toBe(2)
    const lines = app.output().trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      new RegExp(`^hello: REDIS_URL redis://127.0.0.1:${closed} is not usable \\(.+\\): check`),
    )
  })
})

describe('a port that cannot be bound', () => {
  it.each(['1', '2'])(
    'with WORKERS=%s ends the process within seconds, non-zero, with one line naming the cause',
    async (workers) => {
      const squatter = await occupy(pebble.httpPort)
      try {
        const app = run({ ...base, CERTS_DIR: await certsDir(0o700), WORKERS: workers })
        expect(await app.exited).toBe(2)
        const lines = app.output().trim().split('\n')
        expect(lines).toEqual([
          `hello: could not listen on port ${pebble.httpPort} (EADDRINUSE): another process holds it: stop that process or set HTTP_PORT to a free port (HTTP_PORT=off turns port 80 off)`,
        ])
      } finally {
        squatter.close()
      }
    },
  )
})

describe('requests a public server must refuse', () => {
  it('answers 400 to two Host headers on both ports, delivers the 431 to a TLS client, makes CERTS_DIR 0700 and leaves a rate-limited trace of refused names', async () => {
    const dir = await certsDir(0o755)
    const app = run({ ...base, CERTS_DIR: dir })
    try {
      await getWhenReady(pebble.tlsPort, NAME, roots)
      expect((await stat(dir)).mode & 0o777).toBe(0o700)

      // RFC 9112 §3.2: a request with more than one Host header field is answered 400.
      const twoHosts = await rawTls(`GET / HTTP/1.1\r\nHost: ${NAME}\r\nHost: evil.test\r\n\r\n`)
      expect(twoHosts).toMatch(/^HTTP\/1\.1 400 /)
      expect(await rawHttp(`GET / HTTP/1.1\r\nHost: ${NAME}\r\nHost: evil.test\r\n\r\n`)).toMatch(
        /^HTTP\/1\.1 400 /,
      )

      // Headers over Node's 16 KiB limit: the client reads the 431, not a reset.
      const big = await rawTls(
        `GET / HTTP/1.1\r\nHost: ${NAME}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
      )
      expect(big).toMatch(/^HTTP\/1\.1 431 /)

      // Refused names leave a trace, at a limited rate: thirty refusals, at most twenty lines.
      for (let i = 0; i < 30; i++) {
        await expect(verifiedGet(pebble.tlsPort, `stranger${i}.test`, roots)).rejects.toThrow()
      }
      const warnings = app
        .output()
        .split('\n')
        .filter((line) => line.includes('"reason":"not-allowed"'))
      expect(warnings.length).toBeGreaterThan(0)
      expect(warnings.length).toBeLessThanOrEqual(20)
    } finally {
      await stopped(app)
    }
  })
})

/** A ClientHello for `name` as Node's TLS client sends it, captured once. */
function captureClientHello(name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk)
        socket.destroy()
        server.close()
      })
    })
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      tlsConnect({ host: '127.0.0.1', port, servername: name, rejectUnauthorized: false }).on(
        'error',
        () => {},
      )
    })
    server.on('error', reject)
  })
}

/** `count` connections that send a complete ClientHello and then nothing. */
async function stalledHandshakes(count: number, hello: Buffer): Promise<Socket[]> {
  const sockets: Socket[] = []
  for (let i = 0; i < count; i++) {
    const socket = tcpConnect(pebble.tlsPort, '127.0.0.1')
    socket.on('error', () => {})
    socket.on('data', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(hello)
    sockets.push(socket)
  }
  return sockets
}

/** `count` verified TLS connections that send half a request head and then nothing. */
async function slowHeaders(count: number): Promise<Socket[]> {
  const sockets: Socket[] = []
  for (let i = 0; i < count; i++) {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: pebble.tlsPort,
      servername: NAME,
      ca: roots,
    })
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('secureConnect', resolve))
    socket.write(`GET / HTTP/1.1\r\nHost: ${NAME}\r\nX-Slow: `)
    sockets.push(socket)
  }
  return sockets
}

describe('stopping', () => {
  it.each(['1', '2'])(
    'with WORKERS=%s, 50 stalled handshakes and 50 slow-header requests: SIGTERM ends the process within 10 s and exit code 1 says connections were cut',
    async (workers) => {
      const dir = await certsDir(0o700)
      const app = run({ ...base, CERTS_DIR: dir, WORKERS: workers })
      const open: Socket[] = []
      try {
        await getWhenReady(pebble.tlsPort, NAME, roots)
        const hello = await captureClientHello(NAME)
        open.push(...(await stalledHandshakes(50, hello)), ...(await slowHeaders(50)))
        const signalled = Date.now()
        app.child.kill('SIGTERM')
        const code = await app.exited
        const took = Date.now() - signalled
        expect(code).toBe(1)
        expect(took).toBeLessThan(10_000)
        expect(app.output()).toContain('cutting')
      } finally {
        for (const socket of open) socket.destroy()
        await stopped(app)
      }
    },
  )
})

describe('worker supervision', () => {
  it('replaces a killed worker after a pause, and ends the process with exit code 1 and one line when workers die five times within a minute', async () => {
    const app = run({ ...base, CERTS_DIR: await certsDir(0o700), WORKERS: '2' })
    try {
      await getWhenReady(pebble.tlsPort, NAME, roots)
      for (let death = 1; death <= 5; death++) {
        const pid = await until(async () => {
          const match = [...app.output().matchAll(/"pid":(\d+)[^\n]*"msg":"listening"/g)]
            .map((m) => Number(m[1]))
            .find((p) => !killed.has(p))
          if (match === undefined) throw new Error('no listening worker yet')
          return match
        }, 10_000)
        killed.add(pid)
        process.kill(pid, 'SIGKILL')
        if (death < 5) {
          await expect
            .poll(() => app.output(), { timeout: 10_000 })
            .toContain(
              `worker ${pid} died (SIGKILL); starting another in ${100 * 2 ** (death - 1)} ms`,
            )
        }
      }
      expect(await app.exited).toBe(1)
      expect(app.output()).toContain(
        'hello: workers died 5 times within 60 s (the last: SIGKILL); stopping',
      )
    } finally {
      await stopped(app)
    }
  })
})
const killed = new Set<number>()

describe('a first issuance cut short (issue 13)', () => {
  it('killed with SIGKILL during a first issuance and restarted on the same CERTS_DIR, serves that name within 3 s of the first request', async () => {
    const dir = await certsDir(0o700)
    const env = { ...base, CERTS_DIR: dir, LOG_LEVEL: 'debug' }
    const first = run(env)
    try {
      await until(() => plainGet('/healthz'), 10_000)
      verifiedGet(pebble.tlsPort, NAME, roots).catch(() => {})
      await expect
        .poll(() => first.output(), { timeout: 10_000, interval: 5 })
        .toContain('challenge published')
      first.child.kill('SIGKILL')
      await first.exited
    } finally {
      await stopped(first)
    }
    const second = run(env)
    try {
      await until(() => plainGet('/healthz'), 10_000)
      const asked = Date.now()
      const res = await verifiedGet(pebble.tlsPort, NAME, roots)
      const took = Date.now() - asked
      expect(res).toMatchObject({ status: 200, body: 'Hello, TLS!\n' })
      expect(took).toBeLessThan(3000)
    } finally {
      await stopped(second)
    }
  })
})

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

/** A port below 1024 that nothing listens on (the test runs as root). */
async function freePrivilegedPort(): Promise<number> {
  for (let port = 600 + Math.floor(Math.random() * 300); port < 1024; port++) {
    const server = await occupy(port).catch(() => null)
    if (server) {
      await new Promise((resolve) => server.close(resolve))
      return port
    }
  }
  throw new Error('no free port below 1024')
}

async function freeLoopbackPort(): Promise<number> {
  const server = await occupy(0)
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
