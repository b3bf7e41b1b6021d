import * as crypto from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { renderKubeconfig } from "../../components/kubeconfig/render";
import { repoRoot, run, runScriptViaNpm, scriptArgs, toolEnv } from "../harness/toolEnv";
import { opensslCsr } from "../helpers/fixtures";

/*
 * `npm run kubeconfig` (scripts/kubeconfig.ts) with the real pulumi CLI and the
 * real kubectl. The stack's outputs are put in place with `pulumi stack import`
 * (no program runs, no cluster is needed): a user who brought their own CSR,
 * whose kubeconfig names `<user>.key`, and a token user.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-kubeconfig-script-"));
const project = path.join(dir, "project");
const teamProject = path.join(dir, "team-a");
const env = {
    ...toolEnv(),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(12).toString("hex"),
};
const cluster = { name: "test", server: "https://127.0.0.1:6443", caCertificatePem: "" };

/** A key and a self-signed certificate for it (what the user's kubeconfig carries). */
function keyAndCertificate(user: string): { keyPem: string; certificatePem: string } {
    const { keyPem } = opensslCsr(`/CN=${user}`);
    const keyFile = path.join(dir, `${user}-signing.key`);
    fs.writeFileSync(keyFile, keyPem, { mode: 0o600 });
    const certificatePem = execFileSync(
        "openssl",
        ["req", "-x509", "-new", "-key", keyFile, "-subj", `/CN=${user}`, "-days", "1"],
        { encoding: "utf8" },
    );
    fs.rmSync(keyFile);
    return { keyPem, certificatePem };
}

const own = keyAndCertificate("user2");
const other = keyAndCertificate("someone-else");
const kubeconfigs: Record<string, string> = {};

beforeAll(async () => {
    cluster.caCertificatePem = own.certificatePem;
    kubeconfigs.user2 = renderKubeconfig({
        cluster,
        userName: "user2",
        credential: {
            kind: "clientCertificateWithKeyFile",
            certificatePem: own.certificatePem,
            privateKeyPath: "user2.key",
        },
    });
    kubeconfigs.sa1 = renderKubeconfig({ cluster, userName: "sa1", credential: { kind: "token", token: "t0ken" } });
    fs.mkdirSync(path.join(dir, "state"));
    await importStack(project, "kube-access", kubeconfigs);
    // A second project beside it, with a stack of the same name (`npm run` from its folder).
    await importStack(teamProject, "team-a", {
        sa2: renderKubeconfig({ cluster, userName: "sa2", credential: { kind: "token", token: "t0ken2" } }),
    });
});

