import {
  createCsr,
  exportPrivateKeyPem,
  generateKeyPair,
  type Identifier,
  type KeyPair,
  type KeyType,
  parseIdentifier,
} from '@autotls/crypto'
import type { AcmeClient } from './acme-client.js'
import type { ChallengeArgs, ChallengeSolver } from './challenge-solver.js'
import { AcmeError } from './errors.js'
import type { ExternalAccountBinding } from './external-account-binding.js'
import { PollWaker } from './poll-waker.js'
import type { Authorization } from './resources.js'
import { timeoutSignal } from './timeout-signal.js'

/** Everything {@link issueCertificate} needs. */
export interface IssueCertificateOptions {
  client: AcmeClient
  /** Names (`example.com`, `*.example.com`, `192.0.2.1`) or identifiers. */
  identifiers: readonly (string | Identifier)[]
  /** The first solver whose type the CA offers for an authorization wins, in this order. */
  solvers: readonly ChallengeSolver[]
  /** Type of the fresh certificate key (default ec-p256); ignored when `key` is given. */
  keyType?: KeyType
  key?: KeyPair
  /** draft-ietf-acme-profiles profile name. */
  profile?: string
  /** RFC 9773 certID of the certificate this one replaces. */
  replaces?: string
  /** Issuer common name to prefer among the default and alternate chains. */
  preferredChain?: string
  /** When the client has no account URL yet: register with these (else look the key up). */
  account?: {
    termsOfServiceAgreed?: boolean
    contact?: readonly string[]
    externalAccountBinding?: ExternalAccountBinding
  }
  signal?: AbortSignal
  /** Deadline of the whole flow. Default 5 minutes. */
  timeoutMs?: number
}

/** The result of {@link issueCertificate}. */
export interface IssuedCertificate {
  readonly key: KeyPair
  /** PKCS#8 PEM of `key`. */
  readonly keyPem: string
  /** Leaf first. */
  readonly chainPem: string
  readonly orderUrl: string
}

const CLEANUP_TIMEOUT_MS = 10_000

/**
 * Runs the whole issuance: order, every authorization in parallel (present, respond, poll,
 * clean up; a fresh key and its CSR are made once every challenge has been answered, while the CA
 * validates), finalize, poll, download. Each solver gets `validationSeen` in its arguments to wake
 * the authorization poll when the CA's validation request arrives. On failure every presented
 * challenge is still cleaned up and authorizations left pending are deactivated.
 *
 * @example
 * const { keyPem, chainPem } = await issueCertificate({
 *   client, identifiers: ['example.com'], solvers: [http01Solver],
 * })
 * @see https://www.rfc-editor.org/rfc/rfc8555#section-7.1
 */
