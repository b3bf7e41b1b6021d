import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { repoRoot, run } from "../harness/toolEnv";
import { demoPorts } from "../harness/ports";

/*
 * A new user's first hour, as the README tells it: in a copy of this checkout
 * (no node_modules, no .kube-access), in a shell with none of the harness's
 * settings and no tool on PATH, run the README's commands verbatim:
 *
 *   1. `npm ci && npm run demo` (the README's first command);
 *   2. every command of "Getting kubeconfigs", then `npm run kubeconfig` and
 *      `kubectl auth whoami` for every user of the demo's stack (da-admin logs
 *      in through kubelogin and a stand-in browser, test/e2e/browser);
 *   3. from the demo's project folder, `npm run demo` again: quiet, nothing
 *      changes; `npm run demo:stop` there leaves no process and no port behind;
 *   4. `npm run demo` with the cluster stopped, then "Using it on an existing
 *      cluster" against the demo's cluster, in a shell that read the demo's
 *      stack first: the production stack gets its own backend and never the
 *      demo's passphrase; `npm run demo:stop` again leaves nothing behind.
 *
 * It uses the demo's default ports (6443, 8443, ...): run it only under the
 * e2e lock, and with no demo of your own running.
 */
const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-readme-")));
const copy = path.join(work, "kube-access");
const home = path.join(work, "home");
const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
const timings: string[] = [];
const cache = process.env.KUBE_ACCESS_CACHE ?? path.join(os.homedir(), ".cache", "kube-access");

/** The lines of the first ```sh block after `## heading` (the file's first block when heading is empty). */
function block(heading: string): string[] {
    return blockAfter(heading ? `\n## ${heading}\n` : "");
}

/** The lines of the first ```sh block after the README's text `marker` (the file's first block when empty). */
function blockAfter(marker: string): string[] {
    const from = marker ? readme.indexOf(marker) : 0;
    if (from < 0) throw new Error(`README has no "${marker.trim()}"`);
    const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
    if (!match) throw new Error(`README has no sh block after "${marker.trim()}"`);
    return match[1].split("\n").filter((line) => line.trim() !== "");
}

/**
 * The engine's home for the user's shells: its own (logins and selected stacks
 * stay in the test), with the plugin cache of the built providers.
 */
const pulumiHome = path.join(work, "pulumi-home");

/** A user's shell: this environment without the harness's settings and without the built tools on PATH. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (value === undefined || /^(PULUMI_|KUBE_ACCESS_|npm_)/.test(key)) continue;
        env[key] = value;
    }
    env.PATH = (process.env.PATH ?? "")
        .split(":")
        .filter((dir) => !dir.startsWith(cache))
        .join(":");
    // The copy is not beside ../shared, so say where the source archives are.
    if (process.env.KUBE_ACCESS_THIRD_PARTY) env.KUBE_ACCESS_THIRD_PARTY = process.env.KUBE_ACCESS_THIRD_PARTY;
    env.PULUMI_HOME = pulumiHome;
    return { ...env, ...extra };
}

interface Step {
    command: string;
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

/**
 * Runs `lines` one after the other in one bash session in the copy (so `. file`
 * carries over), each line's output captured on its own; stops after the first
 * line that fails. Output stays in files under the work folder, never printed.
 */
async function session(name: string, lines: string[], env: Record<string, string>): Promise<Step[]> {
    const out = path.join(work, "sessions", name);
    fs.mkdirSync(out, { recursive: true });
    const script = [`cd "${copy}"`];
    lines.forEach((line, i) => {
        script.push(
            `s=$(date +%s%N); { ${line}\n} >"${out}/${i}.out" 2>"${out}/${i}.err"; ` +
                `rc=$?; echo "$rc $(( ($(date +%s%N) - s) / 1000000 ))" >"${out}/${i}.rc"; [ $rc = 0 ] || exit 0`,
        );
    });
    await run("bash", ["-c", script.join("\n")], { env, cwd: copy });
    const steps: Step[] = [];
    lines.forEach((command, i) => {
        if (!fs.existsSync(path.join(out, `${i}.rc`))) return;
        const [code, ms] = fs
            .readFileSync(path.join(out, `${i}.rc`), "utf8")
            .trim()
            .split(" ")
            .map(Number);
        steps.push({
            command,
            code,
            stdout: fs.readFileSync(path.join(out, `${i}.out`), "utf8"),
            stderr: fs.readFileSync(path.join(out, `${i}.err`), "utf8"),
            seconds: ms / 1000,
        });
    });
    return steps;
}

