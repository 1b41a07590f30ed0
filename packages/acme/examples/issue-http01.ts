// Issue a certificate over http-01 and save the key and chain to files. Save this file as
// issue-http01.ts in a project with "type": "module" (`npm pkg set type=module`, then
// `npm install @autotls/acme tsx`), and run it as root (port 80) on the host the name points at:
//   DOMAIN=example.com CONTACT=mailto:you@example.com npx tsx issue-http01.ts
// Optional: ACME_DIRECTORY (default Let's Encrypt staging), ACME_CA_FILE (extra CA to trust
// for the ACME API), HTTP_PORT (default 80), OUT_DIR (default the current directory).
import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import {
  AcmeClient,
  type ChallengeSolver,
  generateKeyPair,
  issueCertificate,
  LETS_ENCRYPT_STAGING,
} from '@autotls/acme'

const domain = process.env.DOMAIN ?? 'example.com'
const directoryUrl = process.env.ACME_DIRECTORY ?? LETS_ENCRYPT_STAGING
const caFile = process.env.ACME_CA_FILE
const port = Number(process.env.HTTP_PORT ?? 80)
const outDir = process.env.OUT_DIR ?? '.'

// http-01: the CA fetches http://<domain>/.well-known/acme-challenge/<token>.
const responses = new Map<string, string>()
const server = createServer((req, res) => {
  const token = req.url?.match(/^\/\.well-known\/acme-challenge\/([\w-]+)$/)?.[1]
  const body = token ? responses.get(token) : undefined
  res.writeHead(body ? 200 : 404, { 'content-type': 'text/plain' }).end(body)
})
await new Promise<void>((resolve) => server.listen(port, resolve))

const http01: ChallengeSolver = {
  type: 'http-01',
  present: async ({ token, keyAuthorization }) => {
    responses.set(token, keyAuthorization)
  },
  cleanup: async ({ token }) => {
    responses.delete(token)
  },
}

try {
  const client = new AcmeClient({
    directoryUrl,
    accountKey: await generateKeyPair('ec-p256'),
    ...(caFile ? { caPem: await readFile(caFile, 'utf8') } : {}),
  })
  await client.createAccount({
    termsOfServiceAgreed: true,
    ...(process.env.CONTACT ? { contact: [process.env.CONTACT] } : {}),
  })
  const { keyPem, chainPem } = await issueCertificate({
    client,
    identifiers: [domain],
    solvers: [http01],
  })
  await writeFile(join(outDir, `${domain}.key.pem`), keyPem, { mode: 0o600 })
  await writeFile(join(outDir, `${domain}.chain.pem`), chainPem)
  console.log(`saved ${domain}.key.pem and ${domain}.chain.pem in ${outDir}`)
} finally {
  server.close()
}
