import { isNotFound, kubernetesClient, loadKubeConfig } from "../kubernetesApi/client";
import { withApiContext } from "../kubernetesApi/apiFailure";

/** Reads `data.token` of a service-account token Secret, or undefined while the controller has not filled it. */
export async function readServiceAccountToken(
    kubeconfig: string | undefined,
    namespace: string,
    secretName: string,
): Promise<string | undefined> {
    const client = kubernetesClient();
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
