/** One contestant of the issuance benchmark, started for one round. */
export interface RunningIssuer {
  /**
   * Obtains a certificate for a name never seen before and resolves the milliseconds from
   * "I need a certificate for this name" to key and chain in hand (for a server: to the first
   * HTTPS response for that name).
   */
  issue(name: string): Promise<number>
  stop(): Promise<void>
}

/** How to start a contestant of the issuance benchmark. */
export interface Issuer {
  /** Stable identifier used in results (`hello`, `acme-client`, `go-seed`, `autotls-acme`). */
  readonly id: string
  readonly label: string
  /**
   * Starts it for names `names` (a server's host policy is set to exactly these) on the port the
   * CA validates tls-alpn-01 on.
   */
  start(names: readonly string[], signal: AbortSignal): Promise<RunningIssuer>
}
