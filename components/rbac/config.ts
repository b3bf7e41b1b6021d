/**
 * The `bindings` config key: RBAC bindings of declared (or external) users
 * and groups to ClusterRoles and Roles, their names and subjects.
 */
import { BindingSpec, RoleRef, SubjectSpec } from "../model/types";
import { IssueCollector, Raw, isPlainObject } from "../intake/reader";
import {
    characterCount,
    identityTextProblem,
    labelValueMax,
    labelValueProblem,
    rbacNameProblem,
} from "../intake/limits";
import { closestMatch, didYouMean } from "../intake/suggest";
import { checkNamespace, entryPath } from "../intake/rules";
import { toObjectName } from "../model/names";
import { bindingSchema, fieldsOf, subjectSchema } from "../intake/schema";

/** A binding as read; `role` is missing when the entry names none (then the config is refused). */
export type ReadBinding = Omit<BindingSpec, "role"> & { role?: RoleRef; index: number; subjectIndexes: number[] };

/**
 * Reads every binding field even when another field of the same binding is
 * wrong, so all problems are reported at once.
 */
export function readBindings(c: IssueCollector, value: Raw, knownNamespaces: string[]): ReadBinding[] {
    const bindings: ReadBinding[] = [];
    const names = new Map<string, number>();
    c.list("bindings", value).forEach((item, i) => {
        const path = `bindings[${i}]`;
        const o = c.object(path, item, fieldsOf(bindingSchema));
        if (!o) return;
        const clusterRole = c.string(`${path}.clusterRole`, o.clusterRole);
        const role = c.string(`${path}.role`, o.role);
        if (o.clusterRole === undefined && o.role === undefined) {
            c.add(
                path,
                "needs exactly one of clusterRole or role, and has neither: set clusterRole to a ClusterRole " +
                    "(such as view, edit or admin), or role to a Role that exists in each of namespaces",
            );
        } else if (o.clusterRole !== undefined && o.role !== undefined) {
            c.add(
                path,
                "needs exactly one of clusterRole or role, and has both: keep clusterRole to grant a ClusterRole " +
                    "(cluster-wide, or in namespaces), or role to grant a Role of each namespace",
            );
        }
        for (const [field, roleName] of [
            ["clusterRole", clusterRole],
            ["role", role],
        ] as const) {
            const problem = roleName === undefined ? undefined : rbacNameProblem(roleName);
            if (problem)
                c.add(
                    `${path}.${field}`,
                    `${problem}; it must name an existing ${field === "role" ? "Role" : "ClusterRole"}`,
                );
        }
        const roleRef: RoleRef | undefined =
            clusterRole !== undefined && role === undefined
                ? { kind: "ClusterRole", name: clusterRole }
                : role !== undefined && clusterRole === undefined
                  ? { kind: "Role", name: role }
                  : undefined;
        const namespaces = c.stringList(`${path}.namespaces`, o.namespaces);
        namespaces.forEach((ns, j) =>
            checkNamespace(c, entryPath(`${path}.namespaces`, o.namespaces, ns, j), ns, knownNamespaces),
        );
        if (roleRef?.kind === "Role" && namespaces.length === 0) {
            c.add(`${path}.namespaces`, "is required with role: a Role exists only inside namespaces");
        }
        const name = readBindingName(c, `${path}.name`, o.name, roleRef);
        if (name !== undefined) {
            const earlier = names.get(name);
            if (earlier !== undefined) {
                c.add(
                    `${path}.name`,
                    `binding name ${JSON.stringify(name)} is also used by bindings[${earlier}]; give each binding a distinct name`,
                );
            }
            names.set(name, i);
        }
        const subjects: SubjectSpec[] = [];
        const subjectIndexes: number[] = [];
        const rawSubjects = c.list(`${path}.subjects`, o.subjects, { required: true });
        if (Array.isArray(o.subjects) && rawSubjects.length === 0)
            c.add(`${path}.subjects`, "must name at least one subject");
        rawSubjects.forEach((s, j) => {
            const subject = readSubject(c, `${path}.subjects[${j}]`, s);
            if (subject === undefined) return;
            if (subjects.some((x) => x.kind === subject.kind && x.name === subject.name)) {
                c.add(`${path}.subjects[${j}]`, `duplicate subject ${subject.kind} ${JSON.stringify(subject.name)}`);
            } else {
                subjects.push(subject);
                subjectIndexes.push(j);
            }
        });
        bindings.push({ index: i, name: name ?? "", role: roleRef, namespaces, subjects, subjectIndexes });
    });
    return bindings;
}

/** The pattern kube-access has always required of binding names (a subset of label values). */
export const bindingNamePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A binding's name: given, or `clusterrole-<role>` / `role-<role>`, with the
 * role name made into object-name characters (identical for every role name
 * that was already valid, so existing objects keep their names). It becomes
 * part of each binding object's name and the value of the
 * `kube-access/binding` label, so it is limited to 63 characters.
 */
