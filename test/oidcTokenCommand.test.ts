import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderKubeconfig } from "../components/kubeconfig/render";
import { run, runScriptViaNpm, scriptArgs } from "./harness/toolEnv";
import { testCa } from "./helpers/fixtures";

/*
 * scripts/oidc-token.ts refuses what it cannot use before it asks for a
 * secret or sends a request: exit code 2 and a message naming the fault.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-oidc-token-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const tokenKubeconfig = path.join(dir, "sa1.kubeconfig");
fs.writeFileSync(
    tokenKubeconfig,
    renderKubeconfig({
        cluster: { name: "demo", server: "https://127.0.0.1:6443", caCertificatePem: testCa().certificatePem },
        userName: "sa1",
        credential: { kind: "token", token: "t0ken" },
    }),
);

const refused: [string, string[], RegExp][] = [
    ["no --kubeconfig", ["--username", "da-admin"], /--kubeconfig <file> is required/],
    ["an unknown option", ["--kubeconfig", tokenKubeconfig, "--user", "da-admin"], /Unknown option '--user'/],
    [
        "--username without its value",
        ["--kubeconfig", tokenKubeconfig, "--username"],
        /--username <value>' argument missing/,
    ],
    ["a kubeconfig without an OIDC user", ["--kubeconfig", tokenKubeconfig, "--username", "x"], /has no OIDC user/],
    ["a kubeconfig that does not exist", ["--kubeconfig", path.join(dir, "missing")], /ENOENT/],
];

test.each(refused)("refused: %s", async (_label, args, message) => {
    const result = await run("node", scriptArgs("oidc-token", args), {
        check: false,
        env: { ...process.env, KUBE_ACCESS_OIDC_PASSWORD: "never-sent" },
    });
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(message),
    });
    expect(result.stdout + result.stderr).not.toMatch(/t0ken|never-sent/);
});

test("a relative --kubeconfig is read from where npm was started (INIT_CWD), not from the checkout", async () => {
    const result = await runScriptViaNpm("oidc-token", dir, ["--kubeconfig", "sa1.kubeconfig", "--username", "x"], {
        ...process.env,
        KUBE_ACCESS_OIDC_PASSWORD: "never-sent",
    });
    // The file was found and read: it is refused for what it holds, not for being missing.
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no OIDC user/);
});
