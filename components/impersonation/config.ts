/**
 * The `impersonation` config key: who may act as whom. Read and checked with
 * the rest of the config, before anything is created.
 *
 * Source: Kubernetes "Authenticating", section User impersonation: a request
 * carrying `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` or
 * `Impersonate-Extra-<key>` headers is authorised with the `impersonate` verb
 * on `users`, `groups`, `serviceaccounts` (core group), `uids` and
 * `userextras/<key>` (group `authentication.k8s.io`), by resource name.
 */
import { ImpersonationSpec, ImpersonationTarget, OidcSpec, SubjectSpec, UserSpec } from "../model/types";
import { IssueCollector, Raw, isPlainObject } from "../intake/reader";
import { closestMatch, didYouMean } from "../intake/suggest";
import { identityTextProblem, labelValueMax } from "../intake/limits";
import { apiServerGroups, apiServerUsername } from "../model/identity";
import { fieldsOf, impersonationSchema, impersonationTargetSchema } from "../intake/schema";

/** Fields of one impersonation grant, as the schema declares them. */
export const impersonationFields = fieldsOf(impersonationSchema);

/** Grant names: lower case letters, digits, '-' and '.', as binding names (they become object names and a label value). */
const grantNamePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A user-extra key as it appears in `Impersonate-Extra-<key>` and in the RBAC
 * resource `userextras/<key>`: kube-access accepts lower case letters, digits,
 * '-', '.' and '_' (HTTP header names are case-insensitive, so the API server
 * lower-cases keys; '/' would start another path segment of the resource).
 */
const extraKeyPattern = /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;

/** What validation knows when it reads `impersonation`. */
export interface ImpersonationIntake {
    /** Users that passed validation. */
    users: UserSpec[];
    /** Every user and group name the config declares (also entries invalid for other reasons). */
    declared: { users: Set<string>; groups: Set<string> };
    oidc: OidcSpec | undefined;
    /** Reads one subject as `bindings[].subjects[]` does. */
    readSubject: (c: IssueCollector, path: string, value: Raw) => SubjectSpec | undefined;
}

/** Whether an identity is reserved by Kubernetes (`system:` prefix), other than a service account's user name. */
export function isSystemIdentity(kind: "user" | "group", name: string): boolean {
    if (!name.startsWith("system:")) return false;
    return !(kind === "user" && name.startsWith("system:serviceaccount:"));
}

function systemIdentityMessage(kind: "user" | "group", name: string): string {
    const why =
        name === "system:masters"
            ? "system:masters bypasses every RBAC check, so impersonating it is full control of the cluster"
            : `${JSON.stringify(name)} is a Kubernetes system ${kind} (system: prefix), whose rights are the control plane's`;
    return `${why}; remove this target, or set allowSystemIdentities: true on this grant if you really mean it`;
}

/**
 * Reads and checks `impersonation`: a list of grants, each with a distinct
 * name, at least one impersonator and one target. Targets must be declared
 * users or groups unless marked `external`; `system:` groups and users (also
 * a declared target user's `system:` groups) need `allowSystemIdentities`; a
 * user may not impersonate themselves.
 */
