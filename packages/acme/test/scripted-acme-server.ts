/*
 * A small ACME server for what real Pebble cannot do on purpose: chosen renewalInfo Retry-After
 * values, a directory without renewalInfo, scripted answers (429 with Retry-After, 5xx, resets,
 * compound problems, bad bodies) through `override`, authorizations that stay pending for a
 * chosen number of polls, and every request logged as sent. ARI windows, `replaces`,
 * alreadyReplaced, profiles, invalidProfile, Retry-After on polls, badNonce and orderNotReady are
 * tested against Pebble itself. It follows RFC 8555 for the rest: nonces, JWS checks (jose), accounts, orders,
 * authorizations, challenges (validated at once), finalize, certificate download.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createTlsAlpnCertificate } from '@autotls/crypto'
import { EmbeddedJWK, type FlattenedJWS, flattenedVerify, importJWK, type JWK } from 'jose'

export interface ScriptedServerOptions {
  /** Offer renewalInfo in the directory. */
  renewalInfo?: boolean
  /** Polls of an authorization that answer `pending` before it turns valid. */
  authzPendingPolls?: number
}

export interface LoggedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingMessage['headers']
  readonly protectedHeader?: Record<string, unknown>
  readonly payload?: unknown
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void

interface OrderState {
  status: string
  identifiers: { type: string; value: string }[]
  authzs: number[]
  account: string
}

export interface ScriptedServer {
  readonly directoryUrl: string
  readonly base: string
  readonly requests: LoggedRequest[]
  /** The next `times` requests whose path starts with `pathPrefix` get `handler` instead. */
  override(pathPrefix: string, handler: Handler, times?: number): void
  /** renewalInfo answer for a certID. */
  setRenewalInfo(certId: string, body: unknown, retryAfter?: string): void
  /** How many times newNonce was asked for a nonce. */
  readonly newNonceRequests: () => number
  close(): Promise<void>
}

const ERR = 'urn:ietf:params:acme:error:'

