/**
 * Where a mock run's CPU time goes, from a V8 CPU profile (the `.cpuprofile`
 * JSON that `Profiler.stop` returns): each sample is charged to one share by
 * the frames on its stack.
 */
import * as path from "path";

/** A V8 CPU profile: a call tree, and which node was running at each sample. */
export interface CpuProfile {
    nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
    samples: number[];
    /** Microseconds since the previous sample, one per sample. */
    timeDeltas: number[];
}

/** Seconds of CPU time by share. */
export interface CpuShares {
    /** kube-access's own code and the libraries it calls for itself (validation, CSRs, kubeconfigs, YAML). */
    ownWork: number;
    /** The Pulumi SDK and the provider packages, called by kube-access or the baseline to declare resources and Outputs. */
    declaring: number;
    /**
     * The benchmark's harness on its own: the mocks answering the SDK (a real
     * engine's work) and the baseline's loop over what it declares.
     */
    harness: number;
    /** No project frame on the stack: garbage collection, promise continuations inside the SDK, its RPC encoding. */
    runtime: number;
    /** Waiting. */
    idle: number;
}

/** Which file a frame belongs to: kube-access, the benchmark's harness and mocks, a package or Node.js. */
function frameOwner(url: string, repoRoot: string): "kube-access" | "harness" | "pulumi" | "other" {
    const file = url.replace(/^file:\/\//, "");
    if (file.includes("/node_modules/@pulumi/")) return "pulumi";
    if (!file.startsWith(repoRoot + path.sep) || file.includes("/node_modules/")) return "other";
    const relative = path.relative(repoRoot, file);
    return relative.startsWith(`components${path.sep}`) || relative === "index.ts" ? "kube-access" : "harness";
}

/**
 * Charges every sample of `profile` to one share. The innermost frame of the
 * repository at `repoRoot` on a sample's stack decides:
 * - in kube-access (`components/`, `index.ts`): `declaring` when a
 *   `@pulumi/*` frame runs inside it, else `ownWork`;
 * - in the harness (`scripts/`, `test/`): `declaring` when a `@pulumi/*`
 *   frame runs inside it, else `harness`;
 * - none: `idle` for V8's `(idle)` node, else `runtime`.
 */
export function cpuShares(profile: CpuProfile, repoRoot: string): CpuShares {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    const shareOfNode = new Map<number, keyof CpuShares>();
    const shareOf = (leaf: number): keyof CpuShares => {
        const known = shareOfNode.get(leaf);
        if (known) return known;
        let pulumiInside = false;
        let share: keyof CpuShares | undefined;
        for (let id: number | undefined = leaf; id !== undefined && !share; id = parentOf.get(id)) {
            const owner = frameOwner(byId.get(id)!.callFrame.url, repoRoot);
            if (owner === "pulumi") pulumiInside = true;
            else if (owner !== "other")
                share = pulumiInside ? "declaring" : owner === "kube-access" ? "ownWork" : "harness";
        }
        share ??= byId.get(leaf)!.callFrame.functionName === "(idle)" ? "idle" : "runtime";
        shareOfNode.set(leaf, share);
        return share;
    };
    const shares: CpuShares = { ownWork: 0, declaring: 0, harness: 0, runtime: 0, idle: 0 };
    profile.samples.forEach((leaf, i) => {
        shares[shareOf(leaf)] += (profile.timeDeltas[i] ?? 0) / 1e6;
    });
    return shares;
}

/** Every share together: the profiled evaluation's time, in seconds (CPU, and idle time if any). */
export function totalSeconds(shares: CpuShares): number {
    return shares.ownWork + shares.declaring + shares.harness + shares.runtime + shares.idle;
}

/** What the mock comparison measured: timed evaluation (the minimum of the alternating runs) and one profiled run of each. */
export interface MockTimes {
    programSeconds: number;
    baselineSeconds: number;
    /** The same-state baseline's timed minimum: the baseline plus kube-access's own outputs, with no logic. */
    sameStateSeconds?: number;
    program: CpuShares;
    baseline: CpuShares;
}

/**
 * The mock comparison's floor: a raw program that also did kube-access's own
 * work. The own work is taken as the share of the program's profiled CPU
 * time its samples hold, applied to the program's timed minimum (the
 * profiler slows the two programs by different amounts, so profiled seconds
 * are not added to timed ones); the floor is the baseline's timed minimum
 * plus that, and `ratio` is the program's timed minimum over it. It is a
 * lower bound of what such a raw program would take: the garbage collection
 * the own work causes is charged to the runtime share, not to it.
 */
export function ownWorkFloor(times: MockTimes): {
    ownWorkShare: number;
    ownWorkSeconds: number;
    floorSeconds: number;
    ratio: number;
} {
    const ownWorkShare = times.program.ownWork / totalSeconds(times.program);
    const ownWorkSeconds = ownWorkShare * times.programSeconds;
    const floorSeconds = times.baselineSeconds + ownWorkSeconds;
    return { ownWorkShare, ownWorkSeconds, floorSeconds, ratio: times.programSeconds / floorSeconds };
}

/** What `timeOwnWork` (./ownWork.ts) did and how long each part took, in seconds. */
export interface OwnWorkTimes {
    /** CSRs built: one per certificate user whose key kube-access makes. */
    csrs: number;
    csrSeconds: number;
    /** Kubeconfigs rendered: one per user. */
    kubeconfigs: number;
    kubeconfigSeconds: number;
}

/**
 * The least kube-access's evaluation could take under the mock runtime with
 * its own work as it is implemented: the baseline's evaluation plus reading
 * and validating the access files, the CSRs and the kubeconfigs, each timed
 * alone, once (seconds). `overBaseline` is that over the baseline: the ratio
 * kube-access cannot go below without making that work cheaper (another
 * implementation of it may cost less). `ratio` is the program's time over it.
 */
export function ownWorkAloneFloor(
    times: { programSeconds: number; baselineSeconds: number },
    validateSeconds: number,
    ownWork: Pick<OwnWorkTimes, "csrSeconds" | "kubeconfigSeconds">,
): { ownWorkSeconds: number; floorSeconds: number; overBaseline: number; ratio: number } {
    const ownWorkSeconds = validateSeconds + ownWork.csrSeconds + ownWork.kubeconfigSeconds;
    const floorSeconds = times.baselineSeconds + ownWorkSeconds;
    return {
        ownWorkSeconds,
        floorSeconds,
        overBaseline: floorSeconds / times.baselineSeconds,
        ratio: times.programSeconds / floorSeconds,
    };
}

/**
 * What kube-access's own outputs cost with no logic, and the floor with them.
 * `outputsAlone` is the same-state baseline's evaluation over the baseline's:
 * the baseline plus kube-access's own outputs (the users' access summary that
 * reviews read, and its components' outputs), replayed as values. The floor
 * is the same-state baseline plus kube-access's own work timed alone
 * (`ownWorkSeconds`, as in {@link ownWorkAloneFloor}); `overBaseline` is that
 * over the baseline: a sum of two minimums timed apart, so an estimate of
 * the least kube-access could take with its outputs as they are and its work
 * as implemented, not a bound for every program. `ratio` is the program's
 * time over it. All times are timed minimums, in seconds.
 */
export function outputsFloor(
    times: { programSeconds: number; baselineSeconds: number; sameStateSeconds: number },
    ownWorkSeconds: number,
): { outputsAlone: number; floorSeconds: number; overBaseline: number; ratio: number } {
    const floorSeconds = times.sameStateSeconds + ownWorkSeconds;
    return {
        outputsAlone: times.sameStateSeconds / times.baselineSeconds,
        floorSeconds,
        overBaseline: floorSeconds / times.baselineSeconds,
        ratio: times.programSeconds / floorSeconds,
    };
}
