import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import {
    RecordedOptions,
    RegistrationRequest,
    declarationDifferences,
    declarationOptions,
    declaredInputs,
    recordRegistrations,
    recordedOptions,
} from "../scripts/bench/declarationOptions";

class Thing extends pulumi.CustomResource {
    constructor(name: string, inputs: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super("test:index:Thing", name, inputs, opts);
    }
}

class Provider extends pulumi.ProviderResource {
    constructor(name: string, opts?: pulumi.ResourceOptions) {
        super("kubernetes", name, {}, opts);
    }
}

class Group extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Group", name, {}, opts);
    }
}

async function withMocks(declare: () => void): Promise<RegistrationRequest[]> {
    await pulumi.runtime.setMocks(
        { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs },
        "kube-access",
        "bench",
        false,
    );
    const recorded = recordRegistrations();
    declare();
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    return recorded;
}

/**
 * A provider, a component with three children, one of which reads another's
 * output and is replaced with it, one replaced with it only; a component
 * that hands the provider to its children; and a resource that depends on
 * the first component as a whole.
 */
function declareProgram(): void {
    const provider = new Provider("cluster");
    const group = new Group("team");
    const key = new Thing(
        "key",
        { size: 256 },
        { parent: group, additionalSecretOutputs: ["pem"], ignoreChanges: ["size"], protect: true },
    );
    new Thing(
        "certificate",
        { request: key.id.apply((id) => `csr of ${id}`) },
        { parent: group, provider, replaceWith: [key], replacementTrigger: 2 },
    );
    new Thing("renewal", {}, { parent: group, replaceWith: [key], deletedWith: key, retainOnDelete: true });
    new Group("ops", { providers: { kubernetes: provider } });
    new Thing("binding", { subject: "team" }, { dependsOn: [group] });
}

describe("the program's resource options, recorded for the bench's baselines", () => {
    it("records parent, dependencies, provider, secret outputs and replacement settings as indexes", async () => {
        const requests = await withMocks(declareProgram);
        // In the order the SDK registers them, which is not the order of declaration.
        expect(requests.map((r) => r.name)).toEqual([
            "team",
            "cluster",
            "ops",
            "key",
            "renewal",
            "certificate",
            "binding",
        ]);
        expect(requests.every((r) => r.urn.startsWith("urn:pulumi:bench::kube-access::"))).toBe(true);
        const options = recordedOptions(requests);
        expect(options[0]).toEqual({});
        expect(options[1]).toEqual({});
        expect(options[2]).toEqual({ providers: { kubernetes: 1 } });
        expect(options[3]).toEqual({
            parent: 0,
            additionalSecretOutputs: ["pem"],
            ignoreChanges: ["size"],
            protect: true,
        });
        // The SDK counts a replaceWith target as a dependency itself, so it is not one the program declared.
        expect(options[4]).toEqual({ parent: 0, replaceWith: [3], deletedWith: 3, retainOnDelete: true });
        // The key's id in the request makes the certificate's request depend on the key.
        expect(options[5]).toEqual({
            parent: 0,
            propertyDependencies: { request: [3] },
            provider: 1,
            replaceWith: [3],
            replacementTrigger: 2,
        });
        // A dependency on a component is on each custom resource inside it.
        expect(options[6].dependsOn?.sort()).toEqual([3, 4, 5]);
    });

    it("refuses a list whose references point forward (not in registration order)", async () => {
        const requests = await withMocks(declareProgram);
        expect(() => recordedOptions([...requests].reverse())).toThrow(/registered after it/);
    });

    it("declares the same objects again from the recorded options, with plain inputs", async () => {
        const program = await withMocks(declareProgram);
        const options = recordedOptions(program);
        const replayed = await withMocks(() => {
            const declared: pulumi.Resource[] = [];
            program.forEach((request, i) => {
                const custom = request.type !== "test:index:Group";
                const opts = declarationOptions(options[i], declared, { custom, typed: false });
                declared.push(
                    request.type === "pulumi:providers:kubernetes"
                        ? new Provider(request.name, opts)
                        : custom
                          ? new Thing(
                                request.name,
                                declaredInputs({ request: "as recorded" }, options[i], declared),
                                opts,
                            )
                          : new Group(request.name, opts),
                );
            });
        });
        expect(declarationDifferences(program, replayed)).toEqual([]);
        // Without the options the URNs of the children differ (no parent type in them) and dependencies are lost.
        const bare = await withMocks(() => {
            program.forEach((request) => {
                if (request.type === "pulumi:providers:kubernetes") new Provider(request.name);
                else if (request.type === "test:index:Group") new Group(request.name);
                else new Thing(request.name, {});
            });
        });
        const differences = declarationDifferences(program, bare);
        expect(differences).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/Group\$test:index:Thing::key not declared$/),
                expect.stringMatching(/test:index:Thing::key declared besides$/),
                expect.stringMatching(/::binding: dependencies "", not ".+::key,.+"$/),
                expect.stringMatching(/::ops: providers "\[\]", not ".+cluster.+"$/),
            ]),
        );
    });
});

