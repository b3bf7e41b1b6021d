/**
 * kube-access's own work per user besides validation, timed alone in the
 * bench's process, once and cold, as the program does it: the part of its
 * evaluation that a raw program replaying the same inputs does not do.
 */
import { buildCsrPem } from "../../components/x509/csr";
import { privateKeyArgs } from "../../components/x509/privateKeys";
import { oidcKubeconfig } from "../../components/oidc/kubeconfigCredential";
import { certificateKubeconfig } from "../../components/certificates/kubeconfig";
import { serviceAccountKubeconfig } from "../../components/serviceAccounts/kubeconfig";
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
 * provider writes them) and renders every user's kubeconfig with the
 * functions the components use (a certificate user's with `certificatePem`
 * standing in for the signed certificate, a service account's with a
 * stand-in token, an OIDC user's for the spec's issuer), each part timed on
 * its own.
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
            if (user.auth.method === "oidc" && spec.oidc) oidcKubeconfig(cluster, user.name, spec.oidc);
            else if (user.auth.method === "serviceAccount")
                serviceAccountKubeconfig(cluster, user.name, user.auth.namespace, "bench");
            else certificateKubeconfig(cluster, user.name, certificatePem, keyOf.get(user.name));
        }
    });
    return { csrs: keyed.length, csrSeconds, kubeconfigs: spec.users.length, kubeconfigSeconds };
}