/** Every step ran and succeeded; on failure, the failing command and its standard error (never its output). */
function expectAllSucceeded(steps: Step[], lines: string[]): void {
    const failed = steps.find((s) => s.code !== 0);
    expect(failed ? { command: failed.command, code: failed.code, stderr: failed.stderr.slice(-3000) } : null).toBe(
        null,
    );
    expect(steps.map((s) => s.command)).toEqual(lines);
}

async function timed(label: string, lines: string[], env: Record<string, string>): Promise<Step[]> {
    const steps = await session(label.replace(/\W+/g, "-"), lines, env);
    const line = `${label}: ${steps.reduce((sum, s) => sum + s.seconds, 0).toFixed(1)}s`;
    timings.push(line);
    console.log(`[readme] ${line}`);
    return steps;
}

function portInUse(port: number): boolean {
    return (
        execFileSync("bash", ["-c", `(exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo yes || echo no`], {
            encoding: "utf8",
        }).trim() === "yes"
    );
}

/** Processes whose command line names the copy: what the demo started there and left running. */
function processesOfTheCopy(): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
            if (cmdline.includes(`${copy}/`)) found.push(`${pid}: ${cmdline.slice(0, 200)}`);
        } catch {
            // gone meanwhile
        }
    }
    return found;
}

function expectNothingLeft(): void {
    expect(processesOfTheCopy()).toEqual([]);
    expect(demoPorts.filter(portInUse)).toEqual([]);
}

/** The stack output `users` (keyed by user name), as a list. */
function usersOutput(json: string): { name: string; identity: string }[] {
    const byName = JSON.parse(json) as Record<string, { identity: string }>;
    return Object.entries(byName).map(([name, user]) => ({ ...user, name }));
}

/** The demo's own files, once it ran. */
const demo = {
    passwordFile: () => path.join(copy, ".kube-access", "demo", "da-admin.password"),
    passphraseFile: () => path.join(copy, ".kube-access", "demo", "passphrase"),
    keycloakCa: () => path.join(copy, ".kube-access", "cluster", "pki", "keycloak-ca.crt"),
    cluster: (file: string) => path.join(copy, ".kube-access", "cluster", file),
};

/** The shell in which a user reads the demo's stack: a browser opener on PATH, kubelogin's token cache in a fresh HOME. */
function readingEnv(): Record<string, string> {
    fs.mkdirSync(home, { recursive: true });
    return userEnv({
        HOME: home,
        // HOME moved for kubelogin's token cache; the tool cache and npm's cache stay where they are.
        KUBE_ACCESS_CACHE: cache,
        npm_config_cache: path.join(os.homedir(), ".npm"),
        PATH: `${path.join(__dirname, "browser")}:${userEnv().PATH}`,
        KUBE_ACCESS_TEST_BROWSER_USERNAME: "da-admin",
        KUBE_ACCESS_TEST_BROWSER_PASSWORD: fs.readFileSync(demo.passwordFile(), "utf8").trim(),
        KUBE_ACCESS_TEST_BROWSER_LOG: path.join(work, "browser.log"),
        NODE_EXTRA_CA_CERTS: demo.keycloakCa(),
    });
}

