import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { keycloakAdminSettings } from "../scripts/lib/keycloakAdmin";
import { PendingOperation, madeByKilledRun, planRecovery } from "../scripts/lib/recovery";

const urn = (type: string, name: string) =>
    `urn:pulumi:dev::kube-access::kube-access:index:KubeAccess$${type}::${name}`;
const creating = (type: string, name: string, inputs: Record<string, unknown> = {}): PendingOperation => ({
    type: "creating",
    resource: { urn: urn(type, name), type, inputs },
});

describe("planRecovery", () => {
    test("a Keycloak user's pending create is looked up by realm and username", () => {
        const [step] = planRecovery([
            creating("keycloak:index/user:User", "keycloak-user-erin", {
                realmId: "kube-access",
                username: "erin",
                email: "erin@example.com",
                initialPassword: { [specialSigKey]: specialSecretSig },
            }),
        ]);
        expect(step).toEqual({
            kind: "keycloakUser",
            urn: urn("keycloak:index/user:User", "keycloak-user-erin"),
            realm: "kube-access",
            username: "erin",
            email: "erin@example.com",
        });
    });

    test.each([
        ["kubernetes:core/v1:Secret", "user-sa1-token"],
        ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "binding-devs-edit-default"],
        ["tls:index/privateKey:PrivateKey", "user-alice-key"],
        ["pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate", "user-alice-certificate"],
        ["pulumi-nodejs:dynamic/serviceAccounts:ServiceAccountToken", "user-sa1-token"],
        ["keycloak:index/userGroups:UserGroups", "keycloak-user-erin-groups"],
        ["kube-access:certificates:CertificateUser", "user-alice"],
    ])("a pending create of %s is dropped: the next up makes it again safely", (type, name) => {
        expect(planRecovery([creating(type, name)])).toEqual([
            { kind: "clear", urn: urn(type, name), reason: expect.any(String) },
        ]);
    });

    test.each([
        ["keycloak:index/realm:Realm", "keycloak-realm"],
        ["keycloak:index/group:Group", "keycloak-group-devs"],
        ["keycloak:openid/client:Client", "keycloak-client"],
    ])("a pending create of %s is left to check by hand, with what to do", (type, name) => {
        const [step] = planRecovery([creating(type, name)]);
        expect(step).toEqual({ kind: "check", urn: urn(type, name), reason: expect.stringContaining("pulumi import") });
    });

    test("a Keycloak user whose username is secret (so cannot be looked up) is left to check by hand", () => {
        const [step] = planRecovery([
            creating("keycloak:index/user:User", "keycloak-user-erin", {
                realmId: "kube-access",
                username: { [specialSigKey]: specialSecretSig, ciphertext: "x" },
            }),
        ]);
        expect(step.kind).toBe("check");
    });

    test("an interrupted update or delete is left to refresh", () => {
        const op: PendingOperation = {
            type: "deleting",
            resource: { urn: urn("kubernetes:core/v1:Secret", "s"), type: "kubernetes:core/v1:Secret" },
        };
        expect(planRecovery([op])).toEqual([
            { kind: "clear", urn: op.resource.urn, reason: expect.stringContaining("deleting") },
        ]);
    });
});

describe("madeByKilledRun", () => {
    const step = { kind: "keycloakUser" as const, urn: "u", realm: "r", username: "erin", email: "erin@example.com" };
    const lastUpdateEnd = Date.parse("2026-11-30T02:00:00Z");

    test("a user created after the last recorded update ended was made by the killed run", () => {
        expect(
            madeByKilledRun(step, { id: "1", username: "erin", createdTimestamp: lastUpdateEnd + 1 }, lastUpdateEnd),
        ).toBe(true);
    });

    test.each([
        ["created before the last update ended", { id: "1", username: "erin", createdTimestamp: lastUpdateEnd - 1 }],
        ["with no creation time", { id: "1", username: "erin" }],
        ["another username", { id: "1", username: "erin2", createdTimestamp: lastUpdateEnd + 1 }],
    ])("a user %s is left alone", (_what, found) => {
        expect(madeByKilledRun(step, found, lastUpdateEnd)).toBe(false);
    });

    test("usernames compare as Keycloak stores them (lower case)", () => {
        expect(
            madeByKilledRun(
                { ...step, username: "Erin" },
                { id: "1", username: "erin", createdTimestamp: lastUpdateEnd },
                lastUpdateEnd,
            ),
        ).toBe(true);
    });

    test("with no recorded update, only a user with the declared email counts", () => {
        expect(madeByKilledRun(step, { id: "1", username: "erin", email: "ERIN@example.com" }, undefined)).toBe(true);
        expect(madeByKilledRun(step, { id: "1", username: "erin", email: "other@example.com" }, undefined)).toBe(false);
        expect(madeByKilledRun({ ...step, email: undefined }, { id: "1", username: "erin" }, undefined)).toBe(false);
    });
});

describe("keycloakAdminSettings", () => {
    test("stack config first, then the provider's environment variables, with the provider's defaults", () => {
        const settings = keycloakAdminSettings(
            { "keycloak:url": "https://kc.example.com/", "keycloak:username": "admin", "keycloak:password": "pw" },
            { KEYCLOAK_CLIENT_ID: "admin-cli", KEYCLOAK_URL: "https://ignored.example.com" },
        );
        expect(settings).toEqual({
            url: "https://kc.example.com",
            realm: "master",
            clientId: "admin-cli",
            username: "admin",
            password: "pw",
            clientSecret: undefined,
            basePath: "",
            rootCaCertificate: undefined,
            tlsInsecureSkipVerify: false,
        });
    });

    test.each([
        [{}, {}, "keycloak:url is not set (nor KEYCLOAK_URL)"],
        [{ "keycloak:url": "https://kc" }, {}, "keycloak:clientId is not set (nor KEYCLOAK_CLIENT_ID)"],
    ])("a missing setting is named", (config, env, message) => {
        expect(() => keycloakAdminSettings(config, env)).toThrow(message);
    });
});
