import { ChildProcess, execFile, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../harness/localCluster";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { repoRoot } from "../harness/toolEnv";
import { form, httpsRequest } from "../../scripts/lib/https";
import { KeycloakAdmin } from "./keycloakAdmin";
import { UserChecks, faketimeAhead } from "./userChecks";
import { clusterPorts } from "../harness/ports";

/*
 * Issue #15: faults, drift and rotation, each against the real engine, a real
 * kube-apiserver + kube-controller-manager and a real Keycloak. Every step
 * ends by asking the API server who each user is and what they may do, by
 * looking for leftovers (CSR objects, token Secrets), and, where a run must
 * fail, by the error text. The steps run in order on one stack.
 *
 * Ports: its own block of test/harness/ports.ts.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-e2e-faults-"));
const ports = clusterPorts.faults;
const realm = "faults";
const passwords: Record<string, string> = {
    carol: crypto.randomBytes(18).toString("base64url"),
    dave: crypto.randomBytes(18).toString("base64url"),
    erin: crypto.randomBytes(18).toString("base64url"),
};
let cluster: LocalCluster;
let keycloak: KeycloakAdmin;
let workspace: PulumiWorkspace;
let checks: UserChecks;
let kubeconfigs: Record<string, string>;

type User = { name: string; groups?: string[]; auth: Record<string, unknown> };
/** Bindings declared on the way (fault 2 declares one while the API server is down). */
const extraBindings: Record<string, unknown>[] = [];
/** dave joins (as a new Keycloak user) in the run that is killed, and stays. */
let withDave = false;
/** erin joins in the run killed inside the call that creates her Keycloak user, and stays. */
let withErin = false;
const oidcUser = (name: string, firstName: string): User => ({
    name,
    groups: ["devs"],
    auth: { method: "oidc", email: `${name}@example.com`, firstName, lastName: "Dev" },
});
const baseUsers = (): User[] => [
    {
        name: "alice",
        groups: ["team-a"],
        // Two hours, renewed in the last one: faketime reaches both the window and expiry.
        auth: {
            method: "certificate",
            signer: "cluster",
            keyAlgorithm: "ECDSA-P256",
            validityHours: 2,
            renewBeforeHours: 1,
        },
    },
    { name: "sa1", auth: { method: "serviceAccount", namespace: "ci", createNamespace: true, tokenMaxAgeHours: 1 } },
    oidcUser("carol", "Carol"),
    ...(withDave ? [oidcUser("dave", "Dave")] : []),
    ...(withErin ? [oidcUser("erin", "Erin")] : []),
];
let users = baseUsers();

function accessConfig(): Record<string, unknown> {
    return {
        "kube-access:cluster": { name: "faults" },
        "kube-access:users": users,
        "kube-access:groups": ["devs"],
        "kube-access:bindings": [
            { name: "alice-view", clusterRole: "view", namespaces: ["default"], subjects: [{ user: "alice" }] },
            { name: "ci-deployer", clusterRole: "edit", namespaces: ["ci"], subjects: [{ user: "sa1" }] },
            { name: "devs-edit", clusterRole: "edit", namespaces: ["default"], subjects: [{ group: "devs" }] },
            ...extraBindings,
        ],
        "kube-access:oidc": {
            issuerUrl: "https://set-by-pointStackAt/realms/faults",
            realm,
            clientType: "confidential",
            directAccessGrants: true,
            temporaryPasswords: false,
            tokenLifespanSeconds: 120,
        },
    };
}

const run = <T>(label: string, step: () => Promise<T>): Promise<T> => {
    console.log(`[faults] ${label}`);
    return step();
};

async function configure(extra: Record<string, unknown> = {}): Promise<void> {
    await workspace.configure({ ...cluster.pointStackAt(accessConfig()).config, ...extra }, {});
}

async function readKubeconfigs(): Promise<void> {
    kubeconfigs = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
}

function file(name: string, text = kubeconfigs[name]): string {
    return checks.kubeconfigFile(name, text);
}

/** The pid of one of the local cluster's processes, from its pid file. */
function pidOf(name: "kube-apiserver" | "kube-controller-manager"): number {
    return Number(fs.readFileSync(path.join(cluster.info.dir, "run", `${name}.pid`), "utf8").trim());
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, seconds = 120): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

type Csr = { metadata: { name: string; annotations?: Record<string, string> }; status?: { certificate?: string } };
async function csrObjects(): Promise<Csr[]> {
    return JSON.parse((await cluster.kubectl(["get", "csr", "-o", "json"])).stdout).items;
}

type Secret = { metadata: { name: string; uid: string; deletionTimestamp?: string }; data?: { token?: string } };
async function tokenSecrets(): Promise<Secret[]> {
    const out = await cluster.kubectl([
        "get",
        "secret",
        "-n",
        "ci",
        "-l",
        "app.kubernetes.io/managed-by=kube-access",
        "-o",
        "json",
    ]);
    return JSON.parse(out.stdout).items;
}

/** No CSR object anywhere, exactly one filled token Secret for sa1. */
async function expectNoLeftovers(): Promise<void> {
    expect((await csrObjects()).map((c) => c.metadata.name)).toEqual([]);
    const secrets = await tokenSecrets();
    // sa1 has a maximum token age, so its Secret carries its generation.
    expect(secrets.map((s) => s.metadata.name)).toEqual([expect.stringMatching(/^sa1-kube-access-token-[0-9a-f]{8}$/)]);
    expect(secrets[0].data?.token).toBeTruthy();
}

/** Everyone has exactly the declared access. */
async function expectDeclaredAccess(): Promise<void> {
    const alice = file("alice");
    expect(await checks.whoami(alice)).toMatchObject({ username: "alice", groups: expect.arrayContaining(["team-a"]) });
    expect(await checks.canI(alice, "list", "pods", "-n", "default")).toBe(true);
    expect(await checks.canI(alice, "delete", "pods", "-n", "default")).toBe(false);
    expect(await checks.canI(alice, "list", "pods", "-n", "ci")).toBe(false);
    const sa1 = file("sa1");
    expect((await checks.whoami(sa1)).username).toBe("system:serviceaccount:ci:sa1");
    expect(await checks.canI(sa1, "create", "deployments", "-n", "ci")).toBe(true);
    expect(await checks.canI(sa1, "create", "deployments", "-n", "default")).toBe(false);
    const carol = file("carol-token", tokenKubeconfig(await idToken("carol")));
    expect(await checks.whoami(carol)).toMatchObject({
        username: "oidc:carol",
        groups: expect.arrayContaining(["oidc:devs"]),
    });
    expect(await checks.canI(carol, "create", "deployments", "-n", "default")).toBe(true);
    expect(await checks.canI(carol, "create", "deployments", "-n", "ci")).toBe(false);
}

/**
 * The replaced token is refused: at once by the legacy token check (the token
 * must match its Secret's), but the API server caches a token's
 * authentication for up to 10 s, so allow a little longer.
 */
async function expectTokenRefused(kubeconfig: string): Promise<void> {
    const refused = await waitFor(
        "the old token to be refused",
        async () => {
            const r = await cluster.kubectl(["auth", "whoami"], { kubeconfig, check: false });
            return /You must be logged in to the server \(Unauthorized\)/.test(r.stderr) ? r.stderr : undefined;
        },
        30,
    );
    expect(refused).toMatch(/error: You must be logged in to the server \(Unauthorized\)/);
}

async function expectNoChanges(): Promise<void> {
    const result = await workspace.pulumi(["preview", "--expect-no-changes", "--diff"], { check: false });
    expect({ code: result.code, out: result.code === 0 ? "" : result.stdout + result.stderr }).toEqual({
        code: 0,
        out: "",
    });
}

/** An ID token through the password grant (the realm allows it for this suite). */
async function idToken(user: string): Promise<string> {
    const client = (await keycloak.client(realm, "kubernetes"))!;
    const response = await httpsRequest(`${cluster.info.keycloakUrl}/realms/${realm}/protocol/openid-connect/token`, {
        method: "POST",
        ...form({
            grant_type: "password",
            scope: "openid",
            client_id: "kubernetes",
            client_secret: await keycloak.clientSecret(realm, client),
            username: user,
            password: passwords[user],
        }),
        ca: cluster.read(cluster.info.keycloakCaCertificatePath),
    });
    expect(response.status).toBe(200);
    return JSON.parse(response.body).id_token as string;
}

/** A kubeconfig of alice's or sa1's with the ID token of an OIDC user in place of the credential. */
function tokenKubeconfig(token: string): string {
    const config = YAML.parse(kubeconfigs.sa1);
    config.users[0].user = { token };
    return YAML.stringify(config);
}

/** `pulumi <args>` for the stack as a process of its own, so it can be killed like a CI runner's job. */
function engineProcess(
    ws: PulumiWorkspace,
    args: string[],
): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
    const child = spawn("pulumi", [...args, "--stack", ws.options.stack, "--non-interactive"], {
        cwd: ws.projectDir,
        env: ws.env,
        // Its own process group: the engine, the language host, the program and the providers die together.
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (c) => (output += c));
    child.stderr!.on("data", (c) => (output += c));
    const done = new Promise<{ code: number | null; output: string }>((resolve) =>
        child.on("close", (code) => {
            fs.appendFileSync(ws.logFile, `$ pulumi ${args.join(" ")} (background)\n${output}\n`);
            resolve({ code, output });
        }),
    );
    return { child, done };
}

/** Every process below `pid` (the engine starts its plugins in process groups of their own). */
function descendants(pid: number): number[] {
    const table = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
        .trim()
        .split("\n")
        .map((l) => l.trim().split(/\s+/).map(Number));
    const below = (p: number): number[] => table.filter(([, pp]) => pp === p).flatMap(([c]) => [c, ...below(c)]);
    return below(pid);
}

/**
 * SIGKILLs a run and every process below it, as a killed CI runner would. A
 * process that ends between the listing and its kill (a plugin that just
 * finished) is already gone: ESRCH is skipped, any other error thrown.
 */
function killRun(pid: number): void {
    for (const each of [pid, ...descendants(pid)]) {
        try {
            process.kill(each, "SIGKILL");
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
        }
    }
}

const upArgs = ["up", "--yes", "--skip-preview", "--suppress-outputs", "--suppress-progress"];

type Step = { op: string; urn: string };
/** The steps a preview plans, other than `same`. */
async function previewSteps(extra: string[] = []): Promise<Step[]> {
    const result = await workspace.pulumi(["preview", "--json", ...extra]);
    const steps = (JSON.parse(result.stdout).steps ?? []) as Step[];
    return steps.filter((s) => s.op !== "same");
}

beforeAll(async () => {
    cluster = await run("start local cluster and Keycloak", () =>
        LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]"),
    );
    keycloak = new KeycloakAdmin(cluster);
    checks = new UserChecks(cluster, dir);
    await keycloak.deleteRealm(realm);
    const { config, secrets } = cluster.pointStackAt(accessConfig());
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "pulumi"),
        stack: "faults",
        config,
        secrets: {
            ...secrets,
            "kube-access:oidcInitialPasswords.carol": passwords.carol,
        },
        echo: "[pulumi]",
    });
    await run("first pulumi up", () => workspace.up());
    await readKubeconfigs();
    const oidc = (await workspace.outputs(false)).oidc as { authenticationConfiguration: string };
    await cluster.setAuthenticationConfiguration(oidc.authenticationConfiguration, "[cluster]");
});

