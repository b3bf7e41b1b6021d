import { ClusterSpec } from "../model/types";
import { renderKubeconfig } from "../kubeconfig/render";

/**
 * The kubeconfig of a service account (YAML): its bearer token, and its
 * namespace as the context's default.
 */
export function serviceAccountKubeconfig(
    cluster: ClusterSpec,
    userName: string,
    namespace: string,
    token: string,
): string {
    return renderKubeconfig({ cluster, userName, namespace, credential: { kind: "token", token } });
}