describe("declarationDifferences", () => {
    const request = (urn: string, more: Partial<RegistrationRequest> = {}): RegistrationRequest => ({
        type: "test:index:Thing",
        name: urn.split("::").pop()!,
        urn,
        parent: "",
        dependencies: [],
        propertyDependencies: {},
        provider: "",
        additionalSecretOutputs: [],
        replaceWith: [],
        ignoreChanges: [],
        retainOnDelete: false,
        protect: false,
        deletedWith: "",
        providers: {},
        ...more,
    });

    it("compares each field, dependencies and secret outputs as sets, providers by URN only", () => {
        const a = request("urn:a", {
            parent: "urn:p",
            dependencies: ["urn:x", "urn:y"],
            provider: "urn:prov::id-1",
            additionalSecretOutputs: ["pem", "der"],
        });
        const same = request("urn:a", {
            parent: "urn:p",
            dependencies: ["urn:y", "urn:x"],
            provider: "urn:prov::id-2",
            additionalSecretOutputs: ["der", "pem", "pem"],
        });
        expect(declarationDifferences([a], [same])).toEqual([]);
        expect(declarationDifferences([a], [{ ...same, parent: "urn:q" }])).toEqual([
            'urn:a: parent "urn:q", not "urn:p"',
        ]);
        expect(declarationDifferences([a], [{ ...same, dependencies: ["urn:x"] }])).toEqual([
            'urn:a: dependencies "urn:x", not "urn:x,urn:y"',
        ]);
        expect(declarationDifferences([a], [{ ...same, propertyDependencies: { request: ["urn:x"] } }])).toEqual([
            'urn:a: propertyDependencies "[[\\"request\\",\\"urn:x\\"]]", not "[]"',
        ]);
        expect(declarationDifferences([a], [{ ...same, provider: "urn:other::id-1" }])).toEqual([
            'urn:a: provider "urn:other", not "urn:prov"',
        ]);
        expect(declarationDifferences([a], [{ ...same, replaceWith: ["urn:x"] }])).toEqual([
            'urn:a: replaceWith "urn:x", not ""',
        ]);
        expect(declarationDifferences([a], [{ ...same, ignoreChanges: ["size"] }])).toEqual([
            'urn:a: ignoreChanges "size", not ""',
        ]);
        expect(declarationDifferences([a], [{ ...same, retainOnDelete: true }])).toEqual([
            "urn:a: retainOnDelete true, not false",
        ]);
        expect(declarationDifferences([a], [{ ...same, protect: true }])).toEqual(["urn:a: protect true, not false"]);
        expect(declarationDifferences([a], [{ ...same, deletedWith: "urn:x" }])).toEqual([
            'urn:a: deletedWith "urn:x", not ""',
        ]);
        expect(declarationDifferences([a], [{ ...same, providers: { kubernetes: "urn:prov::id-3" } }])).toEqual([
            'urn:a: providers "[[\\"kubernetes\\",\\"urn:prov\\"]]", not "[]"',
        ]);
        expect(declarationDifferences([a], [request("urn:b")])).toEqual([
            "urn:a not declared",
            "urn:b declared besides",
        ]);
    });
});

describe("declaredInputs", () => {
    it("gives an input that came from other resources as an Output carrying them, its secrecy kept", async () => {
        const declared: pulumi.Resource[] = [];
        await withMocks(() => {
            declared.push(new Thing("key", {}), new Thing("ca", {}));
        });
        const inputs = declaredInputs(
            { request: pulumi.secret("csr"), plain: "as recorded" },
            { propertyDependencies: { request: [0, 1] } },
            declared,
        );
        expect(inputs.plain).toBe("as recorded");
        // What the SDK reads of an Output when it serialises an input (internal members).
        const request = inputs.request as unknown as {
            resources(): Set<pulumi.Resource>;
            isSecret: Promise<boolean>;
            promise(): Promise<string>;
        };
        expect(pulumi.Output.isInstance(request)).toBe(true);
        expect(request.resources()).toEqual(new Set(declared));
        expect(await request.isSecret).toBe(true);
        expect(await request.promise()).toBe("csr");
    });
});

describe("declarationOptions", () => {
    const resources = [{ name: "provider" }, { name: "group" }, { name: "key" }] as unknown as pulumi.Resource[];

    it("resolves indexes to resources and passes a provider only to a custom resource, providers only to a component", () => {
        const recorded: RecordedOptions = {
            parent: 1,
            dependsOn: [2],
            provider: 0,
            replaceWith: [2],
            deletedWith: 2,
            providers: { kubernetes: 0 },
        };
        expect(declarationOptions(recorded, resources, { custom: true, typed: false })).toEqual({
            parent: resources[1],
            dependsOn: [resources[2]],
            provider: resources[0],
            replaceWith: [resources[2]],
            deletedWith: resources[2],
        });
        const component = declarationOptions(recorded, resources, { custom: false, typed: false });
        expect(component).not.toHaveProperty("provider");
        expect(component.providers).toEqual({ kubernetes: resources[0] });
        expect(declarationOptions(undefined, resources, { custom: true, typed: false })).toEqual({});
    });

    it("leaves secret outputs to a provider package's class, which names its own", () => {
        const recorded: RecordedOptions = { additionalSecretOutputs: ["privateKeyPem"], ignoreChanges: ["rsaBits"] };
        expect(declarationOptions(recorded, resources, { custom: true, typed: false })).toEqual({
            additionalSecretOutputs: ["privateKeyPem"],
            ignoreChanges: ["rsaBits"],
        });
        expect(declarationOptions(recorded, resources, { custom: true, typed: true })).toEqual({
            ignoreChanges: ["rsaBits"],
        });
    });
});
