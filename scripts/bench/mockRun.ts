/**
 * One benchmark run under the Pulumi mock runtime, in a process of its own
 * (started by scripts/bench.ts; not for direct use):
 *
 *   mockRun.ts program  <workDir>   runs index.ts with the stack config in <workDir>/config.json
 *   mockRun.ts record   <workDir>   the same, and records what it declared (<workDir>/resources.json: each
 *                                   resource with its RegisterResource request and the properties its class
 *                                   declared with no value, found by a stack transformation, which costs
 *                                   time, so a recording run is not a timed one), its components' outputs
 *                                   and its stack outputs (<workDir>/outputs.json)
 *   mockRun.ts baseline <workDir>   declares the resources the program declared with the inputs it gave
 *                                   them and returns what a raw program delivers of its stack outputs
 *                                   (the kubeconfigs and the API server's settings), with no logic:
 *                                   through the provider packages' classes, as a raw program would
 *                                   (scripts/bench/resourceClasses.ts), kube-access's dynamic resources
 *                                   as bare custom resources with the output properties the program's
 *                                   classes declare, its components with no outputs; each with the
 *                                   program's parent, dependencies (an input the program gave as an
 *                                   Output of other resources as an Output that carries them), provider and
 *                                   other options, so with the program's URNs
 *                                   (scripts/bench/declarationOptions.ts); it fails when its
 *                                   registrations differ from the program's
 *   mockRun.ts hand-written <workDir>
 *                                   the baseline, plus what any program must do to declare those objects and
 *                                   deliver those kubeconfigs from the same files: it reads the access files,
 *                                   makes each CSR from its key in an apply, renders the kubeconfigs
 *                                   (scripts/bench/handWritten.ts)
 *   mockRun.ts baseline-state <workDir>
 *                                   the same, and also kube-access's own outputs (its components'
 *                                   outputs and the users' access summary), so that it makes the same
 *                                   state as the program
 *
 * Both load the same modules before the clock starts, so the time measured
 * is evaluation only: from the first line of the program to the last
 * resource registered and answered. Before the clock starts, every mode
 * opens the SDK's inspector session, which Pulumi's language host opens
 * before it loads any program. It prints one JSON line:
 * `{"seconds": <evaluation>, "resources": <count>, "maxRssKiB": <peak RSS>}`,
 * and for the baseline `"typed": <resources declared through a provider's class>`.
 *
 * With `KUBE_ACCESS_BENCH_COUNT_PROMISES=1` it counts the promises made during
 * the evaluation (an `async_hooks` hook, which slows the run) and adds
 * `"promises": <count>` to that line.
 *
 * With `KUBE_ACCESS_BENCH_PROMISE_SOURCES=1` it charges each of those promises
 * to its source (scripts/bench/promiseSources.ts, much slower still) and adds
 * `"promiseSources": {<source>: <count>}`.
 *
 * With `KUBE_ACCESS_BENCH_CPU_PROFILE=<file>` in the environment it also
 * writes a V8 CPU profile of the evaluation alone (open it in Chrome's
 * DevTools). With `KUBE_ACCESS_BENCH_HEAP_SNAPSHOT_AT=<N>` it writes a V8
 * heap snapshot when the mocks are asked for the Nth resource, to
 * `<workDir>/<mode>-at-<N>.heapsnapshot`.
 */
import { createHook } from "async_hooks";
import * as fs from "fs";
import * as inspector from "inspector/promises";
import * as path from "path";
import * as v8 from "v8";
import * as pulumi from "@pulumi/pulumi";
import * as kubernetes from "@pulumi/kubernetes";
import * as tls from "@pulumi/tls";
import * as keycloak from "@pulumi/keycloak";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { recordingMocks, RecordedResource } from "../../test/helpers/mocks";
import { limitHeapGrowth, limitStackTraces } from "../../components/access/runtimeSettings";
import { ProviderPackages, resourceClass } from "./resourceClasses";
import { startPromiseSources } from "./promiseSources";
import {
    CredentialSource,
    RequestDerivation,
    credentialSources,
    derivedRequestInputs,
    kubeAccessConfig,
    kubeconfigOutputs,
    readAccessFiles,
    requestDerivations,
    withoutPropertyDependencies,
} from "./handWritten";
import type { AccessSpec } from "../../components/model/types";
import {
    RegistrationRequest,
    declarationDifferences,
    declarationOptions,
    declaredInputs,
    recordRegistrations,
    recordUnsetProperties,
    withUnsetProperties,
    recordedOptions,
} from "./declarationOptions";
import {
    RecordedOutputs,
    resourceKey,
    deliveredStackOutputs,
    recordComponentOutputs,
    recordedValue,
    withSecrets,
} from "./recordedValues";

