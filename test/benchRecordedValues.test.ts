import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import {
    resourceKey,
    deliveredStackOutputs,
    recordComponentOutputs,
    recordedValue,
    withSecrets,
} from "../scripts/bench/recordedValues";

const wrapped = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs },
        "kube-access",
        "bench",
        false,
    );
});

describe("recordedValue: the stack outputs a program returned, as JSON", () => {
    it("replaces Outputs by their values and wraps the secret ones, at any depth", async () => {
        const recorded = await recordedValue({
            kubeconfigs: pulumi.secret({ alice: "apiVersion: v1", bob: "apiVersion: v1\n" }),
            users: pulumi.output({ alice: { groups: ["dev"], expiresAt: pulumi.output("2030-01-01T00:00:00Z") } }),
            flags: ["--oidc-issuer-url=https://issuer", pulumi.secret("one secret in a list")],
            nested: { credentials: pulumi.output({ proxy: pulumi.secret("key") }) },
            plain: 3,
            none: null,
        });
        expect(recorded).toEqual({
            kubeconfigs: wrapped({ alice: "apiVersion: v1", bob: "apiVersion: v1\n" }),
            users: { alice: { groups: ["dev"], expiresAt: "2030-01-01T00:00:00Z" } },
            flags: ["--oidc-issuer-url=https://issuer", wrapped("one secret in a list")],
            nested: { credentials: wrapped({ proxy: "key" }) },
            plain: 3,
            none: null,
        });
        // JSON keeps the wrapping: this is what the baseline reads back.
        expect(JSON.parse(JSON.stringify(recorded))).toEqual(recorded);
    });

    it("keeps a secret inside a plain Output a secret (the SDK makes the whole Output secret)", async () => {
        const recorded = await recordedValue(pulumi.output({ inner: pulumi.secret("s") }));
        expect(recorded).toEqual(wrapped({ inner: "s" }));
    });
});

describe("withSecrets: a recorded value declared again", () => {
    it("makes every wrapped value a secret Output and leaves the rest plain", async () => {
        const declared = withSecrets({
            kubeconfigs: wrapped({ alice: "apiVersion: v1" }),
            users: { alice: { groups: ["dev"] } },
            list: ["a", wrapped("b")],
            n: 1,
        }) as Record<string, unknown>;
        const kubeconfigs = declared.kubeconfigs as pulumi.Output<unknown>;
        expect(pulumi.Output.isInstance(kubeconfigs)).toBe(true);
        expect(await pulumi.isSecret(kubeconfigs)).toBe(true);
        expect(declared.users).toEqual({ alice: { groups: ["dev"] } });
        const list = declared.list as unknown[];
        expect(list[0]).toBe("a");
        expect(await pulumi.isSecret(list[1] as pulumi.Output<string>)).toBe(true);
        expect(declared.n).toBe(1);
    });

    it("gives back what was recorded (a round trip)", async () => {
        const original = {
            kubeconfigs: pulumi.secret({ alice: "k" }),
            users: pulumi.output({ alice: { grants: ["ClusterRole/view cluster-wide"] } }),
        };
        const recorded = await recordedValue(original);
        expect(await recordedValue(withSecrets(recorded))).toEqual(recorded);
    });

    it("leaves a look-alike whose signature is not the secret's as a plain object", () => {
        const lookAlike = { [specialSigKey]: "something else", value: "v" };
        expect(withSecrets({ x: lookAlike })).toEqual({ x: lookAlike });
    });
});

describe("recordComponentOutputs: what each component registers", () => {
    class Registering extends pulumi.ComponentResource {
        constructor(name: string, outputs: pulumi.Inputs, again?: pulumi.Inputs) {
            super("test:index:Registering", name, {});
            this.registerOutputs(outputs);
            if (again) this.registerOutputs(again);
        }
    }
    const recorded = new Map<string, unknown>();
    beforeAll(() => recordComponentOutputs(recorded));

    it("keeps each component's first outputs, Outputs and all, by type and name", async () => {
        new Registering(
            "a",
            { expiresAt: pulumi.output("2030-01-01T00:00:00Z"), key: pulumi.secret("k") },
            { late: 1 },
        );
        new Registering("b", { n: 2 });
        expect([...recorded.keys()]).toEqual(
            expect.arrayContaining([
                resourceKey("test:index:Registering", "a"),
                resourceKey("test:index:Registering", "b"),
            ]),
        );
        expect(await recordedValue(recorded.get("test:index:Registering::a"))).toEqual({
            expiresAt: "2030-01-01T00:00:00Z",
            key: wrapped("k"),
        });
        expect(recorded.get("test:index:Registering::b")).toEqual({ n: 2 });
    });

    it("refuses two components of the same type and name, which the baseline could not tell apart", () => {
        new Registering("twice", {});
        expect(() => new Registering("twice", {})).toThrow("two components named test:index:Registering::twice");
    });
});

describe("deliveredStackOutputs: what a raw program delivers too", () => {
    it("keeps the kubeconfigs and the API server's settings, and leaves out kube-access's users summary", () => {
        const stack = {
            kubeconfigs: wrapped({ alice: "k" }),
            users: { alice: { grants: [] } },
            oidc: { flags: ["--oidc-issuer-url=https://issuer"] },
            authenticatingProxy: { caFile: "/etc/ca.crt" },
        };
        expect(deliveredStackOutputs(stack)).toEqual({
            kubeconfigs: stack.kubeconfigs,
            oidc: stack.oidc,
            authenticatingProxy: stack.authenticatingProxy,
        });
    });
});

describe("recordedValue refuses what is not a value", () => {
    it("a resource among the outputs", async () => {
        class Some extends pulumi.ComponentResource {
            constructor() {
                super("test:index:Some", "some", {});
                this.registerOutputs({});
            }
        }
        await expect(recordedValue({ resource: new Some() })).rejects.toThrow("cannot be recorded as a value");
    });
});
