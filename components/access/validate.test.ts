import { AccessSpecError } from "../intake/reader";
import { RawConfig, validateAccessSpec } from "./validate";
import { opensslCsr, testCa } from "../../test/helpers/fixtures";
import { secretKeys, validConfig } from "../../test/helpers/config";

const ca = testCa();
const user2Csr = opensslCsr("/CN=user2/O=group1").csrPem;
const otherCa = testCa("other-ca");

function issuesOf(mutate: (c: RawConfig) => void, facts = { secretKeys }): { path: string; message: string }[] {
    const config = validConfig();
    mutate(config);
    try {
        validateAccessSpec(config, facts);
    } catch (e) {
        if (e instanceof AccessSpecError) return e.issues;
        throw e;
    }
    return [];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const users = (c: RawConfig) => c.users as any[];
const bindings = (c: RawConfig) => c.bindings as any[];

type BadCase = [description: string, mutate: (c: RawConfig) => void, path: string, message: RegExp];

const badCases: BadCase[] = [
    ["unknown top-level key", (c) => (c.userz = []), "userz", /unknown config key/],
    ["missing cluster", (c) => delete c.cluster, "cluster", /is required/],
    ["cluster not an object", (c) => (c.cluster = "demo"), "cluster", /must be an object/],
    ["unknown cluster field", (c) => ((c.cluster as any).region = "x"), "cluster.region", /unknown field/],
    ["cluster server not https", (c) => ((c.cluster as any).server = "http://1.2.3.4"), "cluster.server", /https:\/\//],
    [
        "invalid CA PEM",
        (c) => ((c.cluster as any).caCertificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
        "cluster.caCertificate",
        /not a valid X.509 certificate/,
    ],
    [
        "CA neither PEM nor base64",
        (c) => ((c.cluster as any).caCertificate = "hello"),
        "cluster.caCertificate",
        /not a PEM certificate/,
    ],
    ["missing users", (c) => delete c.users, "users", /is required/],
    ["users not a list", (c) => (c.users = { user1: {} }), "users", /must be a list/],
    ["user name missing", (c) => delete users(c)[0].name, "users[0].name", /is required/],
    ["user name wrong type", (c) => (users(c)[0].name = 42), "users[0].name", /must be a string/],
    ["duplicate user name", (c) => (users(c)[1].name = "user1"), "users[1].name", /duplicate user name "user1"/],
    [
        "names mapping to one object name",
        (c) => (users(c)[1].name = "User1"),
        "users[1].name",
        /same Kubernetes object name "user1"/,
    ],
    ["system: user name", (c) => (users(c)[0].name = "system:admin"), "users[0].name", /must not start with "system:"/],
    ["unknown user field", (c) => (users(c)[0].role = "admin"), "users[0].role", /unknown field/],
    ["groups not a list", (c) => (users(c)[0].groups = "group1"), "users[0].groups", /must be a list/],
    ["group not a string", (c) => (users(c)[0].groups = ["group1", 7]), "users[0].groups[1]", /must be a string/],
    ["duplicate group", (c) => (users(c)[0].groups = ["group1", "group1"]), "users[0].groups[1]", /duplicate entry/],
    [
        "system:masters without the allow flag",
        (c) => (users(c)[0].groups = ["system:masters"]),
        "users[0].groups[0]",
        /allowSystemMasters/,
    ],
    ["other system: group", (c) => (users(c)[0].groups = ["system:nodes"]), "users[0].groups[0]", /reserves/],
    [
        "system:masters with the cluster signer",
        (c) => {
            c.allowSystemMasters = true;
            users(c)[1].groups = ["system:masters"];
        },
        "users[1].groups",
        /refuses certificates for system:masters/,
    ],
    [
        // Only the signer's rule speaks: its fix names the allow flag too, which alone would not help.
        "system:masters with the cluster signer and without the allow flag",
        (c) => (users(c)[1].groups = ["system:masters"]),
        "users[1].groups",
        /refuses certificates for system:masters, whatever kube-access:allowSystemMasters says; bind cluster-admin instead, or use signer external \(which also needs kube-access:allowSystemMasters set to true\)/,
    ],
    ["missing auth", (c) => delete users(c)[0].auth, "users[0].auth", /is required/],
    [
        "unknown auth method",
        (c) => (users(c)[0].auth = { method: "password" }),
        "users[0].auth.method",
        /must be one of certificate, serviceAccount, oidc/,
    ],
    [
        "unknown signer",
        (c) => (users(c)[0].auth.signer = "vault"),
        "users[0].auth.signer",
        /must be one of external, cluster/,
    ],
    ["missing signer", (c) => delete users(c)[0].auth.signer, "users[0].auth.signer", /is required/],
    [
        "key algorithm out of range",
        (c) => (users(c)[0].auth.keyAlgorithm = "RSA-1024"),
        "users[0].auth.keyAlgorithm",
        /RSA-2048/,
    ],
    [
        "validity out of bounds",
        (c) => (users(c)[0].auth.validityHours = 0),
        "users[0].auth.validityHours",
        /between 1 and 87600/,
    ],
    [
        "validity not a number",
        (c) => (users(c)[0].auth.validityHours = "a year"),
        "users[0].auth.validityHours",
        /whole number/,
    ],
    [
        "renewal window as long as validity",
        (c) => Object.assign(users(c)[0].auth, { validityHours: 24, renewBeforeHours: 24 }),
        "users[0].auth.renewBeforeHours",
        /less than validityHours/,
    ],
    ["unknown certificate option", (c) => (users(c)[0].auth.days = 365), "users[0].auth.days", /unknown field/],
    [
        "service account with an invalid object name",
        (c) => (users(c)[2].name = "Build_Bot"),
        "users[2].name",
        /did you mean "build-bot"/,
    ],
    [
        "service account with groups",
        (c) => (users(c)[2].groups = ["group1"]),
        "users[2].groups",
        /must be empty for a service-account user/,
    ],
    [
        "service account namespace invalid",
        (c) => (users(c)[2].auth.namespace = "CI"),
        "users[2].auth.namespace",
        /valid namespace name/,
    ],
    [
        "a CSR that is not PEM",
        (c) => (users(c)[1].auth.certificateRequest = "hello"),
        "users[1].auth.certificateRequest",
        /not a PEM certificate request/,
    ],
    [
        "a CSR for another user",
        (c) =>
            (users(c)[1].auth = {
                method: "certificate",
                signer: "cluster",
                certificateRequest: opensslCsr("/CN=mallory/O=group1").csrPem,
            }),
        "users[1].auth.certificateRequest",
        /has subject \/CN=mallory\/O=group1 but the user is \/CN=user2\/O=group1/,
    ],
    [
        "a CSR with other groups",
        (c) =>
            (users(c)[1].auth = {
                method: "certificate",
                signer: "cluster",
                certificateRequest: opensslCsr("/CN=user2/O=group1/O=admins").csrPem,
            }),
        "users[1].auth.certificateRequest",
        /would grant a different identity/,
    ],
    [
        "keyAlgorithm beside a CSR",
        (c) =>
            (users(c)[1].auth = {
                method: "certificate",
                signer: "cluster",
                keyAlgorithm: "RSA-4096",
                certificateRequest: user2Csr,
            }),
        "users[1].auth.keyAlgorithm",
        /must not be set with certificateRequest/,
    ],
    [
        "a CSR with a weak key",
        (c) =>
            (users(c)[1].auth = {
                method: "certificate",
                signer: "cluster",
                certificateRequest: opensslCsr("/CN=user2/O=group1", ["-newkey", "rsa:1024"]).csrPem,
            }),
        "users[1].auth.certificateRequest",
        /uses a RSA-1024 key/,
    ],
    [
        "oidc user without email",
        (c) => delete users(c)[3].auth.email,
        "users[3].auth.email",
        /^is required; Keycloak's default user profile needs an email, a first and a last name for every user, for example email: alice@example.com$/,
    ],
    [
        "oidc user without a first name",
        (c) => delete users(c)[3].auth.firstName,
        "users[3].auth.firstName",
        /^is required; Keycloak's default user profile .* for example firstName: Alice$/,
    ],
    [
        "oidc user with an empty last name",
        (c) => (users(c)[3].auth.lastName = "  "),
        "users[3].auth.lastName",
        /^must not be empty; Keycloak's default user profile .* for example lastName: Liddell$/,
    ],
    [
        "oidc user with a first name that is not a string",
        (c) => (users(c)[3].auth.firstName = 7),
        "users[3].auth.firstName",
        /^must be a string, got number 7; Keycloak's default user profile/,
    ],
    ["oidc user with a bad email", (c) => (users(c)[3].auth.email = "nobody"), "users[3].auth.email", /email address/],
    ["oidc user without oidc settings", (c) => delete c.oidc, "users[3].auth.method", /no kube-access:oidc settings/],
    ["oidc user name in upper case", (c) => (users(c)[3].name = "DA-Admin"), "users[3].name", /lower-cases usernames/],
    [
        "missing CA key with an external user",
        (c) => delete c.clusterCaKey,
        "clusterCaKey",
        /required because user1 has an externally signed/,
    ],
    [
        "CA key of another CA",
        (c) => (c.clusterCaKey = otherCa.privateKeyPem),
        "clusterCaKey",
        /does not belong to cluster.caCertificate/,
    ],
    ["CA key not PEM", (c) => (c.clusterCaKey = "secret"), "clusterCaKey", /not a PEM private key/],
    ["CA key in plain text config", (c) => c, "clusterCaKey", /stored in plain text/],
    [
        "binding without a role",
        (c) => delete bindings(c)[0].clusterRole,
        "bindings[0]",
        /exactly one of clusterRole or role/,
    ],
    [
        "binding with both roles",
        (c) => (bindings(c)[0].role = "reader"),
        "bindings[0]",
        /exactly one of clusterRole or role/,
    ],
    [
        "Role without namespaces",
        (c) => (bindings(c)[1] = { role: "pod-reader", subjects: [{ user: "user1" }] }),
        "bindings[1].namespaces",
        /Role exists only inside namespaces/,
    ],
    [
        "binding to an undeclared user",
        (c) => bindings(c)[0].subjects.push({ user: "mallory" }),
        "bindings[0].subjects[2].user",
        /not a user in kube-access:users/,
    ],
    [
        "binding to an undeclared group",
        (c) => bindings(c)[0].subjects.push({ group: "ops" }),
        "bindings[0].subjects[2].group",
        /not a group of any user/,
    ],
    [
        "subject with both user and group",
        (c) => (bindings(c)[0].subjects[0] = { user: "user1", group: "g" }),
        "bindings[0].subjects[0]",
        /exactly one of user or group/,
    ],
    [
        "duplicate binding names",
        (c) => (bindings(c)[1].name = "clusterrole-view"),
        "bindings[1].name",
        /also used by bindings\[0\]/,
    ],
    [
        "binding namespace invalid",
        (c) => (bindings(c)[1].namespaces = ["Prod"]),
        "bindings[1].namespaces[0]",
        /valid namespace name/,
    ],
    ["empty subjects", (c) => (bindings(c)[0].subjects = []), "bindings[0].subjects", /at least one subject/],
    [
        "oidc issuer not https",
        (c) => ((c.oidc as any).issuerUrl = "http://127.0.0.1:8080/realms/kube-access"),
        "oidc.issuerUrl",
        /must be an https:\/\/ URL/,
    ],
    [
        "oidc issuer for another realm",
        (c) => ((c.oidc as any).issuerUrl = "https://kc/realms/other"),
        "oidc.issuerUrl",
        /ending in \/realms\/kube-access/,
    ],
    [
        "oidc username claim Keycloak does not emit",
        (c) => ((c.oidc as any).usernameClaim = "upn"),
        "oidc.usernameClaim",
        /does not emit "upn"/,
    ],
    [
        "empty oidc username prefix",
        (c) => ((c.oidc as any).usernamePrefix = ""),
        "oidc.usernamePrefix",
        /must not be empty/,
    ],
    [
        "oidc groups prefix clashing with a certificate group",
        (c) => ((c.oidc as any).groupsPrefix = "group"),
        "users[0].groups[0]",
        /starts with the OIDC groups prefix "group"/,
    ],
    [
        "oidc username prefix clashing with a certificate user",
        (c) => ((c.oidc as any).usernamePrefix = "user"),
        "users[0].name",
        /starts with the OIDC username prefix/,
    ],
    [
        "oidc token lifespan below a minute",
        (c) => ((c.oidc as any).tokenLifespanSeconds = 30),
        "oidc.tokenLifespanSeconds",
        /60/,
    ],
    [
        "oidc token lifespan not a whole number",
        (c) => ((c.oidc as any).tokenLifespanSeconds = 90.5),
        "oidc.tokenLifespanSeconds",
        /whole number|integer/,
    ],
    [
        "unknown kubeconfig style",
        (c) => ((c.oidc as any).kubeconfigStyle = "token"),
        "oidc.kubeconfigStyle",
        /exec, auth-provider/,
    ],
    [
        "initial password for a non-OIDC user",
        (c) => (c.oidcInitialPasswords = { user1: "longenough" }),
        "oidcInitialPasswords.user1",
        /unknown field/,
    ],
    [
        "short initial password",
        (c) => (c.oidcInitialPasswords = { "da-admin": "short" }),
        "oidcInitialPasswords.da-admin",
        /at least 8 characters/,
    ],
];

describe("validateAccessSpec", () => {
    test("accepts the valid config and fills defaults", () => {
        const spec = validateAccessSpec(validConfig(), { secretKeys });
        expect(spec.users.map((u) => u.name)).toEqual(["user1", "user2", "sa1", "da-admin"]);
        expect(spec.users[0].auth).toEqual({
            method: "certificate",
            signer: "external",
            keyAlgorithm: "RSA-2048",
            validityHours: 8760,
            renewBeforeHours: 720,
        });
        expect(spec.users[2].auth).toEqual({ method: "serviceAccount", namespace: "ci", createNamespace: false });
        expect(spec.bindings[0].name).toBe("clusterrole-view");
        expect(spec.oidc).toMatchObject({
            clientId: "kubernetes",
            usernameClaim: "preferred_username",
            usernamePrefix: "oidc:",
        });
        expect(spec.cluster.caCertificatePem).toContain("BEGIN CERTIFICATE");
    });

    test("accepts the CA certificate as base64, as kubeconfigs carry it", () => {
        const config = validConfig();
        (config.cluster as any).caCertificate = Buffer.from(ca.certificatePem).toString("base64");
        expect(validateAccessSpec(config, { secretKeys }).cluster.caCertificatePem).toBe(
            ca.certificatePem.trim() + "\n",
        );
    });

    test.each(badCases)("refuses %s", (_description, mutate, path, message) => {
        const facts = _description === "CA key in plain text config" ? { secretKeys: [] } : { secretKeys };
        const issues = issuesOf(mutate, facts);
        const match = issues.find((i) => i.path === path);
        expect({ issues, found: match !== undefined }).toMatchObject({ found: true });
        expect(match!.message).toMatch(message);
    });

    test("system:masters: a cluster-signed user gets the signer's message alone, an externally signed one the allow flag's", () => {
        const issues = issuesOf((c) => {
            users(c)[0].groups = ["system:masters"]; // signer external
            users(c)[1].groups = ["system:masters"]; // signer cluster
        });
        const about = (user: number) =>
            issues.filter((i) => i.path.startsWith(`users[${user}].groups`)).map((i) => i.message);
        expect(about(0)).toEqual([expect.stringMatching(/set kube-access:allowSystemMasters to true/)]);
        expect(about(1)).toEqual([
            expect.stringMatching(/^the cluster signer .* refuses certificates for system:masters/),
        ]);
    });

    test("a secret map left empty (what `pulumi config rm --path` leaves after the last entry) may be plain text", () => {
        const config = validConfig();
        config.oidcInitialPasswords = {};
        const plain = { secretKeys: secretKeys.filter((k) => k !== "oidcInitialPasswords") };
        expect(() => validateAccessSpec(config, plain)).not.toThrow();
    });

    test("a secret map with an entry in plain text is still refused", () => {
        const config = validConfig();
        config.oidcInitialPasswords = { "da-admin": "long-enough-password" };
        const plain = { secretKeys: secretKeys.filter((k) => k !== "oidcInitialPasswords") };
        expect(() => validateAccessSpec(config, plain)).toThrow(/oidcInitialPasswords: holds a secret/);
    });

    test("reports every problem at once, each with its path", () => {
        const issues = issuesOf((c) => {
            users(c)[0].name = "system:x";
            users(c)[2].auth.namespace = "Bad";
            delete (c.cluster as any).server;
        });
        expect(issues.map((i) => i.path)).toEqual(
            expect.arrayContaining(["users[0].name", "users[2].auth.namespace", "cluster.server"]),
        );
    });

    test("the error message lists each issue under its config key and never echoes secrets", () => {
        const config = validConfig();
        config.clusterCaKey = otherCa.privateKeyPem;
        config.oidcInitialPasswords = { "da-admin": "short" };
        expect(() => validateAccessSpec(config, { secretKeys })).toThrow(/kube-access:clusterCaKey: does not belong/);
        try {
            validateAccessSpec(config, { secretKeys });
        } catch (e) {
            const text = (e as Error).message;
            expect(text).not.toContain("PRIVATE KEY");
            expect(text).not.toContain('short"');
            expect(text).toMatch(/nothing was created or changed/);
        }
    });

    test("a user's own CSR (made with openssl) is accepted and decides the key algorithm", () => {
        const config = validConfig();
        users(config)[1].auth = {
            method: "certificate",
            signer: "cluster",
            certificateRequest: opensslCsr("/CN=user2/O=group1", [
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-384",
            ]).csrPem,
        };
        const auth = validateAccessSpec(config, { secretKeys }).users[1].auth;
        expect(auth).toMatchObject({ method: "certificate", signer: "cluster", keyAlgorithm: "ECDSA-P384" });
        expect((auth as { certificateRequestPem?: string }).certificateRequestPem).toMatch(/BEGIN CERTIFICATE REQUEST/);
    });

    test("OIDC users need a Keycloak provider that can log in, with its secrets stored as secrets", () => {
        const check = (keycloak: { set: string[]; plainTextInConfig: string[] }) => {
            try {
                validateAccessSpec(validConfig(), { secretKeys, keycloak });
                return [];
            } catch (e) {
                return (e as AccessSpecError).issues.map((i) => i.path);
            }
        };
        expect(check({ set: [], plainTextInConfig: [] })).toEqual([
            "keycloak:url",
            "keycloak:clientId",
            "keycloak:password",
        ]);
        expect(check({ set: ["url", "clientId", "username", "password"], plainTextInConfig: ["password"] })).toEqual([
            "keycloak:password",
        ]);
        expect(check({ set: ["url", "clientId", "clientSecret"], plainTextInConfig: [] })).toEqual([]);
        const config = validConfig();
        (config.users as unknown[]).splice(3, 1);
        config.groups = ["admins"];
        expect(() =>
            validateAccessSpec(config, { secretKeys, keycloak: { set: [], plainTextInConfig: [] } }),
        ).not.toThrow();
    });

    test("issues of other namespaces are reported under their own key", () => {
        expect(() =>
            validateAccessSpec(validConfig(), { secretKeys, keycloak: { set: [], plainTextInConfig: [] } }),
        ).toThrow(/^ {2}- keycloak:url: is required/m);
    });

    test("external subjects may name identities kube-access does not manage", () => {
        const config = validConfig();
        bindings(config)[0].subjects.push({ group: "sre", external: true });
        expect(validateAccessSpec(config, { secretKeys }).bindings[0].subjects).toContainEqual({
            kind: "group",
            name: "sre",
            external: true,
        });
    });

    test("system:masters is accepted for externally signed users only with the explicit flag", () => {
        const config = validConfig();
        config.allowSystemMasters = true;
        users(config)[0].groups = ["system:masters"];
        expect(validateAccessSpec(config, { secretKeys }).users[0].groups).toEqual(["system:masters"]);
    });

    test(`has at least 25 bad-input cases`, () => {
        expect(badCases.length).toBeGreaterThanOrEqual(25);
    });
});