beforeAll(() => {
    const busy = demoPorts.filter(portInUse);
    if (busy.length) {
        throw new Error(
            `the README test needs the demo's ports, but 127.0.0.1:${busy.join(", ")} are in use: ` +
                "stop your own demo first (npm run demo:stop), and run this test only under the e2e lock",
        );
    }
    fs.mkdirSync(pulumiHome, { recursive: true });
    fs.symlinkSync(
        path.join(process.env.PULUMI_HOME ?? path.join(cache, "pulumi-home"), "plugins"),
        path.join(pulumiHome, "plugins"),
    );
    // The checkout as a new user gets it: tracked and new files, nothing ignored (no node_modules, no .kube-access).
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        cwd: repoRoot,
        encoding: "utf8",
    })
        .split("\0")
        .filter(Boolean);
    for (const file of files) {
        const from = path.join(repoRoot, file);
        if (!fs.existsSync(from)) continue;
        fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
        fs.copyFileSync(from, path.join(copy, file));
        fs.chmodSync(path.join(copy, file), fs.statSync(from).mode & 0o777);
    }
});

afterAll(async () => {
    // Whatever happened, stop what the copy's demo started.
    if (fs.existsSync(path.join(copy, "tools", "local-cluster.sh"))) {
        await run("bash", [path.join(copy, "tools", "local-cluster.sh"), "stop"], {
            env: userEnv(),
            check: false,
        });
    }
    console.log(`[readme] timings:\n  ${timings.join("\n  ")}`);
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(work, { recursive: true, force: true });
});

const firstCommand = block("")[0];
const gettingKubeconfigs = block("Getting kubeconfigs");
const withoutBrowser = blockAfter("To check an OIDC user with no browser at all");
const production = block("Using it on an existing cluster");

test("the README's first command is `npm ci && npm run demo`, and it works in a fresh checkout", async () => {
    expect(firstCommand).toMatch(/^npm ci && npm run demo\s/);
    // Nothing of kube-access is on this shell's PATH: the README has to say how.
    expect(
        execFileSync("bash", ["-c", "command -v pulumi kubectl-oidc_login || true"], { env: userEnv() }).toString(),
    ).toBe("");
    const steps = await timed("npm ci && npm run demo (fresh checkout)", [firstCommand], userEnv());
    expectAllSucceeded(steps, [firstCommand]);
    expect(steps[0].stdout).toContain("kube-access onboarded these users to the local cluster");
    // package.json's allowScripts covers every dependency's install script (npm 11.16 and later warn of the others).
    expect(steps[0].stderr).not.toContain("install-scripts");
});

