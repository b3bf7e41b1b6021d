/**
 * The resource options the benchmark's program declared each resource with,
 * as the engine receives them (the `RegisterResource` request: parent,
 * dependencies, provider, secret outputs, replacement settings), recorded
 * from the mock monitor so that the baselines declare the same objects: the
 * same URNs (a URN holds its parent's type chain) and the same dependencies
 * in the state, not only the same inputs. Resources are referred to by
 * their index in the recorded list, which is in registration order, so every
 * reference points back to a resource declared before it.
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource's recorded options; references are indexes into the recorded resources. */
export interface RecordedOptions {
    parent?: number;
    /**
     * The program's own `dependsOn`: its dependencies but those of the
     * properties below and the `replaceWith` targets, which the SDK adds itself.
     */
    dependsOn?: number[];
    /** For each input property given as an Output of other resources: those resources. */
    propertyDependencies?: Record<string, number[]>;
    provider?: number;
    additionalSecretOutputs?: string[];
    replaceWith?: number[];
    replacementTrigger?: unknown;
    ignoreChanges?: string[];
    retainOnDelete?: boolean;
    protect?: boolean;
    deletedWith?: number;
    /** A component's providers for its children, by package name. */
    providers?: Record<string, number>;
}

/** What the mock monitor sees of one `RegisterResource` request, references still as URNs. */
export interface RegistrationRequest {
    type: string;
    name: string;
    urn: string;
    parent: string;
    /** Every resource it depends on, its properties' dependencies and `replaceWith` targets among them. */
    dependencies: string[];
    /** Input property to the resources its Output came from; only properties that have some. */
    propertyDependencies: Record<string, string[]>;
    /** `<provider URN>::<provider id>`, or empty. */
    provider: string;
    additionalSecretOutputs: string[];
    replaceWith: string[];
    replacementTrigger?: unknown;
    ignoreChanges: string[];
    retainOnDelete: boolean;
    protect: boolean;
    /** The URN of the resource whose deletion deletes this one, or empty. */
    deletedWith: string;
    /** A component's providers for its children: package name to `<provider URN>::<provider id>`. */
    providers: Record<string, string>;
}

/** The part of the protobuf `RegisterResourceRequest` that is recorded. */
interface RequestMessage {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(f: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getProvider(): string;
    getAdditionalsecretoutputsList(): string[];
    getReplaceWithList?(): string[];
    getReplacementTrigger?(): { toJavaScript(): unknown } | undefined;
    getIgnorechangesList(): string[];
    getRetainondelete(): boolean;
    getProtect(): boolean;
    getDeletedwith(): string;
    getProvidersMap(): { forEach(f: (value: string, key: string) => void): void };
}

/**
 * Records every `RegisterResource` request the mock monitor answers, in the
 * order it answers them. Call after `pulumi.runtime.setMocks`. Each entry is
 * complete once its request is answered.
 *
 * @throws Error when no monitor is set.
 */
export function recordRegistrations(): RegistrationRequest[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(request: RequestMessage, callback: (error: unknown, response?: unknown) => void): void;
    };
    if (!monitor) throw new Error("recordRegistrations: call pulumi.runtime.setMocks first");
    const recorded: RegistrationRequest[] = [];
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) => {
        const propertyDependencies: Record<string, string[]> = {};
        request.getPropertydependenciesMap().forEach((value, key) => {
            const urns = value.getUrnsList();
            if (urns.length > 0) propertyDependencies[key] = urns;
        });
        const providers: Record<string, string> = {};
        request.getProvidersMap().forEach((value, key) => (providers[key] = value));
        const entry: RegistrationRequest = {
            type: request.getType(),
            name: request.getName(),
            urn: "",
            parent: request.getParent(),
            dependencies: request.getDependenciesList(),
            propertyDependencies,
            provider: request.getProvider(),
            additionalSecretOutputs: request.getAdditionalsecretoutputsList(),
            replaceWith: request.getReplaceWithList?.() ?? [],
            replacementTrigger: request.getReplacementTrigger?.()?.toJavaScript(),
            ignoreChanges: request.getIgnorechangesList(),
            retainOnDelete: request.getRetainondelete(),
            protect: request.getProtect(),
            deletedWith: request.getDeletedwith(),
            providers,
        };
        recorded.push(entry);
        original(request, (error, response) => {
            entry.urn = (response as { getUrn?(): string } | undefined)?.getUrn?.() ?? "";
            callback(error, response);
        });
    };
    return recorded;
}

/**
 * The recorded requests' references as indexes into the same list. A URN
 * that names no recorded resource (a provider the engine makes by default)
 * is left out, since a program does not pass those. The stack is recorded
 * like any resource when the program runs in one, so a top-level resource's
 * parent is the stack's index; a baseline declares no resource there, and
 * its own stack is the default parent.
 *
 * @throws Error when a request refers to one registered after it (the SDK
 * registers a resource only once the resources it refers to have URNs, so
 * this means the list is not in registration order).
 */
