import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../../scripts/lib/localCluster";
import { PulumiWorkspace } from "../../scripts/lib/pulumiWorkspace";
import { form, httpsRequest } from "../../scripts/lib/https";
import { repoRoot } from "../../scripts/lib/toolEnv";
import { renderKubeconfig } from "../../components/kubeconfig/render";
import { findPlainSecrets } from "./secrets";

/*
 * Every auth path of the example stack (Pulumi.dev.yaml) through the real
 * Pulumi engine, a real kube-apiserver + controller manager and a real
 * Keycloak, checked with the real kubectl reading the generated kubeconfigs.
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
const oidcPassword = crypto.randomBytes(18).toString("base64url");
const timings: string[] = [];
let cluster: LocalCluster;
let workspace: PulumiWorkspace;
let baseConfig: Record<string, unknown>;
let kubeconfigs: Record<string, string>;
/** Secret values seen during the run; none may appear in state or logs. */
const seenSecrets: string[] = [oidcPassword];

async function phase<T>(label: string, step: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
        return await step();
    } finally {
        timings.push(`${label}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
}

/** The example stack plus what these tests need: a removable user, the password grant, a known password. */
function e2eConfig(): Record<string, unknown> {
    const config = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).config;
    config["kube-access:users"].push({
        name: "temp1",
        auth: { method: "certificate", signer: "external", validityHours: 24, renewBeforeHours: 2 },
    });
    config["kube-access:bindings"].push({
        name: "temp1-view",
        clusterRole: "view",
        namespaces: ["default"],
        subjects: [{ user: "temp1" }],
    });
    config["kube-access:oidc"] = { ...config["kube-access:oidc"], directAccessGrants: true, temporaryPasswords: false };
    return config;
}

function kubeconfigFile(name: string, text: string): string {
    const file = path.join(dir, `${name}.kubeconfig`);
    fs.writeFileSync(file, text, { mode: 0o600 });
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

beforeAll(async () => {
    cluster = await phase("start local cluster and Keycloak", () =>
        LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]"),
    );
    baseConfig = e2eConfig();
    const { config, secrets } = cluster.pointStackAt(baseConfig);
    seenSecrets.push(...Object.values(secrets).map((s) => s.split("\n").find((l) => l.length > 40) ?? s));
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
    await phase("API server trusts the issuer", () =>
        cluster.setAuthenticationConfiguration(oidc.authenticationConfiguration),
    );
});

afterAll(async () => {
    if (workspace) await workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
    if (cluster) await phase("stop local cluster", () => cluster.stop());
    console.log(`end-to-end timings:\n  ${timings.join("\n  ")}`);
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

describe("externally signed certificate (user1)", () => {
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
        expect(await canI(file, "create", "rolebindings", "-n", "default")).toBe(false);
    });
});

describe("cluster-signed certificate through the CSR API (user2)", () => {
    test("kubectl auth whoami shows the user and every group; permissions match", async () => {
        const file = kubeconfigFile("user2", kubeconfigs.user2);
        const me = await whoami(file);
        expect(me.username).toBe("user2");
        expect(me.groups).toEqual(expect.arrayContaining(["group1", "group2"]));
        expect(await canI(file, "create", "deployments", "-n", "default")).toBe(true);
        expect(await canI(file, "create", "deployments", "-n", "kube-system")).toBe(false);
    });

    test("the CSR was approved by kube-access and removed afterwards", async () => {
        const get = await cluster.kubectl(["get", "csr", "kube-access-user2"], { check: false });
        expect(get.stderr).toMatch(/NotFound/);
        const events = await cluster.kubectl(["get", "csr", "-o", "json"]);
        expect(JSON.parse(events.stdout).items).toEqual([]);
    });

    test("the expiry in the users output matches the issued certificate", async () => {
        const outputs = await workspace.outputs(false);
        const user2 = (outputs.users as { name: string; expiresAt: string }[]).find((u) => u.name === "user2")!;
        const doc = YAML.parse(kubeconfigs.user2);
        const pem = Buffer.from(doc.users[0].user["client-certificate-data"], "base64").toString();
        const certificate = new crypto.X509Certificate(pem);
        expect(new Date(certificate.validTo).toISOString()).toBe(user2.expiresAt);
        expect(certificate.issuer).toBe(
            new crypto.X509Certificate(cluster.read(cluster.info.caCertificatePath)).subject,
        );
    });
});

describe("service account (sa1)", () => {
    test("its token works, as system:serviceaccount:ci:sa1, with the bound permissions", async () => {
        const file = kubeconfigFile("sa1", kubeconfigs.sa1);
        const token = YAML.parse(kubeconfigs.sa1).users[0].user.token as string;
        seenSecrets.push(token);
        const me = await whoami(file);
        expect(me.username).toBe("system:serviceaccount:ci:sa1");
        expect(await canI(file, "create", "deployments", "-n", "ci")).toBe(true);
        expect(await canI(file, "list", "pods", "-n", "default")).toBe(false);
    });
});

describe("OIDC through Keycloak (da-admin)", () => {
    let idToken: string;
    let exec: { command: string; args: string[] };

    beforeAll(async () => {
        exec = YAML.parse(kubeconfigs["da-admin"]).users[0].user.exec;
        const arg = (name: string) =>
            exec.args
                .find((a) => a.startsWith(`--${name}=`))!
                .split("=")
                .slice(1)
                .join("=");
        const issuer = arg("oidc-issuer-url");
        const clientSecret = arg("oidc-client-secret");
        seenSecrets.push(clientSecret);
        // The article's password grant, for a user the program created.
        const grant = form({
            grant_type: "password",
            scope: "openid",
            client_id: arg("oidc-client-id"),
            client_secret: clientSecret,
            username: "da-admin",
            password: oidcPassword,
        });
        const response = await httpsRequest(`${issuer}/protocol/openid-connect/token`, {
            method: "POST",
            ...grant,
            ca: cluster.read(cluster.info.keycloakCaCertificatePath),
        });
        expect({ status: response.status, body: response.status === 200 ? "" : response.body }).toEqual({
            status: 200,
            body: "",
        });
        idToken = JSON.parse(response.body).id_token;
        seenSecrets.push(idToken);
    });

    test("the API server accepts the ID token with the configured prefixes", async () => {
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

    test("the kubelogin kubeconfig is well formed and names the right issuer and client", async () => {
        const view = await cluster.kubectl(["config", "view", "-o", "json"], {
            kubeconfig: kubeconfigFile("da-admin", kubeconfigs["da-admin"]),
        });
        const user = JSON.parse(view.stdout).users[0].user;
        expect(user.exec.command).toBe("kubectl");
        expect(user.exec.args).toEqual(
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
    });

    test("removed users are refused: 403 once the bindings are gone, 401 once the token is gone", async () => {
        const temp1 = kubeconfigFile("temp1", kubeconfigs.temp1);
        const sa1 = kubeconfigFile("sa1", kubeconfigs.sa1);
        expect(await canI(temp1, "list", "pods", "-n", "default")).toBe(true);

        const config = e2eConfig() as Record<string, { name: string }[]>;
        config["kube-access:users"] = config["kube-access:users"].filter((u) => !["temp1", "sa1"].includes(u.name));
        config["kube-access:bindings"] = config["kube-access:bindings"].filter(
            (b) => !["temp1-view", "ci-deployer"].includes(b.name),
        );
        await workspace.configure(cluster.pointStackAt(config).config, {});
        const preview = await workspace.preview();
        expect(preview.stdout).toMatch(/- .*kube-access:temp1-view:user:temp1/);
        expect(preview.stdout).toMatch(/- .*kube-access:ci-deployer:serviceaccount:ci:sa1/);
        expect(preview.stdout).not.toMatch(/kube-access:group1-view/);
        await phase("pulumi up (users removed)", () => workspace.up());

        const forbidden = await cluster.kubectl(["get", "pods", "-n", "default"], { kubeconfig: temp1, check: false });
        expect(forbidden.stderr).toMatch(/Forbidden|forbidden/);
        const unauthorized = await cluster.kubectl(["get", "pods", "-n", "ci"], { kubeconfig: sa1, check: false });
        expect(unauthorized.stderr).toMatch(/Unauthorized|must be logged in/);
        const stillThere = kubeconfigFile("user1", kubeconfigs.user1);
        expect(await canI(stillThere, "list", "pods", "--all-namespaces")).toBe(true);
    });

    test("state and logs hold no private key, token or kubeconfig in plain text", async () => {
        const state = await workspace.exportState();
        expect(findPlainSecrets(state, seenSecrets)).toEqual([]);
        expect(findPlainSecrets(workspace.backendFiles(), seenSecrets)).toEqual([]);
        expect(findPlainSecrets(fs.readFileSync(workspace.logFile, "utf8"), seenSecrets)).toEqual([]);
        for (const log of cluster.logFiles()) {
            expect({ log, found: findPlainSecrets(fs.readFileSync(log, "utf8"), seenSecrets.slice(1)) }).toEqual({
                log,
                found: [],
            });
        }
    });

    test("pulumi destroy leaves none of the program's objects in the cluster or in Keycloak", async () => {
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
        const csrs = await cluster.kubectl(["get", "csr", "-o", "name"]);
        expect(csrs.stdout.trim()).toBe("");
        const admin = await httpsRequest(`${cluster.info.keycloakUrl}/realms/master/protocol/openid-connect/token`, {
            method: "POST",
            ...form({
                grant_type: "password",
                client_id: "admin-cli",
                username: cluster.info.keycloakAdminUser,
                password: cluster.info.keycloakAdminPassword,
            }),
            ca: cluster.read(cluster.info.keycloakCaCertificatePath),
        });
        const realm = await httpsRequest(`${cluster.info.keycloakUrl}/admin/realms/kube-access`, {
            headers: { Authorization: `Bearer ${JSON.parse(admin.body).access_token}` },
            ca: cluster.read(cluster.info.keycloakCaCertificatePath),
        });
        expect(realm.status).toBe(404);
    });
});