export async function issueCertificate(
  options: IssueCertificateOptions,
): Promise<IssuedCertificate> {
  if (options.solvers.length === 0) {
    throw new AcmeError('ERR_ACME_INVALID_ARGUMENT', 'pass at least one challenge solver')
  }
  const identifiers = options.identifiers.map((i) =>
    typeof i === 'string' ? parseIdentifier(i, { allowWildcard: true }) : i,
  )
  const timeoutMs = options.timeoutMs ?? 300_000
  const timeout = timeoutSignal(timeoutMs)
  try {
    return await issueWithin(options, identifiers, timeout)
  } catch (error) {
    // The calls below see the deadline as their caller's signal: say which one it was.
    if (timeout.aborted && !options.signal?.aborted && isAbort(error)) {
      throw new AcmeError(
        'ERR_ACME_TIMEOUT',
        `issuing a certificate for ${identifiers.map((i) => i.value).join(', ')} took longer than timeoutMs (${timeoutMs} ms): raise timeoutMs, or check the CA and the challenge responses`,
        { cause: error },
      )
    }
    throw error
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof AcmeError && error.code === 'ERR_ACME_ABORTED'
}

async function issueWithin(
  options: IssueCertificateOptions,
  identifiers: readonly Identifier[],
  timeout: AbortSignal,
): Promise<IssuedCertificate> {
  const { client } = options
  const failed = new AbortController()
  const signal = AbortSignal.any([
    failed.signal,
    timeout,
    ...(options.signal ? [options.signal] : []),
  ])
  const call = { signal }
  if (!client.accountUrl) {
    if (options.account) await client.createAccount({ ...options.account, ...call })
    else await client.findAccount(call)
  }
  const order = await client.newOrder({
    identifiers,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.replaces === undefined ? {} : { replaces: options.replaces }),
    ...call,
  })
  // The certificate key and CSR are made while the CA validates: once every challenge has been
  // answered (its response POSTed), so that they do not delay those POSTs (the CSR is built on
  // this thread).
  let keyAndCsr: Promise<{ key: KeyPair; csr: { der: Uint8Array } }> | undefined
  let unanswered = order.authorizations.length
  const answered = (): void => {
    if (--unanswered > 0 || keyAndCsr || signal.aborted) return
    keyAndCsr = makeKeyAndCsr(options, identifiers)
    keyAndCsr.catch(() => {})
  }
  try {
    await Promise.all(
      order.authorizations.map((url) =>
        authorize(client, url, options.solvers, signal, answered).catch((error: unknown) => {
          failed.abort(error)
          throw error
        }),
      ),
    )
  } catch (error) {
    await deactivatePending(client, order.authorizations)
    throw error
  }
  const { key, csr } = await (keyAndCsr ?? makeKeyAndCsr(options, identifiers))
  const finalized = await client.finalizeOrder(order, csr.der, call)
  const valid = await client.waitForOrder(finalized, call)
  const chain = await client.downloadCertificate(valid, {
    ...(options.preferredChain === undefined ? {} : { preferredChain: options.preferredChain }),
    ...call,
  })
  return {
    key,
    keyPem: await exportPrivateKeyPem(key),
    chainPem: chain.chainPem,
    orderUrl: order.url,
  }
}

async function makeKeyAndCsr(
  options: IssueCertificateOptions,
  identifiers: readonly Identifier[],
): Promise<{ key: KeyPair; csr: { der: Uint8Array } }> {
  const key = options.key ?? (await generateKeyPair(options.keyType ?? 'ec-p256'))
  return { key, csr: await createCsr({ key, identifiers }) }
}

async function authorize(
  client: AcmeClient,
  url: string,
  solvers: readonly ChallengeSolver[],
  signal: AbortSignal,
  answered: () => void,
): Promise<void> {
  const authz: Authorization = await client.getAuthorization(url, { signal })
  if (authz.status === 'valid') {
    answered()
    return
  }
  if (authz.status !== 'pending') {
    throw new AcmeError(
      'ERR_ACME_AUTHORIZATION_INVALID',
      `authorization for ${authz.identifier.value} is already ${authz.status}`,
    )
  }
  let pick: { solver: ChallengeSolver; challenge: Authorization['challenges'][number] } | undefined
  for (const solver of solvers) {
    const challenge = authz.challenges.find((c) => c.type === solver.type)
    if (challenge) {
      pick = { solver, challenge }
      break
    }
  }
  if (!pick) {
    throw new AcmeError(
      'ERR_ACME_NO_SOLVER',
      `no solver for ${authz.identifier.value}: the CA offers ${authz.challenges.map((c) => c.type).join(', ')}; pass a solver for one of them`,
    )
  }
  const identifier: Identifier = {
    type: authz.identifier.type === 'ip' ? 'ip' : 'dns',
    value: authz.wildcard ? `*.${authz.identifier.value}` : authz.identifier.value,
  }
  const waker = new PollWaker()
  const args: ChallengeArgs = {
    identifier,
    token: pick.challenge.token,
    keyAuthorization: await client.keyAuthorization(pick.challenge.token),
    signal,
    validationSeen: () => waker.wake(),
  }
  await pick.solver.present(args)
  try {
    if (pick.challenge.status === 'pending')
      await client.respondToChallenge(pick.challenge, { signal })
    answered()
    await client.waitForAuthorization(url, { signal, waker })
  } finally {
    await pick.solver
      .cleanup({ ...args, signal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS) })
      .catch(() => {})
  }
}

async function deactivatePending(client: AcmeClient, urls: readonly string[]): Promise<void> {
  await Promise.all(
    urls.map(async (url) => {
      const signal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS)
      try {
        const authz = await client.getAuthorization(url, { signal })
        if (authz.status === 'pending') await client.deactivateAuthorization(url, { signal })
      } catch {
        // Best effort: the authorization expires on its own.
      }
    }),
  )
}
