import { Escalation, GrantDetail, PolicyRule, RoleRules } from "./model";

/*
 * Escalation rules: which grants let their holder do more than the role's
 * name suggests, or gain other identities' permissions. Sources: Kubernetes
 * documentation, "Role Based Access Control Good Practices" (least privilege,
 * privilege escalation risks: listing Secrets, workload creation, impersonate,
 * bind and escalate verbs, token request) and "Using RBAC Authorization"
 * (privilege escalation prevention, restrictions on role binding creation;
 * user-facing roles).
 */

const coreGroup = "";
const rbacGroup = "rbac.authorization.k8s.io";

function includes(list: string[] | undefined, value: string): boolean {
    return (list ?? []).includes("*") || (list ?? []).includes(value);
}

/** Whether a rule allows a verb on a resource (`pods`, `serviceaccounts/token`) of an API group. */
export function ruleAllows(rule: PolicyRule, verb: string, resource: string, apiGroup: string): boolean {
    if (!includes(rule.verbs, verb) || !includes(rule.apiGroups, apiGroup)) return false;
    const resources = rule.resources ?? [];
    const [parent] = resource.split("/");
    return (
        resources.includes("*") ||
        resources.includes(resource) ||
        (resource.includes("/") && resources.includes(`${parent}/*`))
    );
}

function anyRuleAllows(rules: PolicyRule[], verbs: string[], resources: string[], apiGroups: string[]): boolean {
    return rules.some((r) =>
        verbs.some((v) => resources.some((res) => apiGroups.some((g) => ruleAllows(r, v, res, g)))),
    );
}

/** Where a grant applies, as a reviewer reads it. */
export function scopeOf(grant: Pick<GrantDetail, "namespace">): string {
    return grant.namespace ? `in namespace ${grant.namespace}` : "cluster-wide";
}

/**
 * The escalations of a grant, judged from its role's rules. `ownNamespace` is
 * the namespace a service account lives in: creating pods or tokens there is
 * its normal business; anywhere else (or cluster-wide, or for a person) it is
 * a way to act as another service account. When the rules were not read,
 * only `cluster-admin` is judged, by name.
 */
export function escalationsOf(grant: GrantDetail, roleRules: RoleRules, ownNamespace?: string): Escalation[] {
    const scope = scopeOf(grant);
    if (roleRules.state !== "read") {
        return grant.roleKind === "ClusterRole" && grant.role === "cluster-admin"
            ? [{ kind: "cluster-admin", message: `cluster-admin ${scope} (judged by name: its rules were not read)` }]
            : [];
    }
    const rules = roleRules.rules;
    const everything = rules.some(
        (r) => r.verbs.includes("*") && (r.resources ?? []).includes("*") && (r.apiGroups ?? []).includes("*"),
    );
    if (everything) {
        return [
            {
                kind: "cluster-admin",
                message: `every verb on every resource ${scope}${grant.role === "cluster-admin" ? " (cluster-admin)" : ""}`,
            },
        ];
    }
    const found: Escalation[] = [];
    const wildcards = rules.filter((r) => r.verbs.includes("*") || (r.resources ?? []).includes("*"));
    if (wildcards.length > 0) {
        found.push({ kind: "wildcard", message: `wildcard rule: ${describeRule(wildcards[0])} ${scope}` });
    }
    if (anyRuleAllows(rules, ["get", "list", "watch"], ["secrets"], [coreGroup])) {
        found.push({ kind: "reads-secrets", message: `reads Secrets ${scope}` });
    }
    if (
        rules.some((r) => r.verbs.includes("impersonate")) ||
        anyRuleAllows(rules, ["impersonate"], ["users", "groups", "serviceaccounts"], [coreGroup])
    ) {
        found.push({ kind: "impersonate", message: `impersonates other users, groups or service accounts ${scope}` });
    }
    if (anyRuleAllows(rules, ["bind"], ["roles", "clusterroles"], [rbacGroup])) {
        found.push({ kind: "bind", message: `binds roles it does not hold (verb bind) ${scope}` });
    }
    if (anyRuleAllows(rules, ["escalate"], ["roles", "clusterroles"], [rbacGroup])) {
        found.push({ kind: "escalate", message: `edits roles beyond its own permissions (verb escalate) ${scope}` });
    }
    // "Using RBAC Authorization", restrictions on role binding creation: a binding may grant any role whose
    // permissions its creator holds, so whoever may create one can hand what it holds to anyone.
    const bindingKinds = [
        ["rolebindings", "RoleBindings"],
        ["clusterrolebindings", "ClusterRoleBindings"],
    ].filter(([resource]) => anyRuleAllows(rules, ["create", "update", "patch"], [resource], [rbacGroup]));
    if (bindingKinds.length > 0) {
        found.push({
            kind: "delegates",
            message:
                `creates or changes ${bindingKinds.map(([, kind]) => kind).join(" and ")} ${scope}: can grant what ` +
                "it holds there to any user, group or service account, outside this config",
        });
    }
    const elsewhere = grant.namespace === undefined || grant.namespace !== ownNamespace;
    if (elsewhere && anyRuleAllows(rules, ["create"], ["pods"], [coreGroup])) {
        found.push({
            kind: "creates-pods",
            message: `creates pods ${scope}, which can run as any service account there`,
        });
    }
    if (elsewhere && anyRuleAllows(rules, ["create"], ["serviceaccounts/token"], [coreGroup])) {
        found.push({ kind: "creates-tokens", message: `creates tokens for service accounts ${scope}` });
    }
    return found;
}

