import { type ChildProcess, spawn } from 'node:child_process'
import { PebbleError } from './errors.js'

/*
 * The child runs under a tiny shell guard that holds the read end of a pipe from this process.
 * When this process exits for any reason (even SIGKILL) the pipe closes, `cat` returns and the
 * guard kills the child: no Pebble outlives the test that started it.
 */
const GUARD = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- & child=$!',
  'echo "guarded-pid $child" >&2',
  '{ cat >/dev/null; kill -TERM $child 2>/dev/null; } <&3 &',
  'watcher=$!',
  'exec 3<&-',
  "trap 'kill -TERM $child 2>/dev/null' TERM",
  'wait $child; status=$?',
  'while kill -0 $child 2>/dev/null; do wait $child; status=$?; done',
  'kill $watcher 2>/dev/null',
  'exit $status',
].join('\n')

/** A long-running helper process whose output is kept and which dies with us. */
export class SupervisedProcess {
  readonly name: string
  readonly #process: ChildProcess
  readonly #exited: Promise<number | null>
  #output = ''
  #pid: number | undefined
  #listeners = new Set<(text: string) => void>()

  constructor(name: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
    this.name = name
    this.#process = spawn('/bin/sh', ['-c', GUARD, 'guard', command, ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    })
    this.#exited = new Promise((resolve) => {
      this.#process.once('exit', (code) => resolve(code))
      this.#process.once('error', () => resolve(null))
    })
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8')
      const match = /guarded-pid (\d+)/.exec(text)
      if (match?.[1] && this.#pid === undefined) this.#pid = Number(match[1])
      this.#output += text
      for (const listener of this.#listeners) listener(text)
    }
    this.#process.stdout?.on('data', collect)
    this.#process.stderr?.on('data', collect)
    // The guard is a child of ours; do not let it keep the event loop alive.
    this.#process.unref()
    for (const stream of [this.#process.stdin, this.#process.stdout, this.#process.stderr]) {
      ;(stream as unknown as { unref?: () => void } | null)?.unref?.()
    }
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get output(): string {
    return this.#output
  }

  /** The pid of the real program (not its guard), once known. */
  get pid(): number | undefined {
    return this.#pid
  }

  /** Calls `listener` with each chunk of output; returns a function that stops it. */
  onOutput(listener: (text: string) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Resolves when the process has exited; rejects if it exits first with its output. */
  exitedEarly(): Promise<never> {
    return this.#exited.then((code) => {
      throw new PebbleError(
        'ERR_PEBBLE_START',
        `${this.name} exited with code ${code} while starting:\n${this.#output.trim()}`,
      )
    })
  }

  /** Terminates the program and its guard and waits until both are gone. */
  async stop(): Promise<void> {
    const guardPid = this.#process.pid
    if (this.#process.exitCode === null && this.#process.signalCode === null && guardPid) {
      this.#process.stdin?.end()
      try {
        process.kill(guardPid, 'SIGTERM')
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-guardPid, 'SIGKILL')
        } catch {
          // Already gone.
        }
      }, 3000)
      await this.#exited
      clearTimeout(timer)
    }
  }
}
