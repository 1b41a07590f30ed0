// Issue a wildcard certificate (*.DOMAIN and DOMAIN) over dns-01 with RFC 2136 dynamic updates,
// and save the key and chain to files. The DNS server must accept updates of TXT records in the
// zone signed with a TSIG key, e.g. for BIND 9:
//   tsig-keygen -a hmac-sha256 acme-update > /etc/bind/acme-update.key
//   include "/etc/bind/acme-update.key";
//   zone "example.com" { ...; update-policy { grant acme-update zonesub TXT; }; };
// Then, with this file saved as issue-wildcard.ts in a project with "type": "module"
// (`npm pkg set type=module`):
//   DOMAIN=example.com DNS_SERVER=192.0.2.53 TSIG_KEY_FILE=acme-update.key \
//     CONTACT=mailto:you@example.com npx tsx issue-wildcard.ts
// Optional: ACME_DIRECTORY (default Let's Encrypt staging), ACME_CA_FILE (extra CA to trust for
// the ACME API), DNS_RESOLVERS (resolvers to find the zone with, default the system's),
// DNS_NAMESERVERS (servers that must answer the record first, default the zone's NS), OUT_DIR.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AcmeClient, generateKeyPair, issueCertificate, LETS_ENCRYPT_STAGING } from '@autotls/acme'
import { dns01Solver } from '@autotls/dns'
import { parseTsigKey, rfc2136Provider } from '@autotls/dns-rfc2136'

const env = process.env
const domain = env.DOMAIN ?? 'example.com'
const outDir = env.OUT_DIR ?? '.'
const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
const resolvers = list(env.DNS_RESOLVERS)
const nameservers = list(env.DNS_NAMESERVERS)

const solver = dns01Solver({
  provider: rfc2136Provider({
    server: env.DNS_SERVER ?? '127.0.0.1',
    tsig: parseTsigKey(await readFile(env.TSIG_KEY_FILE ?? 'acme-update.key', 'utf8')),
  }),
  ...(resolvers ? { resolvers } : {}),
  ...(nameservers ? { nameservers } : {}),
})

const client = new AcmeClient({
  directoryUrl: env.ACME_DIRECTORY ?? LETS_ENCRYPT_STAGING,
  accountKey: await generateKeyPair('ec-p256'),
  ...(env.ACME_CA_FILE ? { caPem: await readFile(env.ACME_CA_FILE, 'utf8') } : {}),
})
await client.createAccount({
  termsOfServiceAgreed: true,
  ...(env.CONTACT ? { contact: [env.CONTACT] } : {}),
})
// One order, two authorizations: both publish a TXT value at _acme-challenge.DOMAIN.
const { keyPem, chainPem } = await issueCertificate({
  client,
  identifiers: [`*.${domain}`, domain],
  solvers: [solver],
})
await writeFile(join(outDir, `wildcard.${domain}.key.pem`), keyPem, { mode: 0o600 })
await writeFile(join(outDir, `wildcard.${domain}.chain.pem`), chainPem)
console.log(`saved wildcard.${domain}.key.pem and wildcard.${domain}.chain.pem in ${outDir}`)
