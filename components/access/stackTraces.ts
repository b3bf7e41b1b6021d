/**
 * Stack traces in the program's process.
 *
 * The Pulumi SDK records `new Error().stack` for every promise it makes
 * (`debuggablePromise`, for its leak report), and V8 formats each one at
 * once; under ts-node every frame is also mapped through source maps. With
 * thousands of resources this was about half of the program's time under the
 * mock runtime (docs/performance.md). The SDK's own record of where each
 * resource was declared does not depend on this limit (it raises the limit
 * while it reads it).
 *
 * The limit is the V8 setting `Error.stackTraceLimit`
 * (https://v8.dev/docs/stack-trace-api); an error of the program then shows
 * its message without frames. Give `--stack-trace-limit=<frames>` in
 * `NODE_OPTIONS` to keep frames, for instance while debugging.
 */

/**
 * Sets `Error.stackTraceLimit` to 0 unless a limit was given to Node.js
 * (`--stack-trace-limit` in its arguments or `NODE_OPTIONS`) or the program
 * runs inside Jest (whose failure reports need frames). Returns whether it set it.
 */
export function limitStackTraces(
    env: NodeJS.ProcessEnv = process.env,
    execArgv: readonly string[] = process.execArgv,
): boolean {
    const given =
        execArgv.some((a) => a.startsWith("--stack-trace-limit")) || /--stack-trace-limit/.test(env.NODE_OPTIONS ?? "");
    if (given || env.JEST_WORKER_ID !== undefined) return false;
    Error.stackTraceLimit = 0;
    return true;
}
