import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../../scripts/lib/localCluster";
import { PulumiWorkspace } from "../../scripts/lib/pulumiWorkspace";
import { form, httpsRequest } from "../../scripts/lib/https";
import { repoRoot, run } from "../../scripts/lib/toolEnv";
import { renderKubeconfig } from "../../components/kubeconfig/render";
import { oidcCredential } from "../../components/oidc/kubeconfigCredential";
import { validateAccessSpec } from "../../components/spec/validate";
import { opensslCsr } from "../helpers/fixtures";
import { KeycloakScaffold } from "./keycloakScaffold";
import { findPlainSecrets } from "./secrets";

/*
 * The kube-access program through the real Pulumi engine against a real
 * kube-apiserver + kube-controller-manager and a real Keycloak, checked with
 * the real kubectl reading the generated kubeconfigs.
 *
 * What cannot run here: the tls and keycloak providers cannot be built on this
 * machine (docs/engine.md), so this stack has no externally signed users, no
 * kube-access-generated keys and no Keycloak objects made by the program.
 * Certificate users bring their own key and CSR (made with openssl, as in the
 * article); OIDC is proven on the API server side with a realm made by
 * test scaffolding (keycloakScaffold.ts).
 *
 * Ports differ from the demo's defaults so both can run on one machine.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-e2e-"));
const ports = {
    etcd: 23791,
    etcdPeer: 23801,
    apiServer: 26443,
    controllerManager: 20257,
    keycloak: 28443,
    keycloakHttp: 28080,
};
const user2 = opensslCsr("/CN=user2/O=group1/O=group2");
const temp1 = opensslCsr("/CN=temp1", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
const oidcPassword = crypto.randomBytes(18).toString("base64url");
const timings: string[] = [];
let cluster: LocalCluster;
let workspace: PulumiWorkspace;
let kubeconfigs: Record<string, string>;
/** Secret values seen during the run; none may appear in state or logs. */
const seenSecrets: string[] = [oidcPassword, user2.keyPem.split("\n")[1], temp1.keyPem.split("\n")[1]];

async function phase<T>(label: string, step: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
        return await step();
    } finally {
        const line = `${label}: ${((Date.now() - started) / 1000).toFixed(1)}s`;
        timings.push(line);
        console.log(`[e2e] ${line}`);
    }
}

type Config = Record<string, unknown> & {
    "kube-access:users": { name: string; auth: Record<string, unknown> }[];
    "kube-access:bindings": { name: string }[];
};

function accessConfig(): Config {
    return {
        "kube-access:cluster": { name: "e2e" },
        "kube-access:users": [
            {
                name: "user2",
                groups: ["group1", "group2"],
                auth: { method: "certificate", signer: "cluster", certificateRequest: user2.csrPem, validityHours: 24 },
            },
            { name: "temp1", auth: { method: "certificate", signer: "cluster", certificateRequest: temp1.csrPem } },
            { name: "sa1", auth: { method: "serviceAccount", namespace: "ci", createNamespace: true } },
        ],
        "kube-access:groups": ["admins"],
        "kube-access:bindings": [
            { name: "group1-view", clusterRole: "view", subjects: [{ group: "group1" }] },
            { name: "group2-edit", clusterRole: "edit", namespaces: ["default"], subjects: [{ group: "group2" }] },
            { name: "ci-deployer", clusterRole: "edit", namespaces: ["ci"], subjects: [{ user: "sa1" }] },
            { name: "admins", clusterRole: "admin", namespaces: ["default"], subjects: [{ group: "admins" }] },
            { name: "temp1-view", clusterRole: "view", namespaces: ["default"], subjects: [{ user: "temp1" }] },
        ],
        // Confidential, like the scaffold's client: the article's password grant and introspection use its secret.
        "kube-access:oidc": {
            issuerUrl: "https://set-by-pointStackAt/realms/kube-access",
            realm: "kube-access",
            clientType: "confidential",
        },
    } as unknown as Config;
}

/** Writes a kubeconfig (and, for users who keep their key, the key beside it). */
function kubeconfigFile(name: string, text: string, keyPem?: string): string {
    const userDir = path.join(dir, "kubeconfigs", name);
    fs.mkdirSync(userDir, { recursive: true });
    const file = path.join(userDir, "config");
    fs.writeFileSync(file, text, { mode: 0o600 });
    if (keyPem) fs.writeFileSync(path.join(userDir, `${name}.key`), keyPem, { mode: 0o600 });
    return file;
}

async function whoami(kubeconfig: string): Promise<{ username: string; groups: string[] }> {
    const result = await cluster.kubectl(["auth", "whoami", "-o", "json"], { kubeconfig });
    return JSON.parse(result.stdout).status.userInfo;
}

