import { ClusterSpec } from "../model/types";
import { renderKubeconfig } from "../kubeconfig/render";

/** Where a kubeconfig looks for the key of a user who brought their own CSR: beside the kubeconfig. */
export function userKeyFile(userName: string): string {
    return `${userName}.key`;
}

/**
 * The kubeconfig of a certificate user (YAML): the certificate with the
 * private key embedded, or, for a user who brought their own CSR and so
 * keeps their key, a path to it beside the kubeconfig ({@link userKeyFile}).
 */
export function certificateKubeconfig(
    cluster: ClusterSpec,
    userName: string,
    certificatePem: string,
    privateKeyPem: string | undefined,
): string {
    return renderKubeconfig({
        cluster,
        userName,
        credential: privateKeyPem
            ? { kind: "clientCertificate", certificatePem, privateKeyPem }
            : { kind: "clientCertificateWithKeyFile", certificatePem, privateKeyPath: userKeyFile(userName) },
    });
}