const [mode, workDir] = process.argv.slice(2);

/** The type of the stack resource every program registers first. */
const stackType = "pulumi:pulumi:Stack";

/** A resource as the program declared it: type, name, inputs, whether custom, and its request. */
type DeclaredResource = RecordedResource & {
    custom?: boolean;
    registration?: RegistrationRequest;
    unsetProperties?: string[];
};

interface BenchConfig {
    /** Full key to value, as the engine hands config to the program. */
    all: Record<string, string>;
    secretKeys: string[];
    certificatePem: string;
}

/** A custom resource declared with given inputs. */
class BaselineResource extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(type, name, inputs, opts);
    }
}

/** A component resource with the given outputs. */
class BaselineComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, outputs: pulumi.Inputs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
        this.registerOutputs(outputs);
    }
}

/**
 * Starts the SDK's inspector session, which the language host's entry point
 * (@pulumi/pulumi/cmd/run) starts before it loads a program (here: after the
 * modules load, before the clock). It enables the V8 debugger for the whole
 * run, which makes every promise dearer; the SDK keeps it for closure
 * serialisation, and Pulumi offers no public call for it.
 */
async function languageHostHooks(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK module with no typings of its own
    const hooks = require("@pulumi/pulumi/runtime/closure/v8Hooks") as { isInitializedAsync(): Promise<void> };
    await hooks.isInitializedAsync();
}

/** What the hand-written program works from, read before the clock starts. */
interface HandWrittenWork {
    accessFiles: string[];
    spec: AccessSpec;
    /** Certificate users whose key kube-access makes: one request each. */
    keyedUsers: number;
    /** Set once the program's declarations are read. */
    derivations: Map<number, RequestDerivation[]>;
    sources: Map<string, CredentialSource>;
}

/** The access files, and the spec the hand-written program's kubeconfigs follow (validated here, untimed). */
async function handWrittenWork(config: BenchConfig): Promise<HandWrittenWork> {
    const { validateWithAccessFiles } = await import("../../components/intake/accessFiles");
    const { validateAccessSpec } = await import("../../components/access/validate");
    const { raw, secretKeys } = kubeAccessConfig(config.all, config.secretKeys);
    const spec = validateWithAccessFiles(raw, workDir, (merged) => validateAccessSpec(merged, { secretKeys }));
    return {
        accessFiles: JSON.parse(config.all["kube-access:accessFiles"]) as string[],
        spec,
        keyedUsers: spec.users.filter((u) => u.auth.method === "certificate" && !u.auth.certificateRequestPem).length,
        derivations: new Map(),
        sources: new Map(),
    };
}

/**
 * The hand-written program must deliver a kubeconfig for every user the
 * program does (checked when the recorded kubeconfigs are given), and make a
 * request for every key (checked when the requests made are given): throws when not.
 */
function checkHandWritten(work: HandWrittenWork, recordedKubeconfigs: unknown, requestsMade?: number): void {
    const recordedUsers = Object.keys(
        ((recordedKubeconfigs as { value?: object })?.value ?? recordedKubeconfigs ?? {}) as object,
    );
    const missing = recordedUsers.filter((name) => !work.sources.has(name));
    const extra = [...work.sources.keys()].filter((name) => !recordedUsers.includes(name));
    if (recordedKubeconfigs !== undefined && missing.length + extra.length > 0)
        throw new Error(
            `the hand-written program's kubeconfigs differ from the program's: missing ${missing.slice(0, 5).join(", ")}; ` +
                `extra ${extra.slice(0, 5).join(", ")}`,
        );
    const keys = new Set([...work.derivations.values()].flat().map((d) => d.keyIndex)).size;
    if (keys !== work.keyedUsers || (requestsMade !== undefined && requestsMade !== keys))
        throw new Error(
            `the hand-written program made ${requestsMade ?? "no"} requests from ${keys} keys found, for ` +
                `${work.keyedUsers} users whose key kube-access makes`,
        );
}

