/**
 * What an impersonation grant becomes: RBAC rules with the `impersonate`
 * verb limited by `resourceNames`, bindings for its impersonators, and
 * kubeconfig contexts that act as each target. Pure functions; the objects
 * are made by {@link ImpersonationAccess}.
 *
 * Source: Kubernetes "Authenticating", User impersonation. Impersonating a
 * service account (`system:serviceaccount:<ns>:<name>`) is authorised on
 * `serviceaccounts` in its namespace, and the API server then adds the
 * service-account groups itself; impersonating any other user gives only
 * the groups named in `Impersonate-Group`, so acting as a declared user also
 * names that user's groups.
 */
import * as YAML from "yaml";
import { AccessSpec, ImpersonationSpec, SubjectSpec, UserSpec } from "../model/types";
import { addedGroups, apiServerGroups, apiServerUsername } from "../model/identity";
import { ImpersonatorSubject, PlannedBinding, RbacSubject, subjectForUser, subjectsForGroup } from "../rbac/plan";

/** An RBAC PolicyRule as it appears in a (Cluster)Role. */
export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
    resourceNames: string[];
}

/** One identity a grant lets its impersonators act as, as the API server names it. */
export type ResolvedTarget =
    | { kind: "user"; label: string; username: string; groups: string[] }
    | { kind: "serviceAccount"; label: string; username: string; namespace: string; name: string }
    | { kind: "group"; label: string; group: string }
    | { kind: "uid"; label: string; uid: string };

const serviceAccountUser = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** The identities a grant's targets stand for, with a declared user's groups. */
export function resolveTargets(grant: ImpersonationSpec, spec: AccessSpec): ResolvedTarget[] {
    return grant.targets.flatMap((t): ResolvedTarget[] => {
        if (t.kind === "uid") return [{ kind: "uid", label: t.name, uid: t.name }];
        if (t.kind === "group") {
            const groups = t.external ? [t.name] : subjectsForGroup(t.name, spec).map((s) => s.name);
            return groups.map((group) => ({ kind: "group", label: t.name, group }));
        }
        const user = t.external ? undefined : spec.users.find((u) => u.name === t.name);
        const username = user ? apiServerUsername(user, spec.oidc) : t.name;
        const sa = serviceAccountUser.exec(username);
        if (sa) return [{ kind: "serviceAccount", label: t.name, username, namespace: sa[1], name: sa[2] }];
        return [{ kind: "user", label: t.name, username, groups: user ? apiServerGroups(user, spec.oidc) : [] }];
    });
}

const unique = (values: string[]) => [...new Set(values)].sort();

function rule(apiGroup: string, resource: string, names: string[]): PolicyRule[] {
    return names.length === 0
        ? []
        : [{ apiGroups: [apiGroup], resources: [resource], verbs: ["impersonate"], resourceNames: unique(names) }];
}

/**
 * The rules of a grant: cluster-wide ones (users, groups, uids, user extras)
 * for its ClusterRole, and per namespace the `serviceaccounts` rule for a Role
 * there, so a service account of the same name in another namespace is not
 * covered. Every rule names its resources; none is ever empty.
 */
export function impersonationRules(
    grant: ImpersonationSpec,
    spec: AccessSpec,
): { clusterRules: PolicyRule[]; namespaceRules: Record<string, PolicyRule[]> } {
    const targets = resolveTargets(grant, spec);
    const users = targets.flatMap((t) => (t.kind === "user" ? [t.username] : []));
    const groups = targets.flatMap((t) => (t.kind === "group" ? [t.group] : t.kind === "user" ? t.groups : []));
    const uids = targets.flatMap((t) => (t.kind === "uid" ? [t.uid] : []));
    const clusterRules = [
        ...rule("", "users", users),
        ...rule("", "groups", groups),
        ...rule("authentication.k8s.io", "uids", uids),
        ...Object.keys(grant.extras)
            .sort()
            .flatMap((key) => rule("authentication.k8s.io", `userextras/${key}`, grant.extras[key])),
    ];
    const namespaceRules: Record<string, PolicyRule[]> = {};
    for (const t of targets) {
        if (t.kind !== "serviceAccount") continue;
        const names = targets.flatMap((x) =>
            x.kind === "serviceAccount" && x.namespace === t.namespace ? [x.name] : [],
        );
        namespaceRules[t.namespace] = rule("", "serviceaccounts", names);
    }
    return { clusterRules, namespaceRules };
}

