/** Time as a waiting loop sees it, so tests can control it. `now` is in milliseconds since the epoch. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How long and how often {@link pollUntil} asks. */
export interface PollOptions {
    /** Give up after this many seconds. */
    timeoutSeconds: number;
    /** Milliseconds between two attempts. */
    intervalMs: number;
}

/**
 * Calls `attempt` until it returns a value, waiting `intervalMs` between calls.
 * `attempt` may throw to stop early (the error is passed on). Once
 * `timeoutSeconds` have passed after the first call without a value, throws
 * the error `timedOut` returns. Used by the waits for a CSR's certificate and
 * for a token Secret's token.
 */
export async function pollUntil<T>(
    attempt: () => Promise<T | undefined>,
    options: PollOptions,
    timedOut: () => Error,
    clock: Clock = systemClock,
): Promise<T> {
    const deadline = clock.now() + options.timeoutSeconds * 1000;
    for (;;) {
        const value = await attempt();
        if (value !== undefined) return value;
        if (clock.now() >= deadline) throw timedOut();
        await clock.sleep(options.intervalMs);
    }
}
