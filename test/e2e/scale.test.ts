import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../harness/localCluster";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { GeneratedMethod, csrKeyPem, generateAccess, writeAccessFiles } from "../../scripts/lib/generatedAccess";
import { Phases } from "./phases";
import { clusterPorts } from "../harness/ports";
import { UserChecks } from "./userChecks";

/*
 * Issue 17: more users than the old ceiling. The language host passes the
 * whole stack config to the program in one environment variable, which Linux
 * caps at 128 KiB, so about 166 users inline failed before the program
 * started. Here 300 users bring their own CSR as a file, with 30 service
 * accounts beside them, in access files of one team each
 * (`kube-access:accessFiles`), through the real engine and providers against
 * a real kube-apiserver and its CSR signer.
 *
 * The first `up` runs with PULUMI_SKIP_CHECKPOINTS=true: with checkpoints the
 * file backend rewrites the whole state around every resource operation,
 * which is quadratic in resources (docs/performance.md measures it); this
 * test is about reaching the program and onboarding everyone, not about that
 * cost. The no-change preview runs as a user would.
 *
 * Ports: its own block of test/harness/ports.ts (shared with the bench, which takes the same lock).
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-e2e-scale-"));
const ports = clusterPorts.scale;
const csrUsers = 300;
const methods: GeneratedMethod[] = [...Array(10).fill("certificate-csr"), "serviceAccount"];
const total = 330;
const phases = new Phases("[e2e scale]");
const phase = <T>(label: string, step: () => Promise<T>): Promise<T> => phases.run(label, step);
let cluster: LocalCluster;
let workspace: PulumiWorkspace;
let checks: UserChecks;
let accessFiles: string[];

beforeAll(async () => {
    cluster = await phase("start local cluster", () =>
        LocalCluster.start(path.join(dir, "cluster"), ports, "[scale cluster]"),
    );
    checks = new UserChecks(cluster, dir);
    const projectDir = path.join(dir, "workspace", "project");
    fs.mkdirSync(projectDir, { recursive: true });
    ({ accessFiles } = writeAccessFiles(projectDir, total, methods));
    const { config, secrets } = cluster.pointStackAt({
        "kube-access:cluster": { name: "scale" },
        "kube-access:accessFiles": accessFiles,
    });
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "workspace"),
        stack: "scale",
        config,
        secrets,
        echo: "[scale pulumi]",
    });
});

afterAll(async () => {
    if (cluster) await phase("stop local cluster", () => cluster.stop());
    console.log(phases.summary());
    fs.rmSync(dir, { recursive: true, force: true });
});

test("the same users inline would not fit in one environment string (128 KiB), which is why they are in files", () => {
    const generated = generateAccess(total, methods);
    const inline = generated.users.map((u) => {
        const auth = u.auth as Record<string, unknown>;
        if (auth.certificateRequestFile === undefined) return u;
        const { certificateRequestFile, ...rest } = auth;
        return { ...u, auth: { ...rest, certificateRequest: generated.csrFiles[certificateRequestFile as string] } };
    });
    expect(generated.counts["certificate-csr"]).toBe(csrUsers);
    expect(Buffer.byteLength(JSON.stringify({ "kube-access:users": inline }))).toBeGreaterThan(128 * 1024);
    // The stack config itself holds only the file names.
    const stackConfig = fs.readFileSync(path.join(workspace.projectDir, "Pulumi.scale.yaml"), "utf8");
    expect(Buffer.byteLength(stackConfig)).toBeLessThan(32 * 1024);
});

test(`${total} users from ${Math.ceil(total / 50)} access files are onboarded; their own CSRs are signed by the cluster`, async () => {
    await phase(`first up (${total} users, checkpoints skipped)`, () =>
        workspace.up([], { PULUMI_SKIP_CHECKPOINTS: "true" }),
    );
    const outputs = await workspace.outputs(true);
    const users = outputs.users as Record<string, { keyHeldBy?: string; identity: string; groups: string[] }>;
    const kubeconfigs = outputs.kubeconfigs as Record<string, string>;
    expect(Object.keys(users)).toHaveLength(total);
    expect(Object.keys(kubeconfigs)).toHaveLength(total);
    const withOwnKey = Object.entries(users).filter(([, u]) => u.keyHeldBy === "user");
    expect(withOwnKey).toHaveLength(csrUsers);

    // A sample across the files: first, middle and last CSR users, and a service account.
    const names = Object.keys(users);
    const csrNames = names.filter((n) => users[n].keyHeldBy === "user");
    const sample = [csrNames[0], csrNames[Math.floor(csrNames.length / 2)], csrNames[csrNames.length - 1]];
    const caPublicKey = new crypto.X509Certificate(cluster.read(cluster.info.caCertificatePath)).publicKey;
    for (const name of sample) {
        const text = kubeconfigs[name];
        const certificate = new crypto.X509Certificate(
            Buffer.from(YAML.parse(text).users[0].user["client-certificate-data"], "base64"),
        );
        expect(certificate.verify(caPublicKey)).toBe(true);
        const who = await checks.whoami(checks.kubeconfigFile(name, text, csrKeyPem()));
        expect(who.username).toBe(name);
        expect(who.groups).toEqual(expect.arrayContaining(users[name].groups));
    }
    const bot = names.find((n) => users[n].identity.startsWith("system:serviceaccount:"))!;
    const botWho = await checks.whoami(checks.kubeconfigFile(bot, kubeconfigs[bot]));
    expect(botWho.username).toBe(users[bot].identity);
});

test("a preview of the unchanged config changes nothing", async () => {
    await phase(`no-change preview (${total} users)`, () => workspace.preview(["--expect-no-changes"]));
});
