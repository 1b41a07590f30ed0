import { type ChildProcess, spawn } from 'node:child_process'
import { request } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { fileURLToPath } from 'node:url'

/** The built bundle: the tests run what ships. */
export const HELLO = fileURLToPath(new URL('../dist/hello.mjs', import.meta.url))

/** A hello process under test. */
export interface HelloProcess {
  readonly child: ChildProcess
  /** stdout and stderr so far. */
  output(): string
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>
}

/**
 * Starts `node dist/hello.mjs` (or `entry`, a copy of it) with `env` on top of a minimal
 * environment; `user` runs it as that uid and gid instead of the test's own user.
 */
export function runHello(
  env: Record<string, string>,
  user?: { uid: number; gid: number },
  entry: string = HELLO,
): HelloProcess {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
  })
  // A test runner that ends early (a timeout, a crash) must not leave servers behind.
  const reap = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', reap)
  child.once('exit', () => process.removeListener('exit', reap))
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  )
  return { child, output: () => output, exited }
}

/** What one verified HTTPS request saw. */
export interface Served {
  readonly status: number
  readonly body: string
  /** Serial number (hex) of the certificate the server presented. */
  readonly serial: string
  /** The certificate's subject alternative names, as Node prints them (`DNS:a, DNS:b`). */
  readonly subjectaltname: string | undefined
}

/** One HTTPS GET for `name` at `port` that verifies the certificate against `ca`. */
export function verifiedGet(port: number, name: string, ca: string, path = '/'): Promise<Served> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: name,
        headers: { host: name },
        ca,
        agent: false,
      },
      (res) => {
        const { serialNumber: serial, subjectaltname } = (
          res.socket as TLSSocket
        ).getPeerCertificate()
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial, subjectaltname }))
      },
    )
    req.setTimeout(45_000, () => req.destroy(new Error(`GET ${name} on ${port} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/**
 * Retries `attempt` until it resolves, pausing briefly between tries, for at most `timeoutMs`;
 * then rejects with the last error. For waiting on other processes, not for scheduling.
 */
export async function until<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

/** Retries `verifiedGet` until the server listens and answers, up to `timeoutMs`. */
export function getWhenReady(
  port: number,
  name: string,
  ca: string,
  timeoutMs = 30_000,
): Promise<Served> {
  return until(() => verifiedGet(port, name, ca), timeoutMs)
}
