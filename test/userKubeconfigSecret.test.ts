import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { isSecret, promiseOf, recordingMocks } from "./helpers/mocks";
import { secretKeys, validConfig } from "./helpers/config";
import { opensslCsr, testCa } from "./helpers/fixtures";

// Mock-based. Each method's component marks its own kubeconfig secret, not only
// KubeAccess's map of them: a program that uses one component alone exports it
// as it is. Every kind of user is here, since each is made secret its own way.
const ca = testCa();
const { mocks } = recordingMocks(ca.certificatePem);
const own = opensslCsr("/CN=own-csr/O=group1");
const ownExternal = opensslCsr("/CN=own-csr-ext/O=group1");

beforeAll(async () => {
    await pulumi.runtime.setMocks(mocks, "kube-access", "test", false);
});

async function spec() {
    const { validateAccessSpec } = await import("../components");
    const config = validConfig();
    const users = config.users as Record<string, unknown>[];
    users.push(
        {
            name: "own-csr",
            groups: ["group1"],
            auth: { method: "certificate", signer: "cluster", certificateRequest: own.csrPem },
        },
        {
            name: "own-csr-ext",
            groups: ["group1"],
            auth: {
                method: "certificate",
                signer: "external",
                certificateRequest: ownExternal.csrPem,
            },
        },
        { name: "ed", auth: { method: "certificate", signer: "external", keyAlgorithm: "ED25519" } },
    );
    return validateAccessSpec(config, { secretKeys });
}

/** The certificate user `userName` of {@link spec}, as its own component. */
async function certificateUser(resourceName: string, userName: string) {
    const { CertificateUser } = await import("../components");
    const s = await spec();
    const user = s.users.find((u) => u.name === userName)!;
    const component = new CertificateUser(resourceName, {
        user: user as never,
        cluster: s.cluster,
        clusterCaKey: pulumi.secret(ca.privateKeyPem),
        clusterKubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
        clusterSigning: s.clusterSigning,
    });
    return { user, component };
}

/** The service account sa1 of {@link spec}, as its own component. */
async function serviceAccountUser(resourceName: string) {
    const { ServiceAccountUser } = await import("../components");
    const s = await spec();
    return new ServiceAccountUser(resourceName, {
        user: s.users.find((u) => u.name === "sa1") as never,
        cluster: s.cluster,
        tokenTimeoutSeconds: 120,
    });
}

describe("each user's own kubeconfig Output is secret and names the user", () => {
    it.each([
        ["user1", "external signer, key made by kube-access"],
        ["user2", "cluster signer, key made by kube-access"],
        ["own-csr", "cluster signer, the user's own CSR (no key in it)"],
        ["own-csr-ext", "external signer, the user's own CSR (no key in it)"],
        ["ed", "external signer, Ed25519 key"],
    ])("certificate user %s (%s)", async (name) => {
        const { user, component } = await certificateUser(`c-${name}`, name);
        expect(await isSecret(component.kubeconfig)).toBe(true);
        const kubeconfig = YAML.parse(await promiseOf(component.kubeconfig));
        expect(kubeconfig.users[0].name).toBe(name);
        const hasKey = kubeconfig.users[0].user["client-key-data"] !== undefined;
        expect(hasKey).toBe(!name.startsWith("own-csr"));
        // The renewal time is not secret, whichever signer. The mocks give the cluster
        // signer's certificate its validity; the external signer's schedule has none.
        expect(await isSecret(component.renewsAt)).toBe(false);
        if (user.auth.method === "certificate" && user.auth.signer === "cluster") {
            expect(await promiseOf(component.renewsAt)).toMatch(/^\d{4}-\d\d-\d\dT/);
        }
    });

    it("service account sa1", async () => {
        const component = await serviceAccountUser("sa-sa1");
        expect(await isSecret(component.kubeconfig)).toBe(true);
        expect(YAML.parse(await promiseOf(component.kubeconfig)).users[0].user.token).toMatch(/^token-of-/);
    });

    it.each([["public"], ["confidential"]])("OIDC user da-admin, %s client", async (clientType) => {
        const { KeycloakAccess } = await import("../components");
        const s = await spec();
        const keycloakAccess = new KeycloakAccess(`kc-${clientType}`, {
            oidc: { ...s.oidc!, clientType: clientType as "public" | "confidential" },
            users: s.users.filter((u) => u.auth.method === "oidc") as never,
            initialPasswords: {},
        });
        const kubeconfig = keycloakAccess.kubeconfig("da-admin", s.cluster);
        expect(await isSecret(kubeconfig)).toBe(true);
        const text = await promiseOf(kubeconfig);
        expect(text).toContain("da-admin");
        expect(text.includes("--oidc-client-secret=")).toBe(clientType === "confidential");
    });
});

describe("in a preview, where a new user's key and certificate are not known yet", () => {
    // Mocks that answer with the inputs alone: every output a provider computes stays unknown.
    beforeAll(async () => {
        await pulumi.runtime.setMocks(
            { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs },
            "kube-access",
            "test",
            true,
        );
    });

    it.each([["user1"], ["user2"], ["own-csr"], ["ed"]])("certificate user %s: still secret", async (name) => {
        const { component } = await certificateUser(`preview-${name}`, name);
        expect(await isSecret(component.kubeconfig)).toBe(true);
    });

    it("service account sa1: still secret", async () => {
        const component = await serviceAccountUser("preview-sa1");
        expect(await isSecret(component.kubeconfig)).toBe(true);
    });
});
