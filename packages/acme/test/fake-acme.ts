/*
 * An in-memory ACME server behind an injected `fetch`: routes by path, hands out and checks
 * nonces (each accepted once), records every request with its JWS nonce and payload. Signatures
 * are not verified: these tests pin down what the client sends and how it reacts, against
 * answers scripted per path.
 */

/** One request as the fake server saw it. */
export interface FakeRequest {
  readonly method: string
  readonly path: string
  readonly nonce?: string
  readonly protectedHeader?: Record<string, unknown>
  readonly payload?: unknown
  /** When it arrived (the injected clock). */
  readonly at: number
}

/** What a route answers. */
export interface FakeAnswer {
  status?: number
  headers?: Record<string, string>
  /** JSON-encoded unless a string; problem documents set `content-type` themselves. */
  body?: unknown
}

export type FakeRoute = (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>

export interface FakeAcme {
  readonly base: string
  readonly directoryUrl: string
  readonly fetch: typeof globalThis.fetch
  readonly requests: FakeRequest[]
  /** Answers requests whose path starts with `prefix` (the longest prefix wins). */
  route(prefix: string, handler: FakeRoute): void
  /** Nonces issued by HEAD newNonce. */
  readonly newNonces: () => number
}

const ERR = 'urn:ietf:params:acme:error:'

/** A problem document answer. */
export function problem(
  status: number,
  type: string,
  detail = type,
  headers: Record<string, string> = {},
): FakeAnswer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: { type: `${ERR}${type}`, detail, status },
  }
}

/**
 * Starts the fake at `https://fake.test`. The directory, newNonce (HEAD) and nonce checks are
 * built in; `directory` adds fields (e.g. `renewalInfo`).
 */
export function fakeAcme(
  options: { now?: () => number; directory?: Record<string, unknown> } = {},
): FakeAcme {
  const base = 'https://fake.test'
  const now = options.now ?? Date.now
  const live = new Set<string>()
  const requests: FakeRequest[] = []
  const routes = new Map<string, FakeRoute>()
  let counter = 0
  let newNonces = 0
  const nonce = (): string => {
    const n = `n${++counter}x${Math.random().toString(36).slice(2)}`
    live.add(n)
    return n
  }
  const directory = {
    newNonce: `${base}/new-nonce`,
    newAccount: `${base}/new-account`,
    newOrder: `${base}/new-order`,
    revokeCert: `${base}/revoke-cert`,
    keyChange: `${base}/key-change`,
    meta: {},
    ...options.directory,
  }
  const respond = (answer: FakeAnswer): Response => {
    const body = answer.body
    const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body)
    return new Response(text, {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json', 'replay-nonce': nonce(), ...answer.headers },
    })
  }
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input))
    const method = init?.method ?? 'GET'
    const path = url.pathname + url.search
    if (path === '/dir') {
      requests.push({ method, path, at: now() })
      return new Response(JSON.stringify(directory), {
        headers: { 'content-type': 'application/json' },
      })
    }
    if (path === '/new-nonce') {
      newNonces++
      requests.push({ method, path, at: now() })
      return new Response(null, { status: 200, headers: { 'replay-nonce': nonce() } })
    }
    let request: FakeRequest = { method, path, at: now() }
    if (method === 'POST') {
      const jws = JSON.parse(String(init?.body)) as { protected: string; payload: string }
      const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8'))
      const payloadText = Buffer.from(jws.payload, 'base64url').toString('utf8')
      request = {
        ...request,
        nonce: header.nonce,
        protectedHeader: header,
        payload: payloadText === '' ? undefined : JSON.parse(payloadText),
      }
      requests.push(request)
      if (!live.delete(header.nonce)) return respond(problem(400, 'badNonce', 'unknown nonce'))
    } else {
      requests.push(request)
    }
    const prefix = [...routes.keys()]
      .filter((p) => path.startsWith(p))
      .sort((a, b) => b.length - a.length)[0]
    if (prefix === undefined) return respond(problem(404, 'malformed', `nothing at ${path}`))
    return respond(await (routes.get(prefix) as FakeRoute)(request))
  }
  return {
    base,
    directoryUrl: `${base}/dir`,
    fetch: fetch as typeof globalThis.fetch,
    requests,
    route: (prefix, handler) => routes.set(prefix, handler),
    newNonces: () => newNonces,
  }
}

/** An account route: newAccount answers with `/acct/1`. */
export function withAccount(fake: FakeAcme): void {
  fake.route('/new-account', () => ({
    status: 201,
    headers: { location: `${fake.base}/acct/1` },
    body: { status: 'valid', contact: [], orders: `${fake.base}/acct/1/orders` },
  }))
  fake.route('/acct/1', () => ({
    body: { status: 'valid', contact: [], orders: `${fake.base}/acct/1/orders` },
  }))
}

/** An order body for `identifiers` with one authorization each. */
export function orderBody(
  base: string,
  id: number,
  identifiers: readonly { type: string; value: string }[],
  status = 'pending',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    status,
    identifiers,
    authorizations: identifiers.map((_, i) => `${base}/authz/${id}-${i}`),
    finalize: `${base}/finalize/${id}`,
    ...(status === 'valid' ? { certificate: `${base}/cert/${id}` } : {}),
    ...extra,
  }
}