/** The escalation of holding the group `system:masters`, which bypasses RBAC. */
export function groupEscalations(groups: string[]): Escalation[] {
    return groups.includes("system:masters")
        ? [
              {
                  kind: "system-masters",
                  message: "group system:masters: bypasses every RBAC check, and no binding can take it away",
              },
          ]
        : [];
}

/**
 * Who a subject the API server fills itself stands for, or undefined for any
 * other subject: the groups it puts identities in and the user name of
 * anonymous requests (Kubernetes "Using RBAC Authorization", default roles and
 * role bindings; "Authenticating", anonymous requests). A grant to one of them
 * reaches identities no config lists.
 */
export function broadSubjectMembers(kind: "User" | "Group", name: string): string | undefined {
    if (kind === "User") return name === "system:anonymous" ? "every anonymous request" : undefined;
    if (name === "system:authenticated") return "every authenticated user and service account";
    if (name === "system:unauthenticated") return "every anonymous request";
    if (name === "system:serviceaccounts") return "every service account in every namespace";
    if (name.startsWith("system:serviceaccounts:"))
        return `every service account in namespace ${name.slice("system:serviceaccounts:".length)}`;
    return undefined;
}

/**
 * The escalations of granting a subject the API server fills itself: one per
 * gained grant (`every authenticated user and service account (group
 * system:authenticated) gains ClusterRole view in namespace ci`), and one for
 * identities it may newly impersonate; none for any other subject.
 */
export function broadSubjectEscalations(
    kind: "User" | "Group",
    name: string,
    gained: GrantDetail[],
    mayNowImpersonate: string[] = [],
): Escalation[] {
    const members = broadSubjectMembers(kind, name);
    if (!members) return [];
    const anonymous = members === "every anonymous request" ? ", while anonymous auth is on" : "";
    const who = `${members} (${kind === "User" ? "user" : "group"} ${name}${anonymous})`;
    return [
        ...gained.map((g) => ({
            kind: "broad-subject" as const,
            message: `${who} gains ${g.roleKind} ${g.role} ${scopeOf(g)}`,
        })),
        ...(mayNowImpersonate.length > 0
            ? [{ kind: "broad-subject" as const, message: `${who} may impersonate ${mayNowImpersonate.join(", ")}` }]
            : []),
    ];
}

/**
 * The escalations of identities a user or subject may newly impersonate
 * (labels as the `users` output's `mayImpersonate`): acting as another
 * identity takes its permissions (Kubernetes "Authenticating", User
 * impersonation); the group `system:masters` bypasses RBAC altogether.
 */
