import * as crypto from "crypto";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    MockedKubeAccess,
    RecordedResource,
    isSecret,
    mockedKubeAccess,
    promiseOf,
    secretInput,
} from "./helpers/mocks";
import { testCa } from "./helpers/fixtures";
import { csrObjectName } from "../components/certificates/names";
import { decodeCsr } from "./helpers/x509";
import { toolEnv } from "./harness/toolEnv";

// Mock-based: shows what the program asks the providers for, not that it works
// against a cluster. The end-to-end suite (test/e2e) is the proof.
const ca = testCa();
let resources: RecordedResource[];
let access: MockedKubeAccess["access"];

const byType = (type: string): RecordedResource[] => resources.filter((r) => r.type === type);
const one = (type: string, nameIncludes: string): RecordedResource => {
    const found = byType(type).filter((r) => r.name.includes(nameIncludes));
    expect(found.map((r) => r.name)).toHaveLength(1);
    return found[0];
};

beforeAll(async () => {
    // The same CA as `ca` above: testCa() makes one per test file.
    ({ access, resources } = await mockedKubeAccess());
});

describe("externally signed certificate user", () => {
    test("an RSA-2048 key by default", () => {
        expect(one("tls:index/privateKey:PrivateKey", "user-user1").inputs).toMatchObject({
            algorithm: "RSA",
            rsaBits: 2048,
        });
    });

    test("the CSR carries CN=user1 and one O per group, and is signed with the CA key", () => {
        const cert = one("tls:index/locallySignedCert:LocallySignedCert", "user-user1");
        const csr = decodeCsr(cert.inputs.certRequestPem);
        expect(csr.commonNames).toEqual(["user1"]);
        expect(csr.organizations).toEqual(["group1", "group2"]);
        expect(csr.signatureValid).toBe(true);
        expect(cert.inputs).toMatchObject({
            caCertPem: ca.certificatePem,
            caPrivateKeyPem: secretInput(ca.privateKeyPem),
            validityPeriodHours: 8760,
            earlyRenewalHours: 720,
            allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
        });
    });

    test("a renewal schedule with the certificate's lifetime and window, keyed by what it is issued from", () => {
        const schedule = one("pulumi-nodejs:dynamic/certificates:CertificateRenewal", "user-user1");
        expect(schedule.inputs).toMatchObject({ validitySeconds: 8760 * 3600, renewBeforeSeconds: 720 * 3600 });
        // The CSR, the CA and the allowed uses, as stacks deployed before recorded them:
        // any other text would replace every externally signed certificate.
        const cert = one("tls:index/locallySignedCert:LocallySignedCert", "user-user1");
        const issuance = JSON.stringify([cert.inputs.certRequestPem, ca.certificatePem, cert.inputs.allowedUses]);
        expect(schedule.inputs.issuanceSha256).toBe(crypto.createHash("sha256").update(issuance).digest("hex"));
        expect(byType("pulumi-nodejs:dynamic/certificates:CertificateRenewal")).toHaveLength(1);
    });
});

describe("cluster-signed certificate user", () => {
    test("asks the kube-apiserver-client signer for an ECDSA client certificate", () => {
        const request = one("pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate", "user2");
        expect(request.inputs).toMatchObject({
            // Unique per stack: the mocks run project kube-access, stack test.
            objectName: csrObjectName("user2", "kube-access/test"),
            stackId: "kube-access/test",
            signerName: "kubernetes.io/kube-apiserver-client",
            usages: ["digital signature", "client auth"],
            expirationSeconds: 24 * 3600,
            renewBeforeSeconds: 2 * 3600,
            timeoutSeconds: 120,
            keepRequest: false,
            kubeconfig: secretInput("apiVersion: v1\nkind: Config\n"),
        });
        const csr = decodeCsr(request.inputs.requestPem);
        expect(csr.commonNames).toEqual(["user2"]);
        expect(csr.organizations).toEqual(["group1"]);
        expect(one("tls:index/privateKey:PrivateKey", "user-user2").inputs).toMatchObject({
            algorithm: "ECDSA",
            ecdsaCurve: "P256",
        });
    });

    test("no CA key is involved", () => {
        expect(byType("tls:index/locallySignedCert:LocallySignedCert").map((r) => r.name)).not.toContainEqual(
            expect.stringContaining("user2"),
        );
    });
});