export function recordedOptions(requests: RegistrationRequest[]): RecordedOptions[] {
    const indexOfUrn = new Map(requests.map((request, i) => [request.urn, i]));
    return requests.map((request, i) => {
        const index = (urn: string) => {
            const j = indexOfUrn.get(urn);
            if (j !== undefined && j >= i) throw new Error(`${request.urn} refers to ${urn}, registered after it`);
            return j;
        };
        const indexes = (urns: string[]) => urns.map(index).filter((j): j is number => j !== undefined);
        const parent = index(request.parent);
        const provider = request.provider === "" ? undefined : index(providerUrn(request.provider));
        // The SDK adds the properties' dependencies and the replaceWith targets to the dependencies itself.
        const added = new Set([...Object.values(request.propertyDependencies).flat(), ...request.replaceWith]);
        const dependsOn = indexes(request.dependencies.filter((urn) => !added.has(urn)));
        const properties = Object.entries(request.propertyDependencies);
        const deletedWith = request.deletedWith === "" ? undefined : index(request.deletedWith);
        const providers = Object.entries(request.providers).flatMap(([name, reference]) => {
            const j = index(providerUrn(reference));
            return j === undefined ? [] : [[name, j] as const];
        });
        return {
            ...(parent !== undefined && { parent }),
            ...(dependsOn.length > 0 && { dependsOn }),
            ...(properties.length > 0 && {
                propertyDependencies: Object.fromEntries(properties.map(([key, urns]) => [key, indexes(urns)])),
            }),
            ...(provider !== undefined && { provider }),
            ...(request.additionalSecretOutputs.length > 0 && {
                additionalSecretOutputs: request.additionalSecretOutputs,
            }),
            ...(request.replaceWith.length > 0 && { replaceWith: indexes(request.replaceWith) }),
            ...(request.replacementTrigger !== undefined && { replacementTrigger: request.replacementTrigger }),
            ...(request.ignoreChanges.length > 0 && { ignoreChanges: request.ignoreChanges }),
            ...(request.retainOnDelete && { retainOnDelete: true }),
            ...(request.protect && { protect: true }),
            ...(deletedWith !== undefined && { deletedWith }),
            ...(providers.length > 0 && { providers: Object.fromEntries(providers) }),
        };
    });
}

/** The provider's URN in a provider reference (`<URN>::<id>`). */
function providerUrn(reference: string): string {
    return reference.split("::").slice(0, -1).join("::");
}

/**
 * Resource options for a baseline's declaration of a recorded resource:
 * references resolved to the baseline's own resources declared before it.
 * A provider is passed only to a custom resource, a providers map only to a
 * component. With `typed` (a provider package's class, which names its own
 * secret outputs) no secret outputs are passed: the class adds the same ones,
 * and a program that added others shows up as a difference of the
 * registrations.
 */
export function declarationOptions(
    options: RecordedOptions | undefined,
    declared: (pulumi.Resource | undefined)[],
    kind: { custom: boolean; typed: boolean },
): pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions {
    if (!options) return {};
    const resource = (i: number) => declared[i];
    const resources = (list: number[]) => list.map(resource).filter((r): r is pulumi.Resource => r !== undefined);
    const provider = options.provider === undefined ? undefined : resource(options.provider);
    const deletedWith = options.deletedWith === undefined ? undefined : resource(options.deletedWith);
    return {
        ...(options.parent !== undefined && { parent: resource(options.parent) }),
        ...(options.dependsOn && { dependsOn: resources(options.dependsOn) }),
        ...(kind.custom && provider && { provider: provider as pulumi.ProviderResource }),
        ...(!kind.typed &&
            options.additionalSecretOutputs && { additionalSecretOutputs: options.additionalSecretOutputs }),
        ...(options.replaceWith && { replaceWith: resources(options.replaceWith) as pulumi.CustomResource[] }),
        ...(options.replacementTrigger !== undefined && {
            replacementTrigger: options.replacementTrigger as pulumi.Input<unknown>,
        }),
        ...(options.ignoreChanges && { ignoreChanges: options.ignoreChanges }),
        ...(options.retainOnDelete && { retainOnDelete: true }),
        ...(options.protect && { protect: true }),
        ...(deletedWith && { deletedWith }),
        ...(!kind.custom &&
            options.providers && {
                providers: Object.fromEntries(
                    Object.entries(options.providers).map(([name, i]) => [
                        name,
                        resource(i) as pulumi.ProviderResource,
                    ]),
                ),
            }),
    };
}

