import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../harness/localCluster";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { form, httpsRequest } from "../../scripts/lib/https";
import { run, scriptArgs } from "../harness/toolEnv";
import { renderKubeconfig } from "../../components/kubeconfig/render";
import { opensslCsr } from "../helpers/fixtures";
import { KeycloakAdmin } from "./keycloakAdmin";
import { findPlainSecrets } from "./secrets";
import { Phases } from "./phases";
import { UserChecks, faketimeAhead } from "./userChecks";
import { clusterPorts } from "../harness/ports";

/*
 * The kube-access program through the real Pulumi engine and its real
 * providers (kubernetes, tls, keycloak) against a real kube-apiserver +
 * kube-controller-manager and a real Keycloak, checked with the real kubectl
 * and kubelogin reading the kubeconfigs the stack outputs, unchanged.
 *
 * Ports differ from the demo's defaults so both can run on one machine.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-e2e-"));
const ports = clusterPorts.access;
const realm = "kube-access";
/** A user who brings their own key and CSR, as in the article's first step. */
const temp1 = opensslCsr("/CN=temp1", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
const oidcPassword = crypto.randomBytes(18).toString("base64url");
/** OIDC tokens live this long in the test realm (config `oidc.tokenLifespanSeconds`). */
const tokenLifespanSeconds = 60;
const phases = new Phases("[e2e]");
const phase = <T>(label: string, step: () => Promise<T>): Promise<T> => phases.run(label, step);
let cluster: LocalCluster;
let keycloak: KeycloakAdmin;
let workspace: PulumiWorkspace;
let kubeconfigs: Record<string, string>;
let checks: UserChecks;
const kubeconfigFile = (name: string, text: string, keyPem?: string) => checks.kubeconfigFile(name, text, keyPem);
const whoami = (kubeconfig: string) => checks.whoami(kubeconfig);
const canI = (kubeconfig: string, ...args: string[]) => checks.canI(kubeconfig, ...args);
/** Secret values seen during the run; none may appear in state or logs. */
const seenSecrets: string[] = [oidcPassword, temp1.keyPem.split("\n")[1]];

type Config = Record<string, unknown> & {
    "kube-access:users": { name: string; auth: Record<string, unknown> }[];
    "kube-access:bindings": { name: string }[];
};

function accessConfig(): Config {
    return {
        "kube-access:cluster": { name: "e2e" },
        "kube-access:users": [
            {
                name: "user1",
                groups: ["group1", "group2"],
                // Short-lived, so the renewal test can reach the window.
                auth: { method: "certificate", signer: "external", validityHours: 2, renewBeforeHours: 1 },
            },
            {
                name: "user2",
                groups: ["group1", "group2"],
                auth: { method: "certificate", signer: "cluster", keyAlgorithm: "ECDSA-P256", validityHours: 24 },
            },
            { name: "temp1", auth: { method: "certificate", signer: "cluster", certificateRequest: temp1.csrPem } },
            { name: "sa1", auth: { method: "serviceAccount", namespace: "ci", createNamespace: true } },
            {
                name: "da-admin",
                groups: ["admins"],
                auth: { method: "oidc", email: "da-admin@example.com", firstName: "Demo", lastName: "Admin" },
            },
        ],
        "kube-access:groups": ["admins"],
        "kube-access:bindings": [
            { name: "group1-view", clusterRole: "view", subjects: [{ group: "group1" }] },
            { name: "group2-edit", clusterRole: "edit", namespaces: ["default"], subjects: [{ group: "group2" }] },
            { name: "ci-deployer", clusterRole: "edit", namespaces: ["ci"], subjects: [{ user: "sa1" }] },
            { name: "admins", clusterRole: "admin", namespaces: ["default"], subjects: [{ group: "admins" }] },
            { name: "temp1-view", clusterRole: "view", namespaces: ["default"], subjects: [{ user: "temp1" }] },
        ],
        "kube-access:oidc": {
            issuerUrl: "https://set-by-pointStackAt/realms/kube-access",
            realm,
            // The article's password grant, with a permanent initial password.
            directAccessGrants: true,
            temporaryPasswords: false,
            tokenLifespanSeconds,
        },
    } as unknown as Config;
}

function certificateOf(kubeconfig: string): crypto.X509Certificate {
    const user = YAML.parse(kubeconfig).users[0].user;
    return new crypto.X509Certificate(Buffer.from(user["client-certificate-data"], "base64"));
}

/** The private key in a kubeconfig, PEM; remembered as a secret that must never leak. */
function privateKeyOf(kubeconfig: string): string {
    const pem = Buffer.from(YAML.parse(kubeconfig).users[0].user["client-key-data"], "base64").toString();
    seenSecrets.push(pem.split("\n")[1]);
    return pem;
}

/** The subject's RDNs; the signers may group the O values into one multi-valued RDN ("O=a + O=b"). */
function subjectOf(certificate: crypto.X509Certificate): string[] {
    return certificate.subject.split(/\n| \+ /).sort();
}

function issuedByClusterCa(certificate: crypto.X509Certificate): boolean {
    return certificate.verify(new crypto.X509Certificate(cluster.read(cluster.info.caCertificatePath)).publicKey);
}

type UserSummary = { name: string; expiresAt: string; keyHeldBy: string; identity: string };
async function usersOutput(): Promise<UserSummary[]> {
    return Object.values((await workspace.outputs(false)).users as Record<string, UserSummary>);
}

async function deploy(config: Config, label: string, extraEnv?: Record<string, string>): Promise<void> {
    await workspace.configure(cluster.pointStackAt(config).config, {});
    await phase(label, () => workspace.up({ env: extraEnv }));
    kubeconfigs = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
}

/** An ID token for da-admin through the article's password grant. */
async function passwordGrantIdToken(): Promise<string> {
    const client = (await keycloak.client(realm, "kubernetes"))!;
    const response = await httpsRequest(`${cluster.info.keycloakUrl}/realms/${realm}/protocol/openid-connect/token`, {
        method: "POST",
        ...form({
            grant_type: "password",
            scope: "openid",
            client_id: "kubernetes",
            ...(client.publicClient ? {} : { client_secret: await keycloak.clientSecret(realm, client) }),
            username: "da-admin",
            password: oidcPassword,
        }),
        ca: cluster.read(cluster.info.keycloakCaCertificatePath),
    });
    expect(response.status).toBe(200);
    const token = JSON.parse(response.body).id_token as string;
    seenSecrets.push(token);
    return token;
}

function tokenKubeconfig(name: string, token: string): string {
    return kubeconfigFile(
        name,
        renderKubeconfig({
            cluster: {
                name: "e2e",
                server: cluster.info.apiServerUrl,
                caCertificatePem: cluster.read(cluster.info.caCertificatePath),
            },
            userName: name,
            credential: { kind: "token", token },
        }),
    );
}

beforeAll(async () => {
    cluster = await phase("start local cluster and Keycloak", () =>
        LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]"),
    );
    keycloak = new KeycloakAdmin(cluster);
    checks = new UserChecks(cluster, dir);
    await keycloak.deleteRealm(realm);
    const { config, secrets } = cluster.pointStackAt(accessConfig());
    for (const value of Object.values(secrets)) seenSecrets.push(value.split("\n").find((l) => l.length > 40) ?? value);
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "pulumi"),
        stack: "e2e",
        config,
        secrets: { ...secrets, "kube-access:oidcInitialPasswords.da-admin": oidcPassword },
        echo: "[pulumi]",
    });
    await phase("pulumi up", () => workspace.up());
    const outputs = await workspace.outputs(true);
    kubeconfigs = outputs.kubeconfigs as Record<string, string>;
    const oidc = outputs.oidc as { authenticationConfiguration: string };
    await phase("API server takes the program's AuthenticationConfiguration", () =>
        cluster.setAuthenticationConfiguration(oidc.authenticationConfiguration, "[cluster]"),
    );
    const client = await keycloak.client(realm, "kubernetes");
    if (client && !client.publicClient) seenSecrets.push(await keycloak.clientSecret(realm, client));
});

