import { toObjectName } from "../model/names";

/** Name of the CertificateSigningRequest object for a cluster-signed user. */
export function csrObjectName(userName: string): string {
    return `kube-access-${toObjectName(userName)}`;
}
