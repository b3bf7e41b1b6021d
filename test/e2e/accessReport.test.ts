import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../harness/localCluster";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { run, scriptArgs } from "../harness/toolEnv";
import { AccessReport } from "../../components/report/model";
import { UserChecks, faketimeAhead } from "./userChecks";
import { clusterPorts } from "../harness/ports";

/*
 * The access-change report on a deployed stack, changed the way a pull
 * request would: dave joins (developers: edit in default), carol leaves,
 * alice moves from viewers to admins (cluster-admin), and bob's short-lived
 * certificate is inside its renewal window at the time of the change. The
 * report's JSON and Markdown are checked against what is really granted after
 * `pulumi up`, with `kubectl auth can-i` for each person, including the
 * access that carol's and alice's old certificates keep.
 *
 * The time of the change is 70 minutes from now: the report is asked about
 * that time (--at), and `pulumi up` runs the program 70 minutes ahead under
 * libfaketime, as the renewal test of access.test.ts does.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-report-"));
const ports = clusterPorts.accessReport;
const ahead = 70 * 60 * 1000;
let cluster: LocalCluster;
let workspace: PulumiWorkspace;

type Config = Record<string, unknown> & {
    "kube-access:users": { name: string; groups: string[]; auth: Record<string, unknown> }[];
    "kube-access:bindings": { name: string }[];
};

function teamConfig(): Config {
    return {
        "kube-access:cluster": { name: "report" },
        "kube-access:users": [
            {
                name: "alice",
                groups: ["viewers"],
                auth: { method: "certificate", signer: "cluster", validityHours: 24 },
            },
            {
                name: "bob",
                groups: ["viewers"],
                auth: { method: "certificate", signer: "external", validityHours: 2, renewBeforeHours: 1 },
            },
            {
                name: "carol",
                groups: ["viewers"],
                auth: { method: "certificate", signer: "cluster", validityHours: 24 },
            },
        ],
        "kube-access:groups": ["admins", "developers"],
        "kube-access:bindings": [
            { name: "viewers", clusterRole: "view", subjects: [{ group: "viewers" }] },
            { name: "admins", clusterRole: "cluster-admin", subjects: [{ group: "admins" }] },
            { name: "developers", clusterRole: "edit", namespaces: ["default"], subjects: [{ group: "developers" }] },
            { name: "carol-edit", clusterRole: "edit", namespaces: ["default"], subjects: [{ user: "carol" }] },
        ],
    } as unknown as Config;
}

function pullRequestConfig(): Config {
    const config = teamConfig();
    config["kube-access:users"] = config["kube-access:users"].filter((u) => u.name !== "carol");
    config["kube-access:users"][0].groups = ["admins"];
    config["kube-access:users"].push({
        name: "dave",
        groups: ["developers"],
        auth: { method: "certificate", signer: "cluster", validityHours: 24 },
    });
    config["kube-access:bindings"] = config["kube-access:bindings"].filter((b) => b.name !== "carol-edit");
    return config;
}

function kubeconfigFile(label: string, text: string): string {
    const file = path.join(dir, "kubeconfigs", label);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
}

const canI = (kubeconfig: string, ...args: string[]) => new UserChecks(cluster, dir).canI(kubeconfig, ...args);

function serialOf(kubeconfig: string): string {
    const data = YAML.parse(kubeconfig).users[0].user["client-certificate-data"];
    return new crypto.X509Certificate(Buffer.from(data, "base64")).serialNumber;
}

async function kubeconfigs(): Promise<Record<string, string>> {
    return (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
}

async function accessReport(
    format: "json" | "markdown",
    at?: Date,
): Promise<{ code: number; text: string; stderr: string }> {
    const output = path.join(dir, `report-${format}-${Date.now()}`);
    const result = await run(
        "node",
        scriptArgs("access-report", [
            "--stack",
            "report",
            "--format",
            format,
            "--kubeconfig",
            cluster.info.adminKubeconfigPath,
            "--output",
            output,
            ...(at ? ["--at", at.toISOString()] : []),
        ]),
        { cwd: workspace.projectDir, env: workspace.env, check: false },
    );
    if (result.code === 1) throw new Error(`access-report failed:\n${result.stderr}`);
    return { code: result.code, text: fs.readFileSync(output, "utf8"), stderr: result.stderr };
}

let before: Record<string, string>;
let after: Record<string, string>;
let users: { name: string; expiresAt?: string }[];
let report: AccessReport;
let markdown: string;
let reportCode: number;
let reportStderr: string;
let previewOutput: string;
let changeAt: Date;

beforeAll(async () => {
    cluster = await LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]");
    const { config, secrets } = cluster.pointStackAt(teamConfig());
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "pulumi"),
        stack: "report",
        config,
        secrets,
        echo: "[pulumi]",
    });
    await workspace.up();
    before = await kubeconfigs();
    users = Object.values((await workspace.outputs(false)).users as Record<string, (typeof users)[number]>);

    // The pull request: the working tree's config changes; nothing is deployed yet.
    await workspace.configure(cluster.pointStackAt(pullRequestConfig()).config, {});
    changeAt = new Date(Date.now() + ahead);
    const preview = await workspace.preview();
    previewOutput = `${preview.stdout}${preview.stderr}`;
    const json = await accessReport("json", changeAt);
    reportCode = json.code;
    reportStderr = json.stderr;
    report = JSON.parse(json.text);
    markdown = (await accessReport("markdown", changeAt)).text;
    // The README's excerpt comes from here: KUBE_ACCESS_REPORT_SAMPLE=<file> keeps a copy.
    if (process.env.KUBE_ACCESS_REPORT_SAMPLE) fs.writeFileSync(process.env.KUBE_ACCESS_REPORT_SAMPLE, markdown);

    // The merge: pulumi up at the time the report was asked about.
    await workspace.up({ env: faketimeAhead(ahead / 60000) });
    after = await kubeconfigs();
});

afterAll(async () => {
    if (workspace) await workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
    if (cluster) await cluster.stop();
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

const expiryOf = (name: string) => users.find((u) => u.name === name)!.expiresAt!;

describe("the report before the merge", () => {
    test("says on standard error which stack and which project folder's config it compared", () => {
        expect(reportStderr.trim()).toBe(
            "access-report: stack report's outputs (users, unlistedSubjects, authenticatingProxy) against the config in . (Pulumi.report.yaml and the access files it names)",
        );
    });

    test("pulumi preview's users output shows dave's grants and alice's new ones, although their certificates' times are unknown until pulumi up", () => {
        // The engine pads output names to the longest one (unlistedSubjects).
        const start = /~ users\s*: \{/.exec(previewOutput);
        expect(start).not.toBeNull();
        const usersDiff = previewOutput.slice(start!.index);
        const dave = usersDiff.slice(usersDiff.indexOf("+ dave"));
        expect(dave).toMatch(/^\+ dave\s*: \{/);
        expect(dave.slice(0, dave.indexOf("\n        }"))).toMatch(
            /expiresAt\s*: \[unknown\][\s\S]*ClusterRole\/edit in default/,
        );
        expect(usersDiff).toMatch(/- carol\s*: \{/);
        expect(usersDiff).toContain("ClusterRole/cluster-admin cluster-wide (kube-access:admins:group:admins)");
    });

    test("exits 2 (changes) with the one-line summary", () => {
        expect(reportCode).toBe(2);
        expect(report.summary.text).toBe(
            "1 user gains access, 1 loses it, 1 changes access; 5 escalations; 1 credential re-issued, 1 certificate due for renewal",
        );
        expect(report.cluster).toEqual({ rulesRead: true });
    });

    test("dave gains edit in default through developers; read from the cluster, edit reads Secrets, impersonates service accounts and creates pods and tokens", () => {
        expect(report.added.map((u) => u.name)).toEqual(["dave"]);
        const [grant] = report.added[0].gained;
        expect(grant).toMatchObject({
            role: "edit",
            namespace: "default",
            via: { kind: "group", group: "developers" },
        });
        // Kubernetes' edit role also lets its holder impersonate the namespace's service accounts.
        expect(grant.escalations.map((e) => e.kind)).toEqual([
            "reads-secrets",
            "impersonate",
            "creates-pods",
            "creates-tokens",
        ]);
    });

    test("carol loses edit in default and view, and keeps view through viewers until her certificate expires", () => {
        const [carol] = report.removed;
        expect(carol.name).toBe("carol");
        expect(carol.lost.map((g) => `${g.role} ${g.namespace ?? "cluster-wide"}`).sort()).toEqual([
            "edit default",
            "view cluster-wide",
        ]);
        expect(carol.kept.map((k) => [k.role, k.via, k.until])).toEqual([
            ["view", { kind: "group", group: "viewers" }, expiryOf("carol")],
        ]);
    });

    test("alice gains cluster-admin through admins (escalation), loses view (which takes nothing away), gets a new certificate; the old one keeps view", () => {
        const alice = report.changed.find((u) => u.name === "alice")!;
        expect(alice.gained.map((g) => g.role)).toEqual(["cluster-admin"]);
        expect(alice.escalations.map((e) => e.kind)).toEqual(["cluster-admin"]);
        expect(alice.lost.map((g) => g.role)).toEqual(["view"]);
        // Against the cluster's own view and cluster-admin ClusterRoles: losing view takes nothing away.
        expect(alice.lost.map((g) => [g.beyondRemaining, g.stillHeldThere?.map((h) => h.role)])).toEqual([
            [[], ["cluster-admin"]],
        ]);
        expect(alice.credential.map((c) => c.reasons)).toEqual([["groups viewers → admins"]]);
        expect(alice.kept.map((k) => [k.role, k.until])).toEqual([["view", expiryOf("alice")]]);
    });

    test("bob's certificate is due for renewal at the time of the change", () => {
        const bob = report.changed.find((u) => u.name === "bob")!;
        expect(bob.credential.map((c) => c.kind)).toEqual(["renewal-due"]);
        expect(bob.gained.concat(bob.lost)).toEqual([]);
    });

    test("the Markdown has the summary, the escalation, carol's kept access and bob's renewal", () => {
        const lines = markdown.split("\n");
        expect(lines[0]).toBe("<!-- kube-access access report: report -->");
        expect(lines).toContain(`**${report.summary.text}**`);
        expect(lines).toContain("- ⚠️ **alice**: every verb on every resource cluster-wide (cluster-admin)");
        expect(lines).toContain("- ⚠️ **dave**: reads Secrets in namespace default");
        expect(lines).toContain("    - takes nothing away: everything it allowed is still allowed there");
        expect(lines).toContain(
            `  - keeps until ${expiryOf("carol")}: ClusterRole \`view\` cluster-wide, via group \`viewers\` (binding \`viewers\`); ` +
                "the certificate (CN=carol, O=viewers) stays valid until it expires; Kubernetes cannot revoke a client certificate",
        );
        expect(lines).toContain(
            `  - certificate expires at ${expiryOf("bob")}, inside its 1-hour renewal window: the next pulumi up issues a new one`,
        );
    });
});

describe("what is really granted after pulumi up", () => {
    test("dave: edit in default, as reported (Secrets, pods, tokens), nothing cluster-wide", async () => {
        const dave = kubeconfigFile("dave", after.dave);
        expect(await canI(dave, "create", "deployments", "-n", "default")).toBe(true);
        expect(await canI(dave, "get", "secrets", "-n", "default")).toBe(true);
        expect(await canI(dave, "create", "pods", "-n", "default")).toBe(true);
        expect(await canI(dave, "create", "serviceaccounts/token", "-n", "default")).toBe(true);
        expect(await canI(dave, "impersonate", "serviceaccounts", "-n", "default")).toBe(true);
        expect(await canI(dave, "list", "pods", "--all-namespaces")).toBe(false);
    });

    test("alice's new certificate: everything; her old one: view only, as the report says it keeps", async () => {
        expect(serialOf(after.alice)).not.toBe(serialOf(before.alice));
        expect(await canI(kubeconfigFile("alice", after.alice), "*", "*")).toBe(true);
        const old = kubeconfigFile("alice-old", before.alice);
        expect(await canI(old, "list", "pods", "--all-namespaces")).toBe(true);
        expect(await canI(old, "*", "*")).toBe(false);
    });

    test("carol's certificate: edit in default is gone, view through viewers is kept", async () => {
        const carol = kubeconfigFile("carol", before.carol);
        expect(await canI(carol, "create", "deployments", "-n", "default")).toBe(false);
        expect(await canI(carol, "list", "pods", "--all-namespaces")).toBe(true);
    });

    test("bob: a new certificate, the same view access", async () => {
        expect(serialOf(after.bob)).not.toBe(serialOf(before.bob));
        const bob = kubeconfigFile("bob", after.bob);
        expect(await canI(bob, "list", "pods", "--all-namespaces")).toBe(true);
        expect(await canI(bob, "create", "deployments", "-n", "default")).toBe(false);
    });

    test("the report after the merge: no access change, exit 0", async () => {
        const { code, text } = await accessReport("json");
        expect(JSON.parse(text).summary.text).toBe("No access change.");
        expect(code).toBe(0);
    });

    test("then a pull request that only raises dave's rotation counter: his credential re-issued, no grant changed, exit 2", async () => {
        const config = pullRequestConfig();
        config["kube-access:users"].find((u) => u.name === "dave")!.auth.rotation = 1;
        await workspace.configure(cluster.pointStackAt(config).config, {});
        const { code, text } = await accessReport("json");
        const rotation: AccessReport = JSON.parse(text);
        expect(code).toBe(2);
        expect(rotation.summary).toMatchObject({
            credentialsReissued: 1,
            gainAccess: 0,
            loseAccess: 0,
            changeAccess: 0,
        });
        expect(rotation.changed.map((u) => [u.name, u.gained, u.lost, u.credential.map((c) => c.reasons)])).toEqual([
            ["dave", [], [], [["rotation 0 → 1"]]],
        ]);
        await workspace.configure(cluster.pointStackAt(pullRequestConfig()).config, {});
    });

    test("then a pull request that binds view in default to every authenticated identity: reported as a group outside the users list, with its escalation; granted by pulumi up; its removal reported as a loss", async () => {
        const withEveryone = pullRequestConfig();
        withEveryone["kube-access:bindings"].push({
            name: "everyone",
            clusterRole: "view",
            namespaces: ["default"],
            subjects: [{ group: "system:authenticated", external: true }],
        } as (typeof withEveryone)["kube-access:bindings"][number]);
        // Someone no config lists, as the API server would see any authenticated identity.
        const outsider = () =>
            canI(
                cluster.info.adminKubeconfigPath,
                "list",
                "configmaps",
                "-n",
                "default",
                "--as",
                "someone-unlisted",
                "--as-group",
                "system:authenticated",
            );
        expect(await outsider()).toBe(false);

        await workspace.configure(cluster.pointStackAt(withEveryone).config, {});
        const gain = await accessReport("json");
        const gained: AccessReport = JSON.parse(gain.text);
        expect(gain.code).toBe(2);
        expect([gained.added, gained.removed]).toEqual([[], []]);
        // Every listed person is authenticated too: each gains the grant through that group.
        expect(gained.changed.map((u) => [u.name, u.gained.map((g) => [g.role, g.namespace, g.via])])).toEqual(
            ["alice", "bob", "dave"].map((name) => [
                name,
                [["view", "default", { kind: "group", group: "system:authenticated" }]],
            ]),
        );
        expect(
            gained.subjects.map((s) => [s.subject, s.reason, s.compared, s.gained.map((g) => [g.role, g.namespace])]),
        ).toEqual([["group:system:authenticated", "external", true, [["view", "default"]]]]);
        expect(gained.subjects[0].escalations.map((e) => e.kind)).toContain("broad-subject");
        expect(gained.summary.text).toContain("1 user or group outside the users list changes access");
        const gainMarkdown = (await accessReport("markdown")).text;
        expect(gainMarkdown).toContain("#### Users and groups outside the users list");
        expect(gainMarkdown).toContain("every authenticated user and service account");

        await workspace.up();
        expect(await outsider()).toBe(true);
        expect(Object.keys((await workspace.outputs(false)).unlistedSubjects as object)).toEqual([
            "group:system:authenticated",
        ]);
        expect((await accessReport("json")).code).toBe(0);

        await workspace.configure(cluster.pointStackAt(pullRequestConfig()).config, {});
        const loss = await accessReport("json");
        const lost: AccessReport = JSON.parse(loss.text);
        expect(loss.code).toBe(2);
        expect(lost.subjects.map((s) => [s.subject, s.gained.length, s.lost.map((g) => g.role)])).toEqual([
            ["group:system:authenticated", 0, ["view"]],
        ]);
        await workspace.up();
        expect(await outsider()).toBe(false);
    });

    test("then a pull request that lets dave impersonate bob: reported as dave's change with an impersonate escalation; granted by pulumi up; its removal reported as a loss", async () => {
        const withImpersonation = pullRequestConfig();
        withImpersonation["kube-access:impersonation"] = [
            { name: "support", impersonators: [{ user: "dave" }], targets: [{ user: "bob" }] },
        ];
        const daveAsBob = async () => {
            const dave = kubeconfigFile("dave-impersonating", (await kubeconfigs()).dave);
            return canI(dave, "list", "pods", "--all-namespaces", "--as", "bob", "--as-group", "viewers");
        };
        expect(await daveAsBob()).toBe(false);

        await workspace.configure(cluster.pointStackAt(withImpersonation).config, {});
        const gain = await accessReport("json");
        const gained: AccessReport = JSON.parse(gain.text);
        expect(gain.code).toBe(2);
        expect(gained.changed.map((u) => [u.name, u.gained, u.lost, u.impersonation])).toEqual([
            ["dave", [], [], { gained: ["user:bob", "group:viewers"], lost: [] }],
        ]);
        expect(gained.changed[0].escalations.map((e) => e.kind)).toEqual(["impersonate"]);
        expect((await accessReport("markdown")).text).toContain("  - may now impersonate `user:bob`, `group:viewers`");

        await workspace.up();
        expect(await daveAsBob()).toBe(true);
        expect((await accessReport("json")).code).toBe(0);

        await workspace.configure(cluster.pointStackAt(pullRequestConfig()).config, {});
        const loss: AccessReport = JSON.parse((await accessReport("json")).text);
        expect(loss.changed.map((u) => [u.name, u.impersonation, u.escalations])).toEqual([
            ["dave", { gained: [], lost: ["user:bob", "group:viewers"] }, []],
        ]);
        await workspace.up();
        expect(await daveAsBob()).toBe(false);
    });
});
