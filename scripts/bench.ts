/**
 * `npm run bench`: how kube-access's cost grows with users (issue 17).
 *
 * Generates N users (scripts/lib/generatedAccess.ts: certificate users with
 * their own CSR as files, with keys made by kube-access for the cluster and the
 * external signer, service-account and OIDC users; 2 groups each where the
 * method has groups) in access files of one team each, then measures:
 *
 * - pure functions: reading the access files and validating, binding planning
 *   and every per-user summary, and a config that fails validation;
 * - the program under the Pulumi mock runtime against a raw baseline program
 *   that declares the same resources with no logic, alternating, each run in a
 *   process of its own: evaluation time (min and median), their ratio, peak RSS;
 * - with `--real`: `pulumi preview`, a first `pulumi up`, a no-change
 *   `pulumi up` and a no-change preview through the real engine against a
 *   local cluster and Keycloak (ports 9xxx, under the end-to-end lock), with
 *   time, peak RSS per process class, state size and resource counts.
 *
 * - with `--engine-floor R:B`: the engine's floor, a trivial program of R
 *   component resources with B bytes of output each (scripts/bench/floorProgram.ts):
 *   a first `pulumi up` with checkpoints skipped, a no-change `pulumi up`, and a
 *   first `pulumi up` with checkpoints on, stopped (SIGINT) after `--floor-limit`
 *   seconds, with how many resources it had recorded by then. With
 *   `--floor-secret-outputs`, every output is a secret (ciphertext in state).
 *
 * - with `--targets`: everything issue 17's targets are judged by, in one run:
 *   the pure functions at N and at 4,000 users, the mock comparison, the real
 *   engine with the first up's checkpoints on (stopped after 5 minutes, then
 *   finished with checkpoints skipped), and the engine's floor for the same
 *   resource count and state size; then a table of every target with its
 *   status (scripts/bench/targets.ts).
 *
 * Prints the machine's load (uptime) before and after, and a JSON summary
 * with `--json <file>`.
 */
import { spawnSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { stringify } from "yaml";
import { GeneratedMethod, generatedMethods, writeAccessFiles } from "./lib/generatedAccess";
import { testCa } from "../test/helpers/fixtures";
import { sampleRss, RssPeaks } from "./bench/processSampler";
import { clusterPorts } from "../test/harness/ports";
import { projectNodeArgs } from "../test/harness/nodeArgs";
import { CheckpointedFirstUp, judgeTargets, targetLimits, targetTable, TargetFigures } from "./bench/targets";
import { StateSecrets, plaintextBytesOfCiphertext, stateSecrets } from "./bench/stateSecrets";
import { isStateFile, stateJsonBytes } from "./bench/stateFile";
import {
    CpuProfile,
    CpuShares,
    cpuShares,
    OwnWorkTimes,
    ownWorkAloneFloor,
    outputsFloor,
    ownWorkFloor,
    totalSeconds,
} from "./bench/cpuShares";
import { timeOwnWork } from "./bench/ownWork";
import { kubeAccessConfig } from "./bench/handWritten";
import { PromiseSources, SourceDifference, sourceDifferences } from "./bench/promiseSources";

const usage = `npm run bench -- [options]

The mock comparison runs the program, two raw baselines and a hand-written raw program R times each,
alternating. One baseline declares the same resources (the same URNs, parents, dependencies and options; it
fails if they differ) and the stack outputs a raw program delivers too (kubeconfigs, API server settings); the
other also kube-access's own outputs (the same state); neither has logic. The hand-written program is the
first baseline plus what any program must do to declare the same objects from the same files: read them,
make each CSR from its key in an apply, make each kubeconfig from its credential. Then one profiled run of the program and the
first baseline: where their CPU time went (kube-access's own work, declaring, harness, runtime) and the floor
of a raw program that also did kube-access's own work, from that profile and from the own work timed alone
(reading and validating the files, CSRs, kubeconfigs), and what kube-access's own outputs alone cost (the
second baseline over the first); then one run of each counting its promises.
docs/performance.md says what each figure means.

  --users N        users generated for the mock-runtime comparison (default 1000)
  --repeat R       runs of each program, alternating (default 3)
  --methods LIST   kinds of user in rotation: ${generatedMethods.join(", ")} (default all)
  --real           also run preview, first up and no-change up with the real engine (under the e2e lock)
  --real-users N   users for the real-engine runs (default: --users)
  --skip-mock      only the pure functions and, with --real, the engine runs
  --first-up-without-checkpoints
                   the first up with PULUMI_SKIP_CHECKPOINTS=true (the engine's cost of a first up at
                   1,000 users is its checkpoints; the other steps are unchanged)
  --compiled       run the mock programs as JavaScript compiled by tsc (no ts-node, no source maps)
  --promise-sources
                   after the mock comparison, one more run of the program and the baseline charging each
                   promise to its source (a line of kube-access, a resource type's registration, the SDK):
                   where the program makes more than the baseline, per user (slow: a stack per promise)
  --engine-floor R:B
                   also run a trivial program of R resources with B bytes of state each (no provider, no
                   logic) through the engine: first up with checkpoints skipped, no-change up, and first up
                   with checkpoints on, stopped after --floor-limit seconds (under the e2e lock)
  --floor-limit S  seconds the checkpointed first up of --engine-floor may take (default 600)
  --floor-secret-outputs
                   make every output of --engine-floor's program a secret (what the engine's checkpoints cost
                   for secrets)
  --floor-secrets K:S
                   give --engine-floor's program K more outputs of S bytes, each a secret, spread evenly over its
                   resources (--targets gives its floor the real state's count and size)
  --targets        judge every target of issue 17 from one run (N users, 1,000 by default): pure functions at N
                   and 4,000 users, the mock comparison, the real engine with the first up's checkpoints on
                   (stopped after 5 minutes, then finished without), and the engine's floor of the same size
                   (under the e2e lock; about 17 minutes at 1,000 users)
  --json FILE      also write the figures as JSON
  --keep           keep the work folder
  --help           this text`;

const lockFile = "/tmp/kube-access-e2e.lock";
const repoRoot = path.resolve(__dirname, "..");

function uptime(): string {
    return fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number, digits = 2) => x.toFixed(digits);

/** Stack config for the mock runs: full keys, as the engine hands them to the program. */
function mockConfig(accessFiles: string[]): {
    all: Record<string, string>;
    secretKeys: string[];
    certificatePem: string;
} {
    const ca = testCa();
    const all: Record<string, string> = {
        "kube-access:cluster": JSON.stringify({
            name: "bench",
            server: "https://127.0.0.1:9643",
            caCertificate: ca.certificatePem,
        }),
        "kube-access:clusterCaKey": ca.privateKeyPem,
        "kube-access:clusterKubeconfig": stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "bench", cluster: { server: "https://127.0.0.1:9643" } }],
            users: [{ name: "admin", user: { token: "bench-only" } }],
            contexts: [{ name: "admin@bench", context: { cluster: "bench", user: "admin" } }],
            "current-context": "admin@bench",
        }),
        "kube-access:oidc": JSON.stringify({ issuerUrl: "https://127.0.0.1:9843/realms/bench", realm: "bench" }),
        "kube-access:accessFiles": JSON.stringify(accessFiles),
        "keycloak:url": "https://127.0.0.1:9843",
        "keycloak:clientId": "admin-cli",
        "keycloak:clientSecret": "bench-only",
    };
    return {
        all,
        secretKeys: ["kube-access:clusterCaKey", "kube-access:clusterKubeconfig", "keycloak:clientSecret"],
        certificatePem: ca.certificatePem,
    };
}

