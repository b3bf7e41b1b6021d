import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalCluster } from "../harness/localCluster";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { clusterPorts } from "../harness/ports";

/*
 * Impersonation through the real engine on a real kube-apiserver: alice may
 * act as bob (a certificate user in devs) and as the ci-bot ServiceAccount,
 * and as nobody else; carol may not impersonate at all. The contexts are the
 * ones kube-access writes into alice's kubeconfig, used unchanged.
 *
 * Ports differ from every other suite so suites never meet.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-impersonation-"));
const ports = clusterPorts.impersonation;
let cluster: LocalCluster;
let workspace: PulumiWorkspace;
let kubeconfigs: Record<string, string>;

const certificate = { method: "certificate", signer: "external", validityHours: 24 };
function accessConfig(withGrant: boolean): Record<string, unknown> {
    return {
        "kube-access:cluster": { name: "e2e" },
        "kube-access:users": [
            { name: "alice", auth: certificate },
            { name: "bob", groups: ["devs"], auth: certificate },
            { name: "carol", auth: certificate },
            { name: "ci-bot", auth: { method: "serviceAccount", namespace: "ci", createNamespace: true } },
        ],
        "kube-access:bindings": [
            { name: "devs-view", clusterRole: "view", namespaces: ["default"], subjects: [{ group: "devs" }] },
            { name: "ci-edit", clusterRole: "edit", namespaces: ["ci"], subjects: [{ user: "ci-bot" }] },
        ],
        ...(withGrant
            ? {
                  "kube-access:impersonation": [
                      {
                          name: "support",
                          impersonators: [{ user: "alice" }],
                          targets: [{ user: "bob" }, { user: "ci-bot" }],
                      },
                  ],
              }
            : {}),
    };
}

function kubeconfigFile(name: string, text: string): string {
    const file = path.join(dir, "kubeconfigs", `${name}.yaml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
}

async function whoami(kubeconfig: string, ...extra: string[]) {
    const result = await cluster.kubectl([...extra, "auth", "whoami", "-o", "json"], { kubeconfig, check: false });
    return {
        code: result.code,
        stderr: result.stderr,
        user:
            result.code === 0
                ? (JSON.parse(result.stdout).status.userInfo as { username: string; groups: string[] })
                : undefined,
    };
}

/**
 * A request with impersonation flags; `kubectl auth whoami` hides the API
 * server's answer, so this lists namespaces and returns kubectl's error.
 */
async function impersonated(kubeconfig: string, ...flags: string[]) {
    const result = await cluster.kubectl([...flags, "get", "namespaces"], { kubeconfig, check: false });
    return { code: result.code, stderr: result.stderr };
}

async function canI(kubeconfig: string, ...args: string[]): Promise<boolean> {
    const result = await cluster.kubectl(["auth", "can-i", ...args], { kubeconfig, check: false });
    return result.stdout.trim() === "yes";
}

async function deploy(withGrant: boolean): Promise<void> {
    await workspace.configure(cluster.pointStackAt(accessConfig(withGrant)).config, {});
    await workspace.up();
    kubeconfigs = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
}

beforeAll(async () => {
    cluster = await LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]");
    const { config, secrets } = cluster.pointStackAt(accessConfig(true));
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "pulumi"),
        stack: "impersonation",
        config,
        secrets,
        echo: "[pulumi]",
    });
    await workspace.up();
    kubeconfigs = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
});

afterAll(async () => {
    if (workspace) await workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
    if (cluster) await cluster.stop();
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

describe("impersonation on a real API server", () => {
    test("alice's own context is alice", async () => {
        expect((await whoami(kubeconfigFile("alice", kubeconfigs.alice))).user!.username).toBe("alice");
    });

    test("alice-as-bob acts as bob in devs, with bob's permissions and no more", async () => {
        const file = kubeconfigFile("alice", kubeconfigs.alice);
        const me = await whoami(file, "--context", "alice-as-bob@e2e");
        expect(me.user!.username).toBe("bob");
        expect(me.user!.groups).toEqual(expect.arrayContaining(["devs", "system:authenticated"]));
        expect(await canI(file, "--context", "alice-as-bob@e2e", "list", "pods", "-n", "default")).toBe(true);
        expect(await canI(file, "--context", "alice-as-bob@e2e", "create", "deployments", "-n", "default")).toBe(false);
        // alice herself has no grant at all.
        expect(await canI(file, "list", "pods", "-n", "default")).toBe(false);
    });

    test("alice-as-ci-bot acts as the ServiceAccount, with its groups and permissions", async () => {
        const file = kubeconfigFile("alice", kubeconfigs.alice);
        const me = await whoami(file, "--context", "alice-as-ci-bot@e2e");
        expect(me.user!.username).toBe("system:serviceaccount:ci:ci-bot");
        expect(me.user!.groups).toEqual(
            expect.arrayContaining(["system:serviceaccounts", "system:serviceaccounts:ci"]),
        );
        expect(await canI(file, "--context", "alice-as-ci-bot@e2e", "create", "deployments", "-n", "ci")).toBe(true);
        expect(await canI(file, "--context", "alice-as-ci-bot@e2e", "create", "deployments", "-n", "default")).toBe(
            false,
        );
    });

    test.each([
        ["alice as carol (not a target)", "alice", ["--as", "carol"]],
        [
            "alice as bob in system:masters (not a target group)",
            "alice",
            ["--as", "bob", "--as-group", "system:masters"],
        ],
        ["alice as a ServiceAccount of another namespace", "alice", ["--as", "system:serviceaccount:default:ci-bot"]],
        ["carol as bob (no impersonation rights)", "carol", ["--as", "bob"]],
    ])("%s is refused with 403", async (_label, who, flags) => {
        const result = await impersonated(kubeconfigFile(who, kubeconfigs[who]), ...flags);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(new RegExp(`Forbidden.*User "${who}" cannot impersonate`));
    });

    test("the users output says alice may impersonate bob and ci-bot", async () => {
        const users = Object.values(
            (await workspace.outputs(false)).users as Record<string, { name: string; mayImpersonate?: string[] }>,
        );
        expect(users.find((u) => u.name === "alice")!.mayImpersonate).toEqual([
            "user:bob",
            "group:devs",
            "serviceaccount:ci/ci-bot",
        ]);
        expect(users.find((u) => u.name === "carol")!.mayImpersonate).toBeUndefined();
    });

    test("removing the grant takes the right away on the next pulumi up", async () => {
        const oldKubeconfig = kubeconfigFile("alice-before", kubeconfigs.alice);
        await deploy(false);
        expect((await whoami(oldKubeconfig, "--context", "alice-as-bob@e2e")).code).not.toBe(0);
        const result = await impersonated(oldKubeconfig, "--context", "alice-as-bob@e2e");
        expect(result.stderr).toMatch(/Forbidden.*User "alice" cannot impersonate resource "users"/);
        expect(await whoami(oldKubeconfig)).toMatchObject({ code: 0, user: { username: "alice" } });
        expect(kubeconfigs.alice).not.toContain("alice-as-bob");
    });
});
