/** The `serviceAccount` auth method of a user: its namespace and names. */
import { ServiceAccountAuth } from "../model/types";
import { IssueCollector } from "../intake/reader";
import { dnsSubdomainMax, dnsSubdomainProblem } from "../intake/limits";
import { didYouMean } from "../intake/suggest";
import { checkNamespace } from "../intake/rules";
import { serviceAccountAuthSchema, serviceAccountTokensSchema } from "../intake/schema";
import { readSection } from "../intake/section";
import { toObjectName } from "../model/names";
import { tokenSecretName } from "./names";

/** Defaults for every service-account user's token (config `serviceAccountTokens`). */
export interface ServiceAccountTokenDefaults {
    /** Replace a token Secret at the first `pulumi up` this many hours after it was made; never when undefined. */
    maxAgeHours?: number;
}

/** Reads `serviceAccountTokens` (shape in ../intake/schema). */
export function readServiceAccountTokens(c: IssueCollector, value: unknown): ServiceAccountTokenDefaults {
    if (value === undefined || value === null) return {};
    const o = readSection(c, "serviceAccountTokens", value, serviceAccountTokensSchema);
    return o?.maxAgeHours === undefined ? {} : { maxAgeHours: o.maxAgeHours };
}

/**
 * Reads the `serviceAccount` auth method of a user (`path` is `users[i].auth`;
 * shape in ../intake/schema). The user's `tokenMaxAgeHours` wins over the
 * default of `serviceAccountTokens.maxAgeHours`.
 */
export function readServiceAccountAuth(
    c: IssueCollector,
    path: string,
    value: Record<string, unknown>,
    namespaces: string[],
    tokenDefaults: ServiceAccountTokenDefaults = {},
): ServiceAccountAuth {
    const { namespace, createNamespace, rotation, tokenMaxAgeHours } = {
        ...serviceAccountAuthSchema.parse({ method: "serviceAccount" }),
        ...readSection(c, path, value, serviceAccountAuthSchema),
    };
    checkNamespace(c, `${path}.namespace`, namespace, namespaces);
    const maxAge = tokenMaxAgeHours ?? tokenDefaults.maxAgeHours;
    return {
        method: "serviceAccount",
        namespace,
        createNamespace,
        ...(rotation ? { rotation } : {}),
        ...(maxAge !== undefined ? { tokenMaxAgeHours: maxAge } : {}),
    };
}

/** A service-account user's name becomes the ServiceAccount's and, with a suffix, its token Secret's. */
export function checkServiceAccountUserName(c: IssueCollector, path: string, name: string): void {
    // The token Secret is named <name>-kube-access-token, so the name leaves room for the suffix.
    // Room for the longest token Secret name: a rotated token's, with its 8-hex generation.
    const max = dnsSubdomainMax - (tokenSecretName(name, "00000000").length - name.length);
    const problem = dnsSubdomainProblem(
        name,
        "it becomes the ServiceAccount name",
        max,
        `it becomes the ServiceAccount name and, with -kube-access-token-<generation> appended, the token Secret name; ` +
            `Kubernetes limits a Secret name to ${dnsSubdomainMax}, so this name is limited`,
    );
    if (problem) {
        const fixed = toObjectName(name);
        c.add(
            path,
            problem + (fixed !== name && dnsSubdomainProblem(fixed, "", max) === undefined ? didYouMean(fixed) : ""),
        );
    }
}

/** A service account's groups are set by the API server, not by config (`path` is `users[i].groups`). */
export function checkServiceAccountGroups(c: IssueCollector, path: string, groups: string[]): void {
    if (groups.length > 0) {
        c.add(
            path,
            "must be empty for a service-account user: the API server sets its groups " +
                "(system:serviceaccounts and system:serviceaccounts:<namespace>)",
        );
    }
}
