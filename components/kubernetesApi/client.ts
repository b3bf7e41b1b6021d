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

/**
 * Where a dynamic resource finds the admin kubeconfig: the text itself, or a
 * stack config key its provider reads when it runs (the provider's
 * `configure` call hands it the stack's configuration, secrets included). The
 * key keeps the kubeconfig out of every resource's state: it is stored once,
 * in the stack config, instead of twice (inputs and outputs) per certificate
 * and token (docs/performance.md). Undefined means the ambient kubeconfig.
 */
export type KubeconfigSource = string | { stackConfigKey: string };

/** The stack's `kube-access:clusterKubeconfig`, as a {@link KubeconfigSource}. */
export const clusterKubeconfigFromStackConfig: KubeconfigSource = { stackConfigKey: "kube-access:clusterKubeconfig" };

/** True for a {@link KubeconfigSource} that names a stack config key (no secret in it). */
export function isStackConfigKubeconfig(source: unknown): source is { stackConfigKey: string } {
    return (
        typeof source === "object" &&
        source !== null &&
        typeof (source as { stackConfigKey?: unknown }).stackConfigKey === "string"
    );
}

/**
 * The outputs to store as secrets for a dynamic resource whose `kubeconfig`
 * input is `source`: `["kubeconfig"]` when it may be the kubeconfig text (a
 * string, or an Output whose value is not known yet), none when it is a
 * {@link KubeconfigSource} naming a stack config key or undefined (the ambient
 * kubeconfig), which hold no secret. Each secret costs the engine an
 * encryption at every checkpoint of a first `pulumi up` (docs/performance.md).
 */
export function kubeconfigSecretOutputs(source: unknown): string[] {
    return source === undefined || isStackConfigKubeconfig(source) ? [] : ["kubeconfig"];
}

/** The stack configuration as a dynamic provider's `configure` gets it (`pulumi.dynamic.ConfigureRequest`). */
export interface StackConfig {
    get(key: string): string | undefined;
}

/**
 * The kubeconfig text `source` stands for: the text itself, the value of its
 * stack config key in `stackConfig` (undefined when the stack has no such key:
 * the ambient kubeconfig, as for the program), or undefined. Throws when
 * `source` names a key and no stack configuration was handed over, rather
 * than fall back to whatever cluster the ambient kubeconfig points at.
 */
export function kubeconfigText(
    source: KubeconfigSource | undefined,
    stackConfig: StackConfig | undefined,
): string | undefined {
    if (source === undefined || typeof source === "string") return source;
    if (!stackConfig) {
        throw new Error(
            `the admin kubeconfig is the stack config value ${source.stackConfigKey}, but the provider was not given ` +
                "the stack's configuration; run it with the Pulumi CLI kube-access is tested with (tools/versions.sh)",
        );
    }
    return stackConfig.get(source.stackConfigKey);
}

/** True for the client's 404 Not Found error. */
export function isNotFound(e: unknown): boolean {
    return typeof e === "object" && e !== null && (e as { code?: number }).code === 404;
}
