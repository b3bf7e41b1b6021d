import * as crypto from "crypto";

/** Naming rules shared by validation and the components. */

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes namespace or other DNS-1123 label name. */
export function isDnsLabel(name: string): boolean {
    return name.length <= 63 && dnsLabel.test(name);
}

/** A Kubernetes object name such as a ServiceAccount's (DNS-1123 subdomain). */
export function isDnsSubdomain(name: string): boolean {
    return name.length <= 253 && dnsSubdomain.test(name);
}

/**
 * Turns a user name into a string usable inside Kubernetes object names:
 * lower case, runs of other characters replaced by `-`. Validation refuses
 * specs where two users map to the same result, so the mapping stays
 * unambiguous within a stack.
 */
export function toObjectName(name: string): string {
    return name
        .toLowerCase()
        .replace(/[^a-z0-9.-]+/g, "-")
        .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
}

/**
 * Name of the CertificateSigningRequest object for a cluster-signed user of
 * one stack: `kube-access-<user>-<first 10 hex digits of SHA-256("<project>/<stack>")>`.
 * CSRs are cluster-scoped, so two stacks onboarding the same user name to one
 * cluster get different objects; one stack always uses the same name, so a run
 * removes the object an interrupted run of the same stack left behind.
 * The user part is cut so the name stays a DNS-1123 subdomain (253 characters).
 */
export function csrObjectName(userName: string, stackId: string): string {
    const stackHash = crypto.createHash("sha256").update(stackId).digest("hex").slice(0, 10);
    const user = toObjectName(userName)
        .slice(0, 200)
        .replace(/[^a-z0-9]+$/, "");
    return `kube-access-${user}-${stackHash}`;
}

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

/** The name the API server gives a service account's requests; defined with every other identity in ../identity. */
export { serviceAccountUsername } from "../identity";