describe("service-account user", () => {
    test("a ServiceAccount, a token Secret bound to it, and a reader for the token", () => {
        expect(one("kubernetes:core/v1:ServiceAccount", "user-sa1").inputs.metadata).toMatchObject({
            name: "sa1",
            namespace: "ci",
        });
        const secret = one("kubernetes:core/v1:Secret", "user-sa1");
        expect(secret.inputs).toMatchObject({
            type: "kubernetes.io/service-account-token",
            metadata: {
                namespace: "ci",
                // kube-access's reader waits for the token, not the kubernetes provider's 5 s.
                annotations: { "kubernetes.io/service-account.name": "sa1", "pulumi.com/skipAwait": "true" },
            },
        });
        const reader = one("pulumi-nodejs:dynamic/serviceAccounts:ServiceAccountToken", "sa1");
        expect(reader.inputs).toMatchObject({
            namespace: "ci",
            secretName: secret.inputs.metadata.name,
            secretUid: "uid-user-sa1-token",
            kubeconfig: secretInput("apiVersion: v1\nkind: Config\n"),
        });
    });

    test("no namespace is created unless asked", () => {
        expect(byType("kubernetes:core/v1:Namespace")).toHaveLength(0);
    });
});

describe("OIDC through Keycloak", () => {
    test("a realm and a public kubernetes client (no secret) with PKCE browser login, other grants off by default", () => {
        expect(one("keycloak:index/realm:Realm", "keycloak").inputs).toMatchObject({
            realm: "kube-access",
            enabled: true,
        });
        expect(one("keycloak:openid/client:Client", "keycloak").inputs).toMatchObject({
            clientId: "kubernetes",
            accessType: "PUBLIC",
            standardFlowEnabled: true,
            pkceCodeChallengeMethod: "S256",
            implicitFlowEnabled: false,
            directAccessGrantsEnabled: false,
            oauth2DeviceAuthorizationGrantEnabled: false,
            validRedirectUris: ["http://localhost:8000", "http://localhost:18000"],
        });
        // The realm's token lifetime applies unless oidc.tokenLifespanSeconds is set.
        expect(one("keycloak:openid/client:Client", "keycloak").inputs.accessTokenLifespan).toBeUndefined();
    });

    test("groups claim without full paths in ID and access tokens, and the client as audience", () => {
        expect(
            one("keycloak:openid/groupMembershipProtocolMapper:GroupMembershipProtocolMapper", "keycloak").inputs,
        ).toMatchObject({
            claimName: "groups",
            fullPath: false,
            addToIdToken: true,
            addToAccessToken: true,
        });
        expect(one("keycloak:openid/audienceProtocolMapper:AudienceProtocolMapper", "keycloak").inputs).toMatchObject({
            includedClientAudience: "kubernetes",
            addToIdToken: true,
            addToAccessToken: true,
        });
    });

    test("the user has email, names, verified email, a temporary initial password, and its groups", () => {
        expect(one("keycloak:index/group:Group", "admins").inputs).toMatchObject({ name: "admins" });
        expect(one("keycloak:index/user:User", "da-admin").inputs).toMatchObject({
            username: "da-admin",
            email: "da@example.com",
            firstName: "Da",
            lastName: "Admin",
            emailVerified: true,
            // The whole password object arrives as a secret.
            initialPassword: secretInput({ value: "initial-password", temporary: true }),
        });
        expect(one("keycloak:index/userGroups:UserGroups", "da-admin").inputs).toMatchObject({
            groupIds: ["keycloak-group-admins-id"],
            exhaustive: true,
        });
    });

    test("API server settings in both forms, from the same spec", () => {
        expect(access.oidc!.flags).toEqual([
            "--oidc-issuer-url=https://127.0.0.1:8443/realms/kube-access",
            "--oidc-client-id=kubernetes",
            "--oidc-username-claim=preferred_username",
            "--oidc-username-prefix=oidc:",
            "--oidc-groups-claim=groups",
            "--oidc-groups-prefix=oidc:",
        ]);
        expect(YAML.parse(access.oidc!.authenticationConfiguration)).toEqual({
            apiVersion: "apiserver.config.k8s.io/v1",
            kind: "AuthenticationConfiguration",
            jwt: [
                {
                    issuer: { url: "https://127.0.0.1:8443/realms/kube-access", audiences: ["kubernetes"] },
                    claimMappings: {
                        username: { claim: "preferred_username", prefix: "oidc:" },
                        groups: { claim: "groups", prefix: "oidc:" },
                    },
                },
            ],
        });
    });
});

describe("RBAC bindings", () => {
    test("one binding object per subject, named after the binding and the identity", () => {
        const clusterBindings = byType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
        expect(clusterBindings.map((b) => b.inputs.metadata.name).sort()).toEqual([
            "kube-access:clusterrole-view:group:group1",
            "kube-access:clusterrole-view:serviceaccount:ci:sa1",
        ]);
        const sa = clusterBindings.find((b) => b.inputs.metadata.name.includes("sa1"))!;
        expect(sa.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "sa1", namespace: "ci" }]);
        expect(sa.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" });
    });

    test("OIDC groups are bound with the groups prefix, in the named namespace only", () => {
        const roleBindings = byType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        expect(roleBindings).toHaveLength(1);
        expect(roleBindings[0].inputs).toMatchObject({
            metadata: { name: "kube-access:admins:group:oidc:admins", namespace: "default" },
            subjects: [{ kind: "Group", name: "oidc:admins", apiGroup: "rbac.authorization.k8s.io" }],
            roleRef: { kind: "ClusterRole", name: "admin" },
        });
    });
});

