/**
 * Issuing a client certificate through the Kubernetes CertificateSigningRequest
 * API: create, approve, wait for the signer, read back, clean up. The logic
 * works against the small {@link CertificateSigningApi} interface so it can be
 * tested without a cluster; {@link kubernetesSigningApi} is the real one.
 */
import { Clock, pollUntil, systemClock } from "../kubernetesApi/polling";

/** A condition on a CertificateSigningRequest's status. */
export interface CsrCondition {
    type: string;
    status: string;
    reason?: string;
    message?: string;
}

/** The parts of a CertificateSigningRequest object kube-access reads. */
export interface CsrState {
    conditions: CsrCondition[];
    /** PEM of the issued certificate, once the signer has issued it. */
    certificatePem?: string;
}

/** What kube-access asks the cluster to sign. */
export interface CsrRequest {
    /** Name of the CertificateSigningRequest object. */
    objectName: string;
    /** The user the certificate is for (used in messages and labels). */
    userName: string;
    /** `<project>/<stack>` that asks, recorded on the object (annotation `kube-access/stack`). */
    stackId?: string;
    requestPem: string;
    signerName: string;
    usages: string[];
    expirationSeconds: number;
}

/** The API calls the signing flow needs. */
export interface CertificateSigningApi {
    create(request: CsrRequest): Promise<void>;
    /** Reads the object's state, or undefined if it does not exist. */
    read(objectName: string): Promise<CsrState | undefined>;
    approve(objectName: string, reason: string, message: string): Promise<void>;
    /** Deletes the object; succeeds if it is already gone. */
    remove(objectName: string): Promise<void>;
}

export interface IssueOptions {
    /** Give up waiting for the signer after this long. */
    timeoutSeconds: number;
    /** Keep the CSR object after reading the certificate. */
    keepRequest: boolean;
    /** How often to poll for the certificate. */
    pollIntervalMs?: number;
}

export const approvalReason = "KubeAccessApproved";

/** Raised when the cluster does not issue a certificate; names the user and what to check. */
export class ClusterSigningError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ClusterSigningError";
    }
}

/**
 * Creates the CSR (replacing a leftover object of the same name from an
 * interrupted run), approves it, waits for the certificate and returns its
 * PEM. On any failure the CSR object is deleted so nothing is left behind.
 */
export async function issueClusterSignedCertificate(
    api: CertificateSigningApi,
    request: CsrRequest,
    options: IssueOptions,
    clock: Clock = systemClock,
): Promise<string> {
    const name = request.objectName;
    if ((await api.read(name)) !== undefined) await api.remove(name);
    await api.create(request);
    try {
        await api.approve(
            name,
            approvalReason,
            `kube-access approved this request for user ${request.userName} as declared in the stack config`,
        );
        const certificatePem = await waitForCertificate(api, request, options, clock);
        if (!options.keepRequest) await api.remove(name);
        return certificatePem;
    } catch (e) {
        await api.remove(name).catch(() => undefined);
        throw e;
    }
}

function waitForCertificate(
    api: CertificateSigningApi,
    request: CsrRequest,
    options: IssueOptions,
    clock: Clock,
): Promise<string> {
    const name = request.objectName;
    return pollUntil(
        async () => {
            const state = await api.read(name);
            if (state === undefined) {
                throw new ClusterSigningError(
                    `CertificateSigningRequest ${name} for user ${request.userName} disappeared before a certificate was issued; ` +
                        "check for a controller or person deleting CSRs (the csrcleaner controller deletes only old ones)",
                );
            }
            const bad = state.conditions.find(
                (c) => (c.type === "Denied" || c.type === "Failed") && c.status === "True",
            );
            if (bad) {
                const detail = [bad.reason, bad.message].filter(Boolean).join(": ");
                throw new ClusterSigningError(
                    bad.type === "Denied"
                        ? `CertificateSigningRequest ${name} for user ${request.userName} was denied (${detail}); ` +
                              "check which approver or admission policy denies it"
                        : `the signer ${request.signerName} refused the certificate for user ${request.userName} (${detail}); ` +
                              "check the user's groups (this signer refuses system:masters) and the requested usages",
                );
            }
            return state.certificatePem || undefined;
        },
        { timeoutSeconds: options.timeoutSeconds, intervalMs: options.pollIntervalMs ?? 1000 },
        () =>
            new ClusterSigningError(
                `no certificate for user ${request.userName} after ${options.timeoutSeconds}s: CertificateSigningRequest ${name} ` +
                    `is approved but the signer ${request.signerName} did not issue it; check that kube-controller-manager runs ` +
                    "the certificatesigningrequest-signing controller with --cluster-signing-cert-file and " +
                    "--cluster-signing-key-file (or the kube-apiserver-client specific flags), or raise " +
                    "kube-access:clusterSigning.timeoutSeconds",
            ),
        clock,
    );
}

/** True when a certificate expiring at `notAfter` is inside its renewal window. */
export function needsRenewal(notAfter: string, renewBeforeSeconds: number, now: number): boolean {
    return now >= Date.parse(notAfter) - renewBeforeSeconds * 1000;
}
