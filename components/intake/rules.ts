/**
 * Rules shared by every part of the config: list entry paths, namespace and
 * group names, https URLs, and whether a config value holds anything.
 */
import { IssueCollector, Raw } from "./reader";
import { dnsLabelProblem, identityTextProblem, rbacNameProblem } from "./limits";
import { didYouMean, suggestNamespace } from "./suggest";

/**
 * Whether a config value holds anything: not unset, null or an empty map. An
 * empty map is what `pulumi config rm --path key.entry` leaves behind after the
 * last entry (stored in plain text, with nothing secret in it).
 */
export function holdsValue(value: unknown): boolean {
    if (value === undefined || value === null) return false;
    return !(typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0);
}

/** The path of a list entry, by its position in the raw list (skipped or duplicate entries keep the numbering). */
export function entryPath(path: string, rawList: Raw, value: string, j: number): string {
    const index = Array.isArray(rawList) ? rawList.indexOf(value) : -1;
    return `${path}[${index >= 0 ? index : j}]`;
}

/**
 * Rules for every group name: Kubernetes takes any string, spaces and commas
 * included. kube-access refuses `system:` groups other than system:masters
 * (which needs allowSystemMasters), leading or trailing whitespace, control
 * characters, and '/' or '%' (binding objects are named after the group).
 */
export function checkGroupName(c: IssueCollector, path: string, group: string, allowSystemMasters: boolean): void {
    const text = identityTextProblem(group);
    if (group === "system:masters") {
        if (!allowSystemMasters) {
            c.add(
                path,
                "system:masters bypasses RBAC entirely and cannot be revoked from an issued certificate; " +
                    "bind cluster-admin instead, or set kube-access:allowSystemMasters to true if you really mean it",
            );
        }
    } else if (group.startsWith("system:")) {
        c.add(path, `must not start with "system:", which Kubernetes reserves for its own groups`);
    } else if (text !== undefined) {
        c.add(path, text);
    } else if (/[/%]/.test(group)) {
        c.add(
            path,
            `${rbacNameProblem(group)}; kube-access names each binding object kube-access:<binding>:group:<name>, so it cannot bind this group; rename it`,
        );
    }
}

/** A namespace name (DNS-1123 label), with the closest valid name when it is not one. */
export function checkNamespace(c: IssueCollector, path: string, namespace: string, known: string[]): void {
    const problem = dnsLabelProblem(namespace, "a namespace name");
    if (problem !== undefined) {
        c.add(path, problem + (problem.startsWith("is ") ? "" : didYouMean(suggestNamespace(namespace, known))));
    }
}

/** Whether a value is an absolute https:// URL with a host. */
export function isHttpsUrl(value: string): boolean {
    try {
        const u = new URL(value);
        return u.protocol === "https:" && u.hostname !== "";
    } catch {
        return false;
    }
}

/**
 * Reports each entry of a list that repeats an earlier one (`duplicate entry`,
 * at its position in the raw list) and returns the list without repeats.
 * Entries that are not strings were reported by the schema and are skipped.
 */
export function distinctEntries(c: IssueCollector, path: string, rawList: Raw): string[] {
    const out: string[] = [];
    if (!Array.isArray(rawList)) return out;
    rawList.forEach((entry, i) => {
        if (typeof entry !== "string" || entry.trim() === "") return;
        if (out.includes(entry)) c.add(`${path}[${i}]`, `duplicate entry ${JSON.stringify(entry)}`);
        else out.push(entry);
    });
    return out;
}
