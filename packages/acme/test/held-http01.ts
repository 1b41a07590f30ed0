import { createServer, type Server } from 'node:http'

/** An http-01 responder that answers each token only once its `release` promise resolves. */
export interface HeldHttp01 {
  /** Serve `body` for `token`, holding the CA's validation request until `release` resolves. */
  set(token: string, body: string, release: Promise<void>): void
  delete(token: string): void
  close(): Promise<void>
}

/**
 * Serves http-01 answers on `port`, holding each validation request open until the test lets it
 * go: the CA's challenge then stays `processing` for as long as the test needs.
 */
export async function heldHttp01(port: number): Promise<HeldHttp01> {
  const answers = new Map<string, { body: string; release: Promise<void> }>()
  const server: Server = createServer(async (req, res) => {
    const answer = answers.get(req.url?.split('/').at(-1) ?? '')
    if (answer) await answer.release
    res.writeHead(answer ? 200 : 404).end(answer?.body)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    set: (token, body, release) => answers.set(token, { body, release }),
    delete: (token) => answers.delete(token),
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Resolves once `condition()` holds, checking every 20 ms. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20))
}