/** Makes stack `t` of project `name` in `folder`, its only output `kubeconfigs`, with `pulumi stack import`. */
async function importStack(folder: string, name: string, outputs: Record<string, string>): Promise<void> {
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
    await run("pulumi", ["stack", "init", "t", "--no-select", "--non-interactive"], { cwd: folder, env });
    const version = "v3.248.0";
    const deployment = {
        version: 3,
        deployment: {
            manifest: {
                time: new Date().toISOString(),
                magic: crypto.createHash("sha256").update(version).digest("hex"),
                version,
            },
            resources: [
                {
                    urn: `urn:pulumi:t::${name}::pulumi:pulumi:Stack::${name}-t`,
                    custom: false,
                    type: "pulumi:pulumi:Stack",
                    outputs: { kubeconfigs: outputs },
                },
            ],
        },
    };
    const file = path.join(dir, `deployment-${name}.json`);
    fs.writeFileSync(file, JSON.stringify(deployment));
    await run("pulumi", ["stack", "import", "--stack", "t", "--file", file, "--non-interactive"], {
        cwd: folder,
        env,
    });
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the script in the stack's project folder, as `npm run kubeconfig -- args` does. */
function kubeconfigScript(args: string[], extraEnv: Record<string, string> = { PULUMI_STACK: "t" }) {
    return run("node", scriptArgs("kubeconfig", args), { cwd: project, env: { ...env, ...extraEnv }, check: false });
}

function fresh(name: string): string {
    const folder = fs.mkdtempSync(path.join(dir, "out-"));
    return path.join(folder, name);
}

describe("a user who brought their own CSR (the kubeconfig names user2.key)", () => {
    test("without --key and no key beside the file: written, and the script says where kubectl looks for the key", async () => {
        const target = fresh("user2.kubeconfig");
        const result = await kubeconfigScript(["user2", target]);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`Wrote the kubeconfig of user2 to ${target} (mode 0600).`);
        expect(result.stdout).toContain(
            `It names user2's private key ${path.join(path.dirname(target), "user2.key")}, which is not there yet`,
        );
        expect(result.stdout).toContain("or run this again with --key <file>");
        expect(result.stdout).not.toContain("kubectl reads it");
        expect(fs.readFileSync(target, "utf8")).toBe(kubeconfigs.user2);
    });

    test("without --key, the key already beside the file: kubectl reads it", async () => {
        const target = fresh("user2.kubeconfig");
        fs.writeFileSync(path.join(path.dirname(target), "user2.key"), own.keyPem, { mode: 0o600 });
        const result = await kubeconfigScript(["user2", target]);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("kubectl reads it (context user2@test).");
    });

    test("with --key naming the key elsewhere: the kubeconfig names that file, and kubectl reads it from anywhere", async () => {
        const keyFile = path.join(fs.mkdtempSync(path.join(dir, "keys-")), "my.key");
        fs.writeFileSync(keyFile, own.keyPem, { mode: 0o600 });
        const target = fresh("user2.kubeconfig");
        const result = await kubeconfigScript(["user2", target, "--key", keyFile]);
        expect(result.code).toBe(0);
        expect(YAML.parse(fs.readFileSync(target, "utf8")).users[0].user["client-key"]).toBe(keyFile);
        expect(result.stdout).toContain("kubectl reads it (context user2@test).");
        // kubectl, run from another folder, finds the key through the absolute path.
        const view = await run(
            "kubectl",
            ["config", "view", "--kubeconfig", target, "--flatten", "-o", "jsonpath={.users[0].user.client-key-data}"],
            { cwd: os.tmpdir(), env },
        );
        expect(Buffer.from(view.stdout, "base64").toString()).toBe(own.keyPem);
    });

    const refused: [string, () => string, RegExp][] = [
        [
            "a key that is not the certificate's",
            () => {
                const f = path.join(dir, "other.key");
                fs.writeFileSync(f, other.keyPem, { mode: 0o600 });
                return f;
            },
            /is not the key of user2's certificate/,
        ],
        [
            "a key file that does not exist",
            () => path.join(dir, "missing.key"),
            /not a readable private key \(ENOENT\)/,
        ],
        [
            "a file that is not a key",
            () => {
                const f = path.join(dir, "not-a-key.pem");
                fs.writeFileSync(f, own.certificatePem);
                return f;
            },
            /not a readable private key/,
        ],
    ];
    test.each(refused)("--key with %s is refused before anything is written", async (_label, keyFile, message) => {
        const target = fresh("user2.kubeconfig");
        const result = await kubeconfigScript(["user2", target, "--key", keyFile()]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(fs.existsSync(target)).toBe(false);
    });
});

describe("a token user (sa1)", () => {
    test("written with mode 0600 into a new folder, checked with kubectl, never printed", async () => {
        const target = path.join(dir, "new-folder", "sa1.kubeconfig");
        const result = await kubeconfigScript(["sa1", target]);
        expect(result.code).toBe(0);
        expect(fs.statSync(target).mode & 0o777).toBe(0o600);
        expect(fs.readFileSync(target, "utf8")).toBe(kubeconfigs.sa1);
        expect(result.stdout).toContain("kubectl reads it (context sa1@test).");
        expect(result.stdout + result.stderr).not.toContain("t0ken");
    });

    test("--key is refused: kube-access's kubeconfig for sa1 needs no key file", async () => {
        const result = await kubeconfigScript(["sa1", fresh("sa1.kubeconfig"), "--key", "/x.key"]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("--key is for users who brought their own CSR");
    });
});

const misuse: [string, string[], Record<string, string>, RegExp][] = [
    [
        "an unknown user: the users the stack has",
        ["nobody"],
        { PULUMI_STACK: "t" },
        /no kubeconfig for "nobody"; users in this stack: sa1, user2/,
    ],
    [
        "no stack selected: how to select one, and how to read the demo's",
        ["sa1"],
        {},
        /no stack selected[\s\S]*Pass --stack <stack>, or select one with `pulumi stack select <stack>`; for the demo's stack, run `\. tools\/demo-env\.sh` first/,
    ],
    ["a stack that does not exist", ["sa1", "--stack", "nope"], {}, /no stack named 'nope'/],
    ["an unknown option", ["sa1", "--keyfile", "x"], {}, /Unknown option '--keyfile'/],
];

test.each(misuse)("%s", async (_label, args, extraEnv, message) => {
    const result = await kubeconfigScript(args, extraEnv);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
});

describe("run as npm runs it: in the checkout, with the folder it was started in as INIT_CWD", () => {
    /** `npm run kubeconfig -- args` started in `folder`. */
    const viaNpm = (folder: string, args: string[]) =>
        runScriptViaNpm("kubeconfig", folder, args, { ...env, PULUMI_STACK: "t" });

    test("started in a project folder: that project's stack is read, and a relative file is written there", async () => {
        const result = await viaNpm(teamProject, ["sa2", "out/sa2.kubeconfig"]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        const target = path.join(teamProject, "out", "sa2.kubeconfig");
        expect(result.stdout).toContain(`Wrote the kubeconfig of sa2 to ${target} (mode 0600).`);
        expect(YAML.parse(fs.readFileSync(target, "utf8")).users[0].name).toBe("sa2");
        expect(fs.existsSync(path.join(repoRoot, "out", "sa2.kubeconfig"))).toBe(false);
    });

    test("--cwd names the project, relative to where the command was started; the file too", async () => {
        const result = await viaNpm(dir, ["sa1", "written/sa1.kubeconfig", "--cwd", "project"]);
        expect(result.code).toBe(0);
        expect(fs.readFileSync(path.join(dir, "written", "sa1.kubeconfig"), "utf8")).toBe(kubeconfigs.sa1);
    });

    test("--cwd naming a folder with no Pulumi.yaml, or none at all, is a usage error, and nothing is written", async () => {
        fs.mkdirSync(path.join(dir, "no-project"), { recursive: true });
        const noPulumiYaml = await viaNpm(dir, ["sa1", "never/sa1.kubeconfig", "--cwd", "no-project"]);
        expect(noPulumiYaml.code).toBe(2);
        expect(noPulumiYaml.stderr).toContain(
            `${path.join(dir, "no-project")} has no Pulumi.yaml: give --cwd <project folder>`,
        );
        const missing = await viaNpm(dir, ["sa1", "never/sa1.kubeconfig", "--cwd", "nowhere"]);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain(`${path.join(dir, "nowhere")} does not exist: give --cwd <project folder>`);
        expect(fs.existsSync(path.join(dir, "never"))).toBe(false);
    });
});
