import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../harness/localCluster";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { form, httpsRequest } from "../../scripts/lib/https";
import { run, scriptArgs, toolEnv } from "../harness/toolEnv";
import { renderKubeconfig } from "../../components/kubeconfig/render";
import { oidcKubeconfig } from "../../components/oidc/kubeconfigCredential";
import { apiServerUsername } from "../../components/model/identity";
import { validateAccessSpec } from "../../components/access/validate";
import { opensslCsr } from "../helpers/fixtures";
import { findPlainSecrets } from "./secrets";
import { KeycloakAdmin } from "./keycloakAdmin";
import { UserChecks } from "./userChecks";
import { clusterPorts } from "../harness/ports";

/*
 * Issue #10's real-world reports, through the real Pulumi engine, a real
 * kube-apiserver and kube-controller-manager, Keycloak and kubectl:
 *
 * 1-2. users' own CSRs as people make them (keytool's NEW CERTIFICATE REQUEST
 *      label with CRLF, base64 of PEM; RSA-4096 signed with SHA-512, RSASSA-PSS,
 *      ECDSA, Ed25519) are signed by the cluster signer (CSR API) and, when the
 *      tls provider is installed, by the external signer; kubectl then
 *      authenticates with each.
 * 3-6. when the keycloak provider is installed: an OIDC user with
 *      `usernameClaim: email` and `email: Da.Admin@Example.COM` in a public
 *      client that allows the device grant: the token, the binding and the
 *      users output agree on `oidc:da.admin@example.com`; a device request
 *      without PKCE (what kubelogin sends) is accepted; no secret in the
 *      kubeconfig. Always: kubectl (1.37) runs the `auth-provider: oidc`
 *      kubeconfig once it holds tokens, and refuses it as delivered.
 * 7.   changing the admin kubeconfig's cluster entry (renamed, a proxy-url,
 *      rotated credentials) previews as an update of the provider with no
 *      replacement, and nothing managed is recreated.
 *
 * Ports differ from the demo's and the other suites' so they never collide.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-e2e-reports-"));
const ports = clusterPorts.realWorldInputs;

/** Resource plugins the engine has (tls and keycloak may still be missing on this machine). */
function installedProviders(): string[] {
    const env = toolEnv();
    const plugins = JSON.parse(execFileSync("pulumi", ["plugin", "ls", "--json"], { env, encoding: "utf8" })) as {
        name: string;
        kind: string;
    }[];
    return plugins.filter((p) => p.kind === "resource").map((p) => p.name);
}
const providers = installedProviders();
const hasTls = providers.includes("tls");
const hasKeycloak = providers.includes("keycloak");