/** The RBAC subjects an impersonator stands for (as in bindings). */
export function impersonatorSubjects(subject: SubjectSpec, spec: AccessSpec): RbacSubject[] {
    if (subject.external) return [{ kind: subject.kind === "user" ? "User" : "Group", name: subject.name }];
    if (subject.kind === "group") return subjectsForGroup(subject.name, spec);
    const user = spec.users.find((u) => u.name === subject.name);
    return user ? [subjectForUser(user, spec.oidc)] : [];
}

/** Name of a grant's ClusterRole and of its Roles: `kube-access:impersonate:<grant>`. */
export function impersonationRoleName(grant: string): string {
    return `kube-access:impersonate:${grant}`;
}

function subjectLabel(subject: RbacSubject): string {
    return subject.kind === "ServiceAccount"
        ? `serviceaccount:${subject.namespace}:${subject.name}`
        : `${subject.kind.toLowerCase()}:${subject.name}`;
}

/** The RBAC objects of one grant. */
export interface PlannedImpersonation {
    grantName: string;
    /** The grant's ClusterRole, when it has cluster-wide targets. */
    clusterRole?: { objectName: string; rules: PolicyRule[] };
    /** One Role per namespace of its service-account targets. */
    roles: { objectName: string; namespace: string; rules: PolicyRule[] }[];
    /** A ClusterRoleBinding per impersonator for the ClusterRole, a RoleBinding per impersonator and Role. */
    bindings: PlannedBinding[];
}

/** Every RBAC object the spec's impersonation grants need, one binding object per impersonator. */
export function planImpersonation(spec: AccessSpec): PlannedImpersonation[] {
    return (spec.impersonation ?? []).map((grant) => {
        const roleName = impersonationRoleName(grant.name);
        const { clusterRules, namespaceRules } = impersonationRules(grant, spec);
        const subjects = grant.impersonators.flatMap((s) => impersonatorSubjects(s, spec));
        const bindings: PlannedBinding[] = [];
        for (const subject of subjects) {
            const objectName = `${roleName}:${subjectLabel(subject)}`;
            if (clusterRules.length > 0) {
                bindings.push({
                    bindingName: grant.name,
                    kind: "ClusterRoleBinding",
                    objectName,
                    roleRef: { kind: "ClusterRole", name: roleName },
                    subject,
                });
            }
            for (const namespace of Object.keys(namespaceRules).sort()) {
                bindings.push({
                    bindingName: grant.name,
                    kind: "RoleBinding",
                    objectName,
                    namespace,
                    roleRef: { kind: "Role", name: roleName },
                    subject,
                });
            }
        }
        return {
            grantName: grant.name,
            ...(clusterRules.length > 0 ? { clusterRole: { objectName: roleName, rules: clusterRules } } : {}),
            roles: Object.keys(namespaceRules)
                .sort()
                .map((namespace) => ({ objectName: roleName, namespace, rules: namespaceRules[namespace] })),
            bindings,
        };
    });
}

/** Whether a declared user is among a grant's impersonators, directly or through a group. */
export function mayImpersonateThrough(user: UserSpec, grant: ImpersonationSpec, spec: AccessSpec): boolean {
    const username = apiServerUsername(user, spec.oidc);
    const groups = [...apiServerGroups(user, spec.oidc), ...addedGroups(user)];
    return grant.impersonators.some((s) => {
        if (s.kind === "user") return s.external ? s.name === username : s.name === user.name;
        return s.external ? groups.includes(s.name) : user.groups.includes(s.name);
    });
}

/** A kubeconfig context that acts as one target of a grant. */
export interface ImpersonationContext {
    /** User entry name: `<user>-as-<target>`; the context is that at the cluster. */
    name: string;
    /** The `as` field: the user name to act as. */
    as: string;
    /** The `as-groups` field: the groups to act in (none for a service account: the API server adds them). */
    asGroups: string[];
}

/**
 * The extra contexts of a user's kubeconfig: one per user or service-account
 * target of every grant the user may use, named after the target's config
 * name. Group and uid targets get no context of their own: the API server
 * requires a user with them (`--as` with `--as-group`/`--as-uid`).
 */
export function impersonationContexts(user: UserSpec, spec: AccessSpec): ImpersonationContext[] {
    const out: ImpersonationContext[] = [];
    for (const grant of spec.impersonation ?? []) {
        if (!mayImpersonateThrough(user, grant, spec)) continue;
        for (const t of resolveTargets(grant, spec)) {
            if (t.kind !== "user" && t.kind !== "serviceAccount") continue;
            const name = `${user.name}-as-${t.label}`;
            if (out.some((c) => c.name === name)) continue;
            out.push({ name, as: t.username, asGroups: t.kind === "user" ? t.groups : [] });
        }
    }
    return out;
}

