/**
 * Settings of the program's own Node.js process, made before it declares
 * anything. Each one steps aside when the same setting was given to Node.js
 * and inside Jest, whose runner shares the process. Measured in
 * docs/performance.md.
 */
import * as v8 from "v8";

/** Whether `--<flag>` was given to Node.js, in its arguments or in `NODE_OPTIONS`. */
export function nodeFlagGiven(
    flag: string,
    env: NodeJS.ProcessEnv = process.env,
    execArgv: readonly string[] = process.execArgv,
): boolean {
    const given = (arg: string) => arg === `--${flag}` || arg.startsWith(`--${flag}=`);
    return execArgv.some(given) || (env.NODE_OPTIONS ?? "").split(/\s+/).some(given);
}

/**
 * Stack traces: the Pulumi SDK records `new Error().stack` for every promise
 * it makes (`debuggablePromise`, for its leak report), and V8 formats each one
 * at once; under ts-node every frame is also mapped through source maps. With
 * thousands of resources this was about half of the program's time under the
 * mock runtime. The SDK's own record of where each resource was declared does
 * not depend on this limit (it raises the limit while it reads it).
 *
 * The limit is the V8 setting `Error.stackTraceLimit`
 * (https://v8.dev/docs/stack-trace-api); an error of the program then shows
 * its message without frames. Give `--stack-trace-limit=<frames>` in
 * `NODE_OPTIONS` to keep frames, for instance while debugging.
 *
 * Sets `Error.stackTraceLimit` to 0 unless `--stack-trace-limit` was given or
 * the program runs inside Jest (whose failure reports need frames). Returns
 * whether it set it.
 */
export function limitStackTraces(
    env: NodeJS.ProcessEnv = process.env,
    execArgv: readonly string[] = process.execArgv,
): boolean {
    if (nodeFlagGiven("stack-trace-limit", env, execArgv) || env.JEST_WORKER_ID !== undefined) return false;
    Error.stackTraceLimit = 0;
    return true;
}

/**
 * How far V8 lets the heap grow past what the last full collection kept
 * alive, in percent: 20 means a heap limit of 1.2 times the live heap.
 */
export const heapGrowingPercent = 20;

/** The environment variable that chooses another percent: 0 for V8's own choice. */
export const heapGrowingPercentVariable = "KUBE_ACCESS_HEAP_GROWING_PERCENT";

/**
 * Heap growth: after each full garbage collection V8 sets the next heap
 * limit to the live heap times a growing factor. By default it chooses the
 * factor itself, and on a machine with a large heap limit it lets a program
 * that allocates fast grow well past what it keeps alive. The program keeps
 * every resource's Outputs until it ends (about 430 MiB at 1,000 users
 * through the engine), so the difference is garbage: at 1,000 users the
 * program's peak RSS was 746 to 872 MiB with V8's own factor and 666 to
 * 685 MiB with 1.2, for a few tenths of a second more collection per step
 * (at 5,000 users under the mock runtime, where evaluation is all CPU:
 * 2.1 GB instead of 2.4 to 2.6 GB, for 13 % more time).
 *
 * The setting is V8's `--heap-growing-percent` flag (`node --v8-options`),
 * set at run time through `v8.setFlagsFromString`
 * (https://nodejs.org/api/v8.html#v8setflagsfromstringflags): Node.js does
 * not allow the flag in `NODE_OPTIONS`, and the Pulumi language host does
 * not always pass `runtime.options.nodeargs` on. Choose another percent with
 * `KUBE_ACCESS_HEAP_GROWING_PERCENT` (a whole number from 0 to 1000; 0 is
 * V8's own choice); `--max-old-space-size=<MiB>` in `NODE_OPTIONS` caps the
 * heap on top of it.
 *
 * Sets the flag unless it is among Node.js's own arguments, the variable
 * says 0, or the program runs inside Jest. Returns the percent it set, or
 * undefined.
 *
 * @throws Error when the variable is not a whole number from 0 to 1000.
 */
export function limitHeapGrowth(
    env: NodeJS.ProcessEnv = process.env,
    execArgv: readonly string[] = process.execArgv,
    setFlags: (flags: string) => void = v8.setFlagsFromString,
): number | undefined {
    const chosen = (env[heapGrowingPercentVariable] ?? "").trim();
    if (chosen !== "" && !(/^\d{1,4}$/.test(chosen) && Number(chosen) <= 1000))
        throw new Error(
            `${heapGrowingPercentVariable} must be a whole number of percent from 0 to 1000 (0: V8's own choice), ` +
                `not "${chosen}": unset it to use the default of ${heapGrowingPercent}`,
        );
    const percent = chosen === "" ? heapGrowingPercent : Number(chosen);
    if (percent === 0 || nodeFlagGiven("heap-growing-percent", env, execArgv) || env.JEST_WORKER_ID !== undefined)
        return undefined;
    setFlags(`--heap-growing-percent=${percent}`);
    return percent;
}