const keytool = (pem: string) => pem.replace(/CERTIFICATE REQUEST-----/g, "NEW CERTIFICATE REQUEST-----");
const crlf = (s: string) => s.replace(/\n/g, "\r\n");
const pss = ["-newkey", "rsa:2048", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"];

/** One user who brings their own key and CSR: the form pasted into config, and what the API server must see. */
interface CsrUser {
    name: string;
    groups: string[];
    signer: "cluster" | "external";
    keyPem: string;
    pasted: string;
}
function csrUser(
    name: string,
    groups: string[],
    signer: "cluster" | "external",
    keyArgs: string[],
    paste: (pem: string) => string,
): CsrUser {
    const { keyPem, csrPem } = opensslCsr(`/CN=${name}${groups.map((g) => `/O=${g}`).join("")}`, keyArgs);
    return { name, groups, signer, keyPem, pasted: paste(csrPem) };
}
const csrUsers: CsrUser[] = [
    // The issue's values: keytool's label (here also with Windows line endings), and cfssl's SHA-512 for 4096-bit keys.
    csrUser("alice", ["devs"], "cluster", ["-newkey", "rsa:2048"], (p) => crlf(keytool(p))),
    csrUser("dave", ["ops"], "cluster", ["-newkey", "rsa:4096", "-sha512"], (p) => p),
    csrUser("pat", ["devs"], "cluster", pss, (p) => Buffer.from(p).toString("base64")),
    csrUser("erin", ["devs"], "cluster", ["-newkey", "ed25519"], (p) => p),
    csrUser("eve", ["devs"], "cluster", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha512"], (p) => p),
    ...(hasTls
        ? [
              csrUser("alice-ext", ["devs"], "external", ["-newkey", "rsa:2048"], (p) =>
                  Buffer.from(keytool(p)).toString("base64"),
              ),
              csrUser("dave-ext", ["ops"], "external", ["-newkey", "rsa:4096", "-sha512"], (p) => crlf(p)),
              csrUser("pat-ext", ["devs"], "external", pss, (p) => `request of pat-ext:\n${p}`),
              csrUser("erin-ext", ["devs"], "external", ["-newkey", "ed25519"], keytool),
          ]
        : []),
];
const oidcPassword = crypto.randomBytes(18).toString("base64url");
const oidcUser = { name: "da.admin", email: "Da.Admin@Example.COM" };

let cluster: LocalCluster;
let workspace: PulumiWorkspace;
let kubeconfigs: Record<string, string>;
const seenSecrets: string[] = [oidcPassword, ...csrUsers.map((u) => u.keyPem.split("\n")[1])];

function accessConfig(): Record<string, unknown> {
    return {
        "kube-access:cluster": { name: "reports" },
        "kube-access:users": [
            ...csrUsers.map((u) => ({
                name: u.name,
                groups: u.groups,
                auth: { method: "certificate", signer: u.signer, certificateRequest: u.pasted, validityHours: 24 },
            })),
            { name: "sa1", auth: { method: "serviceAccount", namespace: "reports-ci", createNamespace: true } },
            ...(hasKeycloak
                ? [
                      {
                          name: oidcUser.name,
                          groups: ["admins"],
                          auth: { method: "oidc", email: oidcUser.email, firstName: "Da", lastName: "Admin" },
                      },
                  ]
                : []),
        ],
        "kube-access:bindings": [
            { name: "devs-view", clusterRole: "view", namespaces: ["default"], subjects: [{ group: "devs" }] },
            { name: "ops-edit", clusterRole: "edit", namespaces: ["default"], subjects: [{ group: "ops" }] },
            { name: "ci-deployer", clusterRole: "edit", namespaces: ["reports-ci"], subjects: [{ user: "sa1" }] },
            ...(hasKeycloak
                ? [
                      {
                          name: "da-view",
                          clusterRole: "view",
                          namespaces: ["default"],
                          subjects: [{ user: oidcUser.name }],
                      },
                  ]
                : []),
        ],
        "kube-access:oidc": {
            issuerUrl: "https://set-by-pointStackAt/realms/reports",
            realm: "reports",
            usernameClaim: "email",
            kubeloginGrantType: "device-code",
            // The article's password grant, used here to get a token without a browser.
            directAccessGrants: true,
            temporaryPasswords: false,
        },
    };
}

const checks = () => new UserChecks(cluster, dir);
const kubeconfigFile = (name: string, text: string, keyPem?: string) => checks().kubeconfigFile(name, text, keyPem);
const whoami = (kubeconfig: string) => checks().whoami(kubeconfig);
const canI = (kubeconfig: string, ...args: string[]) => checks().canI(kubeconfig, ...args);

/** The stack's access spec as the program validates it. */
function deployedSpec() {
    const { config, secrets } = cluster.pointStackAt(accessConfig());
    const raw = Object.fromEntries(
        Object.entries({ ...config, ...secrets })
            .filter(([k]) => k.startsWith("kube-access:"))
            .map(([k, v]) => [k.slice("kube-access:".length), v]),
    );
    return validateAccessSpec(raw, { secretKeys: Object.keys(secrets).map((k) => k.slice("kube-access:".length)) });
}

async function passwordGrant(clientId: string, username: string, clientSecret?: string) {
    const issuer = `${cluster.info.keycloakUrl}/realms/reports`;
    const response = await httpsRequest(`${issuer}/protocol/openid-connect/token`, {
        method: "POST",
        ...form({
            grant_type: "password",
            scope: "openid",
            client_id: clientId,
            ...(clientSecret ? { client_secret: clientSecret } : {}),
            username,
            password: oidcPassword,
        }),
        ca: cluster.read(cluster.info.keycloakCaCertificatePath),
    });
    expect({ status: response.status, body: response.status === 200 ? "" : response.body }).toEqual({
        status: 200,
        body: "",
    });
    const tokens = JSON.parse(response.body) as { id_token: string; refresh_token: string };
    seenSecrets.push(tokens.id_token, tokens.refresh_token);
    return tokens;
}

beforeAll(async () => {
    console.log(
        `[e2e reports] providers: ${providers.join(", ")}; external signer cases ${hasTls ? "run" : "SKIPPED (no tls provider)"}; ` +
            `program-made Keycloak cases ${hasKeycloak ? "run" : "SKIPPED (no keycloak provider)"}`,
    );
    cluster = await LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]");
    const { config, secrets } = cluster.pointStackAt(accessConfig());
    for (const value of Object.values(secrets)) seenSecrets.push(value.split("\n").find((l) => l.length > 40) ?? value);
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "pulumi"),
        stack: "reports",
        config,
        secrets: {
            ...secrets,
            // --path syntax for a key with a dot in it.
            ...(hasKeycloak ? { [`kube-access:oidcInitialPasswords["${oidcUser.name}"]`]: oidcPassword } : {}),
        },
        echo: "[pulumi]",
    });
    await workspace.up();
    kubeconfigs = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
    const oidc = (await workspace.outputs(false)).oidc as { authenticationConfiguration: string };
    await cluster.setAuthenticationConfiguration(oidc.authenticationConfiguration, "[cluster]");
});

