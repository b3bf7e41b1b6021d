import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { linkPolicyPackForThisEngine } from "../harness/policyPack";
import { testCa } from "../helpers/fixtures";

/*
 * The guardrail policy pack (policy/) under the real engine: `pulumi preview
 * --policy-pack` of a config that breaks one mandatory policy fails with that
 * policy's message; a clean config passes. No cluster is needed: the
 * previews never reach one.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-policy-"));
const pack = linkPolicyPackForThisEngine(path.join(dir, "pack"));
const ca = testCa("kube-access-e2e-policy-ca");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Config = Record<string, unknown>;

/** A clean team: one externally signed user in `devs`, who may view and edit their namespace. */
function cleanConfig(): Config {
    return {
        "kube-access:cluster": { name: "policy", server: "https://127.0.0.1:1", caCertificate: ca.certificatePem },
        "kube-access:users": [
            {
                name: "alice",
                groups: ["devs"],
                auth: { method: "certificate", signer: "external", validityHours: 720 },
            },
        ],
        "kube-access:bindings": [
            { name: "devs-view", clusterRole: "view", subjects: [{ group: "devs" }] },
            { name: "devs-edit", clusterRole: "edit", namespaces: ["apps"], subjects: [{ group: "devs" }] },
        ],
    };
}

let stacks = 0;
async function previewWithPolicies(config: Config): Promise<{ code: number; output: string }> {
    const stack = `policy${++stacks}`;
    const workspace = await PulumiWorkspace.create({
        dir: path.join(dir, stack),
        stack,
        config,
        secrets: { "kube-access:clusterCaKey": ca.privateKeyPem },
        // No ambient cluster: the kubernetes provider previews without one.
        env: { KUBECONFIG: path.join(dir, "no-kubeconfig") },
    });
    const result = await workspace.preview({ policyPacks: [pack], diff: false, check: false });
    await workspace.removeStack();
    return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

describe("guardrail policy pack under pulumi preview --policy-pack", () => {
    test("a clean config passes every policy", async () => {
        const { code, output } = await previewWithPolicies(cleanConfig());
        expect({ code, output }).toMatchObject({ code: 0 });
        expect(output).toContain("kube-access-guardrails");
        expect(output).not.toMatch(/mandatory/);
    });

    const cases: [string, (c: Config) => void, string, RegExp][] = [
        [
            "a certificate for system:masters",
            (c) => {
                c["kube-access:allowSystemMasters"] = true;
                (c["kube-access:users"] as { groups: string[] }[])[0].groups.push("system:masters");
            },
            "kube-access-no-system-masters",
            /user alice gets a certificate for the group system:masters, which bypasses every RBAC check/,
        ],
        [
            "cluster-admin for a group",
            (c) =>
                (c["kube-access:bindings"] as unknown[]).push({
                    name: "devs-admin",
                    clusterRole: "cluster-admin",
                    subjects: [{ group: "devs" }],
                }),
            "kube-access-no-admin-for-groups",
            /ClusterRoleBinding kube-access:devs-admin:group:devs grants ClusterRole cluster-admin to group devs, which is not in the allow-list/,
        ],
        [
            "a binding to every authenticated client",
            (c) =>
                (c["kube-access:bindings"] as unknown[]).push({
                    name: "everyone-view",
                    clusterRole: "view",
                    subjects: [{ group: "system:authenticated", external: true }],
                }),
            "kube-access-no-bindings-to-everyone",
            /grants ClusterRole view to system:authenticated, that is to every authenticated client/,
        ],
        [
            "a certificate valid for two years",
            (c) => ((c["kube-access:users"] as { auth: { validityHours: number } }[])[0].auth.validityHours = 17520),
            "kube-access-max-certificate-validity",
            /user alice gets a certificate valid for 17520 hours, more than the 8760 allowed/,
        ],
    ];
    test.each(cases)("%s fails the preview with the policy's message", async (_label, breakIt, policy, message) => {
        const config = cleanConfig();
        breakIt(config);
        const { code, output } = await previewWithPolicies(config);
        expect(code).not.toBe(0);
        expect(output).toContain(`[mandatory]  ${policy}`);
        expect(output).toMatch(message);
        // Only the broken policy reports.
        const reported = [...output.matchAll(/\[mandatory\]\s+(\S+)/g)].map((m) => m[1]);
        expect([...new Set(reported)]).toEqual([policy]);
    });
});