describe("Getting kubeconfigs, verbatim, against the demo's stack", () => {
    let steps: Step[];
    const example = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).config;
    const exampleUsers = (example["kube-access:users"] as { name: string }[]).map((u) => u.name).sort();

    beforeAll(async () => {
        fs.writeFileSync(path.join(work, "browser.log"), "");
        steps = await timed("Getting kubeconfigs", gettingKubeconfigs, readingEnv());
    });

    test("every command succeeds", () => {
        expectAllSucceeded(steps, gettingKubeconfigs);
    });

    test("the commands name users the demo's stack has", () => {
        const named = gettingKubeconfigs.flatMap((line) => {
            const m = /npm run kubeconfig -- (\S+)/.exec(line);
            return m ? [m[1]] : [];
        });
        expect(named.length).toBeGreaterThan(0);
        for (const user of named) expect(exampleUsers).toContain(user);
    });

    test("stack output kubeconfigs has every user of Pulumi.dev.yaml, users has them without secrets", () => {
        const kubeconfigs = steps.find((s) => s.command.startsWith("pulumi stack output kubeconfigs"))!;
        expect(Object.keys(JSON.parse(kubeconfigs.stdout)).sort()).toEqual(exampleUsers);
        const users = steps.find((s) => s.command.startsWith("pulumi stack output users"))!;
        expect(
            usersOutput(users.stdout)
                .map((u) => u.name)
                .sort(),
        ).toEqual(exampleUsers);
        expect(users.stdout).not.toMatch(/BEGIN|token|client-key-data/);
        // Grants to identities outside the users list: a map by subject, plain data.
        const unlisted = steps.find((s) => s.command.startsWith("pulumi stack output unlistedSubjects"))!;
        expect(Array.isArray(JSON.parse(unlisted.stdout))).toBe(false);
        expect(typeof JSON.parse(unlisted.stdout)).toBe("object");
    });

    test("npm run kubeconfig writes each kubeconfig with mode 0600, checked with kubectl; kubectl auth whoami answers as the user", () => {
        const users = steps.find((s) => s.command.startsWith("pulumi stack output users"))!;
        const identityOf = new Map(usersOutput(users.stdout).map((u) => [u.name, u.identity]));
        for (const step of steps.filter((s) => s.command.startsWith("npm run kubeconfig"))) {
            const [, user, file] = /npm run kubeconfig -- (\S+) (\S+)/.exec(step.command)!;
            expect(fs.statSync(path.join(copy, file)).mode & 0o777).toBe(0o600);
            expect(step.stdout).toContain(`kubectl reads it (context ${user}@`);
            const whoami = steps.find((s) => s.command.startsWith(`kubectl --kubeconfig ${file} auth whoami`))!;
            expect(whoami).toBeDefined();
            expect(whoami.stdout).toMatch(new RegExp(`^Username\\s+${identityOf.get(user)}$`, "m"));
        }
    });

    test("da-admin's login went through kubelogin and the browser, once", () => {
        if (!gettingKubeconfigs.some((l) => l.includes("da-admin"))) return;
        expect(fs.readFileSync(path.join(work, "browser.log"), "utf8").trim().split("\n")).toHaveLength(1);
    });

    test("with no browser at all: the README's password-grant token, given to kubectl, is da-admin's; kubelogin is not run and no token is printed", async () => {
        // Without a cached token, kubelogin would have to open the browser; an unchanged browser log shows kubectl used the token.
        fs.rmSync(path.join(home, ".kube", "cache", "oidc-login"), { recursive: true, force: true });
        const browserLog = fs.readFileSync(path.join(work, "browser.log"), "utf8");
        const headless = await timed("OIDC with no browser", withoutBrowser, readingEnv());
        expectAllSucceeded(headless, withoutBrowser);
        const whoami = headless.find((s) =>
            s.command.startsWith("kubectl --kubeconfig ./da-admin.kubeconfig --token"),
        )!;
        expect(whoami.stdout).toMatch(/^Username\s+oidc:da-admin$/m);
        expect(fs.readFileSync(path.join(work, "browser.log"), "utf8")).toBe(browserLog);
        for (const step of headless) expect(step.stdout + step.stderr).not.toMatch(/eyJ[\w-]+\.eyJ/);
    });

    test("every user of the stack, written the README's way, is who the users output says", async () => {
        const users = usersOutput(steps.find((s) => s.command.startsWith("pulumi stack output users"))!.stdout);
        const lines = [gettingKubeconfigs[0]];
        for (const user of users) {
            lines.push(`npm run kubeconfig -- ${user.name} ./all-${user.name}.kubeconfig`);
            lines.push(`kubectl --kubeconfig ./all-${user.name}.kubeconfig auth whoami -o json`);
        }
        const each = await timed("every user's kubeconfig and whoami", lines, readingEnv());
        expectAllSucceeded(each, lines);
        for (const user of users) {
            const whoami = each.find((s) => s.command.startsWith(`kubectl --kubeconfig ./all-${user.name}.`))!;
            expect({ user: user.name, seenAs: JSON.parse(whoami.stdout).status.userInfo.username }).toEqual({
                user: user.name,
                seenAs: user.identity,
            });
        }
    });
});