/**
 * The mock programs (scripts/bench/mockRun.ts): kube-access; the raw baseline, which declares the same
 * resources and delivers what a raw program delivers too; the hand-written raw program, which is that
 * baseline plus the work any program must do to declare them from the same files (read them, make each CSR
 * from its key, render the kubeconfigs: scripts/bench/handWritten.ts); and the baseline that also makes
 * kube-access's own outputs, so the same state.
 */
type MockMode = "program" | "baseline" | "hand-written" | "baseline-state";

/** A mock program's run: one of the timed modes, or the untimed run that records what the program declared. */
type MockRunMode = MockMode | "record";

interface MockRun {
    seconds: number;
    wallSeconds: number;
    resources: number;
    maxRssKiB: number;
    /** Baseline only: resources it declared through a provider package's class. */
    typed?: number;
    /** With KUBE_ACCESS_BENCH_COUNT_PROMISES=1: promises made during the evaluation. */
    promises?: number;
    /** With KUBE_ACCESS_BENCH_PROMISE_SOURCES=1: those promises by source. */
    promiseSources?: PromiseSources;
}

/**
 * One more run of each mock program, counting the promises it makes while it
 * evaluates: the SDK makes several for every Output, `apply` and registration,
 * so the count shows what a change of the program saves, in a figure that
 * does not vary with the machine's load (the timings do). Not timed.
 */
function promiseCounts(workDir: string, compiled?: string): Record<MockMode, number> {
    const count = (mode: MockMode) =>
        mockRun(mode, workDir, compiled, { KUBE_ACCESS_BENCH_COUNT_PROMISES: "1" }).promises!;
    return {
        program: count("program"),
        baseline: count("baseline"),
        "hand-written": count("hand-written"),
        "baseline-state": count("baseline-state"),
    };
}

/**
 * One more run of the program and of the baseline, each promise charged to
 * its source (scripts/bench/promiseSources.ts); prints where the program makes
 * more promises than the baseline and where it makes fewer, per user. Not timed.
 */
function printPromiseSources(workDir: string, compiled: string | undefined, users: number): void {
    const sources = (mode: MockMode) =>
        mockRun(mode, workDir, compiled, { KUBE_ACCESS_BENCH_PROMISE_SOURCES: "1" }).promiseSources!;
    const program = sources("program");
    const baseline = sources("baseline");
    const row = (r: SourceDifference) =>
        `[bench promises]   ${fmt(r.perUser, 1).padStart(7)}  ${String(r.program).padStart(8)}  ${String(r.baseline).padStart(8)}  ${r.source}`;
    console.log(`[bench promises] per user  program  baseline  source (program more; ${users} users)`);
    for (const r of sourceDifferences(program, baseline, users, 25)) console.log(row(r));
    console.log("[bench promises] the baseline more:");
    for (const r of sourceDifferences(baseline, program, users, 8))
        console.log(row({ ...r, perUser: -r.perUser, program: r.baseline, baseline: r.program }));
}

/**
 * The JavaScript tsc makes of the checkout, without source maps, in
 * `<workDir>/js` (node_modules linked beside it): what `--compiled` runs.
 */
