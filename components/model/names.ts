/** Kubernetes naming rules (DNS-1123 labels and subdomains) shared by validation and the components. */

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
