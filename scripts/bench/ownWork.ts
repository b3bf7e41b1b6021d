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

/**
 * Builds the CSR of every certificate user whose key kube-access makes (keys
 * of the user's `keyAlgorithm`, generated before the clock starts, as the tls
 * provider writes them) and renders every user's kubeconfig with the
 * functions the components use ({@link renderKubeconfigs}), each part
 * timed on its own.
 */
export function timeOwnWork(spec: AccessSpec, certificatePem: string): OwnWorkTimes {
    const inputs = kubeconfigInputs(spec, certificatePem);
    const keyed = spec.users.filter((user) => inputs.keyOf.has(user.name));
    const seconds = (f: () => void): number => {
        const started = performance.now();
        f();
        return (performance.now() - started) / 1000;
    };
    const csrSeconds = seconds(() => {
        for (const user of keyed)
            buildCsrPem(inputs.keyOf.get(user.name)!, { commonName: user.name, organizations: user.groups });
    });
    const kubeconfigSeconds = seconds(() => renderKubeconfigs(inputs));
    return { csrs: keyed.length, csrSeconds, kubeconfigs: spec.users.length, kubeconfigSeconds };
}

/** What rendering every user's kubeconfig needs besides the spec: the certificate users' keys. */
export interface KubeconfigInputs {
    spec: AccessSpec;
    /** The signed certificate every certificate user's kubeconfig carries (the mocks give every one the same). */
    certificatePem: string;
    /** Each certificate user's key when kube-access makes it, as the tls provider writes one. */
    keyOf: Map<string, string>;
}

/** A key for every certificate user whose key kube-access makes, of the user's `keyAlgorithm`. */
export function kubeconfigInputs(spec: AccessSpec, certificatePem: string): KubeconfigInputs {
    const keyOf = new Map(
        spec.users.flatMap((user) =>
            user.auth.method === "certificate" && !user.auth.certificateRequestPem
                ? [[user.name, tlsPrivateKeyPem(plainKeyArgs(user.auth.keyAlgorithm))] as const]
                : [],
        ),
    );
    return { spec, certificatePem, keyOf };
}

/** The tls provider's inputs for a key algorithm, which privateKeyArgs gives as plain values. */
export function plainKeyArgs(algorithm: KeyAlgorithm): { algorithm?: string; rsaBits?: number; ecdsaCurve?: string } {
    return privateKeyArgs(algorithm) as { algorithm?: string; rsaBits?: number; ecdsaCurve?: string };
}

/**
 * Every user's kubeconfig, by user name, rendered with the functions the
 * components use: a certificate user's with the signed certificate and key,
 * a service account's with a stand-in token, an OIDC user's for the spec's
 * issuer.
 */
export function renderKubeconfigs({ spec, certificatePem, keyOf }: KubeconfigInputs): Record<string, string> {
    const { cluster } = spec;
    const kubeconfigs: Record<string, string> = {};
    for (const user of spec.users) {
        if (user.auth.method === "oidc") {
            if (spec.oidc) kubeconfigs[user.name] = oidcKubeconfig(cluster, user.name, spec.oidc);
        } else if (user.auth.method === "serviceAccount")
            kubeconfigs[user.name] = serviceAccountKubeconfig(cluster, user.name, user.auth.namespace, "bench");
        else kubeconfigs[user.name] = certificateKubeconfig(cluster, user.name, certificatePem, keyOf.get(user.name));
    }
    return kubeconfigs;
}