afterAll(async () => {
    if (workspace) await workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
    if (cluster) await cluster.stop();
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

describe("1-2. users' own CSRs in the forms and algorithms people use", () => {
    test.each(csrUsers.map((u) => [`${u.name} (${u.signer} signer)`, u] as const))(
        "%s: signed, and kubectl authenticates as the user in its groups",
        async (_d, user) => {
            const me = await whoami(kubeconfigFile(user.name, kubeconfigs[user.name], user.keyPem));
            expect(me.username).toBe(user.name);
            expect(me.groups).toEqual(expect.arrayContaining([...user.groups, "system:authenticated"]));
        },
    );

    test("permissions follow the groups: devs view, ops edit", async () => {
        const alice = kubeconfigFile("alice", kubeconfigs.alice, csrUsers[0].keyPem);
        const dave = kubeconfigFile("dave", kubeconfigs.dave, csrUsers[1].keyPem);
        expect(await canI(alice, "list", "pods", "-n", "default")).toBe(true);
        expect(await canI(alice, "create", "deployments", "-n", "default")).toBe(false);
        expect(await canI(dave, "create", "deployments", "-n", "default")).toBe(true);
    });
});

describe("3-6. OIDC identity, client type and grants", () => {
    (hasKeycloak ? test : test.skip)(
        "the token carries the email lower-cased, and the API server, the binding and the users output agree on it",
        async () => {
            const spec = deployedSpec();
            const user = spec.users.find((u) => u.name === oidcUser.name)!;
            const expected = apiServerUsername(user, spec.oidc);
            expect(expected).toBe("oidc:da.admin@example.com");

            // A public client: the password grant with the client id alone.
            const { id_token } = await passwordGrant("kubernetes", oidcUser.name);
            const claims = JSON.parse(Buffer.from(id_token.split(".")[1], "base64url").toString());
            expect(claims.email).toBe("da.admin@example.com");

            const file = kubeconfigFile(
                "da-token",
                renderKubeconfig({
                    cluster: spec.cluster,
                    userName: oidcUser.name,
                    credential: { kind: "token", token: id_token },
                }),
            );
            expect((await whoami(file)).username).toBe(expected);
            expect(await canI(file, "list", "pods", "-n", "default")).toBe(true); // da-view, bound by name
            expect(await canI(file, "list", "pods", "-n", "kube-system")).toBe(false);

            const users = Object.values(
                (await workspace.outputs(false)).users as Record<string, { name: string; identity: string }>,
            );
            expect(users.find((u) => u.name === oidcUser.name)!.identity).toBe(expected);
        },
    );

    (hasKeycloak ? test : test.skip)(
        "the kubeconfig selects the device flow and holds no secret; Keycloak accepts a device request without PKCE, as kubelogin sends it",
        async () => {
            const exec = YAML.parse(kubeconfigs[oidcUser.name]).users[0].user.exec;
            expect(exec.args).toContain("--grant-type=device-code");
            expect(kubeconfigs[oidcUser.name]).not.toMatch(/client-secret/);
            const response = await httpsRequest(
                `${cluster.info.keycloakUrl}/realms/reports/protocol/openid-connect/auth/device`,
                {
                    method: "POST",
                    ...form({ client_id: "kubernetes", scope: "openid email profile" }),
                    ca: cluster.read(cluster.info.keycloakCaCertificatePath),
                },
            );
            expect({ status: response.status, body: response.status === 200 ? "" : response.body }).toEqual({
                status: 200,
                body: "",
            });
            expect(JSON.parse(response.body)).toHaveProperty("user_code");
        },
    );

    (hasKeycloak ? test : test.skip)(
        "the client is public and Keycloak does not enforce PKCE on it; with enforcement (the control) the same device request is refused",
        async () => {
            const keycloak = new KeycloakAdmin(cluster);
            const client = (await keycloak.client("reports", "kubernetes"))!;
            expect(client.publicClient).toBe(true);
            expect(client.attributes?.["pkce.code.challenge.method"] ?? "").toBe("");
            const deviceRequest = () =>
                httpsRequest(`${cluster.info.keycloakUrl}/realms/reports/protocol/openid-connect/auth/device`, {
                    method: "POST",
                    ...form({ client_id: "kubernetes", scope: "openid" }),
                    ca: cluster.read(cluster.info.keycloakCaCertificatePath),
                });
            await keycloak.updateClient("reports", {
                ...client,
                attributes: { ...client.attributes, "pkce.code.challenge.method": "S256" },
            });
            try {
                const refused = await deviceRequest();
                expect(refused.status).toBe(400);
                expect(refused.body).toContain("code_challenge_method");
            } finally {
                // Keycloak merges attributes, so the setting is cleared explicitly.
                await keycloak.updateClient("reports", {
                    ...client,
                    attributes: { ...client.attributes, "pkce.code.challenge.method": "" },
                });
            }
            expect((await deviceRequest()).status).toBe(200);
        },
    );

    (hasKeycloak ? test : test.skip)(
        "scripts/oidc-token.ts: the password grant works from the public client's kubeconfig; introspection says it needs a confidential client",
        async () => {
            const file = kubeconfigFile("da-oidc-token", kubeconfigs[oidcUser.name]);
            const env = { ...process.env, KUBE_ACCESS_OIDC_PASSWORD: oidcPassword };
            const login = await run(
                "node",
                scriptArgs("oidc-token", ["--kubeconfig", file, "--username", oidcUser.name]),
                { env },
            );
            const token = /^ID_TOKEN=(.+)$/m.exec(login.stdout)![1];
            seenSecrets.push(token);
            expect(JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString())).toMatchObject({
                email: "da.admin@example.com",
                aud: "kubernetes",
            });
            const introspect = await run("node", scriptArgs("oidc-token", ["--kubeconfig", file, "--introspect"]), {
                env: { ...process.env, KUBE_ACCESS_OIDC_TOKEN: token },
                check: false,
            });
            expect(introspect.code).toBe(2);
            expect(introspect.stderr).toMatch(/token introspection needs a confidential client/);
        },
    );

    (hasKeycloak ? test : test.skip)(
        "kubectl refuses the auth-provider kubeconfig as delivered, and runs it once it holds the tokens the first step writes",
        async () => {
            const spec = deployedSpec();
            const oidc = { ...spec.oidc!, kubeconfigStyle: "auth-provider" as const };
            const delivered = oidcKubeconfig(spec.cluster, oidcUser.name, oidc);
            const refused = await cluster.kubectl(["auth", "whoami"], {
                kubeconfig: kubeconfigFile("da-auth-provider", delivered),
                check: false,
            });
            expect(refused.code).not.toBe(0);
            expect(refused.stderr).toContain("No valid id-token, and cannot refresh without refresh-token");

            // What `kubectl oidc-login --kubeconfig <file>` (kubelogin's standalone mode) writes into the file.
            const tokens = await passwordGrant("kubernetes", oidcUser.name);
            const doc = YAML.parse(delivered);
            Object.assign(doc.users[0].user["auth-provider"].config, {
                "id-token": tokens.id_token,
                "refresh-token": tokens.refresh_token,
            });
            const file = kubeconfigFile("da-auth-provider-logged-in", YAML.stringify(doc));
            expect((await whoami(file)).username).toBe("oidc:da.admin@example.com");
        },
    );
});

/** An HTTP CONNECT proxy on loopback that counts the tunnels it opens. */
function startProxy(): Promise<{ url: string; tunnels: () => number; close: () => void }> {
    let tunnels = 0;
    const server = http.createServer((_req, res) => res.writeHead(405).end());
    server.on("connect", (req, socket: net.Socket, head) => {
        const [host, port] = (req.url ?? "").split(":");
        const upstream = net.connect(Number(port), host, () => {
            tunnels++;
            socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            upstream.write(head);
            upstream.pipe(socket);
            socket.pipe(upstream);
        });
        upstream.on("error", () => socket.destroy());
        socket.on("error", () => upstream.destroy());
    });
    return new Promise((resolve) =>
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            resolve({ url: `http://127.0.0.1:${port}`, tunnels: () => tunnels, close: () => server.close() });
        }),
    );
}