afterAll(async () => {
    if (workspace) await workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
    if (cluster) await phase("stop local cluster", () => cluster.stop());
    console.log(phases.summary());
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

describe("externally signed certificate (user1: tls.PrivateKey, multi-O CSR, tls.LocallySignedCert)", () => {
    test("kubectl auth whoami shows the user and every group", async () => {
        const me = await whoami(kubeconfigFile("user1", kubeconfigs.user1));
        expect(me.username).toBe("user1");
        expect(me.groups).toEqual(expect.arrayContaining(["group1", "group2", "system:authenticated"]));
    });

    test("permissions match the bindings, yes and no", async () => {
        const file = kubeconfigFile("user1", kubeconfigs.user1);
        expect(await canI(file, "list", "pods", "--all-namespaces")).toBe(true); // group1: view cluster-wide
        expect(await canI(file, "create", "deployments", "-n", "default")).toBe(true); // group2: edit in default
        expect(await canI(file, "create", "deployments", "-n", "kube-system")).toBe(false);
        expect(await canI(file, "delete", "nodes")).toBe(false);
    });

    test("the certificate carries CN=user1 and one O per group, is signed by the cluster CA for client auth, with the key kube-access made", async () => {
        const certificate = certificateOf(kubeconfigs.user1);
        expect(subjectOf(certificate)).toEqual(["CN=user1", "O=group1", "O=group2"]);
        expect(issuedByClusterCa(certificate)).toBe(true);
        expect(certificate.checkPrivateKey(crypto.createPrivateKey(privateKeyOf(kubeconfigs.user1)))).toBe(true);
        expect(Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)).toBe(2 * 3600 * 1000);
        const summary = (await usersOutput()).find((u) => u.name === "user1")!;
        expect(new Date(certificate.validTo).toISOString()).toBe(new Date(summary.expiresAt).toISOString());
        expect(summary.keyHeldBy).toBe("kube-access");
    });
});

describe("cluster-signed certificate through the CSR API (user2, key made by kube-access)", () => {
    test("kubectl auth whoami shows the user and every group", async () => {
        const me = await whoami(kubeconfigFile("user2", kubeconfigs.user2));
        expect(me.username).toBe("user2");
        expect(me.groups).toEqual(expect.arrayContaining(["group1", "group2", "system:authenticated"]));
    });

    test("permissions match the bindings, yes and no", async () => {
        const file = kubeconfigFile("user2", kubeconfigs.user2);
        expect(await canI(file, "list", "pods", "--all-namespaces")).toBe(true);
        expect(await canI(file, "create", "deployments", "-n", "default")).toBe(true);
        expect(await canI(file, "create", "deployments", "-n", "kube-system")).toBe(false);
        expect(await canI(file, "create", "rolebindings", "-n", "default")).toBe(false);
    });

    test("the CSR was approved by kube-access and removed afterwards", async () => {
        const csrs = await cluster.kubectl(["get", "csr", "-o", "name"]);
        expect(csrs.stdout.trim()).toBe("");
    });

    test("the certificate is issued by the cluster CA for CN=user2 with an ECDSA P-256 key, and its expiry is the one in the users output", async () => {
        const certificate = certificateOf(kubeconfigs.user2);
        expect(subjectOf(certificate)).toEqual(["CN=user2", "O=group1", "O=group2"]);
        expect(issuedByClusterCa(certificate)).toBe(true);
        const key = crypto.createPrivateKey(privateKeyOf(kubeconfigs.user2));
        expect(key.asymmetricKeyDetails).toMatchObject({ namedCurve: "prime256v1" });
        expect(certificate.checkPrivateKey(key)).toBe(true);
        const summary = (await usersOutput()).find((u) => u.name === "user2")!;
        expect(new Date(certificate.validTo).toISOString()).toBe(summary.expiresAt);
        expect(summary.keyHeldBy).toBe("kube-access");
    });
});

describe("a user who brings their own CSR (temp1, key made with openssl)", () => {
    test("the cluster signs it, and the kubeconfig with the user's own key beside it works", async () => {
        const file = kubeconfigFile("temp1", kubeconfigs.temp1, temp1.keyPem);
        expect((await whoami(file)).username).toBe("temp1");
        expect(YAML.parse(kubeconfigs.temp1).users[0].user["client-key"]).toBe("temp1.key");
        expect((await usersOutput()).find((u) => u.name === "temp1")!.keyHeldBy).toBe("user");
    });
});

describe("retrieving a kubeconfig", () => {
    test("npm run kubeconfig writes one user's kubeconfig with mode 0600 and says where", async () => {
        const target = path.join(dir, "retrieved", "sa1.kubeconfig");
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const result = await run("node", scriptArgs("kubeconfig", ["sa1", target, "--stack", "e2e"]), {
            cwd: workspace.projectDir,
            env: workspace.env,
        });
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

describe("OIDC through Keycloak: what KeycloakAccess made, and kubelogin logging in with the stack's kubeconfig", () => {
    test("the realm, client, claim mappers, group and user exist in Keycloak as declared", async () => {
        expect(await keycloak.realmExists(realm)).toBe(true);
        const client = (await keycloak.client(realm, "kubernetes"))!;
        expect(client).toMatchObject({ standardFlowEnabled: true, directAccessGrantsEnabled: true });
        expect(client.redirectUris).toEqual(expect.arrayContaining(["http://localhost:8000"]));
        expect(client.attributes["access.token.lifespan"]).toBe(String(tokenLifespanSeconds));
        const mappers = Object.fromEntries((client.protocolMappers ?? []).map((m) => [m.protocolMapper, m.config]));
        expect(mappers["oidc-group-membership-mapper"]).toMatchObject({
            "claim.name": "groups",
            "full.path": "false",
            "id.token.claim": "true",
        });
        expect(mappers["oidc-audience-mapper"]).toMatchObject({ "included.client.audience": "kubernetes" });
        const user = (await keycloak.user(realm, "da-admin"))!;
        expect(user.email).toBe("da-admin@example.com");
        expect(await keycloak.userGroups(realm, user.id)).toEqual(["admins"]);
    });

    test("kubectl runs kubelogin, the browser login completes, and the API server sees the prefixed user and group; a second call reuses the cached token", async () => {
        const file = kubeconfigFile("da-admin", kubeconfigs["da-admin"]);
        const home = path.join(dir, "da-admin-home");
        const browserLog = path.join(dir, "browser.log");
        fs.mkdirSync(home, { recursive: true });
        fs.writeFileSync(browserLog, "");
        const env = {
            ...cluster.env,
            // A browser opener on PATH, as on a desktop; kubelogin caches tokens under $HOME.
            PATH: `${path.join(__dirname, "browser")}:${cluster.env.PATH}`,
            HOME: home,
            KUBE_ACCESS_TEST_BROWSER_USERNAME: "da-admin",
            KUBE_ACCESS_TEST_BROWSER_PASSWORD: oidcPassword,
            KUBE_ACCESS_TEST_BROWSER_LOG: browserLog,
            NODE_EXTRA_CA_CERTS: cluster.info.keycloakCaCertificatePath,
        };
        const kubectl = (...args: string[]) =>
            phase(`kubectl ${args.slice(0, 2).join(" ")} as da-admin`, () =>
                run(cluster.info.kubectl, ["--kubeconfig", file, ...args], { env, check: false }),
            );
        const first = await kubectl("auth", "whoami", "-o", "json");
        expect({ code: first.code, stderr: first.code === 0 ? "" : first.stderr }).toEqual({ code: 0, stderr: "" });
        const me = JSON.parse(first.stdout).status.userInfo;
        expect(me.username).toBe("oidc:da-admin");
        expect(me.groups).toEqual(expect.arrayContaining(["oidc:admins"]));
        expect(fs.readFileSync(browserLog, "utf8").trim().split("\n")).toHaveLength(1);

        const second = await kubectl("auth", "can-i", "create", "rolebindings", "-n", "default");
        expect(second.stdout.trim()).toBe("yes"); // admins: admin in default
        const third = await kubectl("auth", "can-i", "list", "pods", "-n", "kube-system");
        expect(third.stdout.trim()).toBe("no");
        expect(fs.readFileSync(browserLog, "utf8").trim().split("\n")).toHaveLength(1);
        for (const cached of fs.readdirSync(path.join(home, ".kube", "cache", "oidc-login"))) {
            const text = fs.readFileSync(path.join(home, ".kube", "cache", "oidc-login", cached), "utf8");
            if (text.includes("id_token")) seenSecrets.push(JSON.parse(text).id_token);
        }
    });

    test("the admins group, whose only member logs in through OIDC, is bound as oidc:admins only: a certificate with O=admins gains nothing", async () => {
        const bindings = await cluster.kubectl(["get", "rolebindings", "-n", "default", "-o", "name"]);
        expect(bindings.stdout).toContain("rolebinding.rbac.authorization.k8s.io/kube-access:admins:group:oidc:admins");
        expect(bindings.stdout).not.toContain("kube-access:admins:group:admins\n");
        expect(
            await cluster.kubectl(
                ["auth", "can-i", "create", "rolebindings", "-n", "default", "--as=x", "--as-group=admins"],
                {
                    check: false,
                },
            ),
        ).toMatchObject({ stdout: "no\n" });
    });

    test("an ID token from the article's password grant is accepted, and the program's group binding applies", async () => {
        const file = tokenKubeconfig("da-admin-token", await passwordGrantIdToken());
        const me = await whoami(file);
        expect(me.username).toBe("oidc:da-admin");
        expect(me.groups).toEqual(expect.arrayContaining(["oidc:admins"]));
        expect(await canI(file, "create", "rolebindings", "-n", "default")).toBe(true);
        expect(await canI(file, "list", "pods", "-n", "kube-system")).toBe(false);
    });

    test("scripts/oidc-token.ts does the password grant from the stack's kubeconfig, password from the environment", async () => {
        const file = kubeconfigFile("da-admin", kubeconfigs["da-admin"]);
        const result = await run("node", scriptArgs("oidc-token", ["--kubeconfig", file, "--username", "da-admin"]), {
            env: { ...process.env, KUBE_ACCESS_OIDC_PASSWORD: oidcPassword },
        });
        const token = /^ID_TOKEN=(.+)$/m.exec(result.stdout)![1];
        seenSecrets.push(token);
        const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
        expect(claims).toMatchObject({ preferred_username: "da-admin", groups: ["admins"], aud: "kubernetes" });
        expect(claims.iss).toBe(`${cluster.info.keycloakUrl}/realms/${realm}`);
    });
});

describe("lifecycle", () => {
    test("a second pulumi up makes no changes", async () => {
        await phase("preview --expect-no-changes", () => workspace.preview({ expectNoChanges: true }));
        const up = await phase("second up", () => workspace.up({ expectNoChanges: true }));
        expect(up.stdout).not.toMatch(/\d+ (created|updated|deleted|replaced)/);
    });

    test("the CSR and token resources store the admin kubeconfig's stack config key as plain text, and the token as a secret", async () => {
        // The key names where the kubeconfig is; a secret would only cost the engine an encryption per checkpoint.
        const resources = JSON.parse(await workspace.exportState()).deployment.resources as {
            type: string;
            outputs?: Record<string, unknown>;
        }[];
        const dynamic = resources.filter((r) => /ClusterSignedCertificate|ServiceAccountToken/.test(r.type));
        expect(new Set(dynamic.map((r) => r.type.split(":").pop()))).toEqual(
            new Set(["ClusterSignedCertificate", "ServiceAccountToken"]),
        );
        for (const r of dynamic) {
            expect({ type: r.type, kubeconfig: r.outputs?.kubeconfig }).toEqual({
                type: r.type,
                kubeconfig: { stackConfigKey: "kube-access:clusterKubeconfig" },
            });
            if (r.type.endsWith("ServiceAccountToken")) expect(r.outputs?.token).toHaveProperty("ciphertext");
        }
    });

    test("the components record neither the user summaries nor the certificates, which the stack outputs and the certificate resources hold", async () => {
        const resources = JSON.parse(await workspace.exportState()).deployment.resources as {
            type: string;
            outputs?: Record<string, unknown>;
        }[];
        const kubeAccess = resources.filter((r) => r.type === "kube-access:index:KubeAccess");
        expect(kubeAccess).toHaveLength(1);
        expect(kubeAccess[0].outputs ?? {}).not.toHaveProperty("users");
        const certificateUsers = resources.filter((r) => r.type === "kube-access:certificates:CertificateUser");
        expect(certificateUsers.length).toBeGreaterThan(0);
        for (const r of certificateUsers) {
            expect(r.outputs ?? {}).not.toHaveProperty("certificatePem");
            // What the policy pack reads (policy/rules.ts) stays.
            expect(Object.keys(r.outputs ?? {})).toEqual(
                expect.arrayContaining(["subject", "expiresAt", "validityHours", "renewBeforeHours"]),
            );
        }
    });

    test("a plain pulumi up inside the renewal window re-issues the externally signed certificate, and the new one works", async () => {
        const before = certificateOf(kubeconfigs.user1);
        const user2Before = certificateOf(kubeconfigs.user2);
        // user1's certificate lives 2 hours and renews in its last hour. The
        // program and its dynamic providers (Node.js) run 70 minutes ahead; the
        // tls provider signs at the real time.
        await deploy(accessConfig(), "pulumi up 70 minutes later (faketime)", {
            ...faketimeAhead(70),
        });
        const after = certificateOf(kubeconfigs.user1);
        expect(after.serialNumber).not.toBe(before.serialNumber);
        expect(Date.parse(after.validFrom)).toBeGreaterThanOrEqual(Date.parse(before.validFrom));
        expect(certificateOf(kubeconfigs.user2).serialNumber).toBe(user2Before.serialNumber);
        const me = await whoami(kubeconfigFile("user1", kubeconfigs.user1));
        expect(me.username).toBe("user1");
        privateKeyOf(kubeconfigs.user1);
        // Back at the real time, nothing is due.
        await phase("preview --expect-no-changes after renewal", () => workspace.preview({ expectNoChanges: true }));
    });

    test("a change of validity re-issues the cluster-signed certificate", async () => {
        const before = certificateOf(kubeconfigs.user2);
        const config = accessConfig();
        config["kube-access:users"][1].auth.validityHours = 48;
        await deploy(config, "pulumi up (validity changed)");
        const after = certificateOf(kubeconfigs.user2);
        expect(after.serialNumber).not.toBe(before.serialNumber);
        expect(Date.parse(after.validTo) - Date.parse(after.validFrom)).toBeGreaterThan(47 * 3600 * 1000);
        expect((await cluster.kubectl(["get", "csr", "-o", "name"])).stdout.trim()).toBe("");
    });

    test("removed users are refused: 403 once their bindings are gone, 401 once the token is gone; a removed OIDC user is deleted from Keycloak and their token is refused once it expires", async () => {
        const temp1File = kubeconfigFile("temp1", kubeconfigs.temp1, temp1.keyPem);
        const sa1File = kubeconfigFile("sa1", kubeconfigs.sa1);
        // Something in sa1's namespace that kube-access did not create.
        await cluster.kubectl(["create", "configmap", "team-settings", "-n", "ci", "--from-literal=owner=team"]);
        expect(await canI(temp1File, "list", "pods", "-n", "default")).toBe(true);
        const idToken = await passwordGrantIdToken();
        const expiresAt = JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString()).exp * 1000;
        const daAdminFile = tokenKubeconfig("da-admin-before-removal", idToken);

        const config = accessConfig();
        config["kube-access:users"][1].auth.validityHours = 48;
        config["kube-access:users"] = config["kube-access:users"].filter(
            (u) => !["temp1", "sa1", "da-admin"].includes(u.name),
        );
        config["kube-access:bindings"] = config["kube-access:bindings"].filter(
            (b) => !["temp1-view", "ci-deployer"].includes(b.name),
        );
        await workspace.configure(cluster.pointStackAt(config).config, {});
        // A removed OIDC user's initial password goes too (validation refuses passwords of unknown users).
        await workspace.removeConfig("kube-access:oidcInitialPasswords.da-admin");
        const preview = await phase("preview (users removed)", () => workspace.preview());
        expect(preview.stdout).toMatch(/- .*kube-access:temp1-view:user:temp1/);
        expect(preview.stdout).toMatch(/- .*kube-access:ci-deployer:serviceaccount:ci:sa1/);
        expect(preview.stdout).toMatch(/- .*keycloak:index\/user:User/);
        // Only deletions: nothing else is created, updated or replaced.
        expect(preview.stdout).toMatch(/- \d+ to delete/);
        expect(preview.stdout).not.toMatch(/to (create|update|replace)/);
        // The users output is keyed by name: each removed user shows as removed, not as a renamed entry.
        for (const name of ["temp1", "sa1", "da-admin"])
            expect(preview.stdout).toMatch(new RegExp(`- +"?${name}"? *:`));
        expect(preview.stdout).not.toMatch(/name *: *"(temp1|sa1|da-admin)" *=>/);
        await deploy(config, "pulumi up (users removed)");
        // sa1 asked for namespace ci; kube-access stops managing it but never deletes it or what is in it.
        expect(
            (await cluster.kubectl(["get", "configmap", "team-settings", "-n", "ci", "-o", "name"])).stdout.trim(),
        ).toBe("configmap/team-settings");

        const forbidden = await cluster.kubectl(["get", "pods", "-n", "default"], {
            kubeconfig: temp1File,
            check: false,
        });
        expect(forbidden.stderr).toMatch(/forbidden/i);
        const unauthorized = await cluster.kubectl(["get", "pods", "-n", "ci"], { kubeconfig: sa1File, check: false });
        expect(unauthorized.stderr).toMatch(/Unauthorized|must be logged in/);
        expect(await canI(kubeconfigFile("user2", kubeconfigs.user2), "list", "pods", "--all-namespaces")).toBe(true);

        // Keycloak: the user is gone (with the realm, which the stack made for OIDC users only).
        expect(await keycloak.realmExists(realm)).toBe(false);
        // The API server checks a token's signature and expiry, not whether the
        // user still exists: the token minted before removal works until it expires.
        if (Date.now() < expiresAt - 5000) {
            expect((await whoami(daAdminFile)).username).toBe("oidc:da-admin");
        }
        await phase("waiting for the removed user's token to expire", async () => {
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 5000));
        });
        const expired = await cluster.kubectl(["get", "pods", "-n", "default"], {
            kubeconfig: daAdminFile,
            check: false,
        });
        expect(expired.stderr).toMatch(/Unauthorized|must be logged in/);
    });

    test("state and logs hold no private key, token, client secret, password or kubeconfig in plain text", async () => {
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

    test("pulumi destroy leaves none of the program's objects in the cluster or in Keycloak", async () => {
        await workspace.configure(cluster.pointStackAt(accessConfig()).config, {
            "kube-access:oidcInitialPasswords.da-admin": oidcPassword,
        });
        await deploy(accessConfig(), "pulumi up (everyone back)");
        expect(await keycloak.realmExists(realm)).toBe(true);
        await phase("pulumi destroy", () => workspace.destroy());
        // Namespaces are never deleted by kube-access (they may hold others' objects): ci stays.
        expect((await cluster.kubectl(["get", "namespace", "ci", "-o", "name"])).stdout.trim()).toBe("namespace/ci");
        const managed = await cluster.kubectl([
            "get",
            "clusterrolebindings,rolebindings,serviceaccounts,secrets",
            "--all-namespaces",
            "-l",
            "app.kubernetes.io/managed-by=kube-access",
            "-o",
            "name",
        ]);
        expect(managed.stdout.trim()).toBe("");
        expect((await cluster.kubectl(["get", "csr", "-o", "name"])).stdout.trim()).toBe("");
        expect(await keycloak.realmExists(realm)).toBe(false);
        const state = JSON.parse(await workspace.exportState());
        expect(
            (state.deployment.resources ?? []).filter((r: { type: string }) => !r.type.startsWith("pulumi:")),
        ).toEqual([]);
    });
});

describe("OIDC in a realm that exists before the stack (createRealm: false)", () => {
    const existing = "team-realm";

    test("the program adds its client, mappers, groups and users, and destroy removes them and leaves the realm", async () => {
        await keycloak.createEmptyRealm(existing);
        const { config, secrets } = cluster.pointStackAt({
            "kube-access:cluster": { name: "e2e" },
            "kube-access:users": [
                {
                    name: "dev1",
                    groups: ["devs"],
                    auth: { method: "oidc", email: "dev1@example.com", firstName: "Dev", lastName: "One" },
                },
            ],
            "kube-access:oidc": { issuerUrl: "https://set-by-pointStackAt", realm: existing, createRealm: false },
        });
        const stack = await PulumiWorkspace.create({
            dir: path.join(dir, "pulumi-existing-realm"),
            stack: "existing",
            config,
            secrets,
            echo: "[pulumi]",
        });
        await phase("pulumi up (existing realm)", () => stack.up());
        expect(await keycloak.client(existing, "kubernetes")).toBeDefined();
        expect(await keycloak.groups(existing)).toEqual(["devs"]);
        expect(await keycloak.users(existing)).toEqual(["dev1"]);

        await phase("pulumi destroy (existing realm)", () => stack.destroy());
        expect(await keycloak.realmExists(existing)).toBe(true);
        expect(await keycloak.client(existing, "kubernetes")).toBeUndefined();
        expect(await keycloak.groups(existing)).toEqual([]);
        expect(await keycloak.users(existing)).toEqual([]);
        await keycloak.deleteRealm(existing);
    });
});
