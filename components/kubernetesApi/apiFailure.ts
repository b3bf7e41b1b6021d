/**
 * Errors of calls kube-access makes to the Kubernetes API itself (CSR
 * approval, reading token Secrets), put so a platform team knows which API
 * server failed, during what, and what to do. The client library's own
 * message (e.g. `connect ECONNREFUSED 127.0.0.1:6443`, `HTTP-Code: 403`) is
 * kept, cut to its first line; it holds no credential.
 */
export class KubernetesApiError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KubernetesApiError";
    }
}

/** The first line of an error's message, at most 300 characters. */
function reasonOf(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    const first = text.split("\n")[0].trim();
    return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}

/** Wraps a failure of `action` (e.g. "creating CertificateSigningRequest x for user y") against `server`. */
export function kubernetesApiFailure(server: string | undefined, action: string, e: unknown): KubernetesApiError {
    const where = server ?? "the API server of the ambient kubeconfig";
    return new KubernetesApiError(
        `${action} at ${where} failed: ${reasonOf(e)}; check that the API server is running and reachable ` +
            "from where pulumi runs and that kube-access:clusterKubeconfig may do this, then run `pulumi up` again " +
            "(it picks up where this run stopped)",
    );
}

/** Runs one API call, turning its failure into a {@link KubernetesApiError}. */
export async function withApiContext<T>(
    server: string | undefined,
    action: string,
    call: () => Promise<T>,
): Promise<T> {
    try {
        return await call();
    } catch (e) {
        if (e instanceof KubernetesApiError) throw e;
        if (typeof e === "object" && e !== null && (e as { code?: number }).code === 404) throw e;
        throw kubernetesApiFailure(server, action, e);
    }
}