function compile(workDir: string): string {
    const out = path.join(workDir, "js");
    const tsc = spawnSync(
        process.execPath,
        [
            require.resolve("typescript/bin/tsc"),
            "-p",
            repoRoot,
            "--outDir",
            out,
            "--noEmit",
            "false",
            "--sourceMap",
            "false",
        ],
        { encoding: "utf8" },
    );
    if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(out, "node_modules"));
    return out;
}

function mockRun(mode: MockRunMode, workDir: string, compiled?: string, env: NodeJS.ProcessEnv = {}): MockRun {
    const started = performance.now();
    // Every mock run, the baselines' too, with the Node.js arguments Pulumi.yaml gives the program.
    const script = compiled
        ? [path.join(compiled, "scripts", "bench", "mockRun.js")]
        : ["-r", "ts-node/register/transpile-only", path.join(__dirname, "bench", "mockRun.ts")];
    const child = spawnSync(process.execPath, [...projectNodeArgs(repoRoot), ...script, mode, workDir], {
        cwd: repoRoot,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...env },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (child.status !== 0) throw new Error(`${mode} run failed:\n${child.stderr.slice(-4000)}`);
    const line = child.stdout.trim().split("\n").pop()!;
    return { ...(JSON.parse(line) as Omit<MockRun, "wallSeconds">), wallSeconds };
}

/** CPU seconds by share, as printed. */
function sharesLine(shares: CpuShares): string {
    return (
        `${fmt(totalSeconds(shares))} s of CPU: kube-access's own work ${fmt(shares.ownWork)} s, declaring (SDK and ` +
        `provider packages) ${fmt(shares.declaring)} s, harness (mocks, baseline's loop) ${fmt(shares.harness)} s, runtime (garbage collection, ` +
        `promise continuations, RPC encoding) ${fmt(shares.runtime)} s` +
        (shares.idle > 0.05 ? `, idle ${fmt(shares.idle)} s` : "")
    );
}

/**
 * One more run of each mock program under V8's CPU profiler, and where each
 * spent its CPU time (scripts/bench/cpuShares.ts). Profiling slows a run, the
 * two programs by different amounts, so these runs are not among the timed
 * ones; only their split is used, with the timed minimums.
 */
function profiledShares(workDir: string, compiled?: string): { program: CpuShares; baseline: CpuShares } {
    const profileOf = (mode: "program" | "baseline"): CpuShares => {
        const file = path.join(workDir, `${mode}.cpuprofile`);
        mockRun(mode, workDir, compiled, { KUBE_ACCESS_BENCH_CPU_PROFILE: file });
        const shares = cpuShares(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile, compiled ?? repoRoot);
        console.log(`[bench mock] ${mode}, profiled: ${sharesLine(shares)}`);
        return shares;
    };
    return { program: profileOf("program"), baseline: profileOf("baseline") };
}

/** What {@link pureFunctions} measured, in seconds, and the counts of CSRs and kubeconfigs it made. */
type PureFigures = { validateSeconds: number; planAndSummariesSeconds: number; refusedSeconds: number } & OwnWorkTimes;

/**
 * Pure functions in this process: access files + validation, planning,
 * summaries, a refused config, and kube-access's own work besides validation
 * (CSRs, kubeconfigs) timed alone.
 */
async function pureFunctions(workDir: string, accessFiles: string[]): Promise<PureFigures> {
    const { validateWithAccessFiles } = await import("../components/intake/accessFiles");
    const { validateAccessSpec } = await import("../components/access/validate");
    const { planRoleBindings, grantsByUser, grantDetailsByUser } = await import("../components/rbac/plan");
    const { accessFromSpec } = await import("../components/report/snapshot");
    const config = mockConfig(accessFiles);
    const { raw, secretKeys } = kubeAccessConfig(config.all, config.secretKeys);
    const time = <T>(f: () => T): [T, number] => {
        const t = performance.now();
        const r = f();
        return [r, (performance.now() - t) / 1000];
    };
    const [spec, validate] = time(() =>
        validateWithAccessFiles(raw, workDir, (merged) => validateAccessSpec(merged, { secretKeys })),
    );
    const [, plan] = time(() => {
        const planned = planRoleBindings(spec);
        grantsByUser(spec, planned);
        grantDetailsByUser(spec, planned);
        accessFromSpec(spec);
    });
    // One bad group in the last team file: the whole config is still read, then refused.
    const lastFile = path.join(workDir, accessFiles[accessFiles.length - 1]);
    const original = fs.readFileSync(lastFile, "utf8");
    fs.writeFileSync(lastFile, original.replace(/namespaces:\n {2}- /, "namespaces:\n  - Bad_Namespace\n  - "));
    const [, refused] = time(() => {
        try {
            validateWithAccessFiles(raw, workDir, (merged) => validateAccessSpec(merged, { secretKeys }));
            return "accepted";
        } catch {
            return "refused";
        }
    });
    fs.writeFileSync(lastFile, original);
    return {
        validateSeconds: validate,
        planAndSummariesSeconds: plan,
        refusedSeconds: refused,
        ...timeOwnWork(spec, config.certificatePem),
    };
}

interface RealStep {
    step: string;
    seconds: number;
    rss: RssPeaks;
}

/** Runs `f` and prints its wall time and the peak RSS of each class of process (engine, program, providers). */
async function measured(prefix: string, step: string, f: () => Promise<unknown>): Promise<Omit<RealStep, "step">> {
    const sampler = sampleRss();
    const started = performance.now();
    await f();
    const seconds = (performance.now() - started) / 1000;
    const rss = sampler.stop();
    console.log(
        `${prefix} ${step}: ${fmt(seconds, 1)} s; peak RSS ${fmt(rss.total, 0)} MiB in all (` +
            Object.entries(rss.byClass)
                .map(([k, v]) => `${k} ${fmt(v!, 0)}`)
                .join(", ") +
            `); load ${uptime()}`,
    );
    return { seconds, rss };
}

/** How the real runs' first up treats checkpoints: skipped, on, or on and stopped after a time. */
type FirstUp = "checkpoints skipped" | "checkpoints on" | { limitSeconds: number };

interface RealFigures {
    users: number;
    counts: Record<string, number>;
    steps: RealStep[];
    /** The state file's size as stored (compressed, with the backend's compression settings). */
    stateBytes: number;
    /** The state's size as JSON, what the engine serialises at each checkpoint. */
    stateJsonBytes: number;
    resources: number;
    byType: Record<string, number>;
    checkpointedFirstUp?: CheckpointedFirstUp;
    /** Secrets in the state after the runs, outside the stack's outputs. */
    secrets: StateSecrets;
}

/**
 * `pulumi up` through the CLI, sent SIGINT after `limitSeconds` if still
 * running (and SIGKILL 120 s later); exit 124 if it was stopped.
 */
async function limitedUp(
    workspace: { projectDir: string; env: NodeJS.ProcessEnv },
    limitSeconds: number,
    stack = "bench",
): Promise<{ code: number }> {
    const { run } = await import("../test/harness/toolEnv");
    const args = ["up", "--yes", "--skip-preview", "--stack", stack, "--non-interactive"];
    const command = ["-k", "120", "-s", "INT", String(limitSeconds), "pulumi", ...args];
    return run("timeout", command, { cwd: workspace.projectDir, env: workspace.env, check: false });
}

/** Preview, first up, no-change up and no-change preview with the real engine against a local cluster. */
async function realRuns(
    n: number,
    methods: readonly GeneratedMethod[],
    dir: string,
    firstUp: FirstUp,
): Promise<RealFigures> {
    const { LocalCluster } = await import("../test/harness/localCluster");
    const { PulumiWorkspace } = await import("../test/harness/pulumiWorkspace");
    // The scale test's loopback ports; the benchmark runs under the end-to-end lock.
    const cluster = await LocalCluster.start(path.join(dir, "cluster"), clusterPorts.scale, "[bench cluster]");
    try {
        const wsDir = path.join(dir, "workspace");
        fs.mkdirSync(path.join(wsDir, "project"), { recursive: true });
        const { accessFiles, counts } = writeAccessFiles(path.join(wsDir, "project"), n, methods);
        const base = {
            "kube-access:cluster": { name: "bench" },
            "kube-access:accessFiles": accessFiles,
            "kube-access:oidc": { issuerUrl: "https://set-by-pointStackAt/realms/bench", realm: "bench" },
        };
        const { config, secrets } = cluster.pointStackAt(base);
        const workspace = await PulumiWorkspace.create({ dir: wsDir, stack: "bench", config, secrets });
        const steps: RealStep[] = [];
        const measure = async (step: string, f: () => Promise<unknown>) => {
            steps.push({ step, ...(await measured("[bench real]", step, f)) });
        };
        // A config with one error, in the last access file: refused before anything is planned.
        const brokenFile = "teams/zz-broken.yaml";
        fs.writeFileSync(
            path.join(wsDir, "project", brokenFile),
            stringify({ users: [{ name: "Not_A_Name", auth: { method: "serviceAccount", namespace: "ci" } }] }),
        );
        await workspace.configure({ ...config, "kube-access:accessFiles": [...accessFiles, brokenFile] }, {});
        await measure("preview of a config with one error (refused)", async () => {
            const refused = await workspace.preview({ check: false });
            if (refused.code === 0) throw new Error(`the broken config ${brokenFile} was not refused`);
        });
        await workspace.configure(config, {});
        await measure("preview (nothing deployed)", () => workspace.preview());
        let checkpointedFirstUp: RealFigures["checkpointedFirstUp"];
        if (firstUp === "checkpoints skipped") {
            await measure("first up, checkpoints skipped", () =>
                workspace.up({ env: { PULUMI_SKIP_CHECKPOINTS: "true" } }),
            );
        } else if (firstUp === "checkpoints on") {
            await measure("first up", () => workspace.up());
        } else {
            // Stopped as a user would (SIGINT: the engine finishes the operations under way and records them).
            let code = 0;
            await measure("first up, checkpoints on", async () => {
                code = (await limitedUp(workspace, firstUp.limitSeconds)).code;
            });
            const seconds = steps[steps.length - 1].seconds;
            const recorded = (JSON.parse(await workspace.exportState()).deployment.resources ?? []).length;
            checkpointedFirstUp = { seconds, finished: code === 0, recorded };
            console.log(
                `[bench real] first up with checkpoints ${code === 0 ? "finished" : `stopped after ${firstUp.limitSeconds} s (exit ${code})`}` +
                    `; ${recorded} resources recorded`,
            );
            if (code !== 0) {
                await measure("first up finished, checkpoints skipped", () =>
                    workspace.up({ env: { PULUMI_SKIP_CHECKPOINTS: "true" } }),
                );
            }
        }
        await measure("no-change up", () => workspace.up());
        await measure("no-change preview", () => workspace.preview(["--expect-no-changes"]));
        const state = await workspace.exportState();
        const deployment = JSON.parse(state).deployment as {
            resources: { type: string; inputs?: unknown; outputs?: unknown }[];
        };
        const byType: Record<string, number> = {};
        for (const r of deployment.resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
        const statePath = fs
            .readdirSync(path.join(wsDir, "state"), { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile() && isStateFile(e.name, "bench"))
            .map((e) => path.join(e.parentPath, e.name))[0];
        if (!statePath) throw new Error(`no state file of stack bench under ${path.join(wsDir, "state")}`);
        const stateBytes = fs.statSync(statePath).size;
        const jsonBytes = stateJsonBytes(path.basename(statePath), stateBytes, state);
        const inState = stateSecrets(deployment.resources);
        const stored =
            jsonBytes === stateBytes
                ? ""
                : ` (${fmt(stateBytes / 1024 / 1024, 1)} MiB stored as ${path.basename(statePath)})`;
        console.log(
            `[bench real] state ${fmt(jsonBytes / 1024 / 1024, 1)} MiB of JSON${stored}, ${deployment.resources.length} resources ` +
                `(${fmt(deployment.resources.length / n, 1)} per user), ${inState.count} secrets ` +
                `(${fmt(inState.ciphertextBytes / 1024 / 1024, 1)} MiB of ciphertext) outside the stack's outputs`,
        );
        return {
            users: n,
            counts,
            steps,
            stateBytes,
            stateJsonBytes: jsonBytes,
            resources: deployment.resources.length,
            byType,
            checkpointedFirstUp,
            secrets: inState,
        };
    } finally {
        await cluster.stop();
    }
}

/** One step of the floor program: wall time and peak RSS in MiB. */
interface FloorStep {
    seconds: number;
    engineRssMiB?: number;
    programRssMiB?: number;
    totalRssMiB: number;
}

/** Secrets in the floor's state: every payload, and/or `secrets` more outputs of `bytesPerSecret` characters. */
interface FloorSecrets {
    secretOutputs?: boolean;
    secrets?: number;
    bytesPerSecret?: number;
}

type FloorFigures = Record<string, unknown> & {
    "no-change up": FloorStep;
    "preview of a config with one error (refused)": FloorStep;
    "first up, checkpoints on"?: FloorStep;
    checkpointedFirstUp?: CheckpointedFirstUp;
};

/**
 * The engine's own cost: a trivial program of `resources` components with
 * `bytesPerResource` bytes of output each, through the same engine settings
 * as the real runs. The first up with checkpoints on (stopped after
 * `limitSeconds`) only when a limit is given.
 */
async function engineFloor(
    resources: number,
    bytesPerResource: number,
    dir: string,
    limitSeconds?: number,
    { secretOutputs = false, secrets = 0, bytesPerSecret = 0 }: FloorSecrets = {},
): Promise<FloorFigures> {
    const { PulumiWorkspace } = await import("../test/harness/pulumiWorkspace");
    const programDir = path.join(dir, "program");
    fs.mkdirSync(programDir, { recursive: true });
    // The same Node.js arguments as kube-access's Pulumi.yaml: the floor is the engine's cost, not V8's settings.
    const nodeargs = projectNodeArgs(repoRoot).join(" ");
    const runtime = { name: "nodejs", ...(nodeargs ? { options: { nodeargs } } : {}) };
    fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), stringify({ name: "kube-access-floor", runtime }));
    fs.writeFileSync(
        path.join(programDir, "package.json"),
        JSON.stringify({ name: "kube-access-floor", main: "index.ts" }),
    );
    fs.copyFileSync(path.join(__dirname, "bench", "floorProgram.ts"), path.join(programDir, "index.ts"));
    fs.mkdirSync(path.join(programDir, "components"));
    for (const f of ["node_modules", "tsconfig.json"]) fs.symlinkSync(path.join(repoRoot, f), path.join(programDir, f));
    const config = {
        "kube-access-floor:resources": resources,
        "kube-access-floor:bytesPerResource": bytesPerResource,
        "kube-access-floor:secretOutputs": secretOutputs,
        "kube-access-floor:secrets": secrets,
        "kube-access-floor:bytesPerSecret": bytesPerSecret,
    };
    const figures: Record<string, unknown> = { resources, bytesPerResource, secretOutputs, secrets, bytesPerSecret };
    const timed = async (step: string, f: () => Promise<unknown>) => {
        const { seconds, rss } = await measured("[bench floor]", step, f);
        const floorStep: FloorStep = {
            seconds,
            engineRssMiB: rss.byClass.engine,
            programRssMiB: rss.byClass.program,
            totalRssMiB: rss.total,
        };
        figures[step] = floorStep;
        return seconds;
    };
    console.log(
        `[bench floor] ${resources} component resources, ${bytesPerResource} bytes of output each` +
            (secrets > 0 ? `, and ${secrets} secret outputs of ${bytesPerSecret} bytes spread over them` : ""),
    );
    const skipped = await PulumiWorkspace.create({
        dir: path.join(dir, "skipped"),
        stack: "floor",
        config: { ...config, "kube-access-floor:resources": "not a number" },
        secrets: {},
        programDir,
    });
    // The floor of a refused config: the engine, the language host and the SDK start, and the first config read fails.
    await timed("preview of a config with one error (refused)", async () => {
        const refused = await skipped.preview({ check: false });
        if (refused.code === 0) throw new Error("the floor program accepted a config it must refuse");
    });
    await skipped.configure(config, {});
    await timed("first up, checkpoints skipped", () => skipped.up({ env: { PULUMI_SKIP_CHECKPOINTS: "true" } }));
    await timed("no-change up", () => skipped.up());
    const done = figures as FloorFigures;
    if (limitSeconds === undefined) return done;
    const on = await PulumiWorkspace.create({
        dir: path.join(dir, "on"),
        stack: "floor",
        config,
        secrets: {},
        programDir,
    });
    let code = 0;
    const seconds = await timed("first up, checkpoints on", async () => {
        code = (await limitedUp(on, limitSeconds, "floor")).code;
    });
    const recorded = (JSON.parse(await on.exportState()).deployment.resources ?? []).length;
    figures.checkpointedFirstUp = { seconds, finished: code === 0, recorded };
    console.log(
        `[bench floor] first up with checkpoints ${code === 0 ? "finished" : `stopped after ${limitSeconds} s (exit ${code})`}` +
            `; ${recorded} of ${resources + 1} resources recorded`,
    );
    return done;
}

/** The command line's options, or a message for an unknown option or a missing value (node:util parseArgs). */
function readArguments() {
    return parseArgs({
        options: {
            users: { type: "string", default: "1000" },
            repeat: { type: "string", default: "3" },
            methods: { type: "string" },
            real: { type: "boolean", default: false },
            "real-users": { type: "string" },
            "skip-mock": { type: "boolean", default: false },
            "first-up-without-checkpoints": { type: "boolean", default: false },
            "engine-floor": { type: "string" },
            "floor-limit": { type: "string", default: "600" },
            "floor-secret-outputs": { type: "boolean", default: false },
            "floor-secrets": { type: "string" },
            targets: { type: "boolean", default: false },
            compiled: { type: "boolean", default: false },
            "promise-sources": { type: "boolean", default: false },
            json: { type: "string" },
            keep: { type: "boolean", default: false },
            help: { type: "boolean", default: false },
        },
        strict: true,
    });
}

async function main(): Promise<number> {
    let values: ReturnType<typeof readArguments>["values"];
    try {
        values = readArguments().values;
    } catch (e) {
        console.error(`${(e as Error).message}\n\n${usage}`);
        return 2;
    }
    if (values.help) {
        console.log(usage);
        return 0;
    }
    const counts = { users: values.users, repeat: values.repeat, "real-users": values["real-users"] ?? values.users };
    for (const [option, text] of Object.entries(counts)) {
        if (!/^[1-9][0-9]*$/.test(text)) {
            console.error(`--${option} must be a whole number above 0, not "${text}"\n\n${usage}`);
            return 2;
        }
    }
    const n = Number(counts.users);
    const repeat = Number(counts.repeat);
    const realUsers = Number(counts["real-users"]);
    const methods = (values.methods?.split(",") ?? [...generatedMethods]) as GeneratedMethod[];
    const unknown = methods.filter((m) => !(generatedMethods as readonly string[]).includes(m));
    if (unknown.length > 0) {
        console.error(`unknown --methods ${unknown.join(", ")}; known: ${generatedMethods.join(", ")}`);
        return 2;
    }
    const floor = values["engine-floor"]?.split(":").map(Number);
    const floorLimit = Number(values["floor-limit"]);
    const floorSecrets = values["floor-secrets"]?.split(":").map(Number);
    if (floorSecrets && !(floorSecrets.length === 2 && floorSecrets.every((x) => Number.isInteger(x) && x > 0))) {
        console.error(`--floor-secrets takes K:S, two whole numbers above 0 (2900:700)\n\n${usage}`);
        return 2;
    }
    if ((floorSecrets || values["floor-secret-outputs"]) && !floor) {
        console.error(
            `--floor-secrets and --floor-secret-outputs shape --engine-floor's program; give --engine-floor R:B too\n\n${usage}`,
        );
        return 2;
    }
    if (floor && !(floor.length === 2 && floor.every((x) => Number.isInteger(x) && x > 0))) {
        console.error(`--engine-floor takes R:B, two whole numbers above 0 (4200:15000)\n\n${usage}`);
        return 2;
    }
    if (values.targets && (values["skip-mock"] || values["first-up-without-checkpoints"] || values["real-users"])) {
        console.error(
            `--targets runs every step at --users N; it takes no --skip-mock, --real-users or --first-up-without-checkpoints\n\n${usage}`,
        );
        return 2;
    }
    // The real engine uses fixed loopback ports: run under the lock every end-to-end run takes.
    if ((values.real || values.targets || floor) && process.env.KUBE_ACCESS_BENCH_LOCKED !== "1") {
        const child = spawn("flock", [lockFile, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
            stdio: "inherit",
            env: { ...process.env, KUBE_ACCESS_BENCH_LOCKED: "1" },
        });
        return await new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 1)));
    }

    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-bench-"));
    const result: Record<string, unknown> = {
        date: new Date().toISOString(),
        cpus: os.cpus().length,
        node: process.version,
        loadBefore: uptime(),
        users: n,
        methods,
    };
    console.log(
        `[bench] ${new Date().toISOString()}, ${os.cpus().length} cores, load ${uptime()}; work folder ${workDir}`,
    );
    try {
        const { accessFiles, counts } = writeAccessFiles(workDir, n, methods);
        console.log(`[bench] ${n} users in ${accessFiles.length} access files: ${JSON.stringify(counts)}`);
        const pure = await pureFunctions(workDir, accessFiles);
        result.pure = pure;
        const printPure = (users: number, p: PureFigures) =>
            console.log(
                `[bench pure] ${users} users: read access files + validate ${fmt(p.validateSeconds)} s; plan + every ` +
                    `per-user summary ${fmt(p.planAndSummariesSeconds)} s; a config with one error refused in ` +
                    `${fmt(p.refusedSeconds)} s; ${p.csrs} CSRs ${fmt(p.csrSeconds)} s; ${p.kubeconfigs} kubeconfigs ` +
                    `${fmt(p.kubeconfigSeconds)} s`,
            );
        printPure(n, pure);
        if (values.targets) {
            const users = targetLimits.planningUsers;
            const dir = path.join(workDir, "planning");
            const atScale = await pureFunctions(dir, writeAccessFiles(dir, users, methods).accessFiles);
            result.pureAtPlanningScale = { users, ...atScale };
            printPure(users, atScale);
        }

        if (!values["skip-mock"]) {
            fs.writeFileSync(path.join(workDir, "config.json"), JSON.stringify(mockConfig(accessFiles)));
            const compiled = values.compiled ? compile(workDir) : undefined;
            result.runner = compiled ? "node, compiled by tsc" : "ts-node, transpile only";
            const first = mockRun("record", workDir, compiled); // records the resources the baseline declares; also a warm-up
            console.log(`[bench mock] ${first.resources} resources (${fmt(first.resources / n, 1)} per user)`);
            const runs: Record<MockMode, MockRun[]> = {
                program: [],
                baseline: [],
                "hand-written": [],
                "baseline-state": [],
            };
            for (let i = 0; i < repeat; i++) {
                for (const mode of i % 2 === 0
                    ? (["baseline", "program", "hand-written", "baseline-state"] as const)
                    : (["baseline-state", "hand-written", "program", "baseline"] as const)) {
                    const r = mockRun(mode, workDir, compiled);
                    runs[mode].push(r);
                    const typed =
                        r.typed === undefined
                            ? ""
                            : ` (of its ${r.resources} resources, ${r.typed} through the providers' classes; the rest ` +
                              `components and kube-access's dynamic resources)`;
                    console.log(
                        `[bench mock] ${mode}: evaluation ${fmt(r.seconds)} s, process ${fmt(r.wallSeconds)} s, ` +
                            `peak RSS ${fmt(r.maxRssKiB / 1024, 0)} MiB${typed}; load ${uptime()}`,
                    );
                }
            }
            const stats = (mode: MockMode) => ({
                min: Math.min(...runs[mode].map((r) => r.seconds)),
                median: median(runs[mode].map((r) => r.seconds)),
                maxRssMiB: Math.max(...runs[mode].map((r) => r.maxRssKiB / 1024)),
            });
            const program = stats("program");
            const baseline = stats("baseline");
            const sameState = stats("baseline-state");
            const handWritten = stats("hand-written");
            console.log(
                `[bench mock] program min ${fmt(program.min)} s, median ${fmt(program.median)} s; baseline min ` +
                    `${fmt(baseline.min)} s, median ${fmt(baseline.median)} s; ratio min ${fmt(program.min / baseline.min)}, ` +
                    `median ${fmt(program.median / baseline.median)}`,
            );
            console.log(
                `[bench mock] against the baseline that also makes kube-access's own outputs (the same state): min ` +
                    `${fmt(sameState.min)} s, median ${fmt(sameState.median)} s; ratio min ` +
                    `${fmt(program.min / sameState.min)}, median ${fmt(program.median / sameState.median)}`,
            );
            console.log(
                `[bench mock] against the hand-written raw program (the baseline, plus reading the files, making ` +
                    `each CSR from its key and rendering the kubeconfigs): min ${fmt(handWritten.min)} s, median ` +
                    `${fmt(handWritten.median)} s; ratio min ${fmt(program.min / handWritten.min)}, median ` +
                    `${fmt(program.median / handWritten.median)}`,
            );
            const times = {
                programSeconds: program.min,
                baselineSeconds: baseline.min,
                sameStateSeconds: sameState.min,
                ...profiledShares(workDir, compiled),
            };
            const floor = ownWorkFloor(times);
            console.log(
                `[bench mock] kube-access's own work is ${fmt(floor.ownWorkShare * 100, 0)} % of the program's profiled ` +
                    `time, so ${fmt(floor.ownWorkSeconds)} s of its timed ${fmt(program.min)} s; a raw program that also did it: ` +
                    `at least ${fmt(baseline.min)} + ${fmt(floor.ownWorkSeconds)} = ${fmt(floor.floorSeconds)} s; ` +
                    `the program ${fmt(floor.ratio)}x that`,
            );
            const alone = ownWorkAloneFloor(
                { programSeconds: program.min, baselineSeconds: baseline.min },
                pure.validateSeconds,
                pure,
            );
            console.log(
                `[bench mock] kube-access's own work as implemented, timed alone once: reading and validating the ` +
                    `files, ${pure.csrs} CSRs and ${pure.kubeconfigs} kubeconfigs take ${fmt(alone.ownWorkSeconds)} s; ` +
                    `with the raw program ${fmt(baseline.min)} + ${fmt(alone.ownWorkSeconds)} = ${fmt(alone.floorSeconds)} s, ` +
                    `${fmt(alone.overBaseline)}x the raw program alone (kube-access cannot go below that without making ` +
                    `this work cheaper); the program ${fmt(alone.ratio)}x that`,
            );
            const withOutputs = outputsFloor(times, alone.ownWorkSeconds);
            const outputsAloneMedian = sameState.median / baseline.median;
            console.log(
                `[bench mock] a raw program that also returns kube-access's own outputs, with no logic (the ` +
                    `same-state baseline), takes ${fmt(withOutputs.outputsAlone)}x min, ` +
                    `${fmt(outputsAloneMedian)}x median as long as the baseline; with kube-access's ` +
                    `own work as implemented, timed alone, added: ` +
                    `${fmt(sameState.min)} + ${fmt(alone.ownWorkSeconds)} = ${fmt(withOutputs.floorSeconds)} s, ` +
                    `${fmt(withOutputs.overBaseline)}x the baseline (kube-access cannot go below that without making ` +
                    `this work cheaper or its outputs smaller); the program ${fmt(withOutputs.ratio)}x that`,
            );
            const promises = promiseCounts(workDir, compiled);
            console.log(
                `[bench mock] promises made during evaluation (a count, the same on every run): program ` +
                    `${promises.program}, baseline ${promises.baseline}, hand-written ${promises["hand-written"]}, ` +
                    `baseline with the same state ` +
                    `${promises["baseline-state"]}; the program ${fmt(promises.program / promises.baseline)}x the ` +
                    `baseline's, ${fmt((promises.program - promises.baseline) / n, 0)} more per user`,
            );
            if (values["promise-sources"]) printPromiseSources(workDir, compiled, n);
            result.mock = {
                promises,
                resources: first.resources,
                resourcesPerUser: first.resources / n,
                program,
                baseline,
                sameState,
                ratioMin: program.min / baseline.min,
                ratioMedian: program.median / baseline.median,
                handWritten,
                handWrittenRatioMin: program.min / handWritten.min,
                handWrittenRatioMedian: program.median / handWritten.median,
                sameStateRatioMin: program.min / sameState.min,
                sameStateRatioMedian: program.median / sameState.median,
                outputsAloneRatioMin: withOutputs.outputsAlone,
                outputsAloneRatioMedian: outputsAloneMedian,
                withOutputsFloorRatio: withOutputs.overBaseline,
                times,
            };
        }

        let real: RealFigures | undefined;
        if (values.real || values.targets) {
            const firstUp: FirstUp = values.targets
                ? { limitSeconds: targetLimits.firstUpSeconds }
                : values["first-up-without-checkpoints"]
                  ? "checkpoints skipped"
                  : "checkpoints on";
            real = await realRuns(realUsers, methods, path.join(workDir, "real"), firstUp);
            result.real = real;
        }
        if (floor) {
            const dir = path.join(workDir, "floor");
            result.engineFloor = await engineFloor(floor[0], floor[1], dir, floorLimit, {
                secretOutputs: values["floor-secret-outputs"],
                secrets: floorSecrets?.[0],
                bytesPerSecret: floorSecrets?.[1],
            });
        }
        if (values.targets) {
            // The floor of the same size: as many resources, as many bytes of state, as many secrets of
            // the same size (the engine re-encrypts secrets at its checkpoints), the rest as plain payload.
            const { count, ciphertextBytes } = real!.secrets;
            const bytes = Math.max(1, Math.round((real!.stateJsonBytes - ciphertextBytes) / real!.resources));
            const bytesPerSecret = count > 0 ? plaintextBytesOfCiphertext(ciphertextBytes / count) : 0;
            // As many resources in all: the floor's components and its stack.
            const sameSize = await engineFloor(
                real!.resources - 1,
                bytes,
                path.join(workDir, "floor-same-size"),
                targetLimits.firstUpSeconds,
                { secrets: count, bytesPerSecret },
            );
            const floorFirstUp = sameSize["first up, checkpoints on"]!;
            const floorRecorded = sameSize.checkpointedFirstUp!;
            result.engineFloorSameSize = sameSize;
            const mock = result.mock as TargetFigures["mock"];
            const figures: TargetFigures = {
                users: n,
                pure: pure as TargetFigures["pure"],
                pureAtPlanningScale: result.pureAtPlanningScale as TargetFigures["pureAtPlanningScale"],
                mock,
                real: {
                    steps: real!.steps,
                    resources: real!.resources,
                    stateBytes: real!.stateBytes,
                    checkpointedFirstUp: real!.checkpointedFirstUp!,
                },
                floor: {
                    refusedSeconds: sameSize["preview of a config with one error (refused)"].seconds,
                    noChangeUpSeconds: sameSize["no-change up"].seconds,
                    noChangeUpProgramRssMiB: sameSize["no-change up"].programRssMiB ?? 0,
                    noChangeUpTotalRssMiB: sameSize["no-change up"].totalRssMiB,
                    checkpointedFirstUp: {
                        seconds: floorFirstUp.seconds,
                        finished: floorRecorded.finished,
                        recorded: floorRecorded.recorded,
                        totalRssMiB: floorFirstUp.totalRssMiB,
                        engineRssMiB: floorFirstUp.engineRssMiB ?? 0,
                    },
                    secrets: { count, bytesPerSecret },
                },
            };
            const rows = judgeTargets(figures);
            result.targets = rows;
            console.log(`[bench targets] ${n} users, load ${uptime()}:\n${targetTable(rows)}`);
        }
        result.loadAfter = uptime();
        console.log(`[bench] done; load ${uptime()}`);
        if (values.json) fs.writeFileSync(values.json, JSON.stringify(result, null, 2));
        return 0;
    } finally {
        if (!values.keep) fs.rmSync(workDir, { recursive: true, force: true });
    }
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e instanceof Error ? (e.stack ?? e.message) : e);
        process.exit(1);
    },
);
