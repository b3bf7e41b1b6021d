import type * as k8s from "@kubernetes/client-node";
import { loadKubeConfig } from "../kubernetesApi/client";
import { GrantDetail, PolicyRule, RoleRules } from "./model";

/** A role as a binding names it: a ClusterRole, or a Role of one namespace. */
export type RoleId = Pick<GrantDetail, "roleKind" | "role" | "namespace">;

/** The key of a role: a ClusterRole is one object wherever it is bound; a Role is per namespace. */
export function roleKey(r: RoleId): string {
    return r.roleKind === "ClusterRole" ? `ClusterRole/${r.role}` : `Role/${r.namespace}/${r.role}`;
}

/** What the cluster said about the roles: a lookup, and why rules were not read if they were not. */
export interface ClusterRoles {
    rolesOf: (grant: GrantDetail) => RoleRules;
    rulesRead: boolean;
    note?: string;
}

function statusCode(e: unknown): number | undefined {
    return typeof e === "object" && e !== null ? (e as { code?: number }).code : undefined;
}

/** The rules of what the API returned, in the report's own shape. */
function toRules(rules: k8s.V1PolicyRule[] | undefined): PolicyRule[] {
    return (rules ?? []).map((r) => ({
        verbs: r.verbs,
        ...(r.apiGroups ? { apiGroups: r.apiGroups } : {}),
        ...(r.resources ? { resources: r.resources } : {}),
        ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
        ...(r.nonResourceURLs ? { nonResourceURLs: r.nonResourceURLs } : {}),
    }));
}

/** Rules for every role, or "unknown" for all of them with a note when the cluster cannot be read. */
export function lookupFrom(found: Map<string, RoleRules>, note?: string): ClusterRoles {
    return {
        rolesOf: (g) => found.get(roleKey(g)) ?? { state: "unknown" },
        rulesRead: note === undefined,
        ...(note ? { note } : {}),
    };
}

/**
 * Reads the rules of the given roles from the cluster, read-only (get on
 * clusterroles and roles). A role the cluster does not have is `missing`;
 * when the cluster cannot be reached or refuses, no role is read and the note
 * says why. `kubeconfig` is kubeconfig text; the ambient kubeconfig when
 * undefined.
 */
export async function readClusterRoles(kubeconfig: string | undefined, roles: RoleId[]): Promise<ClusterRoles> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client: typeof k8s = require("@kubernetes/client-node");
    const found = new Map<string, RoleRules>();
    try {
        const api = loadKubeConfig(kubeconfig).makeApiClient(client.RbacAuthorizationV1Api);
        for (const role of roles) {
            const key = roleKey(role);
            if (found.has(key)) continue;
            try {
                const object =
                    role.roleKind === "ClusterRole"
                        ? await api.readClusterRole({ name: role.role })
                        : await api.readNamespacedRole({ name: role.role, namespace: role.namespace! });
                found.set(key, { state: "read", rules: toRules(object.rules) });
            } catch (e) {
                if (statusCode(e) === 404) found.set(key, { state: "missing" });
                else throw e;
            }
        }
    } catch (e) {
        const code = statusCode(e);
        const reason = code ? `the API server answered ${code}` : ((e as Error).message ?? String(e)).split("\n")[0];
        return lookupFrom(new Map(), `the cluster could not be read (${reason})`);
    }
    return lookupFrom(found);
}