export function impersonationEscalations(gained: string[]): Escalation[] {
    if (gained.length === 0) return [];
    // Acting in system:masters is that group's escalation (groupEscalations), reached by impersonation.
    const groups = gained.filter((t) => t.startsWith("group:")).map((t) => t.slice("group:".length));
    return [
        ...groupEscalations(groups).map((e) => ({ ...e, message: `may impersonate ${e.message}` })),
        {
            kind: "impersonate",
            message: `may impersonate ${gained.join(", ")}: acts with ${gained.length === 1 ? "its" : "their"} permissions`,
        },
    ];
}

/** One rule as a line: `get, list, watch on pods, services` (API group named unless core). */
export function describeRule(rule: PolicyRule): string {
    const verbs = rule.verbs.join(", ");
    if ((rule.nonResourceURLs ?? []).length > 0) return `${verbs} on URLs ${rule.nonResourceURLs!.join(", ")}`;
    const groups = (rule.apiGroups ?? []).filter((g) => g !== coreGroup);
    const resources = (rule.resources ?? []).join(", ");
    const names = (rule.resourceNames ?? []).length > 0 ? ` named ${rule.resourceNames!.join(", ")}` : "";
    return `${verbs} on ${resources}${names}${groups.length > 0 ? ` (${groups.join(", ")})` : ""}`;
}

/**
 * The part of `gained` rules that `kept` rules do not already allow: each
 * gained rule split by the verbs that no kept rule covers for each of its
 * resources (or URLs), resources with the same such verbs together, so
 * every verb and resource pair listed is new (for a rule over several API
 * groups, new in at least one of them); a rule with nothing new is left
 * out. A kept rule limited to named resources covers nothing here (it
 * would not cover other names); a wildcard is covered only by a wildcard.
 * Sources: Kubernetes "Using RBAC Authorization" (rules are additive).
 */
export function rulesBeyond(gained: PolicyRule[], kept: PolicyRule[]): PolicyRule[] {
    const covering = kept.filter((r) => (r.resourceNames ?? []).length === 0);
    const urlCovered = (verb: string, url: string) =>
        covering.some(
            (r) =>
                includes(r.verbs, verb) &&
                (r.nonResourceURLs ?? []).some(
                    (u) => u === "*" || u === url || (u.endsWith("*") && url.startsWith(u.slice(0, -1))),
                ),
        );
    const out: PolicyRule[] = [];
    for (const rule of gained) {
        const urls = rule.nonResourceURLs ?? [];
        if (urls.length > 0) {
            for (const { verbs, items } of byNewVerbs(rule.verbs, urls, (v, url) => !urlCovered(v, url)))
                out.push({ verbs, nonResourceURLs: items });
            continue;
        }
        const groups = rule.apiGroups ?? [];
        const uncovered = (verb: string, resource: string) =>
            groups.some((g) => !covering.some((r) => ruleAllows(r, verb, resource, g)));
        for (const { verbs, items } of byNewVerbs(rule.verbs, rule.resources ?? [], uncovered))
            out.push({ ...rule, verbs, resources: items });
    }
    return out;
}

/** `items` with the same new verbs together, in the order first met; items with none are left out. */
function byNewVerbs(
    verbs: string[],
    items: string[],
    isNew: (verb: string, item: string) => boolean,
): { verbs: string[]; items: string[] }[] {
    const groups = new Map<string, { verbs: string[]; items: string[] }>();
    for (const item of items) {
        const newVerbs = verbs.filter((v) => isNew(v, item));
        if (newVerbs.length === 0) continue;
        const key = newVerbs.join(" ");
        const group = groups.get(key) ?? { verbs: newVerbs, items: [] };
        group.items.push(item);
        groups.set(key, group);
    }
    return [...groups.values()];
}

/** What a role's rules allow, one line per rule (non-resource URLs as `on URLs …`). */
export function describeRules(rules: PolicyRule[]): string[] {
    return rules.map(describeRule);
}