export function readImpersonation(c: IssueCollector, value: Raw, ctx: ImpersonationIntake): ImpersonationSpec[] {
    const grants: ImpersonationSpec[] = [];
    const names = new Map<string, number>();
    c.list("impersonation", value).forEach((item, i) => {
        const path = `impersonation[${i}]`;
        const o = c.object(path, item, impersonationFields);
        if (!o) return;
        const name = c.string(`${path}.name`, o.name, { required: true });
        if (name !== undefined && name.trim() !== "") {
            if (name.length > labelValueMax) {
                c.add(`${path}.name`, `is ${name.length} characters; at most ${labelValueMax}; shorten it`);
            } else if (!grantNamePattern.test(name)) {
                c.add(
                    `${path}.name`,
                    `must be lower case letters, digits, '-' and '.', starting and ending with a letter or digit, got ${JSON.stringify(name)}`,
                );
            }
            const earlier = names.get(name);
            if (earlier !== undefined) {
                c.add(
                    `${path}.name`,
                    `grant name ${JSON.stringify(name)} is also used by impersonation[${earlier}]; give each grant a distinct name`,
                );
            } else names.set(name, i);
        }
        const allowSystemIdentities = c.boolean(`${path}.allowSystemIdentities`, o.allowSystemIdentities, false);
        const impersonators = readImpersonators(c, `${path}.impersonators`, o.impersonators, ctx);
        const targets = readTargets(c, `${path}.targets`, o.targets, ctx, allowSystemIdentities);
        const extras = readExtras(c, `${path}.extras`, o.extras);
        checkSelfImpersonation(c, path, impersonators, targets, ctx);
        if (name !== undefined) {
            grants.push({
                name,
                impersonators: impersonators.map(([s]) => s),
                targets: targets.map(([t]) => t),
                extras,
                allowSystemIdentities,
            });
        }
    });
    return grants;
}

function notDeclared(kind: "user" | "group", name: string, ctx: ImpersonationIntake): string {
    const known = [...(kind === "user" ? ctx.declared.users : ctx.declared.groups)];
    const near = didYouMean(closestMatch(name, known));
    return kind === "user"
        ? `${JSON.stringify(name)} is not a user in kube-access:users${near}; add the user, remove it here, or set external: true for an identity managed elsewhere`
        : `${JSON.stringify(name)} is not a group of any user nor listed in kube-access:groups${near}; declare it, or set external: true`;
}

/** Subjects with the index of their entry in the raw list. */
function readImpersonators(
    c: IssueCollector,
    path: string,
    value: Raw,
    ctx: ImpersonationIntake,
): [SubjectSpec, number][] {
    const out: [SubjectSpec, number][] = [];
    const raw = c.list(path, value, { required: true });
    if (Array.isArray(value) && raw.length === 0)
        c.add(path, "must name at least one user or group who may impersonate");
    raw.forEach((item, j) => {
        const subject = ctx.readSubject(c, `${path}[${j}]`, item);
        if (subject === undefined) return;
        if (out.some(([s]) => s.kind === subject.kind && s.name === subject.name)) {
            c.add(`${path}[${j}]`, `duplicate impersonator ${subject.kind} ${JSON.stringify(subject.name)}`);
            return;
        }
        const declared = subject.kind === "user" ? ctx.declared.users : ctx.declared.groups;
        if (!subject.external && !declared.has(subject.name)) {
            c.add(`${path}[${j}].${subject.kind}`, notDeclared(subject.kind, subject.name, ctx));
        }
        out.push([subject, j]);
    });
    return out;
}

