/**
 * The bounds of a stop, chosen to fit `docker stop` (SIGKILL 10 s after SIGTERM) and Kubernetes
 * (30 s by default): a worker lets requests finish for `SHUTDOWN_GRACE_MS` (in worker.ts), then
 * cuts what is left; whatever still hangs after {@link WORKER_HARD_EXIT_MS} (a manager that does
 * not close, a stuck write) ends with exit code 1; the primary gives its workers
 * {@link PRIMARY_HARD_EXIT_MS} in all.
 */
export const WORKER_HARD_EXIT_MS = 8000

/** See {@link WORKER_HARD_EXIT_MS}. */
export const PRIMARY_HARD_EXIT_MS = 9000