describe("outputs", () => {
    test("kubeconfigs is secret, and so is every credential", async () => {
        expect(await isSecret(access.kubeconfigs)).toBe(true);
        expect(await isSecret(access.users)).toBe(false);
    });

    test("each kubeconfig names the cluster, the user's credential, and a current context", async () => {
        const kubeconfigs = await promiseOf(access.kubeconfigs);
        expect(Object.keys(kubeconfigs).sort()).toEqual(["da-admin", "sa1", "user1", "user2"]);
        const user1 = YAML.parse(kubeconfigs.user1);
        expect(user1["current-context"]).toBe("user1@demo");
        expect(user1.clusters[0].cluster).toEqual({
            server: "https://127.0.0.1:6443",
            "certificate-authority-data": Buffer.from(ca.certificatePem).toString("base64"),
        });
        const key = Buffer.from(user1.users[0].user["client-key-data"], "base64").toString();
        expect(key).toMatch(/BEGIN RSA PRIVATE KEY/);
        expect(YAML.parse(kubeconfigs.sa1).users[0].user).toEqual({ token: "token-of-sa1-kube-access-token" });
        expect(YAML.parse(kubeconfigs.sa1).contexts[0].context.namespace).toBe("ci");
        const exec = YAML.parse(kubeconfigs["da-admin"]).users[0].user.exec;
        expect(exec.command).toBe("kubectl");
        expect(exec.args).toEqual(
            expect.arrayContaining([
                "oidc-login",
                "get-token",
                "--oidc-issuer-url=https://127.0.0.1:8443/realms/kube-access",
                "--oidc-client-id=kubernetes",
                "--grant-type=authcode",
                "--oidc-pkce-method=S256",
            ]),
        );
        // A public client: no shared secret in any user's kubeconfig.
        expect(kubeconfigs["da-admin"]).not.toMatch(/client-secret|mock-client-secret/);
    });

    test("the users summary says who has what, with certificate expiry", async () => {
        const users = await promiseOf(access.users);
        expect(users.find((u) => u.name === "user1")).toEqual({
            name: "user1",
            method: "certificate",
            signer: "external",
            keyHeldBy: "kube-access",
            groups: ["group1", "group2"],
            identity: "user1",
            // The notAfter of the certificate the (mocked) signer returned.
            expiresAt: new Date(new crypto.X509Certificate(ca.certificatePem).validTo).toISOString(),
            grants: ["ClusterRole/view cluster-wide (kube-access:clusterrole-view:group:group1)"],
            grantDetails: [
                {
                    roleKind: "ClusterRole",
                    role: "view",
                    binding: "clusterrole-view",
                    via: { kind: "group", group: "group1" },
                },
            ],
            credential: { keyAlgorithm: "RSA-2048", validityHours: 8760, renewBeforeHours: 720, rotation: 0 },
        });
        expect(users.find((u) => u.name === "sa1")).toMatchObject({
            identity: "system:serviceaccount:ci:sa1",
            grantDetails: [
                { roleKind: "ClusterRole", role: "view", binding: "clusterrole-view", via: { kind: "user" } },
            ],
            credential: { namespace: "ci", rotation: 0 },
        });
        expect(users.find((u) => u.name === "da-admin")).toMatchObject({
            identity: "oidc:da-admin",
            grants: ["ClusterRole/admin in default (kube-access:admins:group:oidc:admins)"],
            grantDetails: [
                {
                    roleKind: "ClusterRole",
                    role: "admin",
                    namespace: "default",
                    binding: "admins",
                    via: { kind: "group", group: "admins" },
                },
            ],
            credential: { email: "da@example.com" },
            firstStep: expect.stringMatching(/^install kubelogin as the kubectl plugin oidc-login/),
        });
    });

    // The kubectl built by tools/build-cluster.sh when there is one, else any kubectl on PATH.
    const kubectl = [...(toolEnv().PATH ?? "").split(":").map((d) => path.join(d, "kubectl"))].find((p) =>
        fs.existsSync(p),
    );
    (kubectl ? test : test.skip)("kubectl reads every generated kubeconfig", async () => {
        const kubeconfigs = await promiseOf(access.kubeconfigs);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-kubeconfig-"));
        try {
            for (const [user, text] of Object.entries(kubeconfigs)) {
                const file = path.join(dir, user);
                fs.writeFileSync(file, text, { mode: 0o600 });
                const view = JSON.parse(
                    execFileSync(kubectl!, ["config", "view", "--kubeconfig", file, "-o", "json", "--raw"], {
                        encoding: "utf8",
                    }),
                );
                expect(view["current-context"]).toBe(`${user}@demo`);
                expect(view.users[0].name).toBe(user);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
