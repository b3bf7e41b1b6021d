import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../harness/localCluster";
import { PulumiWorkspace, programSources } from "../harness/pulumiWorkspace";
import { repoRoot } from "../harness/toolEnv";
import { UserChecks } from "./userChecks";
import { clusterPorts } from "../harness/ports";

/**
 * Upgrading a deployed stack to this checkout's program. The stack of
 * Pulumi.dev.yaml (an externally signed user, a cluster-signed user with a key
 * kube-access makes, a service account and an OIDC user in Keycloak) is
 * deployed with the program of an earlier commit, then previewed and updated
 * with this checkout's. No credential may be made again: nothing is created,
 * deleted or replaced, every kubeconfig stays byte for byte the same and
 * keeps working, and a second run changes nothing.
 *
 * The earlier program is `KUBE_ACCESS_UPGRADE_BASE`, by default the last
 * commit before the code was reshaped into per-method folders (issue #12).
 */
const baseRevision = process.env.KUBE_ACCESS_UPGRADE_BASE ?? "1e35e84c12c72921e093e473e9b6ffdfc6259bab";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-upgrade-"));
const ports = clusterPorts.upgrade;
let cluster: LocalCluster;
let workspace: PulumiWorkspace;
let checks: UserChecks;
let before: Record<string, string>;

/** The program of `revision`, unpacked from git into `<dir>/base`, using this checkout's node_modules. */
function programAt(revision: string): string {
    const base = path.join(dir, "base");
    fs.mkdirSync(base, { recursive: true });
    const archive = execFileSync("git", ["-C", repoRoot, "archive", revision, ...programSources], {
        maxBuffer: 64 * 1024 * 1024,
    });
    execFileSync("tar", ["-x", "-C", base], { input: archive });
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(base, "node_modules"));
    return base;
}

/** The steps a preview with `--diff` plans: each resource type with its operation (`create`, `update`, ...). */
function plannedSteps(stdout: string): { type: string; op: string }[] {
    return [...stdout.matchAll(/^\S*\s*[-+~]+\s+(\S+): \(([a-z-]+)\)/gm)].map((m) => ({ type: m[1], op: m[2] }));
}

/** What an upgrade may create: bookkeeping resources that issue no credential. */
const mayCreate = ["pulumi-nodejs:dynamic/rotation:CredentialRotation"];
/** What an upgrade may update in place, and why. */
const mayUpdate = [
    // Issue #15 made CSR object names unique per stack; the recorded name changes, the certificate stays.
    "pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate",
    // Issue #17: the admin kubeconfig is named by its stack config key instead of held in every resource.
    "pulumi-nodejs:dynamic/serviceAccounts:ServiceAccountToken",
];

beforeAll(async () => {
    const base = programAt(baseRevision);
    cluster = await LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]");
    checks = new UserChecks(cluster, dir);
    const example = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).config;
    const { config, secrets } = cluster.pointStackAt(example);
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "pulumi"),
        stack: "upgrade",
        config,
        secrets: {
            ...secrets,
            "kube-access:oidcInitialPasswords.da-admin": crypto.randomBytes(18).toString("base64url"),
        },
        echo: "[pulumi]",
        programDir: base,
    });
    await workspace.up();
    before = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
});

afterAll(async () => {
    if (workspace) await workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
    if (cluster) await cluster.stop();
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

test(`a stack deployed with ${baseRevision.slice(0, 7)} upgrades to this program without a new credential`, async () => {
    expect(Object.keys(before).sort()).toEqual(["da-admin", "sa1", "user1", "user2"]);
    workspace.useProgram(repoRoot);

    const preview = await workspace.preview();
    const steps = plannedSteps(preview.stdout).filter((step) => step.op !== "same");
    console.log(`[upgrade] preview from ${baseRevision.slice(0, 7)}: ${JSON.stringify(steps)}`);
    for (const step of steps) {
        const allowed = step.op === "create" ? mayCreate : step.op === "update" ? mayUpdate : [];
        expect({ ...step, allowed: allowed.includes(step.type) }).toEqual({ ...step, allowed: true });
    }
    expect(preview.stdout).toMatch(/\d+ unchanged/);

    await workspace.up();
    const after = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
    for (const user of Object.keys(before)) expect(after[user]).toBe(before[user]);

    // The credentials still work: the same identities as before the upgrade.
    for (const [user, identity] of [
        ["user1", "user1"],
        ["user2", "user2"],
        ["sa1", "system:serviceaccount:ci:sa1"],
    ]) {
        expect((await checks.whoami(checks.kubeconfigFile(user, after[user]))).username).toBe(identity);
    }
    await workspace.preview({ expectNoChanges: true });
});

test("after the upgrade, the CSR and token resources name the admin kubeconfig's stack config key, and a removed cluster-signed user is deleted with it", async () => {
    type Resource = { type: string; urn: string; inputs?: Record<string, unknown> };
    // Secrets stay encrypted in the export; the key is plain text.
    const exported = async () => (JSON.parse(await workspace.exportState()).deployment.resources ?? []) as Resource[];
    const dynamic = (await exported()).filter((r) => /ClusterSignedCertificate|ServiceAccountToken/.test(r.type));
    expect(dynamic.map((r) => r.urn.split("::").pop()).sort()).toEqual([
        "user-sa1-token-value",
        "user-user2-certificate",
    ]);
    for (const r of dynamic) expect(r.inputs?.kubeconfig).toEqual({ stackConfigKey: "kube-access:clusterKubeconfig" });

    // The delete runs in the dynamic provider, which reads the kubeconfig from the stack config: the
    // machine has no ambient kubeconfig, so a delete that did not find it would fail.
    const example = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).config;
    example["kube-access:users"] = example["kube-access:users"].filter((u: { name: string }) => u.name !== "user2");
    await workspace.configure(cluster.pointStackAt(example).config, {});
    await workspace.up();
    expect(Object.keys((await workspace.outputs(true)).kubeconfigs as Record<string, string>).sort()).toEqual([
        "da-admin",
        "sa1",
        "user1",
    ]);
    expect((await exported()).filter((r) => r.urn.includes("user-user2"))).toEqual([]);
    await workspace.preview({ expectNoChanges: true });
});
