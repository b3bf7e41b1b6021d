/** Name of the token Secret of a service-account user. */
export function tokenSecretName(serviceAccountName: string): string {
    return `${serviceAccountName}-kube-access-token`;
}
