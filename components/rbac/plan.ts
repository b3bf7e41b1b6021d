import { AccessSpec, OidcSpec, RoleRef, SubjectSpec, UserSpec } from "../model/types";
import { addedGroups, apiServerGroups, apiServerUsername, oidcGroupName } from "../model/identity";
import { declaredUser, groupMembers, plannedPositionsFor, subjectKey } from "./subjectIndex";
import { PlannedBinding, RbacSubject } from "./binding";

export type { PlannedBinding, RbacSubject } from "./binding";

/** The RBAC subject that grants to a declared user: its ServiceAccount, or the user name the API server sees. */
export function subjectForUser(user: UserSpec, oidc: OidcSpec | undefined): RbacSubject {
    return user.auth.method === "serviceAccount"
        ? { kind: "ServiceAccount", name: user.name, namespace: user.auth.namespace }
        : { kind: "User", name: apiServerUsername(user, oidc) };
}

/**
 * The group identities a declared group has, only those that exist in config:
 * its plain name when certificate users are in it (only a certificate carries
 * a plain group, as an O value), its OIDC-prefixed name when OIDC users are in
 * it, or when nobody is yet and OIDC is set up (Keycloak then decides who is
 * in it). A group with no certificate member gets no plain-name binding, so a
 * certificate with `O=<group>` from elsewhere gains nothing; to grant such
 * certificates, bind the group with `external: true`.
 */
export function subjectsForGroup(group: string, spec: AccessSpec): RbacSubject[] {
    const members = groupMembers(spec, group);
    const plain = members.some((u) => u.auth.method === "certificate");
    const oidc = spec.oidc !== undefined && (members.length === 0 || members.some((u) => u.auth.method === "oidc"));
    return [
        ...(plain ? [{ kind: "Group" as const, name: group }] : []),
        ...(oidc ? [{ kind: "Group" as const, name: oidcGroupName(group, spec.oidc!) }] : []),
    ];
}

function subjectsFor(subject: SubjectSpec, spec: AccessSpec): RbacSubject[] {
    if (subject.external) return [{ kind: subject.kind === "user" ? "User" : "Group", name: subject.name }];
    if (subject.kind === "group") return subjectsForGroup(subject.name, spec);
    const user = declaredUser(spec, subject.name);
    return user ? [subjectForUser(user, spec.oidc)] : [];
}

function subjectLabel(subject: RbacSubject): string {
    return subject.kind === "ServiceAccount"
        ? `serviceaccount:${subject.namespace}:${subject.name}`
        : `${subject.kind.toLowerCase()}:${subject.name}`;
}

/**
 * Expands the spec's bindings into one binding object per subject and
 * namespace, so adding or removing a user, group or namespace adds or removes
 * exactly its own objects and previews name the access that changes.
 */
export function planRoleBindings(spec: AccessSpec): PlannedBinding[] {
    const planned: PlannedBinding[] = [];
    for (const binding of spec.bindings) {
        for (const subject of binding.subjects.flatMap((s) => subjectsFor(s, spec))) {
            const objectName = `kube-access:${binding.name}:${subjectLabel(subject)}`;
            if (binding.namespaces.length === 0) {
                planned.push({
                    bindingName: binding.name,
                    kind: "ClusterRoleBinding",
                    objectName,
                    roleRef: binding.role,
                    subject,
                });
            }
            for (const namespace of binding.namespaces) {
                planned.push({
                    bindingName: binding.name,
                    kind: "RoleBinding",
                    objectName,
                    namespace,
                    roleRef: binding.role,
                    subject,
                });
            }
        }
    }
    return planned;
}

/** What each user is granted, for the `users` summary output: `<role kind>/<role> in <namespace | cluster>`. */
export function grantsByUser(spec: AccessSpec, planned: PlannedBinding[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const user of spec.users) {
        const identity = subjectForUser(user, spec.oidc);
        const groupIdentities = [...new Set([...apiServerGroups(user, spec.oidc), ...addedGroups(user)])].map(
            (g): RbacSubject => ({ kind: "Group", name: g }),
        );
        out[user.name] = inPlanOrder(planned, [identity, ...groupIdentities])
            .map(({ binding: p }) => p)
            .map(
                (p) =>
                    `${p.roleRef.kind}/${p.roleRef.name} ${p.namespace ? `in ${p.namespace}` : "cluster-wide"} (${p.objectName})`,
            );
    }
    return out;
}

