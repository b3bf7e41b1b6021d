import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { workspacePassphraseFile } from "./harness/pulumiWorkspace";

/*
 * What each environment file leaves in a shell: tools/env.sh (for people and
 * their stacks), tools/demo-env.sh (the demo's stack, for the README's
 * commands) and tools/harness-env.sh (the demo's and tests' own engine runs).
 * The demo's backend, passphrase and offline engine settings must never reach
 * a shell that sourced only tools/env.sh.
 */
const repo = path.resolve(__dirname, "..");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-env-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The settings the demo and tests use for their own runs; none of them may reach a user's stack. */
const harnessOnly = [
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_CONFIG_PASSPHRASE_FILE",
    "PULUMI_STACK",
    "PULUMI_SKIP_UPDATE_CHECK",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
    "PULUMI_IGNORE_AMBIENT_PLUGINS",
];

/** Runs `steps` (shell lines) in bash with only `env` set; returns the environment at the end. */
function shellAfter(steps: string[], env: Record<string, string> = {}): Record<string, string> {
    const out = execFileSync("bash", ["-c", `set -e; cd "${repo}"; ${steps.join("; ")}; env -0`], {
        encoding: "utf8",
        env: { PATH: "/usr/bin:/bin", HOME: root, KUBE_ACCESS_CACHE: path.join(root, "cache"), ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    return Object.fromEntries(
        out
            .split("\0")
            .filter(Boolean)
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}

/** A demo folder as `npm run demo` leaves it: a passphrase file and a state folder, and the local cluster's admin kubeconfig unless `withCluster` is false. */
function demoRunDir(withCluster = true): string {
    const runDir = fs.mkdtempSync(path.join(root, "run-"));
    fs.mkdirSync(path.join(runDir, "demo", "state"), { recursive: true });
    fs.writeFileSync(path.join(runDir, "demo", "passphrase"), "random", { mode: 0o600 });
    if (withCluster) {
        fs.mkdirSync(path.join(runDir, "cluster"));
        fs.writeFileSync(path.join(runDir, "cluster", "admin.kubeconfig"), "apiVersion: v1\nkind: Config\n");
    }
    return runDir;
}

const userShells: [string, string[], Record<string, string>][] = [
    ["a fresh shell", [". tools/env.sh"], {}],
    ["a shell that sourced it twice", [". tools/env.sh", ". tools/env.sh"], {}],
    [
        "a shell that used the demo's stack first (tools/demo-env.sh)",
        [". tools/demo-env.sh", ". tools/env.sh"],
        { KUBE_ACCESS_RUN_DIR: demoRunDir() },
    ],
];

describe.each(userShells)("tools/env.sh in %s", (_label, steps, env) => {
    test("puts the built tools first on PATH, once, and sets no backend, passphrase, stack or engine setting of the demo", () => {
        const after = shellAfter(steps, env);
        const cache = path.join(root, "cache");
        const tools = after.PATH.split(":").slice(0, 4);
        expect(tools[0]).toMatch(new RegExp(`^${cache}/pulumi-[0-9.]+/bin$`));
        expect(tools.slice(1).map((d) => path.basename(path.dirname(d)))).toEqual([
            expect.stringMatching(/^kubernetes-/),
            expect.stringMatching(/^etcd-/),
            expect.stringMatching(/^kubelogin-/),
        ]);
        expect(after.PATH.split(":").filter((d) => d === tools[0])).toHaveLength(1);
        expect(after.PULUMI_HOME).toBe(path.join(cache, "pulumi-home"));
        expect(Object.keys(after).filter((name) => harnessOnly.includes(name))).toEqual([]);
    });
});

test("tools/env.sh keeps what the user chose: their backend, passphrase, stack and PULUMI_HOME", () => {
    const mine = {
        PULUMI_BACKEND_URL: "s3://my-bucket/state",
        PULUMI_CONFIG_PASSPHRASE_FILE: "/secure/passphrase",
        PULUMI_STACK: "prod",
        PULUMI_HOME: path.join(root, "my-pulumi-home"),
    };
    expect(shellAfter([". tools/env.sh"], mine)).toMatchObject(mine);
});

test("tools/env.sh after tools/demo-env.sh puts back the backend, passphrase, stack and KUBECONFIG the shell had before", () => {
    const mine = {
        PULUMI_BACKEND_URL: "s3://my-bucket/state",
        PULUMI_CONFIG_PASSPHRASE: "mine",
        PULUMI_STACK: "prod",
        KUBECONFIG: "/home/me/.kube/prod",
    };
    const runDir = demoRunDir();
    const during = shellAfter([". tools/demo-env.sh"], { ...mine, KUBE_ACCESS_RUN_DIR: runDir });
    expect(during.PULUMI_BACKEND_URL).toBe(`file://${runDir}/demo/state`);
    expect(during.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(during.KUBECONFIG).toBe(`${runDir}/cluster/admin.kubeconfig`);
    // Sourcing demo-env.sh twice must not save the demo's own settings as "before".
    const after = shellAfter([". tools/demo-env.sh", ". tools/demo-env.sh", ". tools/env.sh"], {
        ...mine,
        KUBE_ACCESS_RUN_DIR: runDir,
    });
    expect(after).toMatchObject(mine);
    expect(after.PULUMI_CONFIG_PASSPHRASE_FILE).toBeUndefined();
    expect(Object.keys(after).filter((name) => /before_demo|DEMO_SHELL/.test(name))).toEqual([]);
});

describe("tools/demo-env.sh", () => {
    test("after the demo: the demo's file backend, its passphrase file and stack dev, and the tools on PATH", () => {
        const runDir = demoRunDir();
        const after = shellAfter([". tools/demo-env.sh"], {
            KUBE_ACCESS_RUN_DIR: runDir,
            PULUMI_CONFIG_PASSPHRASE: "the user's own, which would take precedence",
        });
        expect(after).toMatchObject({
            PULUMI_BACKEND_URL: `file://${runDir}/demo/state`,
            PULUMI_CONFIG_PASSPHRASE_FILE: `${runDir}/demo/passphrase`,
            PULUMI_STACK: "dev",
        });
        expect(after.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
        expect(after.PATH).toMatch(/\/pulumi-[0-9.]+\/bin:/);
    });

    test("points plain kubectl at the local cluster's admin kubeconfig while it is there, and tools/env.sh takes it away again", () => {
        const runDir = demoRunDir();
        const during = shellAfter([". tools/demo-env.sh"], { KUBE_ACCESS_RUN_DIR: runDir });
        expect(during.KUBECONFIG).toBe(`${runDir}/cluster/admin.kubeconfig`);
        expect(shellAfter([". tools/demo-env.sh", ". tools/env.sh"], { KUBE_ACCESS_RUN_DIR: runDir }).KUBECONFIG).toBe(
            undefined,
        );
        // Without the local cluster's files (a run folder whose cluster was never started), KUBECONFIG stays as it was.
        const withoutCluster = demoRunDir(false);
        const kept = shellAfter([". tools/demo-env.sh"], {
            KUBE_ACCESS_RUN_DIR: withoutCluster,
            KUBECONFIG: "/home/me/.kube/config",
        });
        expect(kept.KUBECONFIG).toBe("/home/me/.kube/config");
    });

    test("before the demo: says to run it first and sets nothing of the demo", () => {
        const runDir = fs.mkdtempSync(path.join(root, "run-"));
        const result = execFileSync(
            "bash",
            ["-c", `cd "${repo}"; . tools/demo-env.sh 2>&1; echo "backend=\${PULUMI_BACKEND_URL-unset}"`],
            { encoding: "utf8", env: { PATH: "/usr/bin:/bin", HOME: root, KUBE_ACCESS_RUN_DIR: runDir } },
        );
        expect(result).toContain("no demo stack in");
        expect(result).toContain("run 'npm run demo' first");
        expect(result).toContain("backend=unset");
    });
});

test("tools/harness-env.sh drops the calling shell's backend, passphrase and stack, and runs the engine offline", () => {
    const after = shellAfter([". tools/harness-env.sh"], {
        PULUMI_BACKEND_URL: "s3://my-bucket/state",
        PULUMI_CONFIG_PASSPHRASE: "mine",
        PULUMI_CONFIG_PASSPHRASE_FILE: "/secure/passphrase",
        PULUMI_STACK: "prod",
    });
    for (const name of [
        "PULUMI_BACKEND_URL",
        "PULUMI_CONFIG_PASSPHRASE",
        "PULUMI_CONFIG_PASSPHRASE_FILE",
        "PULUMI_STACK",
    ]) {
        expect(after[name]).toBeUndefined();
    }
    expect(after).toMatchObject({
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
        KUBE_ACCESS_RUN_DIR: path.join(repo, ".kube-access"),
    });
});

describe("a harness workspace's passphrase (test/harness/pulumiWorkspace.ts)", () => {
    test("is random per folder, readable only by the user, and the same on every later run", () => {
        const files = ["a", "b"].map((name) => workspacePassphraseFile(path.join(root, "workspaces", name)));
        const [first, second] = files.map((file) => fs.readFileSync(file, "utf8"));
        expect(first).not.toBe(second);
        expect(first).not.toBe("kube-access-local");
        expect(first.length).toBeGreaterThanOrEqual(32);
        for (const file of files) expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        expect(fs.readFileSync(workspacePassphraseFile(path.join(root, "workspaces", "a")), "utf8")).toBe(first);
    });

    test("a folder whose state an older demo made keeps the passphrase that state was encrypted with", () => {
        const dir = path.join(root, "workspaces", "older");
        fs.mkdirSync(path.join(dir, "state", ".pulumi"), { recursive: true });
        expect(fs.readFileSync(workspacePassphraseFile(dir), "utf8")).toBe("kube-access-local");
    });
});
