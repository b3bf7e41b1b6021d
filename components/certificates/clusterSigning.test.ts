import {
    CertificateSigningApi,
    CsrRequest,
    CsrState,
    approvalReason,
    issueClusterSignedCertificate,
    needsRenewal,
} from "./clusterSigning";
import { Clock } from "../kubernetesApi/polling";
import { diffClusterSignedCertificate, effectiveRenewBeforeSeconds } from "./clusterSignedCertificate";
import { issuedClusterCertificate } from "../../test/helpers/fixtures";

/**
 * A test double of the CSR API (not a cluster): an in-memory store plus a
 * scripted signer. The real API is exercised by the end-to-end suite.
 */
class FakeSigningApi implements CertificateSigningApi {
    objects = new Map<string, CsrState>();
    calls: string[] = [];
    /** What the "signer" does once a request is approved. */
    constructor(private readonly onApproved: (state: CsrState) => void) {}

    async create(request: CsrRequest) {
        this.calls.push(`create ${request.objectName}`);
        if (this.objects.has(request.objectName)) throw new Error("AlreadyExists");
        this.objects.set(request.objectName, { conditions: [] });
    }
    async read(name: string) {
        return this.objects.get(name);
    }
    async approve(name: string, reason: string, message: string) {
        this.calls.push(`approve ${name} ${reason}`);
        const state = this.objects.get(name)!;
        state.conditions.push({ type: "Approved", status: "True", reason, message });
        this.onApproved(state);
    }
    async remove(name: string) {
        this.calls.push(`remove ${name}`);
        this.objects.delete(name);
    }
}

/** A clock that only moves when the flow sleeps. */
function fakeClock(): Clock & { slept: number } {
    let now = 0;
    const clock = {
        slept: 0,
        now: () => now,
        sleep: async (ms: number) => {
            now += ms;
            clock.slept += ms;
        },
    };
    return clock;
}

const request: CsrRequest = {
    objectName: "kube-access-user2",
    userName: "user2",
    requestPem: "-----BEGIN CERTIFICATE REQUEST-----\n...\n-----END CERTIFICATE REQUEST-----\n",
    signerName: "kubernetes.io/kube-apiserver-client",
    usages: ["digital signature", "client auth"],
    expirationSeconds: 3600,
};
const options = { timeoutSeconds: 30, keepRequest: false, pollIntervalMs: 1000 };

describe("issueClusterSignedCertificate", () => {
    test("creates, approves with kube-access's reason, returns the certificate and deletes the request", async () => {
        const api = new FakeSigningApi((s) => (s.certificatePem = "CERT"));
        await expect(issueClusterSignedCertificate(api, request, options, fakeClock())).resolves.toBe("CERT");
        expect(api.calls).toEqual([
            "create kube-access-user2",
            `approve kube-access-user2 ${approvalReason}`,
            "remove kube-access-user2",
        ]);
        expect(api.objects.size).toBe(0);
    });

    test("keeps the request when configured to", async () => {
        const api = new FakeSigningApi((s) => (s.certificatePem = "CERT"));
        await issueClusterSignedCertificate(api, request, { ...options, keepRequest: true }, fakeClock());
        expect(api.objects.get("kube-access-user2")?.conditions[0]).toMatchObject({ type: "Approved", status: "True" });
    });

    test("waits for a signer that answers late", async () => {
        let polls = 0;
        const api = new FakeSigningApi(() => undefined);
        const read = api.read.bind(api);
        api.read = async (name) => {
            const state = await read(name);
            if (state && state.conditions.length > 0 && ++polls === 4) state.certificatePem = "LATE";
            return state;
        };
        const clock = fakeClock();
        await expect(issueClusterSignedCertificate(api, request, options, clock)).resolves.toBe("LATE");
        expect(clock.slept).toBe(3000);
    });

    test("replaces a leftover request of the same name from an interrupted run", async () => {
        const api = new FakeSigningApi((s) => (s.certificatePem = "CERT"));
        api.objects.set("kube-access-user2", { conditions: [] });
        await expect(issueClusterSignedCertificate(api, request, options, fakeClock())).resolves.toBe("CERT");
        expect(api.calls[0]).toBe("remove kube-access-user2");
    });

    test("a denied request fails naming the user, and is cleaned up", async () => {
        const api = new FakeSigningApi((s) =>
            s.conditions.push({ type: "Denied", status: "True", reason: "PolicyDenied", message: "not today" }),
        );
        await expect(issueClusterSignedCertificate(api, request, options, fakeClock())).rejects.toThrow(
            /kube-access-user2 for user user2 was denied \(PolicyDenied: not today\)/,
        );
        expect(api.objects.size).toBe(0);
    });

    test("a Failed condition (the signer refused) fails with what to check", async () => {
        const api = new FakeSigningApi((s) =>
            s.conditions.push({
                type: "Failed",
                status: "True",
                reason: "SignerValidationFailure",
                message: "system:masters",
            }),
        );
        await expect(issueClusterSignedCertificate(api, request, options, fakeClock())).rejects.toThrow(
            /refused the certificate for user user2 .*system:masters/,
        );
        expect(api.objects.size).toBe(0);
    });

    test("no signer before the timeout fails pointing at the controller manager's signing settings", async () => {
        const api = new FakeSigningApi(() => undefined);
        const clock = fakeClock();
        await expect(issueClusterSignedCertificate(api, request, options, clock)).rejects.toThrow(
            /no certificate for user user2 after 30s.*--cluster-signing-cert-file/,
        );
        expect(clock.slept).toBe(30000);
        expect(api.objects.size).toBe(0);
    });
});