async function main(): Promise<void> {
    const config = JSON.parse(fs.readFileSync(path.join(workDir, "config.json"), "utf8")) as BenchConfig;
    const recording = recordingMocks(config.certificatePem);
    // Which resources are components, for the baseline to declare them as such.
    const resources: DeclaredResource[] = [];
    // A V8 heap snapshot when the mocks are asked for the Nth resource: what the program holds mid-evaluation.
    const snapshotAt = Number(process.env.KUBE_ACCESS_BENCH_HEAP_SNAPSHOT_AT ?? 0);
    const mocks: pulumi.runtime.Mocks = {
        ...recording.mocks,
        newResource(args) {
            resources.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom });
            if (resources.length === snapshotAt) {
                const file = v8.writeHeapSnapshot(path.join(workDir, `${mode}-at-${snapshotAt}.heapsnapshot`));
                console.error(`[bench mock] heap snapshot at resource ${snapshotAt}: ${file}`);
            }
            return recording.mocks.newResource(args);
        },
    };
    await pulumi.runtime.setMocks(mocks, "kube-access", "bench", false);
    pulumi.runtime.setAllConfig(config.all, config.secretKeys);
    // The program's resource options as the engine receives them, for the baselines to declare the same objects.
    const registrations = recordRegistrations();
    const settings = (await import("@pulumi/pulumi/runtime/settings")) as unknown as {
        waitForRPCs: () => Promise<void>;
    };
    let evaluate: () => Promise<unknown>;
    let typed: number | undefined;
    // What the program returned as its stack outputs and its components registered, recorded after the clock stops.
    let stackOutputs: unknown;
    const componentOutputs = new Map<string, unknown>();
    // The properties the program's custom resources were declared with but no value, by type.
    let unsetProperties = new Map<string, string[]>();
    // What the program declared, read by a baseline before the clock starts.
    let declared: DeclaredResource[] = [];
    // The hand-written program's work, and the requests it made from keys (one per key), checked after the clock.
    let handWritten: HandWrittenWork | undefined;
    const requests = new Map<number, pulumi.Output<string>>();
    const recordRun = mode === "record";
    if (mode === "program" || recordRun) {
        // The components are compiled and loaded before the clock starts; index.ts itself is tiny.
        await import("../../components");
        process.chdir(workDir); // the project folder: access files are read relative to it
        // Each component's outputs as it registers them (one more Map entry per component), when recording.
        if (recordRun) recordComponentOutputs(componentOutputs);
        // index.ts validates the config as it loads, then exports the function that declares everything.
        evaluate = () =>
            runInPulumiStack(async () => {
                if (recordRun) unsetProperties = recordUnsetProperties();
                const program = require("../../index") as () => Promise<Record<string, unknown>>; // eslint-disable-line @typescript-eslint/no-require-imports
                stackOutputs = await program();
                return stackOutputs as pulumi.Inputs;
            });
    } else if (mode === "baseline" || mode === "baseline-state" || mode === "hand-written") {
        const sameState = mode === "baseline-state";
        if (mode === "hand-written") handWritten = await handWrittenWork(config);
        // The same process settings as index.ts makes, so that the ratio is the program's own logic.
        limitStackTraces();
        limitHeapGrowth();
        declared = JSON.parse(fs.readFileSync(path.join(workDir, "resources.json"), "utf8")) as DeclaredResource[];
        const options = recordedOptions(declared.map((r) => r.registration!));
        if (handWritten) {
            handWritten.derivations = requestDerivations(declared, options);
            handWritten.sources = credentialSources(handWritten.spec, declared, options);
        }
        // The program's outputs, as values: what a raw program delivers too, or (same state) all of them.
        const outputs = JSON.parse(fs.readFileSync(path.join(workDir, "outputs.json"), "utf8")) as RecordedOutputs;
        const returned = sameState ? outputs.stack : deliveredStackOutputs(outputs.stack);
        if (handWritten) checkHandWritten(handWritten, outputs.stack.kubeconfigs);
        const componentOutputsOf = (r: RecordedResource) =>
            (sameState ? withSecrets(outputs.components[resourceKey(r.type, r.name)] ?? {}) : {}) as pulumi.Inputs;
        const packages = { kubernetes, tls, keycloak } as unknown as ProviderPackages;
        // Classes are looked up before the clock starts; the modules they live in load here too.
        const classes = declared.map((r) => (r.custom === false ? undefined : resourceClass(packages, r.type)));
        typed = classes.filter((c) => c !== undefined).length;
        evaluate = () =>
            runInPulumiStack(async () => {
                // Each resource with the program's parent, dependencies, provider and other options, so
                // with the program's URN; the program's stack is the baseline's own.
                const resources: (pulumi.Resource | undefined)[] = [];
                // The hand-written program reads its users, and makes each request from its key.
                if (handWritten) readAccessFiles(workDir, handWritten.accessFiles);
                declared.forEach((r, i) => {
                    if (r.type === stackType) return void resources.push(undefined);
                    const Class = classes[i];
                    const derivations = handWritten?.derivations.get(i);
                    const given = declaredInputs(
                        withSecrets(r.inputs) as pulumi.Inputs,
                        derivations ? withoutPropertyDependencies(options[i], derivations) : options[i],
                        resources,
                    );
                    const recorded = derivedRequestInputs(given, derivations, resources, requests);
                    // A bare resource declares the output properties the program's class did; a provider's class has its own.
                    const inputs = Class ? recorded : withUnsetProperties(recorded, r.unsetProperties);
                    const opts = declarationOptions(options[i], resources, {
                        custom: r.custom !== false,
                        typed: Class !== undefined,
                    });
                    resources.push(
                        r.custom === false
                            ? new BaselineComponent(r.type, r.name, componentOutputsOf(r), opts)
                            : Class
                              ? new Class(r.name, inputs, opts)
                              : new BaselineResource(r.type, r.name, inputs, opts),
                    );
                });
                if (!handWritten) return withSecrets(returned) as pulumi.Inputs;
                return {
                    ...(withSecrets(returned) as pulumi.Inputs),
                    kubeconfigs: kubeconfigOutputs(handWritten.spec, handWritten.sources, resources),
                };
            });
    } else {
        throw new Error(`unknown mode ${mode}`);
    }
    // Program and baselines alike, as under the engine (docs/performance-runs.md, run 17).
    await languageHostHooks();
    const profileFile = process.env.KUBE_ACCESS_BENCH_CPU_PROFILE;
    const profiler = profileFile ? new inspector.Session() : undefined;
    if (profiler) {
        profiler.connect();
        await profiler.post("Profiler.enable");
        await profiler.post("Profiler.start");
    }
    // Every promise the evaluation makes, ours and the SDK's: a count that does not vary with the machine's load.
    let promises = 0;
    const promiseCounter =
        process.env.KUBE_ACCESS_BENCH_COUNT_PROMISES === "1"
            ? createHook({
                  init(_asyncId, type) {
                      if (type === "PROMISE") promises++;
                  },
              })
            : undefined;
    promiseCounter?.enable();
    const stopPromiseSources =
        process.env.KUBE_ACCESS_BENCH_PROMISE_SOURCES === "1"
            ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK module whose functions are wrapped
              startPromiseSources(require("@pulumi/pulumi/runtime/resource"), path.resolve(__dirname, "..", ".."))
            : undefined;
    const started = performance.now();
    await evaluate();
    await settings.waitForRPCs();
    const seconds = (performance.now() - started) / 1000;
    promiseCounter?.disable();
    const promiseSources = stopPromiseSources?.();
    if (profiler) {
        const { profile } = await profiler.post("Profiler.stop");
        fs.writeFileSync(profileFile!, JSON.stringify(profile));
        profiler.disconnect();
    }
    if (recordRun) {
        if (
            registrations.length !== resources.length ||
            registrations.some((r, i) => r.type !== resources[i].type || r.name !== resources[i].name)
        )
            throw new Error("the mock monitor's requests and the resources declared are not in the same order");
        fs.writeFileSync(
            path.join(workDir, "resources.json"),
            JSON.stringify(
                resources.map((r, i) => ({
                    ...r,
                    registration: registrations[i],
                    unsetProperties: unsetProperties.get(r.type),
                })),
            ),
        );
        const recorded: RecordedOutputs = {
            components: (await recordedValue(Object.fromEntries(componentOutputs))) as Record<string, unknown>,
            stack: (await recordedValue(stackOutputs)) as Record<string, unknown>,
        };
        fs.writeFileSync(path.join(workDir, "outputs.json"), JSON.stringify(recorded));
    } else if (mode !== "program") {
        if (handWritten) checkHandWritten(handWritten, undefined, requests.size);
        // The same objects as the program's: URNs, parents, dependencies, providers, secret outputs.
        const differences = declarationDifferences(
            declared.map((r) => r.registration!),
            registrations,
        );
        if (differences.length > 0)
            throw new Error(
                `the ${mode} declared other objects than the program (${differences.length}): ` +
                    differences.slice(0, 5).join("; "),
            );
    }
    console.log(
        JSON.stringify({
            seconds,
            resources: resources.length,
            maxRssKiB: process.resourceUsage().maxRSS,
            typed,
            promises: promiseCounter ? promises : undefined,
            promiseSources,
        }),
    );
}

main().catch((e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
});
