/**
 * Where a mock run's promises come from (`npm run bench -- --promise-sources`):
 * each promise made while the program evaluates is charged to one source, so
 * the program's count can be set against the baseline's, source by source.
 * The count is the same on every run of the same code and config; the hook
 * captures a stack for every promise, so a run takes many times as long and is
 * never timed.
 *
 * A promise's source is, in this order:
 * - `register <type>`: made while the SDK registers a resource of that type
 *   (`registerResource`: its inputs, its output properties, the request);
 * - `outputs of <type>`: made while a component registers its outputs;
 * - `construct <class>`: made by the SDK's resource constructor before it
 *   registers (options, aliases, providers), named by the outermost class of
 *   `@pulumi/*` being constructed (`RoleBinding`, `ComponentResource`,
 *   `Resource` for a dynamic resource, `CustomResource` for a bare one);
 * - `kube-access <file>:<line>`: made by a line of the program's own code
 *   (`components/`, `index.ts`), the innermost such line on the stack;
 * - the source of the promise whose settling ran the code that made it (an
 *   `await` or `then` continuation is charged where its chain began);
 * - `SDK <file>:<line>`: the innermost line of `@pulumi/pulumi` on the stack
 *   (for example the stack's outputs, or a dynamic provider's serialisation);
 * - `other`.
 */
import { createHook, executionAsyncId } from "async_hooks";
import * as path from "path";

/** Promises per source. */
export type PromiseSources = Record<string, number>;

/** How many frames of a promise's stack are looked at: enough to reach the program's line under the SDK's. */
const stackDepth = 40;

/**
 * The source of a promise from its stack (V8's text, innermost frame first),
 * or undefined when the stack names neither a line of the program nor of the
 * SDK. `repoRoot` is the checkout; the program's own lines are those under
 * `components/` and `index.ts`.
 */
export function sourceOfStack(stack: string, repoRoot: string): string | undefined {
    const root = repoRoot.endsWith(path.sep) ? repoRoot : repoRoot + path.sep;
    const lines = stack.split("\n");
    // Inside the SDK's resource constructor: the outermost @pulumi class being constructed.
    const constructed = lines
        .map((line) => /^\s*at new (\w+) \(([^()]*node_modules\/@pulumi\/[^()]*)\)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null);
    if (constructed.some((m) => m[1] === "Resource" && /@pulumi\/(pulumi\/)?resource\.[jt]s:/.test(m[2])))
        return `construct ${constructed[constructed.length - 1][1]}`;
    let sdk: string | undefined;
    for (const line of lines) {
        const location = /\(?([^\s()]+):(\d+):\d+\)?$/.exec(line.trim());
        if (!location) continue;
        const [, file, lineNumber] = location;
        if (file.startsWith(root)) {
            const relative = file.slice(root.length).split(path.sep).join("/");
            if (/^(components\/|index\.ts$)/.test(relative)) return `kube-access ${relative}:${lineNumber}`;
        }
        const inSdk = /node_modules\/@pulumi\/(?:pulumi\/)?((?:output|resource|runtime|dynamic|config|log)\b.*)$/.exec(
            file.split(path.sep).join("/"),
        );
        if (inSdk && sdk === undefined) sdk = `SDK ${inSdk[1]}:${lineNumber}`;
    }
    return sdk;
}

/**
 * Starts charging every promise made from now on to its source. `sdk` is the
 * loaded `@pulumi/pulumi/runtime/resource` module, whose registration
 * functions are wrapped to know which resource is being registered. Returns
 * the function that stops and gives the count per source.
 */
export function startPromiseSources(
    sdk: { registerResource: (...args: never[]) => unknown; registerResourceOutputs: (...args: never[]) => unknown },
    repoRoot: string,
): () => PromiseSources {
    const counts = new Map<string, number>();
    const sourceOf = new Map<number, string>();
    let registering: string | undefined;
    const wrapped = { registerResource: sdk.registerResource, registerResourceOutputs: sdk.registerResourceOutputs };
    const during =
        <F extends (...args: never[]) => unknown>(f: F, label: (args: Parameters<F>) => string) =>
        (...args: Parameters<F>) => {
            const outer = registering;
            registering = label(args);
            try {
                return f(...args);
            } finally {
                registering = outer;
            }
        };
    // registerResource(res, parent, type, ...); registerResourceOutputs(res, outputs)
    sdk.registerResource = during(wrapped.registerResource, (args) => `register ${String(args[2])}`);
    sdk.registerResourceOutputs = during(
        wrapped.registerResourceOutputs,
        (args) => `outputs of ${(args[0] as { __pulumiType?: string }).__pulumiType ?? "a component"}`,
    );
    const hook = createHook({
        init(asyncId, type, triggerAsyncId) {
            if (type !== "PROMISE") return;
            let source = registering;
            if (source === undefined) {
                const limit = Error.stackTraceLimit;
                Error.stackTraceLimit = stackDepth;
                const holder: { stack?: string } = {};
                Error.captureStackTrace(holder);
                Error.stackTraceLimit = limit;
                const own = sourceOfStack(holder.stack ?? "", repoRoot);
                source =
                    (own?.startsWith("kube-access ") || own?.startsWith("construct ") ? own : undefined) ??
                    sourceOf.get(triggerAsyncId) ??
                    sourceOf.get(executionAsyncId()) ??
                    own ??
                    "other";
            }
            sourceOf.set(asyncId, source);
            counts.set(source, (counts.get(source) ?? 0) + 1);
        },
    });
    hook.enable();
    return () => {
        hook.disable();
        Object.assign(sdk, wrapped);
        return Object.fromEntries(counts);
    };
}

/** One row of {@link sourceDifferences}. */
export interface SourceDifference {
    source: string;
    program: number;
    baseline: number;
    /** (program - baseline) / users. */
    perUser: number;
}

/**
 * The sources where the program makes more promises than the baseline, most
 * first, with promises per user; at most `top` rows.
 */
export function sourceDifferences(
    program: PromiseSources,
    baseline: PromiseSources,
    users: number,
    top: number,
): SourceDifference[] {
    return [...new Set([...Object.keys(program), ...Object.keys(baseline)])]
        .map((source) => {
            const p = program[source] ?? 0;
            const b = baseline[source] ?? 0;
            return { source, program: p, baseline: b, perUser: (p - b) / users };
        })
        .filter((row) => row.perUser > 0)
        .sort((a, b) => b.perUser - a.perUser || a.source.localeCompare(b.source))
        .slice(0, top);
}