describe("renewal decisions", () => {
    const issued = issuedClusterCertificate;
    const at = (iso: string) => Date.parse(iso);

    test("unchanged inputs outside the renewal window: no changes", () => {
        expect(diffClusterSignedCertificate(issued, { ...issued }, at("2030-01-05T00:00:00Z"))).toMatchObject({
            changes: false,
            replaces: [],
        });
    });

    test("inside the renewal window: a new certificate", () => {
        expect(diffClusterSignedCertificate(issued, { ...issued }, at("2030-01-10T00:00:01Z")).replaces).toEqual([
            "notAfter",
        ]);
    });

    test.each([
        ["key or groups (the request)", { requestPem: "OTHER" }, "requestPem"],
        ["validity", { expirationSeconds: 86400 }, "expirationSeconds"],
        ["usages", { usages: ["client auth"] }, "usages"],
    ])("a change of %s re-issues", (_what, change, key) => {
        const result = diffClusterSignedCertificate(issued, { ...issued, ...change }, at("2030-01-05T00:00:00Z"));
        expect(result.replaces).toEqual([key]);
        expect(result.deleteBeforeReplace).toBe(true);
    });

    test("a new admin kubeconfig or timeout updates in place without re-issuing", () => {
        expect(
            diffClusterSignedCertificate(issued, { ...issued, timeoutSeconds: 60 }, at("2030-01-05T00:00:00Z")),
        ).toMatchObject({
            changes: true,
            replaces: [],
        });
    });

    test.each([
        [
            "the kubeconfig held to the stack config key naming it (an upgrade)",
            "apiVersion: v1",
            { stackConfigKey: "kube-access:clusterKubeconfig" },
        ],
        [
            "the stack config key to a kubeconfig held",
            { stackConfigKey: "kube-access:clusterKubeconfig" },
            "apiVersion: v1",
        ],
    ])("from %s: updated in place, no new certificate", (_what, from, to) => {
        const result = diffClusterSignedCertificate(
            { ...issued, kubeconfig: from },
            { ...issued, kubeconfig: to },
            at("2030-01-05T00:00:00Z"),
        );
        expect(result).toMatchObject({ changes: true, replaces: [] });
    });

    test("the same stack config key: no changes (the provider reads the key's current value when it runs)", () => {
        const key = { stackConfigKey: "kube-access:clusterKubeconfig" };
        expect(
            diffClusterSignedCertificate(
                { ...issued, kubeconfig: key },
                { ...issued, kubeconfig: { ...key } },
                at("2030-01-05T00:00:00Z"),
            ),
        ).toMatchObject({ changes: false, replaces: [] });
    });

    test("a signer that shortened the lifetime below the renewal window does not cause renewal on every run", () => {
        const short = { ...issued, notAfter: "2030-01-01T12:00:00.000Z" };
        expect(effectiveRenewBeforeSeconds(short, 86400)).toBe(6 * 3600);
        expect(diffClusterSignedCertificate(short, { ...short }, at("2030-01-01T01:00:00Z")).changes).toBe(false);
        expect(diffClusterSignedCertificate(short, { ...short }, at("2030-01-01T07:00:00Z")).replaces).toEqual([
            "notAfter",
        ]);
    });

    test("needsRenewal", () => {
        expect(needsRenewal("2030-01-02T00:00:00Z", 3600, at("2030-01-01T22:59:59Z"))).toBe(false);
        expect(needsRenewal("2030-01-02T00:00:00Z", 3600, at("2030-01-01T23:00:00Z"))).toBe(true);
    });
});
