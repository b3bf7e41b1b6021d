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
 * deleted or replaced but bookkeeping, every kubeconfig stays byte for byte
 * the same and keeps working, and a second run changes nothing.
 *
 * Two earlier programs: `KUBE_ACCESS_UPGRADE_BASE`, by default the last commit
 * before the code was reshaped into per-method folders (issue #12), and the
 * last commit whose certificate users had a CredentialRotation resource each
 * (issue #17 replaced it with the engine's replacement trigger).
 */
const baseRevision = process.env.KUBE_ACCESS_UPGRADE_BASE ?? "1e35e84c12c72921e093e473e9b6ffdfc6259bab";
const rotationResourceRevision = "dd06fd3f1333347d197dcb6ffc6756e68b42775e";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-upgrade-"));
const ports = clusterPorts.upgrade;
let cluster: LocalCluster;
let checks: UserChecks;

/**
 * The program of `revision`, unpacked from git into `<dir>/base-<revision>`, using this checkout's node_modules.
 * Packages those programs import that this one no longer does stay in package.json's devDependencies for
 * them: fastest-levenshtein ("did you mean" before damerau-levenshtein).
 */
function programAt(revision: string): string {
    const base = path.join(dir, `base-${revision.slice(0, 7)}`);
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

/** The Pulumi.dev.yaml stack, with `change` applied to its users. */
function exampleConfig(change: (users: { name: string; auth: Record<string, unknown> }[]) => void = () => {}) {
    const example = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).config;
    change(example["kube-access:users"]);
    return cluster.pointStackAt(example);
}

/** Deploys the Pulumi.dev.yaml stack `stack` with the program of `revision`; its kubeconfigs. */
async function deployWith(
    revision: string,
    stack: string,
): Promise<{ workspace: PulumiWorkspace; before: Record<string, string> }> {
    const { config, secrets } = exampleConfig();
    const workspace = await PulumiWorkspace.create({
        dir: path.join(dir, stack),
        stack,
        config,
        secrets: {
            ...secrets,
            "kube-access:oidcInitialPasswords.da-admin": crypto.randomBytes(18).toString("base64url"),
        },
        echo: "[pulumi]",
        programDir: programAt(revision),
    });
    await workspace.up();
    return { workspace, before: (await workspace.outputs(true)).kubeconfigs as Record<string, string> };
}

/**
 * The stack `stack`, deployed with the program of `revision` before the
 * enclosing describe's tests and destroyed after them.
 */
function deployedDuring(
    revision: string,
    stack: string,
): { workspace: PulumiWorkspace; before: Record<string, string> } {
    const deployed = {} as { workspace: PulumiWorkspace; before: Record<string, string> };
    beforeAll(async () => {
        Object.assign(deployed, await deployWith(revision, stack));
    });
    afterAll(async () => {
        if (deployed.workspace) {
            await deployed.workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
        }
    });
    return deployed;
}

/**
 * Previews and runs the upgrade to this checkout's program; every planned step
 * must be one `allowed` lists for its operation. Then the kubeconfigs are
 * byte for byte the same and work, and a second run changes nothing.
 */
async function upgrade(
    workspace: PulumiWorkspace,
    before: Record<string, string>,
    allowed: Partial<Record<string, string[]>>,
): Promise<void> {
    expect(Object.keys(before).sort()).toEqual(["da-admin", "sa1", "user1", "user2"]);
    workspace.useProgram(repoRoot);
    const preview = await workspace.preview();
    const steps = plannedSteps(preview.stdout).filter((step) => step.op !== "same");
    console.log(`[upgrade] preview: ${JSON.stringify(steps)}`);
    for (const step of steps) {
        expect({ ...step, allowed: (allowed[step.op] ?? []).includes(step.type) }).toEqual({ ...step, allowed: true });
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
}

/** A resource of an exported state (secrets stay encrypted in the export). */
type Resource = { type: string; urn: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };

/** The length of the serialised provider each dynamic resource of `resources` holds in its inputs and outputs. */
function storedProviders(resources: Resource[]): { name: string; inputs: number; outputs: number }[] {
    return resources
        .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
        .map((r) => ({
            name: r.urn.split("::").pop()!,
            inputs: String(r.inputs?.__provider ?? "").length,
            outputs: String(r.outputs?.__provider ?? "").length,
        }));
}

/** The serial number of the client certificate in a kubeconfig. */
function certificateSerial(kubeconfig: string): string {
    const data = YAML.parse(kubeconfig).users[0].user["client-certificate-data"] as string;
    return new crypto.X509Certificate(Buffer.from(data, "base64")).serialNumber;
}

beforeAll(async () => {
    cluster = await LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]");
    checks = new UserChecks(cluster, dir);
});

afterAll(async () => {
    if (cluster) await cluster.stop();
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

describe(`a stack deployed with ${baseRevision.slice(0, 7)}`, () => {
    const stack = deployedDuring(baseRevision, "upgrade");

    test("upgrades to this program without a new credential", async () => {
        await upgrade(stack.workspace, stack.before, {
            // The service account's token-age schedule: bookkeeping that issues no credential.
            create: ["pulumi-nodejs:dynamic/rotation:CredentialRotation"],
            update: [
                // Issue #15 made CSR object names unique per stack; the recorded name changes, the certificate stays.
                "pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate",
                // Issue #17: the admin kubeconfig is named by its stack config key instead of held in every resource.
                "pulumi-nodejs:dynamic/serviceAccounts:ServiceAccountToken",
                // The token Secret gains pulumi.com/skipAwait (kube-access waits for its token); the token stays.
                "kubernetes:core/v1:Secret",
            ],
        });
    });

    test("after the upgrade, the CSR and token resources name the admin kubeconfig's stack config key, and a removed cluster-signed user is deleted with it", async () => {
        // Secrets stay encrypted in the export; the key is plain text.
        const exported = async () =>
            (JSON.parse(await stack.workspace.exportState()).deployment.resources ?? []) as Resource[];
        const dynamic = (await exported()).filter((r) => /ClusterSignedCertificate|ServiceAccountToken/.test(r.type));
        expect(dynamic.map((r) => r.urn.split("::").pop()).sort()).toEqual([
            "user-sa1-token-value",
            "user-user2-certificate",
        ]);
        for (const r of dynamic) {
            expect(r.inputs?.kubeconfig).toEqual({ stackConfigKey: "kube-access:clusterKubeconfig" });
        }

        // The delete runs in the dynamic provider, which reads the kubeconfig from the stack config: the
        // machine has no ambient kubeconfig, so a delete that did not find it would fail.
        await stack.workspace.configure(
            exampleConfig((users) =>
                users.splice(
                    users.findIndex((u) => u.name === "user2"),
                    1,
                ),
            ).config,
            {},
        );
        await stack.workspace.up();
        expect(Object.keys((await stack.workspace.outputs(true)).kubeconfigs as Record<string, string>).sort()).toEqual(
            ["da-admin", "sa1", "user1"],
        );
        expect((await exported()).filter((r) => r.urn.includes("user-user2"))).toEqual([]);
        await stack.workspace.preview({ expectNoChanges: true });
    });
});

describe(`a stack deployed with ${rotationResourceRevision.slice(0, 7)}, a CredentialRotation per certificate user`, () => {
    const stack = deployedDuring(rotationResourceRevision, "upgrade-rotation");

    test("upgrades without a new credential: only the certificate users' CredentialRotation resources go", async () => {
        const recorded = JSON.parse(await stack.workspace.exportState()).deployment.resources as Resource[];
        await upgrade(stack.workspace, stack.before, {
            delete: ["pulumi-nodejs:dynamic/rotation:CredentialRotation"],
            // The token Secret gains pulumi.com/skipAwait (kube-access waits for its token); the token stays.
            update: ["kubernetes:core/v1:Secret"],
        });
        const resources = JSON.parse(await stack.workspace.exportState()).deployment.resources as Resource[];
        // Issue #17: the inputs now hold a short reference to this checkout's provider code instead of the code
        // itself; the outputs of a resource the upgrade did not touch keep what it was recorded with.
        const before = new Map(storedProviders(recorded).map((p) => [p.name, p]));
        const after = storedProviders(resources);
        console.log(`[upgrade] provider text per resource, before: ${JSON.stringify([...before.values()])}`);
        console.log(`[upgrade] provider text per resource, after: ${JSON.stringify(after)}`);
        expect(after).toHaveLength(4);
        for (const p of after) {
            expect(p.inputs).toBeLessThan(3000);
            expect(p.outputs).toBe(before.get(p.name)!.outputs);
        }
        expect(after.find((p) => p.name === "user-user2-certificate")!.outputs).toBeGreaterThan(10_000);
        const rotations = resources.filter((r) => r.type === "pulumi-nodejs:dynamic/rotation:CredentialRotation");
        expect(rotations.map((r) => r.urn.split("::").pop())).toEqual(["user-sa1-rotation"]);
    });

    test("after the upgrade, raising the certificate users' rotation counters issues exactly them new keys and certificates", async () => {
        await stack.workspace.configure(
            exampleConfig((users) => {
                for (const user of users) if (user.name === "user1" || user.name === "user2") user.auth.rotation = 1;
            }).config,
            {},
        );
        const preview = await stack.workspace.pulumi(["preview", "--json"]);
        const names = ((JSON.parse(preview.stdout).steps ?? []) as { op: string; urn: string }[])
            .filter((s) => s.op !== "same")
            .map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        console.log(`[upgrade] preview of the rotation:\n  ${names.join("\n  ")}`);
        expect(names).toEqual(expect.arrayContaining(["replace user-user1-key", "replace user-user2-key"]));
        expect(names.filter((n) => !/ user-user[12]-/.test(n))).toEqual([]);

        await stack.workspace.up();
        const after = (await stack.workspace.outputs(true)).kubeconfigs as Record<string, string>;
        for (const user of ["user1", "user2"]) {
            expect(certificateSerial(after[user])).not.toBe(certificateSerial(stack.before[user]));
            expect((await checks.whoami(checks.kubeconfigFile(`${user}-rotated`, after[user]))).username).toBe(user);
        }
        for (const user of ["sa1", "da-admin"]) expect(after[user]).toBe(stack.before[user]);
        // The certificate issued anew records the short reference in its outputs too.
        const reissued = storedProviders(JSON.parse(await stack.workspace.exportState()).deployment.resources).find(
            (p) => p.name === "user-user2-certificate",
        );
        expect(reissued!.outputs).toBeLessThan(3000);
        await stack.workspace.preview({ expectNoChanges: true });
    });
});
