import type * as k8s from "@kubernetes/client-node";

/**
 * The Kubernetes client for what `@pulumi/kubernetes` cannot do (approving
 * CSRs, waiting for a token Secret to be filled, reading ClusterRoles for the
 * access report). Used inside dynamic providers, so the client library is
 * loaded lazily at call time. Each auth method keeps its own API calls beside
 * it (`certificates/signingApi.ts`, `serviceAccounts/tokenApi.ts`).
 */

/** The `@kubernetes/client-node` module, loaded at call time. */
export function kubernetesClient(): typeof k8s {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@kubernetes/client-node");
}

/** Loads a client config from kubeconfig text, or the ambient kubeconfig when absent. */
export function loadKubeConfig(kubeconfig: string | undefined): k8s.KubeConfig {
    const client = kubernetesClient();
    const config = new client.KubeConfig();
    if (kubeconfig) config.loadFromString(kubeconfig);
    else config.loadFromDefault();
    return config;
}

/** True for the client's 404 Not Found error. */
export function isNotFound(e: unknown): boolean {
    return typeof e === "object" && e !== null && (e as { code?: number }).code === 404;
}