async function canI(kubeconfig: string, ...args: string[]): Promise<boolean> {
    const result = await cluster.kubectl(["auth", "can-i", ...args], { kubeconfig, check: false });
    return result.stdout.trim() === "yes";
}

function certificateOf(kubeconfig: string): crypto.X509Certificate {
    const user = YAML.parse(kubeconfig).users[0].user;
    return new crypto.X509Certificate(Buffer.from(user["client-certificate-data"], "base64"));
}

/** The access spec of the stack as deployed (validated the way the program validates it). */
function deployedSpec() {
    const { config } = cluster.pointStackAt(accessConfig());
    const raw = Object.fromEntries(
        Object.entries(config)
            .filter(([k]) => k.startsWith("kube-access:"))
            .map(([k, v]) => [k.slice("kube-access:".length), v]),
    );
    return validateAccessSpec(raw, { secretKeys: [] });
}

/** The kubelogin kubeconfig kube-access writes for da-admin, from the product's own functions. */
function oidcKubeconfigFile(name: string, clientSecret: string): string {
    const spec = deployedSpec();
    return kubeconfigFile(
        name,
        renderKubeconfig({
            cluster: spec.cluster,
            userName: "da-admin",
            credential: oidcCredential(spec.oidc!, clientSecret),
        }),
    );
}

async function deploy(config: Config, label: string): Promise<void> {
    await workspace.configure(cluster.pointStackAt(config).config, {});
    await phase(label, () => workspace.up());
    kubeconfigs = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
}

beforeAll(async () => {
    cluster = await phase("start local cluster and Keycloak", () =>
        LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]"),
    );
    const { config, secrets } = cluster.pointStackAt(accessConfig());
    for (const value of Object.values(secrets)) seenSecrets.push(value.split("\n").find((l) => l.length > 40) ?? value);
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "pulumi"),
        stack: "e2e",
        config,
        secrets,
        echo: "[pulumi]",
    });
    await phase("pulumi up", () => workspace.up());
    kubeconfigs = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
});