export async function startScriptedServer(
  options: ScriptedServerOptions = {},
): Promise<ScriptedServer> {
  const nonces = new Set<string>()
  const accounts = new Map<string, { jwk: JWK; thumb: string; status: string; contact: string[] }>()
  const orders = new Map<number, OrderState>()
  const authzs = new Map<
    number,
    { identifier: { type: string; value: string }; status: string; polls: number; order: number }
  >()
  const renewal = new Map<string, { body: unknown; retryAfter?: string }>()
  const overrides: { prefix: string; handler: Handler; times: number }[] = []
  const requests: LoggedRequest[] = []
  let base = ''
  let counter = 0
  let newNonceCount = 0
  const { certPem } = await createTlsAlpnCertificate({
    identifier: 'scripted.example',
    keyAuthorization: 'x.y',
  })

  const nonce = (): string => {
    const n = randomBytes(16).toString('base64url')
    nonces.add(n)
    return n
  }
  const json = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'replay-nonce': nonce(),
      ...headers,
    })
    res.end(JSON.stringify(body))
  }
  const problem = (
    res: ServerResponse,
    status: number,
    type: string,
    detail: string,
    headers: Record<string, string> = {},
  ): void => {
    res.writeHead(status, {
      'content-type': 'application/problem+json',
      'replay-nonce': nonce(),
      ...headers,
    })
    res.end(JSON.stringify({ type: `${ERR}${type}`, detail, status }))
  }
  const directory = (): Record<string, unknown> => ({
    newNonce: `${base}/new-nonce`,
    newAccount: `${base}/new-account`,
    newOrder: `${base}/new-order`,
    revokeCert: `${base}/revoke-cert`,
    keyChange: `${base}/key-change`,
    ...(options.renewalInfo ? { renewalInfo: `${base}/renewal-info` } : {}),
    meta: {
      termsOfService: `${base}/terms`,
    },
  })
  const orderJson = (id: number): Record<string, unknown> => {
    const o = orders.get(id) as OrderState
    return {
      status: o.status,
      identifiers: o.identifiers,
      authorizations: o.authzs.map((a) => `${base}/authz/${a}`),
      finalize: `${base}/finalize/${id}`,
      ...(o.status === 'valid' ? { certificate: `${base}/cert/${id}` } : {}),
    }
  }
  const authzJson = (id: number): Record<string, unknown> => {
    const a = authzs.get(id) as NonNullable<ReturnType<typeof authzs.get>>
    return {
      identifier: a.identifier,
      status: a.status,
      challenges: [
        {
          type: 'http-01',
          url: `${base}/chall/${id}`,
          token: `token${id}`,
          status: a.status === 'valid' ? 'valid' : 'pending',
        },
      ],
    }
  }

  const handlePost = async (
    req: IncomingMessage,
    res: ServerResponse,
    raw: Buffer,
  ): Promise<void> => {
    const url = `${base}${req.url}`
    if (req.headers['content-type'] !== 'application/jose+json') {
      return problem(res, 415, 'malformed', 'Content-Type must be application/jose+json')
    }
    let jws: FlattenedJWS
    try {
      jws = JSON.parse(raw.toString('utf8'))
    } catch {
      return problem(res, 400, 'malformed', 'body is not JSON')
    }
    if ('header' in jws) return problem(res, 400, 'malformed', 'unprotected header not allowed')
    const header = JSON.parse(
      Buffer.from(jws.protected ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>
    if (header.url !== url)
      return problem(res, 401, 'unauthorized', `url ${String(header.url)} != ${url}`)
    if (typeof header.nonce !== 'string' || !nonces.delete(header.nonce)) {
      return problem(res, 400, 'badNonce', 'unknown nonce')
    }
    if ('jwk' in header === 'kid' in header)
      return problem(res, 400, 'malformed', 'exactly one of jwk/kid')
    let payloadText: string
    let jwk: JWK
    try {
      if (header.jwk) {
        const verified = await flattenedVerify(jws, EmbeddedJWK)
        payloadText = new TextDecoder().decode(verified.payload)
        jwk = header.jwk as JWK
      } else {
        const account = accounts.get(String(header.kid))
        if (!account) return problem(res, 400, 'accountDoesNotExist', 'no such account')
        const verified = await flattenedVerify(
          jws,
          await importJWK(account.jwk, String(header.alg)),
        )
        payloadText = new TextDecoder().decode(verified.payload)
        jwk = account.jwk
      }
    } catch {
      return problem(res, 400, 'malformed', 'bad signature')
    }
    const payload = payloadText === '' ? undefined : JSON.parse(payloadText)
    requests.push({
      method: 'POST',
      path: req.url ?? '',
      headers: req.headers,
      protectedHeader: header,
      payload,
    })
    const path = req.url ?? ''
    const kid = String(header.kid)
    if (path === '/new-account') {
      const thumb = JSON.stringify([jwk.kty, jwk.crv, jwk.x, jwk.y, jwk.n, jwk.e])
      for (const [id, a] of accounts) {
        if (a.thumb === thumb)
          return json(res, 200, { status: a.status, contact: a.contact }, { location: id })
      }
      if (payload?.onlyReturnExisting)
        return problem(res, 400, 'accountDoesNotExist', 'no account for this key')
      const id = `${base}/acct/${++counter}`
      accounts.set(id, { jwk, thumb, status: 'valid', contact: payload?.contact ?? [] })
      return json(
        res,
        201,
        { status: 'valid', contact: payload?.contact ?? [], orders: `${id}/orders` },
        { location: id },
      )
    }
    if (path === '/new-order') {
      const id = ++counter
      const ids: number[] = []
      for (const identifier of payload.identifiers) {
        const a = ++counter
        authzs.set(a, { identifier, status: 'pending', polls: 0, order: id })
        ids.push(a)
      }
      orders.set(id, {
        status: 'pending',
        identifiers: payload.identifiers,
        authzs: ids,
        account: kid,
      })
      return json(res, 201, orderJson(id), { location: `${base}/order/${id}` })
    }
    if (/^\/acct\/\d+$/.test(path) && accounts.has(url)) {
      const a = accounts.get(url) as NonNullable<ReturnType<typeof accounts.get>>
      if (Array.isArray(payload?.contact)) a.contact = payload.contact
      if (payload?.status === 'deactivated') a.status = 'deactivated'
      return json(res, 200, { status: a.status, contact: a.contact, orders: `${url}/orders` })
    }
    const list = /^\/acct\/\d+\/orders(?:\?page=(\d+))?$/.exec(path)
    if (list) {
      // RFC 8555 §7.1.2.1: two orders a page, further pages by Link rel="next".
      const page = Number(list[1] ?? 0)
      const mine = [...orders]
        .filter(([, o]) => o.account === kid)
        .map(([i]) => `${base}/order/${i}`)
      const more = mine.length > (page + 1) * 2
      const headers: Record<string, string> = more
        ? { link: `<${base}${path.split('?')[0]}?page=${page + 1}>;rel="next"` }
        : {}
      return json(res, 200, { orders: mine.slice(page * 2, page * 2 + 2) }, headers)
    }
    const [, kind, idText] = /^\/([a-z-]+)\/(\d+)/.exec(path) ?? []
    const id = Number(idText)
    if (kind === 'order' && orders.has(id)) {
      const o = orders.get(id) as OrderState
      // Validation proceeds while the client polls the order (as while it polls authorizations).
      for (const a of o.authzs) {
        const authz = authzs.get(a)
        if (authz?.status === 'processing' && authz.polls++ >= (options.authzPendingPolls ?? 0)) {
          authz.status = 'valid'
        }
      }
      if (o.status === 'pending' && o.authzs.every((x) => authzs.get(x)?.status === 'valid')) {
        o.status = 'ready'
      }
      if (o.status === 'processing') o.status = 'valid'
      return json(res, 200, orderJson(id))
    }
    if (kind === 'authz' && authzs.has(id)) {
      const a = authzs.get(id) as NonNullable<ReturnType<typeof authzs.get>>
      if (payload?.status === 'deactivated') a.status = 'deactivated'
      if (a.status === 'processing') {
        if (a.polls++ >= (options.authzPendingPolls ?? 0)) {
          a.status = 'valid'
          const o = orders.get(a.order) as OrderState
          if (o.authzs.every((x) => authzs.get(x)?.status === 'valid')) o.status = 'ready'
        } else {
          return json(res, 200, { ...authzJson(id), status: 'pending' })
        }
      }
      return json(res, 200, authzJson(id))
    }
    if (kind === 'chall' && authzs.has(id)) {
      const a = authzs.get(id) as NonNullable<ReturnType<typeof authzs.get>>
      if (a.status === 'pending') a.status = 'processing'
      return json(res, 200, {
        type: 'http-01',
        url: `${base}/chall/${id}`,
        token: `token${id}`,
        status: 'processing',
      })
    }
    if (kind === 'finalize' && orders.has(id)) {
      const o = orders.get(id) as OrderState
      if (o.status !== 'ready') return problem(res, 403, 'orderNotReady', `order is ${o.status}`)
      if (typeof payload?.csr !== 'string') return problem(res, 400, 'badCSR', 'no csr')
      o.status = 'processing'
      return json(res, 200, orderJson(id), { location: `${base}/order/${id}` })
    }
    if (kind === 'cert' && orders.has(id)) {
      res.writeHead(200, {
        'content-type': 'application/pem-certificate-chain',
        'replay-nonce': nonce(),
      })
      return void res.end(certPem)
    }
    return problem(res, 404, 'malformed', `nothing at ${path}`)
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const path = req.url ?? ''
      const override = overrides.find((o) => path.startsWith(o.prefix) && o.times > 0)
      if (override) {
        override.times--
        if (req.method !== 'POST')
          requests.push({ method: req.method ?? '', path, headers: req.headers })
        return override.handler(req, res, body)
      }
      if (path === '/dir') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify(directory()))
      }
      if (path === '/new-nonce') {
        newNonceCount++
        res.writeHead(req.method === 'HEAD' ? 200 : 204, {
          'replay-nonce': nonce(),
          'cache-control': 'no-store',
        })
        return void res.end()
      }
      if (path.startsWith('/renewal-info/') && req.method === 'GET') {
        requests.push({ method: 'GET', path, headers: req.headers })
        const entry = renewal.get(path.slice('/renewal-info/'.length))
        if (!entry) return problem(res, 404, 'malformed', 'unknown certID')
        return json(
          res,
          200,
          entry.body,
          entry.retryAfter === undefined ? {} : { 'retry-after': entry.retryAfter },
        )
      }
      if (req.method === 'POST') {
        handlePost(req, res, body).catch((error: unknown) =>
          problem(res, 500, 'serverInternal', String(error)),
        )
        return
      }
      problem(res, 405, 'malformed', 'method not allowed')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    directoryUrl: `${base}/dir`,
    base,
    requests,
    newNonceRequests: () => newNonceCount,
    override: (prefix, handler, times = 1) => overrides.push({ prefix, handler, times }),
    setRenewalInfo: (certId, body, retryAfter) =>
      renewal.set(certId, retryAfter === undefined ? { body } : { body, retryAfter }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
