import { isNotFound, kubernetesClient, loadKubeConfig } from "../kubernetesApi/client";
import { withApiContext } from "../kubernetesApi/apiFailure";
import type { CertificateSigningApi, CsrRequest, CsrState } from "./clusterSigning";

/** The CSR API of the cluster the kubeconfig points at. */
export function kubernetesSigningApi(kubeconfig: string | undefined): CertificateSigningApi {
    const client = kubernetesClient();
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
