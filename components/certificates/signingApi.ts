import { isNotFound, kubernetesClient, loadKubeConfig } from "../kubernetesApi/client";
import type { CertificateSigningApi, CsrRequest, CsrState } from "./clusterSigning";

/** The CSR API of the cluster the kubeconfig points at. */
export function kubernetesSigningApi(kubeconfig: string | undefined): CertificateSigningApi {
    const client = kubernetesClient();
    const api = loadKubeConfig(kubeconfig).makeApiClient(client.CertificatesV1Api);
    return {
        async create(request: CsrRequest) {
            await api.createCertificateSigningRequest({
                body: {
                    apiVersion: "certificates.k8s.io/v1",
                    kind: "CertificateSigningRequest",
                    metadata: {
                        name: request.objectName,
                        labels: { "app.kubernetes.io/managed-by": "kube-access" },
                        annotations: { "kube-access/user": request.userName },
                    },
                    spec: {
                        request: Buffer.from(request.requestPem).toString("base64"),
                        signerName: request.signerName,
                        usages: request.usages,
                        expirationSeconds: request.expirationSeconds,
                    },
                },
            });
        },
        async read(objectName: string): Promise<CsrState | undefined> {
            try {
                const csr = await api.readCertificateSigningRequest({ name: objectName });
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
            const csr = await api.readCertificateSigningRequest({ name: objectName });
            const now = new Date();
            csr.status = csr.status ?? {};
            csr.status.conditions = [
                ...(csr.status.conditions ?? []),
                { type: "Approved", status: "True", reason, message, lastUpdateTime: now, lastTransitionTime: now },
            ];
            await api.replaceCertificateSigningRequestApproval({ name: objectName, body: csr });
        },
        async remove(objectName: string) {
            try {
                await api.deleteCertificateSigningRequest({ name: objectName });
            } catch (e) {
                if (!isNotFound(e)) throw e;
            }
        },
    };
}