function readTargets(
    c: IssueCollector,
    path: string,
    value: Raw,
    ctx: ImpersonationIntake,
    allowSystemIdentities: boolean,
): [ImpersonationTarget, number][] {
    const out: [ImpersonationTarget, number][] = [];
    const raw = c.list(path, value, { required: true });
    if (Array.isArray(value) && raw.length === 0) c.add(path, "must name at least one user, group or uid to act as");
    raw.forEach((item, j) => {
        const at = `${path}[${j}]`;
        const o = c.object(at, item, fieldsOf(impersonationTargetSchema));
        if (!o) return;
        const given = (["user", "group", "uid"] as const).filter((k) => o[k] !== undefined);
        if (given.length !== 1) {
            c.add(
                at,
                given.length === 0
                    ? "needs exactly one of user, group or uid, and has none: name the identity to act as"
                    : `needs exactly one of user, group or uid, and has ${given.join(" and ")}: make them separate targets`,
            );
            return;
        }
        const kind = given[0];
        const name = c.string(`${at}.${kind}`, o[kind], { required: true });
        const external = c.boolean(`${at}.external`, o.external, false);
        if (name === undefined || name.trim() === "") return;
        if (out.some(([t]) => t.kind === kind && t.name === name)) {
            c.add(at, `duplicate target ${kind} ${JSON.stringify(name)}`);
            return;
        }
        const textProblem = identityTextProblem(name);
        if (textProblem !== undefined) c.add(`${at}.${kind}`, `${JSON.stringify(name)} ${textProblem}`);
        if (kind === "uid") {
            if (o.external !== undefined)
                c.add(`${at}.external`, "does not apply to a uid: a uid is always impersonated as written; remove it");
        } else if (!external) {
            const declared = kind === "user" ? ctx.declared.users : ctx.declared.groups;
            if (!declared.has(name)) c.add(`${at}.${kind}`, notDeclared(kind, name, ctx));
        }
        if (!allowSystemIdentities && kind !== "uid") {
            if (isSystemIdentity(kind, name)) {
                c.add(`${at}.${kind}`, systemIdentityMessage(kind, name));
            } else if (kind === "user" && !external) {
                // A service account's groups are added by the API server, not impersonated.
                const user = ctx.users.find((u) => u.name === name && u.auth.method !== "serviceAccount");
                const groups = user && groupsOf(user, ctx);
                const system = (groups ?? []).find((g) => isSystemIdentity("group", g));
                if (system !== undefined) {
                    c.add(
                        `${at}.user`,
                        `acting as ${JSON.stringify(name)} means acting in their group ${JSON.stringify(system)}: ` +
                            systemIdentityMessage("group", system),
                    );
                }
            }
        }
        out.push([{ kind, name, external: kind === "uid" ? true : external }, j]);
    });
    return out;
}

function groupsOf(user: UserSpec, ctx: ImpersonationIntake): string[] | undefined {
    try {
        return apiServerGroups(user, ctx.oidc);
    } catch {
        return undefined; // OIDC user without OIDC settings: reported elsewhere.
    }
}

function identityOf(name: string, external: boolean, ctx: ImpersonationIntake): string {
    if (external) return name;
    const user = ctx.users.find((u) => u.name === name);
    if (!user) return `\u0000undeclared:${name}`;
    try {
        return apiServerUsername(user, ctx.oidc);
    } catch {
        return `\u0000undeclared:${name}`;
    }
}

/** A user impersonating themselves gains nothing and hides a mistake: refused. */
function checkSelfImpersonation(
    c: IssueCollector,
    path: string,
    impersonators: [SubjectSpec, number][],
    targets: [ImpersonationTarget, number][],
    ctx: ImpersonationIntake,
): void {
    for (const [s, j] of impersonators) {
        if (s.kind !== "user") continue;
        const self = identityOf(s.name, s.external, ctx);
        for (const [t, k] of targets) {
            if (t.kind !== "user") continue;
            if (identityOf(t.name, t.external, ctx) === self) {
                c.add(
                    `${path}.targets[${k}].user`,
                    `${JSON.stringify(t.name)} is also impersonators[${j}]: a user impersonating themselves gains nothing; remove one of them`,
                );
            }
        }
    }
}

function readExtras(c: IssueCollector, path: string, value: Raw): Record<string, string[]> {
    if (value === undefined || value === null) return {};
    if (!isPlainObject(value)) {
        c.add(path, `must be an object of extra key to allowed values, got ${c.describe(path, value)}`);
        return {};
    }
    const out: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(value)) {
        if (!extraKeyPattern.test(key)) {
            c.add(
                `${path}.${key}`,
                `user-extra key ${JSON.stringify(key)} must be lower case letters, digits, '-', '.' and '_' ` +
                    `(it becomes the header Impersonate-Extra-<key> and the RBAC resource userextras/<key>)`,
            );
            continue;
        }
        const list = c.stringList(`${path}.${key}`, values);
        if (Array.isArray(values) && list.length === 0 && values.length === 0)
            c.add(`${path}.${key}`, "must list at least one value that may be impersonated");
        out[key] = list;
    }
    return out;
}