/** One role a user holds, and how it reaches them. */
export interface GrantDetail {
    roleKind: RoleRef["kind"];
    role: string;
    /** The namespace of a RoleBinding; undefined for a ClusterRoleBinding (cluster-wide). */
    namespace?: string;
    /** The spec binding it comes from. */
    binding: string;
    /** Bound to the user's own identity, or to one of its groups (by its name in config, without an OIDC prefix). */
    via: { kind: "user" } | { kind: "group"; group: string };
}

/** The bindings of a subject, as {@link GrantDetail}s reached through `via`. */
export function grantsOfSubject(
    planned: PlannedBinding[],
    subject: RbacSubject,
    via: GrantDetail["via"],
): GrantDetail[] {
    return plannedPositionsFor(planned, subject)
        .map((i) => planned[i])
        .map((p) => ({
            roleKind: p.roleRef.kind,
            role: p.roleRef.name,
            ...(p.namespace ? { namespace: p.namespace } : {}),
            binding: p.bindingName,
            via,
        }));
}

/** The name the API server gives a user's config group: with the OIDC groups prefix for an OIDC user. */
function configGroupName(user: UserSpec, group: string, oidc: OidcSpec | undefined): string {
    return user.auth.method === "oidc" && oidc ? oidcGroupName(group, oidc) : group;
}

/**
 * What each user is granted, structured: every binding to the user's own
 * identity, to one of its config groups or to a group the API server adds
 * itself (`system:authenticated`, a service account's groups), in plan
 * order. The same grants as {@link grantsByUser}, for tools that compare
 * them (the access report).
 */
export function grantDetailsByUser(spec: AccessSpec, planned: PlannedBinding[]): Record<string, GrantDetail[]> {
    const out: Record<string, GrantDetail[]> = {};
    for (const user of spec.users) {
        const groupName = (g: string) => configGroupName(user, g, spec.oidc);
        // The groups the API server adds itself (system:authenticated, a service account's groups) are named as it names them.
        const paths: [RbacSubject, GrantDetail["via"]][] = [
            [subjectForUser(user, spec.oidc), { kind: "user" }],
            ...user.groups.map((g): [RbacSubject, GrantDetail["via"]] => [
                { kind: "Group", name: groupName(g) },
                { kind: "group", group: g },
            ]),
            ...addedGroups(user)
                .filter((g) => !user.groups.some((c) => groupName(c) === g))
                .map((g): [RbacSubject, GrantDetail["via"]] => [
                    { kind: "Group", name: g },
                    { kind: "group", group: g },
                ]),
        ];
        out[user.name] = inPlanOrder(
            planned,
            paths.map(([subject]) => subject),
        ).map(({ binding: p, subject }) => ({
            roleKind: p.roleRef.kind,
            role: p.roleRef.name,
            ...(p.namespace ? { namespace: p.namespace } : {}),
            binding: p.bindingName,
            via: paths[subject][1],
        }));
    }
    return out;
}

/**
 * The planned bindings to any of `subjects`, in plan order, each with the
 * position in `subjects` of the first subject it binds. Looked up by subject,
 * so a summary of every user costs O(users + bindings), not their product.
 */
function inPlanOrder(
    planned: readonly PlannedBinding[],
    subjects: readonly RbacSubject[],
): { binding: PlannedBinding; subject: number }[] {
    const found = new Map<number, number>();
    subjects.forEach((subject, k) => {
        for (const i of plannedPositionsFor(planned, subject)) if (!found.has(i)) found.set(i, k);
    });
    return [...found.entries()].sort(([a], [b]) => a - b).map(([i, k]) => ({ binding: planned[i], subject: k }));
}

/**
 * Why no user in config stands for a bound subject:
 * - `external`: bound with `external: true`, so whoever the API server
 *   authenticates under that user name or puts in that group holds it;
 * - `no-listed-member`: a declared group no user in config is in, bound under
 *   its OIDC name, so whoever Keycloak puts in the group holds it.
 */
export type UnlistedReason = "external" | "no-listed-member";

/** A bound RBAC subject that no user in config stands for, and what it is granted. */
export interface UnlistedSubject {
    /** `user:<name>` or `group:<name>`, the name as the API server sees it. */
    subject: string;
    kind: "User" | "Group";
    /** The user or group name as the API server sees it (with the OIDC prefix for an OIDC group). */
    name: string;
    reason: UnlistedReason;
    /** In plan order; a group's `via` names it as config does (without an OIDC prefix). */
    grants: GrantDetail[];
    /** Whom it may impersonate (labels as the `users` output's `mayImpersonate`); empty when nobody. */
    mayImpersonate: string[];
    /** What a reviewer should know of the name, when anything (an external group without the OIDC groups prefix). */
    note?: string;
}

