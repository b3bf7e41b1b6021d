import { KubernetesApiError, withApiContext } from "../kubernetesApi/apiFailure";
import { credentialAgeReached, credentialRotatesAt, diffCredentialRotation } from "./credentialRotation";
import { diffClusterSignedCertificate } from "../certificates/clusterSignedCertificate";
import { certificateStatus, renewalStart } from "../certificates/certificateStatus";
import { isDnsSubdomain } from "../model/names";
import { csrObjectName } from "../certificates/names";
import { issuedClusterCertificate } from "../../test/helpers/fixtures";
import { tokenSecretName } from "../serviceAccounts/names";

const at = (iso: string) => Date.parse(iso);

describe("CSR object names are unique per stack and fixed within one", () => {
    const users = ["user2", "Jane.Doe", "ci@example.com", "a".repeat(240), "x-"];
    test.each(users)("user %s: one name per stack, two stacks never share one, always a DNS subdomain", (user) => {
        const a = csrObjectName(user, "kube-access/prod");
        const b = csrObjectName(user, "kube-access/staging");
        const c = csrObjectName(user, "other-project/prod");
        expect(csrObjectName(user, "kube-access/prod")).toBe(a);
        expect(new Set([a, b, c]).size).toBe(3);
        for (const name of [a, b, c]) expect(isDnsSubdomain(name)).toBe(true);
    });
    test("the user's name stays readable in the object name", () => {
        expect(csrObjectName("user2", "kube-access/dev")).toMatch(/^kube-access-user2-[0-9a-f]{10}$/);
    });
});

describe("a cluster-signed certificate under new names, rotation and expiry", () => {
    const issued = issuedClusterCertificate;
    const midLife = at("2030-01-05T00:00:00Z");

    test.each([
        ["the per-stack name of this version", { objectName: csrObjectName("user2", "kube-access/dev") }],
        ["a stack annotation", { stackId: "kube-access/dev" }],
        ["rotation 0 in place of none", { rotation: 0 }],
    ])("state from before (old CSR name, no rotation) + %s: no new certificate", (_what, change) => {
        const result = diffClusterSignedCertificate(issued, { ...issued, ...change }, midLife);
        expect(result.replaces).toEqual([]);
    });

    test.each([
        [undefined, 1],
        [1, 2],
        [5, 4],
    ])("rotation %s -> %s issues a new certificate before anything else is due", (from, to) => {
        const result = diffClusterSignedCertificate(
            { ...issued, rotation: from },
            { ...issued, rotation: to },
            midLife,
        );
        expect(result.replaces).toEqual(["rotation"]);
        expect(result.deleteBeforeReplace).toBe(true);
    });

    test.each([
        ["one second after expiry", "2030-01-11T00:00:01Z"],
        ["a day after expiry", "2030-01-12T00:00:00Z"],
        ["a year after expiry", "2031-01-11T00:00:00Z"],
    ])("a certificate that expired while nobody ran pulumi up is re-issued (%s)", (_what, now) => {
        expect(diffClusterSignedCertificate(issued, { ...issued }, at(now)).replaces).toEqual(["notAfter"]);
    });
});

describe("certificateStatus in the users output", () => {
    const notAfter = "2030-01-11T00:00:00.000Z";
    const renewsAt = renewalStart(notAfter, 86400)!;
    test.each([
        ["2030-01-05T00:00:00Z", "valid"],
        ["2030-01-09T23:59:59Z", "valid"],
        ["2030-01-10T00:00:00Z", "renewalDue"],
        ["2030-01-10T23:59:59Z", "renewalDue"],
        ["2030-01-11T00:00:00Z", "expired"],
        ["2031-06-01T00:00:00Z", "expired"],
    ])("at %s: %s", (now, status) => {
        expect(renewsAt).toBe("2030-01-10T00:00:00.000Z");
        expect(certificateStatus(notAfter, renewsAt, at(now))).toBe(status);
    });
    test.each([undefined, "", "not a date"])("no renewal start while notAfter is %p", (value) => {
        expect(renewalStart(value, 60)).toBeUndefined();
    });
});