/** A new admin client certificate from the cluster CA: the admin's credentials, rotated. */
function rotatedAdminCredentials(): { certificatePem: string; keyPem: string } {
    const work = fs.mkdtempSync(path.join(dir, "rotated-"));
    const { keyPem, csrPem } = opensslCsr("/CN=kube-access-e2e-rotated-admin/O=system:masters");
    fs.writeFileSync(path.join(work, "admin.csr"), csrPem);
    fs.writeFileSync(
        path.join(work, "ext"),
        "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n",
    );
    execFileSync(
        "openssl",
        [
            "x509",
            "-req",
            "-in",
            "admin.csr",
            "-CA",
            cluster.info.caCertificatePath,
            "-CAkey",
            cluster.info.caKeyPath,
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "ext",
            "-out",
            "admin.crt",
        ],
        { cwd: work, stdio: "ignore" },
    );
    return { certificatePem: fs.readFileSync(path.join(work, "admin.crt"), "utf8"), keyPem };
}

describe("7. the admin kubeconfig's cluster entry changes: the provider is updated, nothing is replaced", () => {
    test("renamed cluster, a proxy-url and rotated credentials: preview --diff shows updates and no replacement; up keeps every object", async () => {
        const uidsBefore = await managedUids();
        const sa1Before = kubeconfigs.sa1;
        const proxy = await startProxy();
        try {
            const admin = YAML.parse(cluster.read(cluster.info.adminKubeconfigPath));
            const rotated = rotatedAdminCredentials();
            seenSecrets.push(rotated.keyPem.split("\n")[1]);
            const b64 = (s: string) => Buffer.from(s).toString("base64");
            const changed = {
                ...admin,
                clusters: [
                    { name: "renamed-cluster", cluster: { ...admin.clusters[0].cluster, "proxy-url": proxy.url } },
                ],
                users: [
                    {
                        name: "rotated-admin",
                        user: {
                            "client-certificate-data": b64(rotated.certificatePem),
                            "client-key-data": b64(rotated.keyPem),
                        },
                    },
                ],
                contexts: [{ name: "renamed", context: { cluster: "renamed-cluster", user: "rotated-admin" } }],
                "current-context": "renamed",
            };
            // The rotated credentials work on their own, through the proxy.
            const changedFile = path.join(dir, "admin-changed.kubeconfig");
            fs.writeFileSync(changedFile, YAML.stringify(changed), { mode: 0o600 });
            expect((await whoami(changedFile)).username).toBe("kube-access-e2e-rotated-admin");

            // One new binding too, so the provider must reach the cluster with the new kubeconfig.
            const config = accessConfig();
            (config["kube-access:bindings"] as unknown[]).push({
                name: "after-rotation",
                clusterRole: "view",
                namespaces: ["reports-ci"],
                subjects: [{ group: "ops" }],
            });
            await workspace.configure(cluster.pointStackAt(config).config, {
                "kube-access:clusterKubeconfig": YAML.stringify(changed),
            });
            const preview = await workspace.preview();
            const out = preview.stdout;
            expect(out).toMatch(/~ pulumi:providers:kubernetes/);
            expect(out).toMatch(/~ \d+ to update/);
            expect(out).toMatch(/\+ 1 to create/);
            expect(out).not.toMatch(/to replace|to delete|\+-|-\+|replaced/);

            await workspace.up();
            kubeconfigs = (await workspace.outputs(true)).kubeconfigs as Record<string, string>;
            expect(proxy.tunnels()).toBeGreaterThan(0);
            const created = await cluster.kubectl([
                "get",
                "rolebinding",
                "-n",
                "reports-ci",
                "kube-access:after-rotation:group:ops",
                "-o",
                "name",
            ]);
            expect(created.stdout.trim()).toBe(
                "rolebinding.rbac.authorization.k8s.io/kube-access:after-rotation:group:ops",
            );
            // Same objects (same UIDs), same service-account token.
            const uidsAfter = await managedUids();
            for (const [object, uid] of Object.entries(uidsBefore))
                expect({ object, uid: uidsAfter[object] }).toEqual({ object, uid });
            expect(kubeconfigs.sa1).toBe(sa1Before);
            await workspace.preview({ expectNoChanges: true });
        } finally {
            proxy.close();
        }
    });

    test("state and logs hold no key, token or kubeconfig in plain text", async () => {
        const state = await workspace.exportState();
        expect(findPlainSecrets(state, seenSecrets)).toEqual([]);
        expect(findPlainSecrets(fs.readFileSync(workspace.logFile, "utf8"), seenSecrets)).toEqual([]);
    });
});

/** UIDs of every object the program manages in the cluster, by kind/namespace/name. */
async function managedUids(): Promise<Record<string, string>> {
    const result = await cluster.kubectl([
        "get",
        "namespaces,serviceaccounts,secrets,rolebindings,clusterrolebindings",
        "--all-namespaces",
        "-l",
        "app.kubernetes.io/managed-by=kube-access",
        "-o",
        "json",
    ]);
    const items = JSON.parse(result.stdout).items as {
        kind: string;
        metadata: { namespace?: string; name: string; uid: string };
    }[];
    expect(items.length).toBeGreaterThan(3);
    return Object.fromEntries(
        items.map((i) => [`${i.kind}/${i.metadata.namespace ?? ""}/${i.metadata.name}`, i.metadata.uid]),
    );
}