/**
 * How the registrations of two programs differ, as one line per difference
 * (at most one per URN): a URN only one of them registered, or the same URN
 * with another parent, set of dependencies (also by property), provider, set of secret outputs,
 * resources that replace it, set of ignored changes, retain-on-delete or protect flag, resource it
 * is deleted with, or providers map. Empty when they declared the same objects.
 * Provider ids are not compared, only the provider's URN.
 */
export function declarationDifferences(expected: RegistrationRequest[], actual: RegistrationRequest[]): string[] {
    const sorted = (list: string[]) => [...new Set(list)].sort().join(",");
    const shape = (r: RegistrationRequest) => ({
        parent: r.parent,
        dependencies: sorted(r.dependencies),
        propertyDependencies: JSON.stringify(
            Object.entries(r.propertyDependencies ?? {})
                .map(([key, urns]) => [key, sorted(urns)])
                .sort(),
        ),
        provider: providerUrn(r.provider),
        additionalSecretOutputs: sorted(r.additionalSecretOutputs),
        replaceWith: sorted(r.replaceWith),
        ignoreChanges: sorted(r.ignoreChanges),
        retainOnDelete: r.retainOnDelete,
        protect: r.protect,
        deletedWith: r.deletedWith,
        providers: JSON.stringify(
            Object.entries(r.providers)
                .map(([name, reference]) => [name, providerUrn(reference)])
                .sort(),
        ),
    });
    const actualByUrn = new Map(actual.map((r) => [r.urn, r]));
    const differences: string[] = [];
    for (const want of expected) {
        const got = actualByUrn.get(want.urn);
        actualByUrn.delete(want.urn);
        if (!got) {
            differences.push(`${want.urn} not declared`);
            continue;
        }
        const [a, b] = [shape(want), shape(got)];
        const field = (Object.keys(a) as (keyof typeof a)[]).find((k) => a[k] !== b[k]);
        if (field)
            differences.push(`${want.urn}: ${field} ${JSON.stringify(b[field])}, not ${JSON.stringify(a[field])}`);
    }
    for (const urn of actualByUrn.keys()) differences.push(`${urn} declared besides`);
    return differences;
}

/** The SDK's Output constructor, which the typings keep internal: the resources an Output comes from, then its value. */
type OutputConstructor = new (
    resources: pulumi.Resource[],
    value: Promise<unknown>,
    isKnown: Promise<boolean>,
    isSecret: Promise<boolean>,
    allResources: undefined,
) => pulumi.Output<unknown>;

/**
 * A recorded resource's inputs, each property the program gave as an Output
 * of other resources given again as one: an Output of the recorded value
 * that carries those resources, made directly, as a resource's own output
 * property is, so the baseline makes the same property dependencies with no
 * `apply` and no logic.
 */
export function declaredInputs(
    inputs: pulumi.Inputs,
    options: RecordedOptions | undefined,
    declared: (pulumi.Resource | undefined)[],
): pulumi.Inputs {
    const properties = Object.entries(options?.propertyDependencies ?? {});
    if (properties.length === 0) return inputs;
    const Output = pulumi.Output as unknown as OutputConstructor;
    const derived = { ...inputs };
    for (const [key, indexes] of properties) {
        const from = indexes.map((i) => declared[i]).filter((r): r is pulumi.Resource => r !== undefined);
        if (from.length === 0) continue;
        derived[key] = new Output(
            from,
            Promise.resolve(inputs[key]),
            Promise.resolve(true),
            Promise.resolve(false),
            undefined,
        );
    }
    return derived;
}

/**
 * The properties each type of custom resource is declared with but given
 * no value: the output properties of a class (a dynamic resource's
 * `certificatePem: undefined`), for each of which the SDK makes an Output.
 * Requests do not carry them, so they are recorded by a stack
 * transformation; call inside the stack, before the program declares
 * anything. Filled in as the program declares resources.
 */
export function recordUnsetProperties(): Map<string, string[]> {
    const byType = new Map<string, string[]>();
    pulumi.runtime.registerStackTransformation((args) => {
        // Whether it is a custom resource is set only after this runs; a baseline asks only for those.
        if (!byType.has(args.type)) {
            const props = (args.props ?? {}) as Record<string, unknown>;
            byType.set(
                args.type,
                Object.keys(props).filter((key) => props[key] === undefined),
            );
        }
        return undefined;
    });
    return byType;
}

/** Inputs with each of `unset` that they lack added with no value, as the program's class declared it. */
export function withUnsetProperties(inputs: pulumi.Inputs, unset: string[] | undefined): pulumi.Inputs {
    const missing = (unset ?? []).filter((key) => !(key in inputs));
    return missing.length === 0 ? inputs : { ...inputs, ...Object.fromEntries(missing.map((key) => [key, undefined])) };
}