describe("credential rotation schedule", () => {
    const made = { rotation: 0, maxAgeSeconds: 3600, madeAt: "2030-01-01T00:00:00.000Z" };

    test.each([
        ["before the maximum age", "2030-01-01T00:59:59Z", []],
        ["at the maximum age", "2030-01-01T01:00:00Z", ["madeAt"]],
        ["long after it", "2030-03-01T00:00:00Z", ["madeAt"]],
    ])("%s: replaces %p", (_what, now, replaces) => {
        expect(diffCredentialRotation(made, { rotation: 0, maxAgeSeconds: 3600 }, at(now)).replaces).toEqual(replaces);
    });

    test("without a maximum age, time alone never replaces", () => {
        const none = { rotation: 0, madeAt: "2000-01-01T00:00:00.000Z" };
        expect(diffCredentialRotation(none, { rotation: 0 }, at("2030-01-01T00:00:00Z"))).toMatchObject({
            changes: false,
            replaces: [],
        });
    });

    test.each([
        [0, 1],
        [1, 2],
        [3, 0],
    ])("rotation counter %s -> %s replaces, even well before the maximum age", (from, to) => {
        const result = diffCredentialRotation(
            { ...made, rotation: from },
            { rotation: to, maxAgeSeconds: 3600 },
            at("2030-01-01T00:00:01Z"),
        );
        expect(result.replaces).toEqual(["rotation"]);
    });

    test("a new maximum age is an update, taking effect when reached", () => {
        const result = diffCredentialRotation(made, { rotation: 0, maxAgeSeconds: 7200 }, at("2030-01-01T01:30:00Z"));
        expect(result).toMatchObject({ changes: true, replaces: [] });
        expect(credentialAgeReached(made.madeAt, 7200, at("2030-01-01T02:00:00Z"))).toBe(true);
    });

    test("rotatesAt is madeAt plus the maximum age", () => {
        expect(credentialRotatesAt(made.madeAt, 90 * 86400)).toBe("2030-04-01T00:00:00.000Z");
        expect(credentialRotatesAt(made.madeAt, undefined)).toBeUndefined();
    });
});

describe("failures of kube-access's own API calls name the server and the action", () => {
    test.each([
        [
            "a refused connection",
            new Error("request to https://127.0.0.1:26443/apis failed, reason: connect ECONNREFUSED 127.0.0.1:26443"),
        ],
        [
            "an HTTP error with a body",
            Object.assign(new Error("HTTP-Code: 403\nMessage: Forbidden\nBody: {...}"), { code: 403 }),
        ],
        ["a thrown string", "socket hang up"],
    ])("%s", async (_what, failure) => {
        const action = "creating CertificateSigningRequest kube-access-user2-0123456789 for user user2";
        const error = await withApiContext("https://127.0.0.1:26443", action, () => Promise.reject(failure)).catch(
            (e) => e,
        );
        expect(error).toBeInstanceOf(KubernetesApiError);
        expect(error.message).toMatch(
            /^creating CertificateSigningRequest kube-access-user2-0123456789 for user user2 at https:\/\/127\.0\.0\.1:26443 failed: .+; check that the API server is running/,
        );
        expect(error.message).not.toMatch(/\n/);
    });
    test("a 404 stays a 404, for callers that treat absence as an answer", async () => {
        const notFound = Object.assign(new Error("HTTP-Code: 404"), { code: 404 });
        await expect(withApiContext("https://x", "reading", () => Promise.reject(notFound))).rejects.toBe(notFound);
    });
});

describe("token Secret names: one per generation once rotation is configured", () => {
    test.each([
        ["sa1", undefined, "sa1-kube-access-token"],
        ["sa1", "0a1b2c3d", "sa1-kube-access-token-0a1b2c3d"],
        ["ci-deployer", "ffffffff", "ci-deployer-kube-access-token-ffffffff"],
    ])("%s generation %s: %s", (user, generation, name) => {
        expect(tokenSecretName(user, generation)).toBe(name);
        expect(isDnsSubdomain(name)).toBe(true);
    });
});
