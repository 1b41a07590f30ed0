// Starts a local Pebble CA and apps/hello against it, proves one verified HTTPS request, then keeps
// serving until Ctrl-C. `--once` stops after the request (used by the tests).
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startPebble } from '@autotls/pebble'

const DOMAIN = 'hello.test'
const once = process.argv.includes('--once')
const appEntry = fileURLToPath(new URL('../../apps/hello/dist/hello.mjs', import.meta.url))

const work = await mkdtemp(join(tmpdir(), 'autotls-quickstart-'))
const pebble = await startPebble()
const apiCa = join(work, 'pebble-api-ca.pem')
const rootCa = join(work, 'pebble-root.pem')
await writeFile(apiCa, pebble.caPem)
const rootsPem = (await pebble.roots()).join('')
await writeFile(rootCa, rootsPem)

const port = pebble.tlsPort
const app = spawn(process.execPath, [appEntry], {
  env: {
    ...process.env,
    DOMAINS: DOMAIN,
    ACME_DIRECTORY: pebble.directoryUrl,
    ACME_CA_CERTS: apiCa,
    CERTS_DIR: join(work, 'certs'),
    HTTPS_PORT: String(port),
    HTTP_PORT: String(pebble.httpPort),
    HOST: '127.0.0.1',
  },
  stdio: ['ignore', once ? 'ignore' : 'inherit', 'inherit'],
})

let stopping = false
async function stop(code: number): Promise<never> {
  stopping = true
  app.kill('SIGTERM')
  await new Promise((resolve) =>
    app.exitCode === null ? app.once('exit', resolve) : resolve(null),
  )
  await pebble.stop()
  await rm(work, { recursive: true, force: true })
  process.exit(code)
}
app.once('exit', (code) => {
  if (!stopping) {
    console.error(`hello exited with code ${code}`)
    void stop(1)
  }
})
process.once('SIGINT', () => void stop(0))
process.once('SIGTERM', () => void stop(0))

function get(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        servername: DOMAIN,
        headers: { host: DOMAIN },
        ca: rootsPem,
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}`)),
        )
      },
    )
    req.setTimeout(20_000, () => req.destroy(new Error('timed out')))
    req.on('error', reject)
    req.end()
  })
}

const deadline = Date.now() + 60_000
let body: string | undefined
let lastError: unknown
while (body === undefined && Date.now() < deadline) {
  try {
    body = await get()
  } catch (error) {
    lastError = error
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
if (body === undefined) {
  console.error(
    `no verified answer from https://${DOMAIN}:${port}/ within 60 s: ${String(lastError)}`,
  )
  await stop(1)
}
process.stdout.write(body ?? '') // stop(1) above never returns; tsc cannot see through the await
if (once) await stop(0)
process.stdout.write(
  `\nServing https://${DOMAIN}:${port}/ with a certificate from the local Pebble CA. Try it:\n` +
    `  curl --cacert ${rootCa} --resolve ${DOMAIN}:${port}:127.0.0.1 https://${DOMAIN}:${port}/\n` +
    'Press Ctrl-C to stop.\n',
)
