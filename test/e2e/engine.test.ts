import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PulumiWorkspace } from "../../scripts/lib/pulumiWorkspace";
import { run, toolEnv } from "../../scripts/lib/toolEnv";
import { testCa } from "../helpers/fixtures";
import { decodeCsr } from "../helpers/x509";
import { findPlainSecrets } from "./secrets";

// The real Pulumi engine, the Node.js language host and the tls provider,
// built by tools/build-engine.sh, on a stack that needs no cluster: externally
// signed certificate users only.
const ca = testCa("kube-access-e2e-engine-ca");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-engine-"));
let workspace: PulumiWorkspace;
const timings: string[] = [];

async function timed<T extends { seconds: number }>(label: string, step: Promise<T>): Promise<T> {
    const result = await step;
    timings.push(`${label}: ${result.seconds.toFixed(1)}s`);
    return result;
}

beforeAll(async () => {
    workspace = await PulumiWorkspace.create({
        dir,
        stack: "engine",
        config: {
            "kube-access:cluster": {
                name: "engine-test",
                server: "https://127.0.0.1:6443",
                caCertificate: ca.certificatePem,
            },
            "kube-access:users": [
                { name: "user1", groups: ["group1", "group2"], auth: { method: "certificate", signer: "external" } },
                {
                    name: "user3",
                    groups: ["group1"],
                    auth: {
                        method: "certificate",
                        signer: "external",
                        keyAlgorithm: "ECDSA-P384",
                        validityHours: 48,
                        renewBeforeHours: 6,
                    },
                },
            ],
        },
        secrets: { "kube-access:clusterCaKey": ca.privateKeyPem },
    });
});

afterAll(async () => {
    if (workspace) {
        await workspace.destroy().catch(() => undefined);
        await workspace.removeStack();
    }
    console.log(`engine e2e timings:\n  ${timings.join("\n  ")}`);
    fs.rmSync(dir, { recursive: true, force: true });
});

test("pulumi and the providers report the pinned versions", async () => {
    const env = toolEnv();
    expect((await run("pulumi", ["version"], { env })).stdout.trim()).toBe("v3.248.0");
    const plugins = (await run("pulumi", ["plugin", "ls", "--json"], { env })).stdout;
    const listed = (JSON.parse(plugins) as { name: string; version: string; kind: string }[]).map(
        (p) => `${p.kind}:${p.name}@${p.version}`,
    );
    expect(listed).toEqual(
        expect.arrayContaining(["resource:tls@5.5.1", "resource:kubernetes@4.32.0", "resource:keycloak@6.13.0"]),
    );
});

test("pulumi up signs each user's certificate with the cluster CA", async () => {
    const up = await timed("first up", workspace.up());
    expect(up.stdout).toMatch(/Resources:\s*\n\s*\+ \d+ created/);
    expect(`${up.stdout}${up.stderr}`).not.toMatch(/warning: .*plugin|downloading plugin/i);

    const outputs = await workspace.outputs(true);
    const kubeconfigs = outputs.kubeconfigs as Record<string, string>;
    expect(Object.keys(kubeconfigs).sort()).toEqual(["user1", "user3"]);
    for (const [user, groups] of [
        ["user1", ["group1", "group2"]],
        ["user3", ["group1"]],
    ] as const) {
        const doc = YAML.parse(kubeconfigs[user]);
        const certificatePem = Buffer.from(doc.users[0].user["client-certificate-data"], "base64").toString();
        const certFile = path.join(dir, `${user}.crt`);
        const caFile = path.join(dir, "ca.crt");
        fs.writeFileSync(certFile, certificatePem);
        fs.writeFileSync(caFile, ca.certificatePem);
        expect(execFileSync("openssl", ["verify", "-CAfile", caFile, certFile], { encoding: "utf8" })).toMatch(/OK/);
        const text = execFileSync(
            "openssl",
            ["x509", "-in", certFile, "-noout", "-subject", "-ext", "extendedKeyUsage"],
            {
                encoding: "utf8",
            },
        );
        expect(text).toContain(`CN = ${user}, ${groups.map((g) => `O = ${g}`).join(", ")}`);
        expect(text).toContain("TLS Web Client Authentication");
    }

    const users = outputs.users as { name: string; expiresAt: string }[];
    const user3 = users.find((u) => u.name === "user3")!;
    const hours = (Date.parse(user3.expiresAt) - Date.now()) / 3600000;
    expect(hours).toBeGreaterThan(47);
    expect(hours).toBeLessThanOrEqual(48);
});

test("the kubeconfigs output is a secret", async () => {
    const outputs = await workspace.outputs(false);
    expect(outputs.kubeconfigs).toBe("[secret]");
    expect(outputs.users).not.toBe("[secret]");
});

test("a second pulumi up changes nothing", async () => {
    await timed("preview (no changes expected)", workspace.preview(["--expect-no-changes"]));
    const up = await timed("second up", workspace.up(["--expect-no-changes"]));
    expect(up.stdout).not.toMatch(/[+~-] \d+ (created|updated|deleted|replaced)/);
});

test("state and logs hold no private key or kubeconfig in plain text", async () => {
    const state = await workspace.exportState();
    expect(state).toContain("ciphertext");
    expect(findPlainSecrets(state, [ca.privateKeyPem.split("\n")[1]])).toEqual([]);
    expect(findPlainSecrets(workspace.backendFiles(), [ca.privateKeyPem.split("\n")[1]])).toEqual([]);
    const log = fs.readFileSync(workspace.logFile, "utf8");
    expect(findPlainSecrets(log, [ca.privateKeyPem.split("\n")[1]])).toEqual([]);
});

test("a CSR built by the program decodes with CN and every O", async () => {
    const state = JSON.parse(await workspace.exportState());
    const cert = state.deployment.resources.find(
        (r: { type: string; urn: string }) =>
            r.type === "tls:index/locallySignedCert:LocallySignedCert" && r.urn.includes("user1"),
    );
    const csr = decodeCsr(cert.inputs.certRequestPem);
    expect(csr.commonNames).toEqual(["user1"]);
    expect(csr.organizations).toEqual(["group1", "group2"]);
});

test("pulumi destroy removes everything", async () => {
    await timed("destroy", workspace.destroy());
    const state = JSON.parse(await workspace.exportState());
    expect((state.deployment.resources ?? []).filter((r: { type: string }) => !r.type.startsWith("pulumi:"))).toEqual(
        [],
    );
});
