/**
 * Name of the token Secret of a service-account user; with a generation (the
 * id of the user's rotation schedule) once the token is rotated. A legacy
 * service-account token is a JWT of the namespace, Secret name and
 * ServiceAccount, signed deterministically (RS256), with no issue time: a
 * Secret made again under the same name holds the very same token, so a
 * rotated token needs a Secret of a new name.
 */
export function tokenSecretName(serviceAccountName: string, generation?: string): string {
    return `${serviceAccountName}-kube-access-token${generation ? `-${generation}` : ""}`;
}
