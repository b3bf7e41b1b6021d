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
     * Dependencies besides those of the properties below: the program's
     * `dependsOn`, and `replaceWith` targets, which the SDK counts too.
     */
    dependsOn?: number[];
    /** For each input property given as an Output of other resources: those resources. */
    propertyDependencies?: Record<string, number[]>;
    provider?: number;
    additionalSecretOutputs?: string[];
    replaceWith?: number[];
    replacementTrigger?: unknown;
}

/** What the mock monitor sees of one `RegisterResource` request, references still as URNs. */
export interface RegistrationRequest {
    type: string;
    name: string;
    urn: string;
    parent: string;
    /** Every resource it depends on, its properties' dependencies among them. */
    dependencies: string[];
    /** Input property to the resources its Output came from; only properties that have some. */
    propertyDependencies: Record<string, string[]>;
    /** `<provider URN>::<provider id>`, or empty. */
    provider: string;
    additionalSecretOutputs: string[];
    replaceWith: string[];
    replacementTrigger?: unknown;
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
        const ofProperties = new Set(Object.values(request.propertyDependencies).flat());
        const dependsOn = indexes(request.dependencies.filter((urn) => !ofProperties.has(urn)));
        const properties = Object.entries(request.propertyDependencies);
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
 * A provider is passed only to a custom resource.
 */
export function declarationOptions(
    options: RecordedOptions | undefined,
    declared: (pulumi.Resource | undefined)[],
    custom: boolean,
): pulumi.CustomResourceOptions {
    if (!options) return {};
    const resource = (i: number) => declared[i];
    const resources = (list: number[]) => list.map(resource).filter((r): r is pulumi.Resource => r !== undefined);
    const provider = options.provider === undefined ? undefined : resource(options.provider);
    return {
        ...(options.parent !== undefined && { parent: resource(options.parent) }),
        ...(options.dependsOn && { dependsOn: resources(options.dependsOn) }),
        ...(custom && provider && { provider: provider as pulumi.ProviderResource }),
        ...(options.additionalSecretOutputs && { additionalSecretOutputs: options.additionalSecretOutputs }),
        ...(options.replaceWith && { replaceWith: resources(options.replaceWith) as pulumi.CustomResource[] }),
        ...(options.replacementTrigger !== undefined && {
            replacementTrigger: options.replacementTrigger as pulumi.Input<unknown>,
        }),
    };
}

/**
 * How the registrations of two programs differ, as one line per difference
 * (at most one per URN): a URN only one of them registered, or the same URN
 * with another parent, set of dependencies (also by property), provider, set of secret outputs or
 * resources that replace it. Empty when they declared the same objects.
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

/**
 * A recorded resource's inputs, each property the program gave as an Output
 * of other resources given again as one: an `apply` on those resources' URNs
 * that returns the recorded value, so the baseline makes the same property
 * dependencies with no logic (one `apply` per property, `pulumi.all` first
 * when it came from several resources).
 */
export function declaredInputs(
    inputs: pulumi.Inputs,
    options: RecordedOptions | undefined,
    declared: (pulumi.Resource | undefined)[],
): pulumi.Inputs {
    const properties = Object.entries(options?.propertyDependencies ?? {});
    if (properties.length === 0) return inputs;
    const derived = { ...inputs };
    for (const [key, indexes] of properties) {
        const urns = indexes.map((i) => declared[i]?.urn).filter((urn): urn is pulumi.Output<string> => !!urn);
        if (urns.length === 0) continue;
        const value = inputs[key];
        derived[key] = urns.length === 1 ? urns[0].apply(() => value) : pulumi.all(urns).apply(() => value);
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
