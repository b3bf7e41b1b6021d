import * as pulumi from "@pulumi/pulumi";
import { diffServiceAccountToken, waitForServiceAccountToken } from "./serviceAccountToken";
import { kubeconfigSecretOutputs, kubeconfigText } from "../kubernetesApi/client";

describe("diffServiceAccountToken", () => {
    const read = { namespace: "ci", secretName: "sa1-kube-access-token", secretUid: "u1", timeoutSeconds: 120 };
    const key = { stackConfigKey: "kube-access:clusterKubeconfig" };

    test.each([
        ["a kubeconfig held to the stack config key (an upgrade)", "apiVersion: v1", key],
        ["one kubeconfig to another", "apiVersion: v1", "apiVersion: v1\nkind: Config"],
    ])("%s: updated in place, the token kept", (_what, from, to) => {
        expect(diffServiceAccountToken({ ...read, kubeconfig: from }, { ...read, kubeconfig: to })).toEqual({
            changes: true,
            replaces: [],
        });
    });

    test("the same stack config key (equal, not the same object): no changes", () => {
        expect(diffServiceAccountToken({ ...read, kubeconfig: key }, { ...read, kubeconfig: { ...key } })).toEqual({
            changes: false,
            replaces: [],
        });
    });

    test("a new Secret is a new token", () => {
        expect(diffServiceAccountToken(read, { ...read, secretUid: "u2" }).replaces).toEqual(["secretUid"]);
    });
});

describe("kubeconfigSecretOutputs", () => {
    test.each([
        ["kubeconfig text", "apiVersion: v1\nkind: Config\n", ["kubeconfig"]],
        ["kubeconfig text as a secret Output", pulumi.secret("apiVersion: v1\nkind: Config\n"), ["kubeconfig"]],
        [
            "a stack config key inside an Output (not known until it resolves)",
            pulumi.output({ stackConfigKey: "kube-access:clusterKubeconfig" }),
            ["kubeconfig"],
        ],
        ["an object whose key is not a string", { stackConfigKey: 3 }, ["kubeconfig"]],
        ["a stack config key", { stackConfigKey: "kube-access:clusterKubeconfig" }, []],
        ["another stack config key", { stackConfigKey: "team:adminKubeconfig" }, []],
        ["nothing (the ambient kubeconfig)", undefined, []],
    ])("%s", (_what, source, expected) => {
        expect(kubeconfigSecretOutputs(source)).toEqual(expected);
    });
});

describe("kubeconfigText", () => {
    const stackConfig = { get: (k: string) => ({ "kube-access:clusterKubeconfig": "from-stack-config" })[k] };
    test.each([
        ["text", "held", stackConfig, "held"],
        ["a stack config key", { stackConfigKey: "kube-access:clusterKubeconfig" }, stackConfig, "from-stack-config"],
        [
            "a key the stack config lacks (the ambient kubeconfig)",
            { stackConfigKey: "kube-access:other" },
            stackConfig,
            undefined,
        ],
        ["nothing (the ambient kubeconfig)", undefined, stackConfig, undefined],
    ])("%s", (_what, source, config, expected) => {
        expect(kubeconfigText(source, config)).toBe(expected);
    });

    test("a key with no stack configuration handed over fails rather than use the ambient kubeconfig", () => {
        expect(() => kubeconfigText({ stackConfigKey: "kube-access:clusterKubeconfig" }, undefined)).toThrow(
            "the admin kubeconfig is the stack config value kube-access:clusterKubeconfig, but the provider was not given the stack's configuration",
        );
    });
});

describe("waitForServiceAccountToken", () => {
    test("returns the token once the controller fills it in", async () => {
        const answers = [undefined, undefined, "TOKEN"];
        const token = await waitForServiceAccountToken(async () => answers.shift(), "Secret ci/sa1", 10, {
            now: () => 0,
            sleep: async () => undefined,
        });
        expect(token).toBe("TOKEN");
    });

    test("fails after the timeout pointing at the token controller", async () => {
        let now = 0;
        await expect(
            waitForServiceAccountToken(async () => undefined, "Secret ci/sa1", 2, {
                now: () => now,
                sleep: async (ms) => void (now += ms),
            }),
        ).rejects.toThrow(/Secret ci\/sa1 was not filled in after 2s.*serviceaccount-token controller/);
    });
});