/**
 * Adds impersonation contexts to a single-user kubeconfig: for each, a copy
 * of its user entry with `as` and `as-groups`, and a context
 * `<user>-as-<target>@<cluster>` using it. The current context is unchanged.
 * Pure: the same input always gives the same text.
 */
export function addImpersonationContexts(kubeconfig: string, contexts: ImpersonationContext[]): string {
    if (contexts.length === 0) return kubeconfig;
    const doc = YAML.parse(kubeconfig);
    const base = doc.users[0];
    const baseContext = doc.contexts[0].context;
    for (const c of contexts) {
        doc.users.push({
            name: c.name,
            user: { ...base.user, as: c.as, ...(c.asGroups.length > 0 ? { "as-groups": c.asGroups } : {}) },
        });
        doc.contexts.push({ name: `${c.name}@${baseContext.cluster}`, context: { ...baseContext, user: c.name } });
    }
    return YAML.stringify(doc, { lineWidth: 0 });
}

/**
 * The impersonating contexts of a kubeconfig {@link addImpersonationContexts}
 * made, read back: each context whose user has an `as` field, with that
 * field and `as-groups`. Empty for a kubeconfig without them.
 *
 * @throws Error when the text is not YAML.
 */
export function impersonationContextsIn(kubeconfig: string): { context: string; as: string; asGroups: string[] }[] {
    const doc = (YAML.parse(kubeconfig) ?? {}) as {
        users?: { name: string; user?: { as?: string; "as-groups"?: string[] } }[];
        contexts?: { name: string; context?: { user?: string } }[];
    };
    const users = new Map((doc.users ?? []).map((u) => [u.name, u.user ?? {}]));
    return (doc.contexts ?? []).flatMap((c) => {
        const user = users.get(c.context?.user ?? "");
        return user?.as ? [{ context: c.name, as: user.as, asGroups: user["as-groups"] ?? [] }] : [];
    });
}

/**
 * Whom a grant lets its impersonators act as, labelled as the `users`
 * output's `mayImpersonate`: a declared user target is followed by its
 * groups, which the grant lets them name too (`user:bob`, `group:devs`).
 */
function targetLabels(grant: ImpersonationSpec, spec: AccessSpec): string[] {
    const labels = resolveTargets(grant, spec).flatMap((t) =>
        t.kind === "user"
            ? [`user:${t.username}`, ...t.groups.map((g) => `group:${g}`)]
            : t.kind === "serviceAccount"
              ? [`serviceaccount:${t.namespace}/${t.name}`]
              : t.kind === "group"
                ? [`group:${t.group}`]
                : [`uid:${t.uid}`],
    );
    for (const [key, values] of Object.entries(grant.extras))
        labels.push(...values.map((v) => `userextra:${key}=${v}`));
    return labels;
}

/** Whom each declared user may impersonate, for the `users` output: `user:bob`, `group:dev`, `serviceaccount:ci/deployer`, `uid:…`, `userextra:scopes=view`. */
export function impersonationsByUser(spec: AccessSpec): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const labelsOf = new Map((spec.impersonation ?? []).map((grant) => [grant, targetLabels(grant, spec)]));
    for (const user of spec.users) {
        const labels: string[] = [];
        for (const grant of spec.impersonation ?? []) {
            if (mayImpersonateThrough(user, grant, spec)) labels.push(...labelsOf.get(grant)!);
        }
        const all = [...new Set(labels)];
        if (all.length > 0) out[user.name] = all;
    }
    return out;
}

/**
 * Every impersonator of every grant as the RBAC subject its bindings name,
 * with whom it may impersonate: what the unlisted subjects add for
 * impersonators no declared user stands for (external users and groups,
 * groups nobody listed is in).
 */
export function impersonatorsBySubject(spec: AccessSpec): ImpersonatorSubject[] {
    return (spec.impersonation ?? []).flatMap((grant) => {
        const labels = targetLabels(grant, spec);
        return grant.impersonators.flatMap((s) =>
            impersonatorSubjects(s, spec).map((subject) => ({
                subject,
                external: s.external,
                configName: s.name,
                mayImpersonate: labels,
            })),
        );
    });
}
