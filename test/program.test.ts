/* eslint-disable @typescript-eslint/no-require-imports */
import { RawConfig } from "../components/access/validate";
import { RecordedResource, recordingMocks } from "./helpers/mocks";
import { validConfig } from "./helpers/config";
import { testCa } from "./helpers/fixtures";

// Runs the whole program (index.ts) inside a Pulumi stack under mocks, the way
// the engine runs it, and looks at the stack outputs and at what the SDK warns.
// Each case gets a fresh module registry, so the program runs once per case.

const ca = testCa();

type Stack = { outputs: Record<string, unknown>; warnings: string[]; resources: RecordedResource[] };

async function runProgram(config: RawConfig, extra: Record<string, string> = {}): Promise<Stack> {
    jest.resetModules();
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const log = require("@pulumi/pulumi/log") as typeof import("@pulumi/pulumi/log");
    const { runInPulumiStack } =
        require("@pulumi/pulumi/runtime/stack") as typeof import("@pulumi/pulumi/runtime/stack");
    const warnings: string[] = [];
    jest.spyOn(log, "warn").mockImplementation(async (message: string) => {
        warnings.push(message);
    });
    const { mocks, resources } = recordingMocks(ca.certificatePem);
    await pulumi.runtime.setMocks(mocks, "kube-access", "program", false);
    const all: Record<string, string> = { ...extra };
    for (const [key, value] of Object.entries(config)) {
        all[`kube-access:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const secrets = Object.keys(all).filter((k) =>
        /clusterCaKey|clusterKubeconfig|oidcInitialPasswords|password/.test(k),
    );
    pulumi.runtime.setAllConfig(all, secrets);
    // As the engine does: index.ts validates the config as it loads and exports the function that declares everything.
    const outputs = (await runInPulumiStack(async () =>
        (require("../index") as () => Promise<Record<string, unknown>>)(),
    )) as Record<string, unknown>;
    // The stack registers its outputs after returning them; let that finish
    // before the next case replaces the mocks.
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
    await settings.waitForRPCs();
    return { outputs, warnings, resources };
}

/** The example config without OIDC: certificate and service-account users only. */
function configWithoutOidc(): RawConfig {
    const config = validConfig();
    config.users = (config.users as { auth: { method: string } }[]).filter((u) => u.auth.method !== "oidc");
    config.bindings = [{ clusterRole: "view", subjects: [{ group: "group1" }, { user: "sa1" }] }];
    delete config.oidc;
    return config;
}

describe("the admin kubeconfig is stored once", () => {
    const adminKubeconfig = [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:6443' } }]",
        "users: [{ name: admin, user: { token: admin-token-7c1d } }]",
        "contexts: [{ name: c, context: { cluster: c, user: admin } }]",
        "current-context: c",
    ].join("\n");

    test("kube-access's CSR and token resources name the stack config key instead of holding the kubeconfig", async () => {
        const { resources } = await runProgram({ ...configWithoutOidc(), clusterKubeconfig: adminKubeconfig });
        const dynamic = resources.filter((r) => /ClusterSignedCertificate|ServiceAccountToken/.test(r.type));
        expect(dynamic.map((r) => r.type).sort()).toEqual([
            "pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate",
            "pulumi-nodejs:dynamic/serviceAccounts:ServiceAccountToken",
        ]);
        for (const r of dynamic)
            expect(r.inputs.kubeconfig).toEqual({ stackConfigKey: "kube-access:clusterKubeconfig" });
        // The kubernetes provider holds it (once); no other resource or component does.
        const holders = resources
            .filter((r) => JSON.stringify(r.inputs).includes("admin-token-7c1d"))
            .map((r) => r.type);
        expect(holders).toEqual(["pulumi:providers:kubernetes"]);
    });

    test("without kube-access:clusterKubeconfig they name nothing (the ambient kubeconfig)", async () => {
        const { resources } = await runProgram(configWithoutOidc());
        const dynamic = resources.filter((r) => /ClusterSignedCertificate|ServiceAccountToken/.test(r.type));
        expect(dynamic.length).toBe(2);
        for (const r of dynamic) expect(r.inputs.kubeconfig).toBeUndefined();
    });
});

describe("the program's stack outputs", () => {
    test.each([
        ["certificate and service-account users", configWithoutOidc()],
        [
            "one externally signed user",
            {
                ...configWithoutOidc(),
                users: [{ name: "user1", auth: { method: "certificate", signer: "external" } }],
                bindings: [],
            },
        ],
    ])("a stack without OIDC (%s) has no oidc output and prints no warning", async (_name, config) => {
        const { outputs, warnings } = await runProgram(config);
        expect(Object.keys(outputs).sort()).toEqual(["kubeconfigs", "unlistedSubjects", "users"]);
        expect(outputs.unlistedSubjects).toEqual({});
        expect(warnings).toEqual([]);
    });

    test("a stack with OIDC has the oidc output with the API server settings", async () => {
        const { outputs, warnings } = await runProgram(validConfig(), {
            "keycloak:url": "https://127.0.0.1:8443",
            "keycloak:clientId": "admin-cli",
            "keycloak:username": "admin",
            "keycloak:password": "admin-password",
        });
        expect(Object.keys(outputs).sort()).toEqual(["kubeconfigs", "oidc", "unlistedSubjects", "users"]);
        expect(outputs.oidc).toMatchObject({ issuerUrl: "https://127.0.0.1:8443/realms/kube-access" });
        expect(warnings).toEqual([]);
    });

    test("the unlistedSubjects output lists grants to users and groups outside the users list, in plain text", async () => {
        const config = validConfig();
        (config.bindings as object[]).push({
            name: "everyone",
            clusterRole: "view",
            namespaces: ["docs"],
            subjects: [{ group: "system:authenticated", external: true }],
        });
        const { outputs } = await runProgram(config, {
            "keycloak:url": "https://127.0.0.1:8443",
            "keycloak:clientId": "admin-cli",
            "keycloak:username": "admin",
            "keycloak:password": "admin-password",
        });
        expect(outputs.unlistedSubjects).toEqual({
            "group:system:authenticated": {
                kind: "Group",
                name: "system:authenticated",
                reason: "external",
                grants: ["ClusterRole/view in docs (kube-access:everyone:group:system:authenticated)"],
                grantDetails: [
                    {
                        roleKind: "ClusterRole",
                        role: "view",
                        namespace: "docs",
                        binding: "everyone",
                        via: { kind: "group", group: "system:authenticated" },
                    },
                ],
            },
        });
    });

    test("the users output is keyed by user name, so replacing a user diffs as one removed and one added", async () => {
        const { outputs } = await runProgram(configWithoutOidc());
        const users = outputs.users as Record<string, { name: string; method: string }>;
        expect(Object.keys(users).sort()).toEqual(["sa1", "user1", "user2"]);
        expect(users.sa1).toMatchObject({ name: "sa1", method: "serviceAccount" });
    });
});