afterAll(async () => {
    // A failed step may have left the controller manager stopped.
    if (cluster) {
        try {
            process.kill(pidOf("kube-controller-manager"), "SIGCONT");
        } catch {
            // not running
        }
        await cluster.stop();
    }
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

test("to begin with: declared access, no leftovers, no changes", async () => {
    await expectDeclaredAccess();
    await expectNoLeftovers();
    await expectNoChanges();
    const summary = ((await workspace.outputs(false)).users as Record<string, Record<string, string>>).alice;
    expect(summary.certificateStatus).toBe("valid");
    expect(Date.parse(summary.expiresAt) - Date.parse(summary.renewsAt)).toBe(3600 * 1000);
});

describe("rotation on demand, and faults 1 and 5: a run killed while a CSR and a token Secret wait; two runs at once; two stacks, one user", () => {
    let before: Record<string, string>;
    let stackB: PulumiWorkspace;

    test("raising two users' rotation counters shows as exactly those users' changes", async () => {
        before = { ...kubeconfigs };
        users = baseUsers();
        users[0].auth.rotation = 1;
        users[1].auth.rotation = 1;
        await configure();
        const steps = await previewSteps();
        expect(steps.length).toBeGreaterThan(0);
        const names = steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        console.log(`[faults] preview of the rotation:\n  ${names.join("\n  ")}`);
        expect(names.filter((n) => !/ user-(alice|sa1)-/.test(n))).toEqual([]);
        expect(steps.some((s) => s.urn.endsWith("::user-alice-key"))).toBe(true);
        expect(steps.some((s) => s.urn.endsWith("::user-sa1-token"))).toBe(true);
    });

    test("killed while alice's CSR waits for the signer and sa1's new token Secret waits for its token; a second run is refused meanwhile; another stack onboards alice at the same time", async () => {
        // A new Keycloak user in the same run.
        withDave = true;
        users = baseUsers();
        users[0].auth.rotation = 1;
        users[1].auth.rotation = 1;
        await workspace.configure(cluster.pointStackAt(accessConfig()).config, {
            "kube-access:oidcInitialPasswords.dave": passwords.dave,
        });
        const kcm = pidOf("kube-controller-manager");
        process.kill(kcm, "SIGSTOP");
        try {
            const first = engineProcess(workspace, upArgs);
            const pendingCsr = await waitFor("alice's CSR", async () => {
                const csr = (await csrObjects()).find((c) => c.metadata.annotations?.["kube-access/user"] === "alice");
                return csr;
            });
            // The old token Secret is deleted in the foreground: with the garbage collector
            // (in the stopped controller manager) it waits there, as a new one would wait for its token.
            // The new generation's Secret waits for the (stopped) token controller.
            await waitFor("sa1's new token Secret, still without its token", async () =>
                (await tokenSecrets()).find((s) => !s.data?.token),
            );

            // Fault 5: a second run on the same stack is refused by the backend's lock.
            const second = await workspace.up().catch((e: Error) => e);
            expect(second).toBeInstanceOf(Error);
            expect((second as Error).message).toMatch(/the stack is currently locked by 1 lock\(s\)/);

            // Fault 5: another stack onboards a user of the same name to this cluster meanwhile.
            const { config, secrets } = cluster.pointStackAt({
                "kube-access:cluster": { name: "faults" },
                "kube-access:users": [baseUsers()[0]],
            });
            stackB = await PulumiWorkspace.create({
                dir: path.join(dir, "pulumi-b"),
                stack: "faults-b",
                config,
                secrets,
                echo: "[pulumi-b]",
            });
            const b = engineProcess(stackB, upArgs);
            const both = await waitFor("both stacks' CSRs for alice", async () => {
                const list = (await csrObjects()).filter(
                    (c) => c.metadata.annotations?.["kube-access/user"] === "alice",
                );
                return list.length === 2 ? list : undefined;
            });
            expect(new Set(both.map((c) => c.metadata.annotations?.["kube-access/stack"]))).toEqual(
                new Set(["kube-access/faults", "kube-access/faults-b"]),
            );
            expect(both.map((c) => c.metadata.name)).toContain(pendingCsr.metadata.name);

            // Fault 1: SIGKILL the whole run, as a killed CI runner would.
            killRun(first.child.pid!);
            const killed = await first.done;
            expect(killed.code).toBeNull();
            process.kill(kcm, "SIGCONT");
            const bResult = await b.done;
            expect({ code: bResult.code, tail: bResult.code === 0 ? "" : bResult.output.slice(-3000) }).toEqual({
                code: 0,
                tail: "",
            });
        } finally {
            process.kill(kcm, "SIGCONT");
        }
        const bAlice = file("alice-b", ((await stackB.outputs(true)).kubeconfigs as Record<string, string>).alice);
        expect(await checks.whoami(bAlice)).toMatchObject({ username: "alice" });
    });

    test("the documented recovery: `pulumi cancel`, `pulumi refresh --clear-pending-creates`, then `pulumi up` converges", async () => {
        const locked = await workspace.up().catch((e: Error) => e);
        console.log(
            `[faults] up right after the kill: ${locked instanceof Error ? locked.message.slice(0, 2000) : "succeeded"}`,
        );
        expect(locked).toBeInstanceOf(Error);
        expect((locked as Error).message).toMatch(/the stack is currently locked by 1 lock\(s\)/);
        const cancel = await workspace.pulumi(["cancel", "--yes"], { check: false });
        console.log(`[faults] cancel (exit ${cancel.code}):\n${cancel.stdout}${cancel.stderr}`);
        expect(cancel.stdout).toContain("The currently running update for 'faults' has been canceled!");
        // The killed run's pending create (alice's certificate) is dropped; objects the killed
        // run deleted without recording it (sa1's old token Secret) leave the state.
        const refresh = await workspace.pulumi(["refresh", "--clear-pending-creates", "--yes", "--suppress-progress"], {
            check: false,
        });
        console.log(
            `[faults] refresh --clear-pending-creates (exit ${refresh.code}):\n${(refresh.stdout + refresh.stderr).slice(-3000)}`,
        );
        expect(refresh.code).toBe(0);
        const result = await workspace.pulumi(upArgs, { check: false });
        expect(result.stdout + result.stderr).not.toMatch(/pending operations/);
        console.log(
            `[faults] up after the refresh (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-4000)}`,
        );
        expect(result.code).toBe(0);
        await readKubeconfigs();
        await expectDeclaredAccess();
        await expectNoLeftovers();
        await expectNoChanges();
        expect(await keycloak.user(realm, "dave")).toBeDefined();
    });

    test("rotation took effect: new key and certificate for alice, sa1's old token refused, the new one works", async () => {
        const certOf = (k: string) =>
            new crypto.X509Certificate(Buffer.from(YAML.parse(k).users[0].user["client-certificate-data"], "base64"));
        const keyOf = (k: string) => YAML.parse(k).users[0].user["client-key-data"];
        expect(certOf(kubeconfigs.alice).serialNumber).not.toBe(certOf(before.alice).serialNumber);
        expect(keyOf(kubeconfigs.alice)).not.toBe(keyOf(before.alice));
        await expectTokenRefused(file("sa1-old", before.sa1));
        // X.509 has no revocation in Kubernetes: the old certificate works until it expires (docs/operations.md).
        expect((await checks.whoami(file("alice-old", before.alice))).username).toBe("alice");
    });
});

/**
 * A proxy in front of Keycloak's plain-HTTP port that forwards every request
 * but holds back Keycloak's answer to the create of a user in the realm: the
 * user exists in Keycloak, and the provider (and so the engine) never hears
 * of it, as when a run is killed inside that call.
 */
async function userCreateHoldingProxy(): Promise<{
    url: string;
    held: Promise<void>;
    stopHolding: () => void;
    close: () => void;
}> {
    let heard!: () => void;
    let holding = true;
    const held = new Promise<void>((resolve) => (heard = resolve));
    const server = http.createServer((request, response) => {
        const body: Buffer[] = [];
        request.on("data", (c: Buffer) => body.push(c));
        request.on("end", () => {
            const upstream = http.request(
                {
                    host: "127.0.0.1",
                    port: ports.keycloakHttp,
                    method: request.method,
                    path: request.url,
                    headers: request.headers,
                },
                (answer) => {
                    const userCreate =
                        request.method === "POST" && request.url?.split("?")[0] === `/admin/realms/${realm}/users`;
                    if (holding && userCreate) {
                        answer.resume();
                        heard();
                        return; // never answered
                    }
                    response.writeHead(answer.statusCode ?? 502, answer.headers);
                    answer.pipe(response);
                },
            );
            upstream.on("error", () => response.destroy());
            upstream.end(Buffer.concat(body));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return {
        url: `http://127.0.0.1:${port}`,
        held,
        stopHolding: () => (holding = false),
        close: () => {
            if (!server.listening) return;
            server.closeAllConnections();
            server.close();
        },
    };
}

/** `npm run recover -- <args>` for the stack, as its user would run it in the project folder. */
function recover(args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((resolve) =>
        execFile(
            path.join(repoRoot, "node_modules", ".bin", "ts-node"),
            [
                "--transpile-only",
                path.join(repoRoot, "scripts", "recover.ts"),
                "--stack",
                workspace.options.stack,
                "--cwd",
                workspace.projectDir,
                ...args,
            ],
            { cwd: workspace.projectDir, env: workspace.env, maxBuffer: 16 * 1024 * 1024 },
            (error, stdout, stderr) => {
                const output = stdout + stderr;
                fs.appendFileSync(workspace.logFile, `$ npm run recover -- ${args.join(" ")}\n${output}\n`);
                resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output });
            },
        ),
    );
}

describe("fault 1, inside the call: the run killed while Keycloak creates a user", () => {
    let proxy: Awaited<ReturnType<typeof userCreateHoldingProxy>> | undefined;
    afterAll(() => proxy?.close());

    test("erin exists in Keycloak but not in the state; `npm run recover` reports, then with --yes deletes her and drops the pending create; `pulumi up` converges and erin logs in with her initial password", async () => {
        withErin = true;
        users = baseUsers();
        // The counters the rotation test raised stay (lowering one would rotate again).
        users[0].auth.rotation = 1;
        users[1].auth.rotation = 1;
        // The killed run records Keycloak's URL as the proxy's in the state's provider, which recover's
        // refresh uses: the proxy stays (answering everything once the run is killed) until `up` sets it back.
        proxy = await userCreateHoldingProxy();
        await workspace.configure(
            { ...cluster.pointStackAt(accessConfig()).config, "keycloak:url": proxy.url },
            { "kube-access:oidcInitialPasswords.erin": passwords.erin },
        );
        const up = engineProcess(workspace, upArgs);
        const ended = await Promise.race([proxy.held.then(() => undefined), up.done]);
        if (ended)
            throw new Error(`the run ended before creating erin (exit ${ended.code}):\n${ended.output.slice(-3000)}`);
        // Keycloak has made erin (its answer is held back): kill the run as a CI runner's end would.
        await waitFor("erin in Keycloak", async () => await keycloak.user(realm, "erin"));
        killRun(up.child.pid!);
        expect((await up.done).code).toBeNull();
        proxy.stopHolding();
        await configure();

        const pending = (JSON.parse(await workspace.exportState()).deployment.pending_operations ?? []) as {
            type: string;
            resource: { urn: string };
        }[];
        console.log(
            `[faults] pending after the kill:\n  ${pending.map((p) => `${p.type} ${p.resource.urn}`).join("\n  ")}`,
        );
        expect(pending).toContainEqual(
            expect.objectContaining({
                type: "creating",
                resource: expect.objectContaining({ urn: expect.stringMatching(/::keycloak-user-erin$/) }),
            }),
        );
        const made = (await keycloak.user(realm, "erin"))!;
        expect(made).toBeDefined();

        // Without --yes: the plan, and nothing changed.
        const report = await recover([]);
        console.log(`[faults] recover (exit ${report.code}):\n${report.output}`);
        expect(report.code).toBe(0);
        expect(report.output).toContain(
            "keycloak-user-erin: delete Keycloak user erin in realm faults, made by the killed run",
        );
        expect(report.output).toContain(`recover: stack faults of the project in ${workspace.projectDir}: `);
        expect(report.output).toContain("recover: nothing changed. With --yes: remove the lock (pulumi cancel)");
        expect((await keycloak.user(realm, "erin"))?.id).toBe(made.id);
        expect((await workspace.up().catch((e: Error) => e)) as Error).toBeInstanceOf(Error);

        const result = await recover(["--yes"]);
        console.log(`[faults] recover --yes (exit ${result.code}):\n${result.output.slice(-4000)}`);
        expect(result.code).toBe(0);
        expect(result.output).toContain("recover: lock removed (pulumi cancel)");
        expect(result.output).toContain("recover: deleted Keycloak user erin in realm faults");
        expect(result.output).not.toContain(passwords.erin);
        expect(await keycloak.user(realm, "erin")).toBeUndefined();
        expect(JSON.parse(await workspace.exportState()).deployment.pending_operations ?? []).toEqual([]);

        await workspace.up();
        proxy.close();
        await readKubeconfigs();
        const erin = await keycloak.user(realm, "erin");
        expect(erin?.id).not.toBe(made.id);
        expect(await keycloak.userGroups(realm, erin!.id)).toEqual(["devs"]);
        const erinKubeconfig = file("erin-token", tokenKubeconfig(await idToken("erin")));
        expect(await checks.whoami(erinKubeconfig)).toMatchObject({
            username: "oidc:erin",
            groups: expect.arrayContaining(["oidc:devs"]),
        });
        await expectDeclaredAccess();
        await expectNoLeftovers();
        await expectNoChanges();
    });
});

describe("fault 2: the API server is down during preview and up", () => {
    let stateBefore: string;
    test("preview and up fail naming the server; state unchanged", async () => {
        stateBefore = await workspace.exportState();
        const apiserver = pidOf("kube-apiserver");
        process.kill(apiserver, "SIGTERM");
        await waitFor("the API server to stop", async () => {
            try {
                process.kill(apiserver, 0);
                return undefined;
            } catch {
                return true;
            }
        });
        // A run with nothing to change never calls the API server (no refresh by default);
        // one that grants something new must.
        extraBindings.push({
            name: "devs-ci-view",
            clusterRole: "view",
            namespaces: ["ci"],
            subjects: [{ group: "devs" }],
        });
        await configure();
        const preview = await workspace.pulumi(["preview"], { check: false });
        console.log(
            `[faults] preview with the API server down (exit ${preview.code}):\n${(preview.stdout + preview.stderr).slice(-3000)}`,
        );
        // Recorded as observed: the kubernetes provider previews a create without the API server
        // (it only dry-runs when it can reach it), so the preview may pass, listing the binding.
        if (preview.code !== 0) {
            expect(preview.stdout + preview.stderr).toContain(cluster.info.apiServerUrl.replace(/^https:\/\//, ""));
        } else expect(preview.stdout).toMatch(/\+ +kubernetes:rbac.authorization.k8s.io\/v1:RoleBinding/);
        const up = await workspace.pulumi(upArgs, { check: false });
        console.log(`[faults] up with the API server down (exit ${up.code}):\n${(up.stdout + up.stderr).slice(-3000)}`);
        expect(up.code).not.toBe(0);
        const hostPort = cluster.info.apiServerUrl.replace(/^https:\/\//, "");
        expect(up.stdout + up.stderr).toContain(
            `error: configured Kubernetes cluster is unreachable: unable to load schema information from the API server: Get "https://${hostPort}/openapi/v2?timeout=32s": dial tcp ${hostPort}: connect: connection refused`,
        );
        const stateAfter = await workspace.exportState();
        // Every save re-encrypts secrets with a new nonce; what must not change is which objects exist.
        const resources = (s: string) =>
            (JSON.parse(s).deployment.resources as { urn: string; id?: string }[])
                .map((r) => `${r.urn} ${r.id ?? ""}`)
                .sort();
        expect(resources(stateAfter)).toEqual(resources(stateBefore));
    });

    test("once it is back, up converges", async () => {
        await LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]");
        await workspace.up();
        await readKubeconfigs();
        await expectDeclaredAccess();
        await expectNoLeftovers();
        await expectNoChanges();
    });
});

describe("fault 3: Keycloak down, or its admin credential wrong", () => {
    test.each([
        ["down (nothing listens at its URL)", "url"],
        ["the admin password wrong", "password"],
    ])(
        "Keycloak %s: the run fails naming the URL or the credential; no CSR or token Secret half-made; converges once fixed",
        async (_what, fault) => {
            users = baseUsers();
            users[0].auth.rotation = 2; // work for the Kubernetes side in the same run
            users[1].auth.rotation = 2;
            const downUrl = "https://127.0.0.1:1";
            if (fault === "url") await configure({ "keycloak:url": downUrl });
            else {
                await configure();
                await workspace.configure(cluster.pointStackAt(accessConfig()).config, {
                    "keycloak:password": "not-the-password",
                });
            }
            const result = await workspace.pulumi(upArgs, { check: false });
            const text = result.stdout + result.stderr;
            console.log(`[faults] up with Keycloak ${fault} (exit ${result.code}):\n${text.slice(-3000)}`);
            expect(result.code).not.toBe(0);
            const tokenUrl = (base: string) => `${base}/realms/master/protocol/openid-connect/token`;
            if (fault === "url") {
                expect(text).toContain(
                    `error initializing keycloak provider: failed to perform initial login to Keycloak: Post "${tokenUrl(downUrl)}": dial tcp 127.0.0.1:1: connect: connection refused`,
                );
            } else {
                expect(text).toContain(
                    `error initializing keycloak provider: failed to perform initial login to Keycloak: error sending POST request to ${tokenUrl(cluster.info.keycloakUrl)}: 401 Unauthorized`,
                );
            }
            expect(text).not.toContain("not-the-password");
            expect(await csrObjects()).toEqual([]);
            for (const s of await tokenSecrets()) expect(s.data?.token).toBeTruthy();

            await configure();
            await workspace.configure(cluster.pointStackAt(accessConfig()).config, {
                "keycloak:password": cluster.info.keycloakAdminPassword,
            });
            await workspace.up();
            await readKubeconfigs();
            await expectDeclaredAccess();
            await expectNoLeftovers();
            await expectNoChanges();
        },
    );
});

describe("fault 4: drift", () => {
    let steps: Step[];
    test("by hand: a RoleBinding deleted, another made stronger, the token Secret deleted, carol removed from devs", async () => {
        const bindings = JSON.parse(
            (
                await cluster.kubectl([
                    "get",
                    "rolebindings",
                    "-A",
                    "-l",
                    "app.kubernetes.io/managed-by=kube-access",
                    "-o",
                    "json",
                ])
            ).stdout,
        ).items as { metadata: { name: string; namespace: string }; roleRef: { name: string } }[];
        const ciDeployer = bindings.find((b) => b.metadata.namespace === "ci" && b.roleRef.name === "edit")!;
        const aliceView = bindings.find((b) => b.metadata.namespace === "default" && b.roleRef.name === "view")!;
        await cluster.kubectl(["delete", "rolebinding", "-n", "ci", ciDeployer.metadata.name]);
        await cluster.kubectl(["delete", "rolebinding", "-n", "default", aliceView.metadata.name]);
        await cluster.kubectl([
            "create",
            "rolebinding",
            "-n",
            "default",
            aliceView.metadata.name,
            "--clusterrole=admin",
            "--user=alice",
        ]);
        await cluster.kubectl(["delete", "secret", "-n", "ci", (await tokenSecrets())[0].metadata.name]);
        const carol = (await keycloak.user(realm, "carol"))!;
        const groups = await keycloak.get<{ id: string; name: string }[]>(`/${realm}/users/${carol.id}/groups`);
        const devs = groups.find((g) => g.name === "devs")!;
        expect((await keycloak.call("DELETE", `/${realm}/users/${carol.id}/groups/${devs.id}`)).status).toBe(204);

        // The drift is real: alice may delete pods, sa1 may not deploy, carol is not in devs.
        expect(await checks.canI(file("alice"), "delete", "pods", "-n", "default")).toBe(true);
        expect(await checks.canI(file("sa1"), "create", "deployments", "-n", "ci")).toBe(false);
        expect(await keycloak.userGroups(realm, carol.id)).toEqual([]);
    });

    test("a preview without refresh sees nothing; `pulumi preview --refresh` shows each drift as a change", async () => {
        expect(await previewSteps()).toEqual([]);
        steps = await previewSteps(["--refresh"]);
        const described = steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        console.log(`[faults] preview --refresh:\n  ${described.join("\n  ")}`);
        expect(described).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^create .*ci-deployer/),
                expect.stringMatching(/^replace .*alice-view/),
                expect.stringMatching(/^create user-sa1-token$/),
                expect.stringMatching(/^update keycloak-user-carol-groups$/),
            ]),
        );
    });

    test("`pulumi up --refresh` restores exactly the declared access", async () => {
        await workspace.up(["--refresh"]);
        await readKubeconfigs();
        await expectDeclaredAccess();
        await expectNoLeftovers();
        await expectNoChanges();
        const carol = (await keycloak.user(realm, "carol"))!;
        expect(await keycloak.userGroups(realm, carol.id)).toEqual(["devs"]);
    });
});

describe("fault 6 and token age: nobody ran pulumi up for over two hours", () => {
    test("a preview shows alice's expired certificate and sa1's aged token as those users' replacements, and nothing else", async () => {
        const result = await workspace.pulumi(["preview", "--json"], { env: faketimeAhead(130) });
        const names = ((JSON.parse(result.stdout).steps ?? []) as Step[])
            .filter((s) => s.op !== "same")
            .map((s) => `${s.op} ${s.urn.split("::").pop()}`);
        console.log(`[faults] preview two hours on:\n  ${names.join("\n  ")}`);
        expect(names).toEqual(
            expect.arrayContaining([
                "replace user-alice-certificate",
                "replace user-sa1-rotation",
                "replace user-sa1-token",
            ]),
        );
        expect(names.filter((n) => !/ user-(alice-certificate|sa1-)/.test(n))).toEqual([]);
    });

    test("the next plain pulumi up issues alice a new certificate and replaces sa1's token (older than its 1 h maximum age)", async () => {
        const before = { ...kubeconfigs };
        await workspace.up([], faketimeAhead(130));
        await readKubeconfigs();
        const serial = (k: string) =>
            new crypto.X509Certificate(Buffer.from(YAML.parse(k).users[0].user["client-certificate-data"], "base64"))
                .serialNumber;
        expect(serial(kubeconfigs.alice)).not.toBe(serial(before.alice));
        await expectTokenRefused(file("sa1-aged", before.sa1));
        // Back at the real time, outputs settle and nothing more is due.
        await workspace.up();
        await readKubeconfigs();
        const alice = ((await workspace.outputs(false)).users as Record<string, Record<string, string>>).alice;
        expect(alice.certificateStatus).toBe("valid");
        expect(Date.parse(alice.expiresAt)).toBeGreaterThan(Date.now() + 3600 * 1000);
        await expectDeclaredAccess();
        await expectNoLeftovers();
        await expectNoChanges();
    });
});

describe("rotation of the Keycloak client's secret", () => {
    test("raising oidc.clientSecretRotation gives the client a new secret, and the OIDC users' kubeconfigs carry it", async () => {
        const client = (await keycloak.client(realm, "kubernetes"))!;
        const oldSecret = await keycloak.clientSecret(realm, client);
        const config = accessConfig();
        (config["kube-access:oidc"] as Record<string, unknown>).clientSecretRotation = 1;
        await workspace.configure(cluster.pointStackAt(config).config, {});
        const steps = await previewSteps();
        expect(steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`)).toEqual(["update keycloak-client"]);
        await workspace.up();
        await readKubeconfigs();
        const newSecret = await keycloak.clientSecret(realm, client);
        expect(newSecret).not.toBe(oldSecret);
        expect(kubeconfigs.carol).toContain(newSecret);
        expect(kubeconfigs.carol).not.toContain(oldSecret);
        await expectDeclaredAccess();
        await expectNoChanges();
    });
});