afterAll(async () => {
    if (workspace) await workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
    if (cluster) await phase("stop local cluster", () => cluster.stop());
    console.log(`[e2e] timings:\n  ${timings.join("\n  ")}`);
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

describe("cluster-signed certificate through the CSR API (user2, own key and CSR)", () => {
    test("kubectl auth whoami shows the user and every group", async () => {
        const me = await whoami(kubeconfigFile("user2", kubeconfigs.user2, user2.keyPem));
        expect(me.username).toBe("user2");
        expect(me.groups).toEqual(expect.arrayContaining(["group1", "group2", "system:authenticated"]));
    });

    test("permissions match the bindings, yes and no", async () => {
        const file = kubeconfigFile("user2", kubeconfigs.user2, user2.keyPem);
        expect(await canI(file, "list", "pods", "--all-namespaces")).toBe(true); // group1: view cluster-wide
        expect(await canI(file, "create", "deployments", "-n", "default")).toBe(true); // group2: edit in default
        expect(await canI(file, "create", "deployments", "-n", "kube-system")).toBe(false);
        expect(await canI(file, "create", "rolebindings", "-n", "default")).toBe(false);
        expect(await canI(file, "delete", "nodes")).toBe(false);
    });

    test("the CSR was approved by kube-access and removed afterwards", async () => {
        const csrs = await cluster.kubectl(["get", "csr", "-o", "name"]);
        expect(csrs.stdout.trim()).toBe("");
    });

    test("the certificate is issued by the cluster CA for CN=user2, and its expiry is the one in the users output", async () => {
        const certificate = certificateOf(kubeconfigs.user2);
        // The signer may group the O values into one multi-valued RDN ("O=group1 + O=group2").
        const subject = certificate.subject.split(/\n| \+ /);
        expect(subject).toHaveLength(3);
        expect(subject).toEqual(expect.arrayContaining(["CN=user2", "O=group1", "O=group2"]));
        expect(
            certificate.verify(new crypto.X509Certificate(cluster.read(cluster.info.caCertificatePath)).publicKey),
        ).toBe(true);
        const users = (await workspace.outputs(false)).users as {
            name: string;
            expiresAt: string;
            keyHeldBy: string;
        }[];
        const summary = users.find((u) => u.name === "user2")!;
        expect(new Date(certificate.validTo).toISOString()).toBe(summary.expiresAt);
        expect(summary.keyHeldBy).toBe("user");
    });
});

describe("retrieving a kubeconfig", () => {
    test("npm run kubeconfig writes one user's kubeconfig with mode 0600 and says where", async () => {
        const target = path.join(dir, "retrieved", "sa1.kubeconfig");
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const result = await run(
            "node",
            [path.join(repoRoot, "scripts", "kubeconfig.js"), "sa1", target, "--stack", "e2e"],
            {
                cwd: workspace.projectDir,
                env: workspace.env,
            },
        );
        expect(result.stdout).toContain(`Wrote the kubeconfig of sa1 to ${target} (mode 0600)`);
        expect(result.stdout).not.toContain("token:");
        expect(fs.statSync(target).mode & 0o777).toBe(0o600);
        expect(fs.readFileSync(target, "utf8")).toBe(kubeconfigs.sa1);
    });
});

describe("service account (sa1)", () => {
    test("its token works, as system:serviceaccount:ci:sa1, with the bound permissions", async () => {
        const file = kubeconfigFile("sa1", kubeconfigs.sa1);
        seenSecrets.push(YAML.parse(kubeconfigs.sa1).users[0].user.token);
        const me = await whoami(file);
        expect(me.username).toBe("system:serviceaccount:ci:sa1");
        expect(await canI(file, "create", "deployments", "-n", "ci")).toBe(true);
        expect(await canI(file, "list", "pods", "-n", "default")).toBe(false);
    });
});

describe("OIDC: the API server trusts Keycloak through the program's settings", () => {
    let idToken: string;
    let clientSecret: string;
    let keycloak: KeycloakScaffold;

    beforeAll(async () => {
        keycloak = new KeycloakScaffold(cluster);
        clientSecret = await phase("Keycloak realm (scaffolding)", () =>
            keycloak.createRealm({
                realm: "kube-access",
                clientId: "kubernetes",
                groupsClaim: "groups",
                group: "admins",
                user: {
                    username: "da-admin",
                    email: "da-admin@example.com",
                    firstName: "Demo",
                    lastName: "Admin",
                    password: oidcPassword,
                },
            }),
        );
        seenSecrets.push(clientSecret);
        const oidc = (await workspace.outputs(false)).oidc as {
            authenticationConfiguration: string;
            issuerUrl: string;
        };
        await phase("API server takes the program's AuthenticationConfiguration", () =>
            cluster.setAuthenticationConfiguration(oidc.authenticationConfiguration, "[cluster]"),
        );
        // The article's password grant.
        const response = await httpsRequest(`${oidc.issuerUrl}/protocol/openid-connect/token`, {
            method: "POST",
            ...form({
                grant_type: "password",
                scope: "openid",
                client_id: "kubernetes",
                client_secret: clientSecret,
                username: "da-admin",
                password: oidcPassword,
            }),
            ca: cluster.read(cluster.info.keycloakCaCertificatePath),
        });
        expect({ status: response.status, body: response.status === 200 ? "" : response.body }).toEqual({
            status: 200,
            body: "",
        });
        idToken = JSON.parse(response.body).id_token;
        seenSecrets.push(idToken);
    });

    afterAll(async () => {
        await keycloak?.deleteRealm("kube-access").catch(() => undefined);
    });

    test("an ID token is accepted with the configured username and group prefixes, and the program's group binding applies", async () => {
        const file = kubeconfigFile(
            "da-admin-token",
            renderKubeconfig({
                cluster: {
                    name: "e2e",
                    server: cluster.info.apiServerUrl,
                    caCertificatePem: cluster.read(cluster.info.caCertificatePath),
                },
                userName: "da-admin",
                credential: { kind: "token", token: idToken },
            }),
        );
        const me = await whoami(file);
        expect(me.username).toBe("oidc:da-admin");
        expect(me.groups).toEqual(expect.arrayContaining(["oidc:admins"]));
        expect(await canI(file, "create", "rolebindings", "-n", "default")).toBe(true); // admins: admin in default
        expect(await canI(file, "list", "pods", "-n", "kube-system")).toBe(false);
    });

    test("scripts/oidc-token.js does the article's password grant from such a kubeconfig, password from the environment", async () => {
        const file = oidcKubeconfigFile("da-admin-login", clientSecret);
        const result = await run(
            "node",
            [path.join(repoRoot, "scripts", "oidc-token.js"), "--kubeconfig", file, "--username", "da-admin"],
            { env: { ...process.env, KUBE_ACCESS_OIDC_PASSWORD: oidcPassword } },
        );
        const token = /^ID_TOKEN=(.+)$/m.exec(result.stdout)![1];
        const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
        expect(claims).toMatchObject({ preferred_username: "da-admin", groups: ["admins"], aud: "kubernetes" });
        expect(claims.iss).toBe(`${cluster.info.keycloakUrl}/realms/kube-access`);
    });

    test("the kubelogin kubeconfig kube-access writes for an OIDC user is read by kubectl and names the issuer and client", async () => {
        const file = oidcKubeconfigFile("da-admin", clientSecret);
        const view = JSON.parse((await cluster.kubectl(["config", "view", "-o", "json"], { kubeconfig: file })).stdout);
        expect(view.users[0].user.exec.args).toEqual(
            expect.arrayContaining([
                "oidc-login",
                "get-token",
                `--oidc-issuer-url=${cluster.info.keycloakUrl}/realms/kube-access`,
                "--oidc-client-id=kubernetes",
            ]),
        );
    });
});

describe("lifecycle", () => {
    test("a second pulumi up makes no changes", async () => {
        await phase("preview --expect-no-changes", () => workspace.preview(["--expect-no-changes"]));
        const up = await phase("second up", () => workspace.up(["--expect-no-changes"]));
        expect(up.stdout).not.toMatch(/\d+ (created|updated|deleted|replaced)/);
    });

    test("a change of validity re-issues the cluster-signed certificate", async () => {
        const before = certificateOf(kubeconfigs.user2);
        const config = accessConfig();
        config["kube-access:users"][0].auth.validityHours = 48;
        await deploy(config, "pulumi up (validity changed)");
        const after = certificateOf(kubeconfigs.user2);
        expect(after.serialNumber).not.toBe(before.serialNumber);
        expect(Date.parse(after.validTo) - Date.parse(after.validFrom)).toBeGreaterThan(47 * 3600 * 1000);
        expect((await cluster.kubectl(["get", "csr", "-o", "name"])).stdout.trim()).toBe("");
    });

    test("removed users are refused: 403 once their bindings are gone, 401 once the token is gone", async () => {
        const temp1File = kubeconfigFile("temp1", kubeconfigs.temp1, temp1.keyPem);
        const sa1File = kubeconfigFile("sa1", kubeconfigs.sa1);
        expect(await canI(temp1File, "list", "pods", "-n", "default")).toBe(true);

        const config = accessConfig();
        config["kube-access:users"][0].auth.validityHours = 48;
        config["kube-access:users"] = config["kube-access:users"].filter((u) => !["temp1", "sa1"].includes(u.name));
        config["kube-access:bindings"] = config["kube-access:bindings"].filter(
            (b) => !["temp1-view", "ci-deployer"].includes(b.name),
        );
        await workspace.configure(cluster.pointStackAt(config).config, {});
        const preview = await phase("preview (users removed)", () => workspace.preview());
        expect(preview.stdout).toMatch(/- .*kube-access:temp1-view:user:temp1/);
        expect(preview.stdout).toMatch(/- .*kube-access:ci-deployer:serviceaccount:ci:sa1/);
        // Only deletions: nothing else is created, updated or replaced.
        expect(preview.stdout).toMatch(/- 9 to delete/);
        expect(preview.stdout).not.toMatch(/to (create|update|replace)/);
        await deploy(config, "pulumi up (users removed)");

        const forbidden = await cluster.kubectl(["get", "pods", "-n", "default"], {
            kubeconfig: temp1File,
            check: false,
        });
        expect(forbidden.stderr).toMatch(/forbidden/i);
        const unauthorized = await cluster.kubectl(["get", "pods", "-n", "ci"], { kubeconfig: sa1File, check: false });
        expect(unauthorized.stderr).toMatch(/Unauthorized|must be logged in/);
        expect(
            await canI(kubeconfigFile("user2", kubeconfigs.user2, user2.keyPem), "list", "pods", "--all-namespaces"),
        ).toBe(true);
    });

    test("state and logs hold no private key, token or kubeconfig in plain text", async () => {
        const state = await workspace.exportState();
        expect(state).toContain("ciphertext");
        expect(findPlainSecrets(state, seenSecrets)).toEqual([]);
        expect(findPlainSecrets(workspace.backendFiles(), seenSecrets)).toEqual([]);
        expect(findPlainSecrets(fs.readFileSync(workspace.logFile, "utf8"), seenSecrets)).toEqual([]);
        for (const log of cluster.logFiles()) {
            const found = findPlainSecrets(fs.readFileSync(log, "utf8"), seenSecrets);
            expect({ log, found }).toEqual({ log, found: [] });
        }
    });

    test("pulumi destroy leaves none of the program's objects in the cluster", async () => {
        await phase("pulumi destroy", () => workspace.destroy());
        const managed = await cluster.kubectl([
            "get",
            "clusterrolebindings,rolebindings,serviceaccounts,secrets,namespaces",
            "--all-namespaces",
            "-l",
            "app.kubernetes.io/managed-by=kube-access",
            "-o",
            "name",
        ]);
        expect(managed.stdout.trim()).toBe("");
        expect((await cluster.kubectl(["get", "csr", "-o", "name"])).stdout.trim()).toBe("");
        const state = JSON.parse(await workspace.exportState());
        expect(
            (state.deployment.resources ?? []).filter((r: { type: string }) => !r.type.startsWith("pulumi:")),
        ).toEqual([]);
    });
});