export function readBindingName(
    c: IssueCollector,
    path: string,
    value: Raw,
    roleRef: RoleRef | undefined,
): string | undefined {
    const given = c.string(path, value, { required: value !== undefined });
    if (value !== undefined && given === undefined) return undefined;
    if (given === undefined && roleRef === undefined) return undefined;
    const name = given ?? `${roleRef!.kind === "ClusterRole" ? "clusterrole" : "role"}-${toObjectName(roleRef!.name)}`;
    const origin = given === undefined ? `the default name ${JSON.stringify(name)} (from the role) ` : "";
    const length = characterCount(name) > labelValueMax ? labelValueProblem(name, "the binding name") : undefined;
    if (length !== undefined) {
        c.add(path, `${origin}${length}${given === undefined ? "; set name to a shorter one" : ""}`);
    } else if (given === undefined && !bindingNamePattern.test(name)) {
        c.add(path, `${origin}is not a valid binding name; set name (lower case letters, digits, '-' and '.')`);
    } else if (!bindingNamePattern.test(name)) {
        const fixed = toObjectName(name);
        c.add(
            path,
            `must be lower case letters, digits, '-' and '.', starting and ending with a letter or digit, got ${JSON.stringify(name)}` +
                (fixed !== "" && bindingNamePattern.test(fixed) ? didYouMean(fixed) : ""),
        );
    }
    return name;
}

/** A subject of a binding: `user` or `group`, and whether kube-access manages the identity. */
export function readSubject(c: IssueCollector, path: string, value: Raw): SubjectSpec | undefined {
    const o = c.object(path, value, fieldsOf(subjectSchema));
    if (!o) return undefined;
    const user = c.string(`${path}.user`, o.user, { required: o.user !== undefined });
    const group = c.string(`${path}.group`, o.group, { required: o.group !== undefined });
    const external = c.boolean(`${path}.external`, o.external, false);
    if (o.user === undefined && o.group === undefined) {
        c.add(path, "needs exactly one of user or group, and has neither: name the user or group to grant the role to");
        return undefined;
    }
    if (o.user !== undefined && o.group !== undefined) {
        c.add(path, "needs exactly one of user or group, and has both: make them two subjects");
        return undefined;
    }
    const kind = user !== undefined ? "user" : "group";
    const name = user ?? group;
    if (name === undefined) return undefined;
    if (kind === "group" && name === "system:masters") {
        c.add(path, "binding a role to system:masters has no effect; it already bypasses RBAC");
    }
    if (external) {
        // Declared users and groups are checked where they are declared.
        const problem = identityTextProblem(name) ?? (/[/%]/.test(name) ? rbacNameProblem(name) : undefined);
        if (problem !== undefined) {
            c.add(
                `${path}.${kind}`,
                `${JSON.stringify(name)} ${problem}` +
                    (/[/%]/.test(name)
                        ? `; kube-access names each binding object kube-access:<binding>:${kind}:<name>, so it cannot bind ` +
                          `this identity: bind a group it belongs to, or grant it with a RoleBinding of your own outside kube-access`
                        : ""),
            );
        }
    }
    return { kind, name, external };
}

/**
 * Every user and group name the config declares, including entries that are
 * invalid for other reasons, so a binding to them is not also reported as
 * undeclared.
 */
export function declaredIdentities(
    raw: Record<string, Raw>,
    groups: string[],
): { users: Set<string>; groups: Set<string> } {
    const users = new Set<string>();
    const allGroups = new Set(groups);
    if (Array.isArray(raw.users)) {
        for (const u of raw.users) {
            if (!isPlainObject(u)) continue;
            if (typeof u.name === "string") users.add(u.name);
            if (Array.isArray(u.groups)) for (const g of u.groups) if (typeof g === "string") allGroups.add(g);
        }
    }
    return { users, groups: allGroups };
}

export function checkBindingSubjects(
    c: IssueCollector,
    bindings: ReadBinding[],
    declared: { users: Set<string>; groups: Set<string> },
): void {
    bindings.forEach((b) =>
        b.subjects.forEach((s, k) => {
            if (s.external) return;
            const isDeclared = s.kind === "user" ? declared.users.has(s.name) : declared.groups.has(s.name);
            if (!isDeclared) {
                const near = didYouMean(
                    closestMatch(s.name, [...(s.kind === "user" ? declared.users : declared.groups)]),
                );
                c.add(
                    `bindings[${b.index}].subjects[${b.subjectIndexes[k]}].${s.kind}`,
                    s.kind === "user"
                        ? `${JSON.stringify(s.name)} is not a user in kube-access:users; add the user, remove this subject, or set external: true for an identity managed elsewhere${near}`
                        : `${JSON.stringify(s.name)} is not a group of any user nor listed in kube-access:groups; declare it, or set external: true${near}`,
                );
            }
        }),
    );
}
