/**
 * Fits the example stack config to the providers this machine has. Where the
 * tls provider is missing (it cannot be built here, docs/engine.md), users
 * signed by the cluster make their own key and CSR, as in the article, and
 * externally signed users are left out; where the keycloak provider is missing,
 * OIDC users are left out (their groups stay declared so bindings still apply).
 */

/** A stack config by full key, as in Pulumi.<stack>.yaml. */
export type StackConfig = Record<string, unknown>;

interface RawUser {
    name: string;
    groups?: string[];
    auth: { method: string; signer?: string; certificateRequest?: string; keyAlgorithm?: string };
}

interface RawBinding {
    name?: string;
    subjects: { user?: string; group?: string }[];
}

/** What the demo changed and why, for its report. */
export interface DemoAdjustment {
    config: StackConfig;
    /** Users that need a key and CSR made outside Pulumi (with their key algorithm, if set). */
    ownCsrUsers: { name: string; groups: string[]; keyAlgorithm?: string }[];
    notes: string[];
}

export function fitConfigToProviders(base: StackConfig, providers: string[]): DemoAdjustment {
    const config: StackConfig = JSON.parse(JSON.stringify(base));
    const users = (config["kube-access:users"] ?? []) as RawUser[];
    const notes: string[] = [];
    const skipped = new Set<string>();
    const ownCsrUsers: DemoAdjustment["ownCsrUsers"] = [];
    const keptGroups = new Set<string>((config["kube-access:groups"] as string[] | undefined) ?? []);
    for (const user of users) {
        const { method, signer, certificateRequest } = user.auth;
        if (method === "certificate" && !certificateRequest && !providers.includes("tls")) {
            if (signer === "cluster") {
                ownCsrUsers.push({ name: user.name, groups: user.groups ?? [], keyAlgorithm: user.auth.keyAlgorithm });
                notes.push(`${user.name}: key and CSR made with openssl on this machine (no tls provider here)`);
            } else {
                skipped.add(user.name);
                notes.push(
                    `${user.name}: left out, external signing needs the tls provider, which is not available here`,
                );
            }
        }
        if (method === "oidc" && !providers.includes("keycloak")) {
            skipped.add(user.name);
            notes.push(`${user.name}: left out, OIDC users need the keycloak provider, which is not available here`);
        }
        if (skipped.has(user.name)) for (const g of user.groups ?? []) keptGroups.add(g);
    }
    config["kube-access:users"] = users.filter((u) => !skipped.has(u.name));
    const remainingGroups = new Set((config["kube-access:users"] as RawUser[]).flatMap((u) => u.groups ?? []));
    const declared = [...keptGroups].filter((g) => !remainingGroups.has(g));
    if (declared.length > 0) config["kube-access:groups"] = declared.sort();
    const bindings = ((config["kube-access:bindings"] ?? []) as RawBinding[])
        .map((b) => ({ ...b, subjects: b.subjects.filter((s) => !(s.user && skipped.has(s.user))) }))
        .filter((b) => b.subjects.length > 0);
    config["kube-access:bindings"] = bindings;
    return { config, ownCsrUsers, notes };
}