test("npm run demo again, from the demo's project folder: every tool reported once, nothing changes, no error, no dump; then demo:stop there leaves no process or port", async () => {
    const intoProject = "cd .kube-access/demo/project";
    const [into, again] = await timed(
        "npm run demo (again, cluster running, from the demo's project folder)",
        [intoProject, "npm run demo"],
        userEnv(),
    );
    expect(into.code).toBe(0);
    expect({ code: again.code, stderr: again.stderr.slice(-3000) }).toMatchObject({ code: 0 });
    const out = again.stdout;
    expect(out).not.toContain("[cluster] [cluster]");
    expect(out).not.toMatch(/FAILED|ERROR|[Ee]rror|[Ww]arning/);
    for (const pattern of [/^\[engine\] (\S+): \S+ ready$/gm, /^\[cluster\] (\S+) \S+: cached /gm]) {
        const tools = [...out.matchAll(pattern)].map((m) => m[1]);
        expect(tools.length).toBeGreaterThan(0);
        expect(tools).toEqual([...new Set(tools)]);
    }
    const engine = out.split("\n").filter((l) => l.startsWith("[pulumi]"));
    expect(engine.join("\n")).toMatch(/\d+ unchanged/);
    expect(engine.join("\n")).not.toMatch(/created|updated|deleted|replaced|Outputs:/);
    expect(engine.length).toBeLessThanOrEqual(6);
    expect(again.stderr.trim()).toBe("");

    const [, stop] = await timed(
        "npm run demo:stop (from the demo's project folder)",
        [intoProject, "npm run demo:stop"],
        userEnv(),
    );
    expect({ code: stop.code, stderr: stop.stderr }).toEqual({ code: 0, stderr: "" });
    expectNothingLeft();
});

