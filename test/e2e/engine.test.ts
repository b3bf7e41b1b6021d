import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { repoRoot, run, toolEnv } from "../harness/toolEnv";
import { testCa } from "../helpers/fixtures";

// The engine built by tools/build-engine.sh. The full lifecycle (up, second
// up, outputs, destroy) runs in access.test.ts against a real cluster.
const env = toolEnv();

test("pulumi is the pinned CLI release, with the Node.js language host and dynamic provider launcher beside it", async () => {
    expect((await run("pulumi", ["version"], { env })).stdout.trim()).toBe("v3.248.0");
    for (const plugin of ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
        expect(fs.existsSync(path.join(env.KUBE_ACCESS_PULUMI_BIN!, plugin))).toBe(true);
    }
});

test.each(["kubernetes", "tls", "keycloak"])(
    "the %s provider is registered at the version its npm SDK asks for",
    async (name) => {
        const sdkVersion = JSON.parse(fs.readFileSync(require.resolve(`@pulumi/${name}/package.json`), "utf8")).version;
        const plugins = JSON.parse((await run("pulumi", ["plugin", "ls", "--json"], { env })).stdout) as {
            name: string;
            kind: string;
            version: string;
        }[];
        expect(plugins.filter((p) => p.kind === "resource").map((p) => `${p.name}@${p.version}`)).toContain(
            `${name}@${sdkVersion}`,
        );
    },
);

test("kubelogin is on PATH as kubectl-oidc_login, so `kubectl oidc-login` finds it", async () => {
    const result = await run("kubectl", ["oidc-login", "--version"], { env, check: false });
    const pinned = /^KUBELOGIN_VERSION=(.+)$/m.exec(
        fs.readFileSync(path.join(repoRoot, "tools", "versions.sh"), "utf8"),
    )![1];
    expect(`${result.stdout}${result.stderr}`).toContain(`v${pinned}`);
});

describe("a bad config under the real engine", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-badconfig-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("pulumi preview fails before creating anything, naming every bad field, without echoing secrets", async () => {
        const ca = testCa("kube-access-e2e-badconfig-ca");
        const workspace = await PulumiWorkspace.create({
            dir,
            stack: "bad",
            config: {
                "kube-access:cluster": {
                    name: "bad",
                    server: "http://127.0.0.1:6443",
                    caCertificate: ca.certificatePem,
                },
                "kube-access:users": [
                    { name: "user1", groups: ["system:masters"], auth: { method: "certificate", signer: "external" } },
                    { name: "user1", auth: { method: "password" } },
                ],
                // A secret set in plain text is refused too.
                "kube-access:clusterCaKey": ca.privateKeyPem,
            },
            secrets: {},
        });
        const preview = await workspace.preview({ diff: false, check: false });
        const output = `${preview.stdout}${preview.stderr}`;
        expect(preview.code).not.toBe(0);
        for (const field of [
            "cluster.server",
            "users[0].groups[0]",
            "users[1].name",
            "users[1].auth.method",
            "clusterCaKey",
        ]) {
            expect(output).toContain(`kube-access:${field}:`);
        }
        expect(output).toContain("nothing was created or changed");
        expect(output).not.toContain("PRIVATE KEY");
        const state = JSON.parse(await workspace.exportState());
        expect(state.deployment.resources ?? []).toEqual([]);
        await workspace.removeStack();
    });
});
