import { isNotFound, kubernetesClient, loadKubeConfig } from "../kubernetesApi/client";

/** Reads `data.token` of a service-account token Secret, or undefined while the controller has not filled it. */
export async function readServiceAccountToken(
    kubeconfig: string | undefined,
    namespace: string,
    secretName: string,
): Promise<string | undefined> {
    const client = kubernetesClient();
    const api = loadKubeConfig(kubeconfig).makeApiClient(client.CoreV1Api);
    try {
        const secret = await api.readNamespacedSecret({ name: secretName, namespace });
        const token = secret.data?.token;
        return token ? Buffer.from(token, "base64").toString("utf8") : undefined;
    } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
    }
}