describe("Using it on an existing cluster (the demo's, restarted), in a shell that read the demo's stack first", () => {
    const backend = path.join(work, "prod-state");
    const passphrase = crypto.randomBytes(16).toString("hex");
    /** The README's placeholders, as a user fills them in. */
    const filledIn = (line: string) =>
        line
            .replace("<backend-url>", `file://${backend}`)
            .replace("<secrets-provider>", "passphrase")
            .replace("https://api.prod.example.com:6443", "https://127.0.0.1:6443")
            .replace(/^# users and bindings: edit Pulumi.prod.yaml.*$/, `node "${path.join(work, "edit-prod.js")}"`);
    const stackFile = (dir: string) => path.join(dir, ".pulumi", "stacks", "kube-access", "prod.json");

    beforeAll(async () => {
        const [restart] = await timed("npm run demo (cluster stopped)", ["npm run demo"], userEnv());
        expect({ code: restart.code, stderr: restart.stderr.slice(-3000) }).toMatchObject({ code: 0 });
        // What the user brings: the cluster's CA, an admin kubeconfig, a folder for the state.
        fs.copyFileSync(demo.cluster("pki/ca.crt"), path.join(copy, "ca.crt"));
        fs.copyFileSync(demo.cluster("pki/ca.key"), path.join(copy, "ca.key"));
        fs.mkdirSync(backend, { recursive: true });
        fs.writeFileSync(
            path.join(work, "edit-prod.js"),
            `const fs = require("fs"); const YAML = require(require.resolve("yaml", { paths: [process.cwd()] }));
             const file = "Pulumi.prod.yaml"; const doc = YAML.parse(fs.readFileSync(file, "utf8"));
             doc.config["kube-access:users"] = [{ name: "deployer", auth: { method: "serviceAccount", namespace: "default" } }];
             doc.config["kube-access:bindings"] = [{ name: "deployer-view", clusterRole: "view", namespaces: ["default"], subjects: [{ user: "deployer" }] }];
             fs.writeFileSync(file, YAML.stringify(doc));`,
        );
    });

    test("the README names the placeholders the user fills in", () => {
        for (const placeholder of ["<backend-url>", "<secrets-provider>", "https://api.prod.example.com:6443"]) {
            expect(production.join("\n")).toContain(placeholder);
        }
        expect(production.some((l) => l.startsWith("# users and bindings: edit Pulumi.prod.yaml"))).toBe(true);
    });

    test("without a passphrase of the user's own, the stack is not created: the demo's is not used", async () => {
        const fromEnvSh = production.slice(production.findIndex((l) => l.startsWith(". tools/env.sh")));
        const lines = [gettingKubeconfigs[0], ...fromEnvSh.map(filledIn)];
        const steps = await timed("production steps, no passphrase", lines, userEnv());
        const init = steps.find((s) => s.command.startsWith("pulumi stack init prod"))!;
        expect(init.code).not.toBe(0);
        expect(init.stderr).toMatch(/passphrase must be set with PULUMI_CONFIG_PASSPHRASE/);
        expect(fs.existsSync(stackFile(path.join(copy, ".kube-access", "demo", "state")))).toBe(false);
    });

    test("with one, the stack lives in the user's backend, its secrets open with the user's passphrase and not with the demo's, and it onboards its user", async () => {
        const lines = [gettingKubeconfigs[0], ...production.map(filledIn)];
        const env = userEnv({
            PULUMI_CONFIG_PASSPHRASE: passphrase,
            KUBECONFIG: demo.cluster("admin.kubeconfig"),
            // The user answers "yes" to `pulumi up`.
            PULUMI_SKIP_CONFIRMATIONS: "true",
        });
        const steps = await timed("production steps", lines, env);
        expectAllSucceeded(steps, lines);

        expect(fs.existsSync(stackFile(backend))).toBe(true);
        expect(fs.existsSync(stackFile(path.join(copy, ".kube-access", "demo", "state")))).toBe(false);
        const stackConfig = YAML.parse(fs.readFileSync(path.join(copy, "Pulumi.prod.yaml"), "utf8"));
        expect(stackConfig.config["kube-access:clusterCaKey"]).toHaveProperty("secure");

        const readKey = (passphraseEnv: Record<string, string>) =>
            run("pulumi", ["config", "get", "kube-access:clusterCaKey", "--stack", "prod"], {
                cwd: copy,
                env: { ...userEnv(passphraseEnv), PATH: `${cache}/pulumi-${pulumiVersion()}/bin:${userEnv().PATH}` },
                check: false,
            });
        const notTheirs: Record<string, string>[] = [
            { PULUMI_CONFIG_PASSPHRASE_FILE: demo.passphraseFile() },
            { PULUMI_CONFIG_PASSPHRASE: "kube-access-local" },
        ];
        for (const theirs of notTheirs) {
            const attempt = await readKey({ ...theirs, PULUMI_BACKEND_URL: `file://${backend}` });
            expect(attempt.code).not.toBe(0);
            expect(attempt.stderr).toMatch(/incorrect passphrase/);
        }
        const mine = await readKey({ PULUMI_CONFIG_PASSPHRASE: passphrase, PULUMI_BACKEND_URL: `file://${backend}` });
        expect(mine.code).toBe(0);
        expect(mine.stdout.trim()).toBe(fs.readFileSync(path.join(copy, "ca.key"), "utf8").trim());

        const check = await timed(
            "production stack: users output, then destroy",
            [
                ". tools/env.sh",
                "pulumi stack output users --json --stack prod",
                "pulumi destroy --yes --stack prod",
                "pulumi stack rm prod --yes",
            ],
            { ...env, PULUMI_BACKEND_URL: `file://${backend}` },
        );
        expect(check.map((s) => s.code)).toEqual([0, 0, 0, 0]);
        expect(usersOutput(check[1].stdout).map((u) => u.identity)).toEqual(["system:serviceaccount:default:deployer"]);
    });

    test("npm run demo:stop after all of it leaves no process or port", async () => {
        const [stop] = await timed("npm run demo:stop (again)", ["npm run demo:stop"], userEnv());
        expect(stop.code).toBe(0);
        expectNothingLeft();
    });
});

function pulumiVersion(): string {
    return /^PULUMI_VERSION=(.+)$/m.exec(fs.readFileSync(path.join(repoRoot, "tools", "versions.sh"), "utf8"))![1];
}
