import type * as k8s from "@kubernetes/client-node";
import type { CertificateSigningApi, CsrRequest, CsrState } from "../certificates/clusterSigning";
import { withApiContext } from "./apiFailure";

/**
 * Direct Kubernetes API access for what `@pulumi/kubernetes` cannot do
 * (approving CSRs, waiting for a token Secret to be filled). Used inside
 * dynamic providers, so the client library is loaded lazily at call time.
 */

/** Loads a client config from kubeconfig text, or the ambient kubeconfig when absent. */
export function loadKubeConfig(kubeconfig: string | undefined): k8s.KubeConfig {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client: typeof k8s = require("@kubernetes/client-node");
    const config = new client.KubeConfig();
    if (kubeconfig) config.loadFromString(kubeconfig);
    else config.loadFromDefault();
    return config;
}

function isNotFound(e: unknown): boolean {
    return typeof e === "object" && e !== null && (e as { code?: number }).code === 404;
}

/** The CSR API of the cluster the kubeconfig points at. */
export function kubernetesSigningApi(kubeconfig: string | undefined): CertificateSigningApi {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client: typeof k8s = require("@kubernetes/client-node");
    const config = loadKubeConfig(kubeconfig);
    const server = config.getCurrentCluster()?.server;
    const api = config.makeApiClient(client.CertificatesV1Api);
    const call = <T>(action: string, f: () => Promise<T>) => withApiContext(server, action, f);
    return {
        async create(request: CsrRequest) {
            await call(`creating CertificateSigningRequest ${request.objectName} for user ${request.userName}`, () =>
                api.createCertificateSigningRequest({
                    body: {
                        apiVersion: "certificates.k8s.io/v1",
                        kind: "CertificateSigningRequest",
                        metadata: {
                            name: request.objectName,
                            labels: { "app.kubernetes.io/managed-by": "kube-access" },
                            annotations: {
                                "kube-access/user": request.userName,
                                ...(request.stackId ? { "kube-access/stack": request.stackId } : {}),
                            },
                        },
                        spec: {
                            request: Buffer.from(request.requestPem).toString("base64"),
                            signerName: request.signerName,
                            usages: request.usages,
                            expirationSeconds: request.expirationSeconds,
                        },
                    },
                }),
            );
        },
        async read(objectName: string): Promise<CsrState | undefined> {
            try {
                const csr = await call(`reading CertificateSigningRequest ${objectName}`, () =>
                    api.readCertificateSigningRequest({ name: objectName }),
                );
                const certificate = csr.status?.certificate;
                return {
                    conditions: (csr.status?.conditions ?? []).map((c) => ({
                        type: c.type,
                        status: c.status,
                        reason: c.reason,
                        message: c.message,
                    })),
                    certificatePem: certificate ? Buffer.from(certificate, "base64").toString("utf8") : undefined,
                };
            } catch (e) {
                if (isNotFound(e)) return undefined;
                throw e;
            }
        },
        async approve(objectName: string, reason: string, message: string) {
            const csr = await call(`reading CertificateSigningRequest ${objectName} to approve it`, () =>
                api.readCertificateSigningRequest({ name: objectName }),
            );
            const now = new Date();
            csr.status = csr.status ?? {};
            csr.status.conditions = [
                ...(csr.status.conditions ?? []),
                { type: "Approved", status: "True", reason, message, lastUpdateTime: now, lastTransitionTime: now },
            ];
            await call(`approving CertificateSigningRequest ${objectName}`, () =>
                api.replaceCertificateSigningRequestApproval({ name: objectName, body: csr }),
            );
        },
        async remove(objectName: string) {
            try {
                await call(`deleting CertificateSigningRequest ${objectName}`, () =>
                    api.deleteCertificateSigningRequest({ name: objectName }),
                );
            } catch (e) {
                if (!isNotFound(e)) throw e;
            }
        },
    };
}

/** Reads `data.token` of a service-account token Secret, or undefined while the controller has not filled it. */
export async function readServiceAccountToken(
    kubeconfig: string | undefined,
    namespace: string,
    secretName: string,
): Promise<string | undefined> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client: typeof k8s = require("@kubernetes/client-node");
    const config = loadKubeConfig(kubeconfig);
    const api = config.makeApiClient(client.CoreV1Api);
    try {
        const secret = await withApiContext(
            config.getCurrentCluster()?.server,
            `reading token Secret ${namespace}/${secretName}`,
            () => api.readNamespacedSecret({ name: secretName, namespace }),
        );
        const token = secret.data?.token;
        return token ? Buffer.from(token, "base64").toString("utf8") : undefined;
    } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
    }
}
