/**
 * kube-access's own work per user besides validation, timed alone in the
 * bench's process: what any program that delivers the same credentials has
 * to do on top of declaring the resources, however it is written.
 */
import { buildCsrPem } from "../../components/x509/csr";
import { privateKeyArgs } from "../../components/x509/privateKeys";
import { renderKubeconfig } from "../../components/kubeconfig/render";
import { oidcKubeconfig } from "../../components/oidc/kubeconfigCredential";
import { userKeyFile } from "../../components/certificates/certificateUser";
import type { AccessSpec, KeyAlgorithm } from "../../components/model/types";
import { tlsPrivateKeyPem } from "../../test/helpers/mocks";
import type { OwnWorkTimes } from "./cpuShares";

/** The tls provider's inputs for a key algorithm, which privateKeyArgs gives as plain values. */
function plainKeyArgs(algorithm: KeyAlgorithm): { algorithm?: string; rsaBits?: number; ecdsaCurve?: string } {
    return privateKeyArgs(algorithm) as { algorithm?: string; rsaBits?: number; ecdsaCurve?: string };
}

/**
 * Builds the CSR of every certificate user whose key kube-access makes (keys
 * of the user's `keyAlgorithm`, generated before the clock starts, as the tls
 * provider writes them) and renders every user's kubeconfig (a certificate
 * user's with `certificatePem`, a service account's with a stand-in token, an
 * OIDC user's for the spec's issuer), each part timed on its own.
 */
export function timeOwnWork(spec: AccessSpec, certificatePem: string): OwnWorkTimes {
    const keyed = spec.users.flatMap((user) =>
        user.auth.method === "certificate" && !user.auth.certificateRequestPem
            ? [{ user, keyPem: tlsPrivateKeyPem(plainKeyArgs(user.auth.keyAlgorithm)) }]
            : [],
    );
    const keyOf = new Map(keyed.map(({ user, keyPem }) => [user.name, keyPem]));
    const seconds = (f: () => void): number => {
        const started = performance.now();
        f();
        return (performance.now() - started) / 1000;
    };
    const csrSeconds = seconds(() => {
        for (const { user, keyPem } of keyed)
            buildCsrPem(keyPem, { commonName: user.name, organizations: user.groups });
    });
    const kubeconfigSeconds = seconds(() => {
        for (const user of spec.users) {
            const { cluster } = spec;
            const keyPem = keyOf.get(user.name);
            if (user.auth.method === "oidc" && spec.oidc) oidcKubeconfig(cluster, user.name, spec.oidc);
            else if (user.auth.method === "serviceAccount")
                renderKubeconfig({ cluster, userName: user.name, credential: { kind: "token", token: "bench" } });
            else if (keyPem)
                renderKubeconfig({
                    cluster,
                    userName: user.name,
                    credential: { kind: "clientCertificate", certificatePem, privateKeyPem: keyPem },
                });
            else
                renderKubeconfig({
                    cluster,
                    userName: user.name,
                    credential: {
                        kind: "clientCertificateWithKeyFile",
                        certificatePem,
                        privateKeyPath: userKeyFile(user.name),
                    },
                });
        }
    });
    return { csrs: keyed.length, csrSeconds, kubeconfigs: spec.users.length, kubeconfigSeconds };
}
