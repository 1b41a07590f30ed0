import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type Pebble, startPebble } from '@autotls/pebble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readmeBlocks } from '../src/readme-blocks.js'
import { consumer } from './consumer.js'

// The README examples run in the fresh npm project as a user runs them (`npx tsx file.ts`),
// against a local Pebble. The acme example reads its settings from the environment and runs
// verbatim. The manager examples serve real names on ports 443 and 80 from Let's Encrypt; to run
// them here exactly three things change, textually: `createManager(` also receives Pebble's
// directory URL and CA, `443` becomes the port Pebble validates tls-alpn-01 on, `80` the port it
// validates http-01 on.

const exec = promisify(execFile)
const { dir, packages } = consumer()
let pebble: Pebble

beforeAll(async () => {
  pebble = await startPebble({ nonceRejectPercent: 0 })
})

afterAll(async () => {
  await pebble?.stop()
})

async function readmeOf(name: string): Promise<string> {
  const pkg = packages.find((p) => p.name === name)
  if (!pkg) throw new Error(`${name} is not among the packed packages`)
  return readFile(join(pkg.dir, 'README.md'), 'utf8')
}

describe('@autotls/acme README', () => {
  it('the http-01 example issues a certificate from Pebble, run as its comment says', async () => {
    const block = readmeBlocks(await readmeOf('@autotls/acme')).find((b) =>
      b.code.includes('issueCertificate('),
    )
    expect(block, 'a ```ts block calling issueCertificate()').toBeDefined()
    const command = /npx tsx (\S+\.ts)/.exec(block?.code ?? '')
    expect(command, 'the example says how to run it: npx tsx <file>.ts').not.toBeNull()
    const file = command?.[1] ?? ''
    const work = join(dir, 'examples/acme')
    await mkdir(work, { recursive: true })
    await writeFile(join(work, file), block?.code ?? '')
    await writeFile(join(work, 'pebble-ca.pem'), pebble.caPem)
    const { stdout } = await exec('npx', ['--no-install', 'tsx', file], {
      cwd: work,
      timeout: 60_000,
      env: {
        ...process.env,
        DOMAIN: 'acme-example.test',
        CONTACT: 'mailto:ops@example.test',
        ACME_DIRECTORY: pebble.directoryUrl,
        ACME_CA_FILE: join(work, 'pebble-ca.pem'),
        HTTP_PORT: String(pebble.httpPort),
        OUT_DIR: work,
      },
    })
    expect(stdout).toContain('saved acme-example.test.key.pem')
    const chain = await readFile(join(work, 'acme-example.test.chain.pem'), 'utf8')
    expect(chain).toMatch(/^-----BEGIN CERTIFICATE-----/)
  })
})

const PEBBLE_MANAGER = `import { createManager as __createManager } from '@autotls/manager'
const __createManagerAtPebble: typeof __createManager = (options) =>
  __createManager({ ...options, directoryUrl: process.env.ACME_DIRECTORY, caPem: process.env.ACME_CA_PEM })
`

/** The README code with the three documented changes that point it at the local Pebble. */
function atPebble(code: string): string {
  return (
    PEBBLE_MANAGER +
    code
      .replace(/\bcreateManager\(/g, '__createManagerAtPebble(')
      .replace(/\blisten\(443\b/g, 'listen(Number(process.env.HTTPS_PORT)')
      .replace(/\bport: 443\b/g, 'port: Number(process.env.HTTPS_PORT)')
      .replace(/\blisten\(80\b/g, 'listen(Number(process.env.HTTP_PORT)')
  )
}

function get(port: number, name: string, ca: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, servername: name, headers: { host: name }, ca, agent: false },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

async function firstAnswer(
  child: ChildProcess,
  name: string,
  roots: string[],
): Promise<{ status: number; body: string }> {
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  for (let attempt = 0; attempt < 300 && !exited; attempt++) {
    try {
      return await get(pebble.tlsPort, name, roots)
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  throw new Error(exited ? 'the example exited before serving' : 'no answer within 60 s')
}

describe('@autotls/manager README', () => {
  it('its createServer(), Express, Fastify and node:https (tlsOptions) servers each serve Hello, TLS!', async () => {
    const servers = readmeBlocks(await readmeOf('@autotls/manager'))
      .map((block) => ({ block, code: block.preamble + block.code }))
      // A DNS-01 example names a DNS server of the reader's (a documentation address): it is
      // type-checked, not run; packages/manager/test/wildcard-dns.test.ts runs the same setup
      // against a real BIND.
      .filter(({ code }) => !code.includes('dns01Solver('))
      .filter(({ code }) => code.includes('Hello, TLS!') && /\b443\b/.test(code))
    const kind = (code: string): string =>
      code.includes("from 'fastify'")
        ? 'fastify'
        : code.includes("from 'express'")
          ? 'express'
          : code.includes('https.createServer(')
            ? 'node:https'
            : 'createServer'
    expect([...new Set(servers.map(({ code }) => kind(code)))].sort()).toEqual([
      'createServer',
      'express',
      'fastify',
      'node:https',
    ])
    const roots = await pebble.roots()
    for (const { block, code } of servers) {
      const name = /hosts:\s*\[\s*'([^']+)'/.exec(code)?.[1]
      expect(name, `README line ${block.line}: a hosts list with a name`).toBeDefined()
      const work = join(dir, `examples/manager-${block.line}`)
      await mkdir(work, { recursive: true })
      await writeFile(join(work, 'server.ts'), atPebble(code))
      const output: string[] = []
      // tsx itself (what `npx tsx` runs) in a process group of its own, so nothing outlives the test.
      const child = spawn(join(dir, 'node_modules/.bin/tsx'), ['server.ts'], {
        cwd: work,
        detached: true,
        env: {
          ...process.env,
          ACME_DIRECTORY: pebble.directoryUrl,
          ACME_CA_PEM: pebble.caPem,
          HTTPS_PORT: String(pebble.tlsPort),
          HTTP_PORT: String(pebble.httpPort),
        },
      })
      child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()))
      const exited = once(child, 'exit')
      let stopped = false
      try {
        const answer = await firstAnswer(child, name ?? '', roots).catch((error: Error) => {
          throw new Error(`README line ${block.line}: ${error.message}\n${output.join('')}`)
        })
        expect(answer, `README line ${block.line}`).toMatchObject({ status: 200 })
        expect(answer.body).toContain('Hello, TLS!')
        child.kill('SIGTERM') // tsx relays it to the example
        stopped = await Promise.race([
          exited.then(() => true),
          new Promise<false>((resolve) => setTimeout(resolve, 20_000, false)),
        ])
      } finally {
        if (child.pid !== undefined && child.exitCode === null)
          try {
            process.kill(-child.pid, 'SIGKILL')
          } catch {
            // the group ended meanwhile
          }
      }
      expect(stopped, `README line ${block.line}: stops on SIGTERM`).toBe(true)
    }
  })
})

describe('CommonJS callers', () => {
  it.each(packages)(
    'require($name) gives the same exports as import (Node >= 20.19)',
    async ({ name }) => {
      const script = `const m = require(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).sort()))`
      const esm = `import(${JSON.stringify(name)}).then((m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort())))`
      const required = await exec(process.execPath, ['-e', script], { cwd: dir })
      const imported = await exec(process.execPath, ['--input-type=module', '-e', esm], {
        cwd: dir,
      })
      const keys = JSON.parse(required.stdout) as string[]
      expect(keys.length).toBeGreaterThan(0)
      expect(keys.filter((k) => k !== 'module.exports')).toEqual(JSON.parse(imported.stdout))
    },
  )
})
