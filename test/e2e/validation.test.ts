import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { testCa } from "../helpers/fixtures";

// Validation under the real engine: what `pulumi preview` prints for configs
// that used to pass validation and fail half-way through `pulumi up`.

describe("validation under the real engine", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-validation-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const ca = testCa("kube-access-e2e-validation-ca");
    const cluster = { name: "validation", server: "https://127.0.0.1:6443", caCertificate: ca.certificatePem };
    /** A stack of the test cluster with no users yet: the program needs no provider plugin, only the engine. */
    const stackWithoutUsers = (stackDir: string, stack: string) =>
        PulumiWorkspace.create({
            dir: stackDir,
            stack,
            config: { "kube-access:cluster": cluster, "kube-access:users": [] },
            secrets: {},
        });

    test("an external subject alice/ops is refused by pulumi preview before anything is created", async () => {
        const workspace = await PulumiWorkspace.create({
            dir: path.join(dir, "subject"),
            stack: "subject",
            config: {
                "kube-access:cluster": cluster,
                "kube-access:users": [
                    { name: "user1", groups: ["team, a"], auth: { method: "certificate", signer: "external" } },
                ],
                "kube-access:bindings": [
                    { name: "ext-view", clusterRole: "view", subjects: [{ user: "alice/ops", external: true }] },
                    { name: "team-view", clusterRole: "view", subjects: [{ group: "team, a" }] },
                ],
            },
            secrets: { "kube-access:clusterCaKey": ca.privateKeyPem },
        });
        const preview = await workspace.preview({ diff: false, check: false });
        const output = `${preview.stdout}${preview.stderr}`;
        expect(preview.code).not.toBe(0);
        expect(output).toContain("kube-access:bindings[0].subjects[0].user:");
        expect(output).toMatch(/"alice\/ops" contains '\/', which Kubernetes refuses in RBAC object names/);
        expect(output).toContain("nothing was created or changed");
        // One problem only: the group with a space and a comma is accepted.
        expect(output).toContain("(1 problem)");
        expect(output).not.toContain("kube-access:users[0].groups[0]");
        expect(output).not.toContain("PRIVATE KEY");
        const state = JSON.parse(await workspace.exportState());
        expect(state.deployment.resources ?? []).toEqual([]);
        await workspace.removeStack();
    });

    test("on a deployed stack, pulumi up with a bad config changes nothing and says so; the user keeps their certificate", async () => {
        const user = { name: "kept", groups: ["team-a"], auth: { method: "certificate", signer: "external" } };
        const workspace = await PulumiWorkspace.create({
            dir: path.join(dir, "deployed"),
            stack: "deployed",
            config: { "kube-access:cluster": cluster, "kube-access:users": [user] },
            secrets: { "kube-access:clusterCaKey": ca.privateKeyPem },
        });
        await workspace.up();
        // The engine writes the state again after a failed run, each secret with a new nonce: the resources are
        // compared with their secrets decrypted, by a digest, so a failure never prints a key.
        const resourcesDigest = async () => {
            const state = JSON.parse((await workspace.pulumi(["stack", "export", "--show-secrets"])).stdout);
            const resources = (state.deployment.resources ?? []) as { urn: string; outputs?: unknown }[];
            return {
                urns: resources.map((r) => r.urn),
                sha256: crypto
                    .createHash("sha256")
                    .update(JSON.stringify(resources.map((r) => [r.urn, r.outputs])))
                    .digest("hex"),
            };
        };
        const before = await resourcesDigest();
        // The user's groups changed (which would issue a new certificate) and a bad user added: refused as a whole.
        await workspace.configure(
            {
                "kube-access:cluster": cluster,
                "kube-access:users": [
                    { ...user, groups: ["team-b"] },
                    { name: "bad", groups: ["system:masters"], auth: { method: "password" } },
                ],
            },
            {},
        );
        const up = await workspace.up({ check: false });
        const output = `${up.stdout}${up.stderr}`;
        expect(up.code).not.toBe(0);
        expect(output).toContain("nothing was created or changed");
        expect(output).toContain("kube-access:users[1].auth.method:");
        const after = await resourcesDigest();
        expect(after).toEqual(before);
        expect(after.urns.some((urn) => urn.endsWith("::user-kept-certificate"))).toBe(true);
        await workspace.destroy();
        await workspace.removeStack();
    });

    test("a valid stack without OIDC previews without an 'Undefined value' warning", async () => {
        const workspace = await stackWithoutUsers(path.join(dir, "healthy"), "healthy");
        const preview = await workspace.preview({ diff: false, check: false });
        const output = `${preview.stdout}${preview.stderr}`;
        expect({ code: preview.code, output }).toMatchObject({ code: 0 });
        expect(output).not.toMatch(/Undefined value/);
        expect(output).not.toMatch(/warning/i);
        await workspace.removeStack();
    });

    test("KUBE_ACCESS_HEAP_GROWING_PERCENT: a bad value is refused by pulumi preview with the variable's name and fix, as a config error is; 50 and 0 preview", async () => {
        const workspace = await stackWithoutUsers(path.join(dir, "heap"), "heap");
        const previewWith = (value: string) =>
            workspace.preview({ diff: false, check: false, env: { KUBE_ACCESS_HEAP_GROWING_PERCENT: value } });
        for (const value of ["abc", "1001", "-1"]) {
            const preview = await previewWith(value);
            const output = `${preview.stdout}${preview.stderr}`;
            expect(preview.code).not.toBe(0);
            expect(output).toContain(
                `KUBE_ACCESS_HEAP_GROWING_PERCENT must be a whole number of percent from 0 to 1000 (0: V8's own choice), not "${value}": unset it to use the default of 20`,
            );
            // A RunError, like a refused config: no "unhandled exception" and no stack.
            expect(output).not.toMatch(/unhandled exception|\n\s+at /);
        }
        for (const value of ["50", "0"]) {
            const preview = await previewWith(value);
            expect({ value, code: preview.code, stderr: preview.stderr }).toMatchObject({ value, code: 0 });
        }
        await workspace.removeStack();
    });

    test("a stack whose secrets use the published demo passphrase, outside the demo, is warned at preview", async () => {
        const stackDir = path.join(dir, "published-passphrase");
        fs.mkdirSync(stackDir, { recursive: true });
        fs.writeFileSync(path.join(stackDir, "passphrase"), "kube-access-local", { mode: 0o600 });
        const workspace = await stackWithoutUsers(stackDir, "prod");
        const preview = await workspace.preview({ diff: false, check: false });
        const output = `${preview.stdout}${preview.stderr}`;
        expect(preview.code).toBe(0);
        expect(output).toMatch(
            /warning: .*demo passphrase "kube-access-local", which is printed in the kube-access repository/,
        );
        await workspace.removeStack();
    });
});