/**
 * Why an external group may reach fewer people than meant: with OIDC set up,
 * a token's groups reach the API server with the groups prefix (Kubernetes
 * "Authenticating", OpenID Connect tokens), so a name without it matches
 * only other authenticators' groups (a certificate's O, a proxy's header).
 */
function externalGroupNote(name: string, spec: AccessSpec): string | undefined {
    if (!spec.oidc || name.startsWith("system:")) return undefined;
    const prefixed = oidcGroupName(name, spec.oidc);
    if (prefixed === name || name.startsWith(oidcGroupName("", spec.oidc))) return undefined;
    return `OIDC tokens' groups arrive prefixed: members of the identity provider's group ${name} are in ${prefixed}, which this grant does not name (bind ${prefixed}, external: true, to reach them)`;
}

/** An RBAC subject that may impersonate, and whom (labels as the `users` output's `mayImpersonate`). */
export interface ImpersonatorSubject {
    subject: RbacSubject;
    /** Whether config names it with `external: true`. */
    external: boolean;
    /** The group's name as config gives it (without an OIDC prefix). */
    configName: string;
    mayImpersonate: string[];
}

/** Keys ({@link subjectKey}) of the subjects a declared user is reached through: its own identity and its config groups. */
function listedSubjectKeys(spec: AccessSpec): Set<string> {
    const reached = new Set<string>();
    for (const user of spec.users) {
        reached.add(subjectKey(subjectForUser(user, spec.oidc)));
        for (const g of user.groups)
            reached.add(subjectKey({ kind: "Group", name: configGroupName(user, g, spec.oidc) }));
    }
    return reached;
}

/**
 * The grants to subjects that are not a declared user's own identity or
 * config group, by subject: external users and groups (a team's IdP group;
 * `system:authenticated` and the other groups the API server fills itself,
 * which reach declared users too, whose own grants show them as well), and
 * declared groups with no listed member; bound ones in plan order, then
 * impersonators from `impersonators` (the impersonation plan's) that are not
 * bound. These reach identities kube-access does not list, so the `users`
 * output cannot show all they reach; this lists them, for the
 * `unlistedSubjects` output and the access report. O(users + planned
 * bindings + impersonators).
 */
export function unlistedSubjects(
    spec: AccessSpec,
    planned: PlannedBinding[],
    impersonators: ImpersonatorSubject[] = [],
): UnlistedSubject[] {
    const reached = listedSubjectKeys(spec);
    // Which config subject each API-server subject came from, to name its reason and a group's config name.
    const origins = new Map<string, { reason: UnlistedReason; configName: string }>();
    for (const binding of spec.bindings) {
        for (const s of binding.subjects) {
            for (const subject of subjectsFor(s, spec)) {
                const key = subjectKey(subject);
                if (!origins.has(key) || s.external)
                    origins.set(key, { reason: s.external ? "external" : "no-listed-member", configName: s.name });
            }
        }
    }
    const bySubject = new Map<string, UnlistedSubject>();
    const entryFor = (subject: RbacSubject, origin: { reason: UnlistedReason; configName: string }) => {
        const key = subjectKey(subject);
        let entry = bySubject.get(key);
        if (!entry) {
            entry = {
                subject: `${subject.kind.toLowerCase()}:${subject.name}`,
                kind: subject.kind as UnlistedSubject["kind"],
                name: subject.name,
                reason: origin.reason,
                grants: grantsOfSubject(
                    planned,
                    subject,
                    subject.kind === "User" ? { kind: "user" } : { kind: "group", group: origin.configName },
                ),
                mayImpersonate: [],
            };
            const note =
                origin.reason === "external" && subject.kind === "Group"
                    ? externalGroupNote(subject.name, spec)
                    : undefined;
            if (note) entry.note = note;
            bySubject.set(key, entry);
        }
        return entry;
    };
    for (const p of planned) {
        const key = subjectKey(p.subject);
        if (reached.has(key) || p.subject.kind === "ServiceAccount") continue;
        entryFor(p.subject, origins.get(key) ?? { reason: "external", configName: p.subject.name });
    }
    for (const i of impersonators) {
        if (reached.has(subjectKey(i.subject)) || i.subject.kind === "ServiceAccount") continue;
        const entry = entryFor(i.subject, {
            reason: i.external ? "external" : "no-listed-member",
            configName: i.configName,
        });
        entry.mayImpersonate = [...new Set([...entry.mayImpersonate, ...i.mayImpersonate])];
    }
    return [...bySubject.values()];
}
