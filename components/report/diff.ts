import { needsRenewal } from "../certificates/clusterSigning";
import { PlannedBinding, grantsOfSubject } from "../rbac/plan";
import {
    broadSubjectEscalations,
    broadSubjectMembers,
    escalationsOf,
    groupEscalations,
    describeRules,
    impersonationEscalations,
    rulesBeyond,
} from "./escalation";
import {
    AccessEntry,
    AccessReport,
    CredentialChange,
    Escalation,
    GrantChange,
    GrantDetail,
    ImpersonationChange,
    KeptGrant,
    ProxyChanges,
    RoleRules,
    SubjectChange,
    UnlistedSubject,
    UserChange,
} from "./model";

/** Inputs of {@link buildAccessReport}. */
export interface ReportInput {
    /** What the stack grants now (its `users` output). */
    before: AccessEntry[];
    /** What the proposed config would grant. */
    after: AccessEntry[];
    /**
     * Bound users and groups no user in config stands for, as the stack
     * records them (its `unlistedSubjects` output); undefined when it does
     * not record them (deployed before that output existed).
     */
    subjectsBefore?: UnlistedSubject[];
    /** The same, as the proposed config would bind them. */
    subjectsAfter?: UnlistedSubject[];
    /** Authenticating proxies' names as the stack's API server settings list them (none when it has none). */
    proxiesBefore?: string[];
    /** The same, as the proposed config would list them. */
    proxiesAfter?: string[];
    /** The bindings the proposed config makes: what a removed or replaced certificate still reaches. */
    planned: PlannedBinding[];
    /** The rules of a grant's role. */
    rolesOf: (grant: GrantDetail) => RoleRules;
    /** The time renewal windows are judged at. */
    now: Date;
    stack?: string;
    /** Whether role rules were read from the cluster, and if not, why. */
    cluster: { rulesRead: boolean; note?: string };
}

/** A key that is equal for the same role, scope, binding and path to the user. */
export function grantKey(g: GrantDetail): string {
    return JSON.stringify([
        g.roleKind,
        g.role,
        g.namespace ?? "",
        g.binding,
        g.via.kind,
        g.via.kind === "group" ? g.via.group : "",
    ]);
}

/** Grants in `after` and not in `before` (gained), and the other way round (lost). */
export function diffGrants(
    before: GrantDetail[],
    after: GrantDetail[],
): { gained: GrantDetail[]; lost: GrantDetail[] } {
    const had = new Set(before.map(grantKey));
    const has = new Set(after.map(grantKey));
    return { gained: after.filter((g) => !had.has(grantKey(g))), lost: before.filter((g) => !has.has(grantKey(g))) };
}

/** Identities newly impersonable (`gained`) and no longer (`lost`), in the order of the list each comes from. */
export function diffImpersonation(before: string[], after: string[]): ImpersonationChange {
    const had = new Set(before);
    const has = new Set(after);
    return { gained: after.filter((t) => !had.has(t)), lost: before.filter((t) => !has.has(t)) };
}

function sameSet(a: string[], b: string[]): boolean {
    return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}

function listOrNone(values: string[]): string {
    return values.length > 0 ? values.join(", ") : "(none)";
}

/**
 * Why a rotation counter changed a credential: `rotation 0 → 1`, or undefined
 * when it did not, or when the stack was deployed before the `users` output
 * carried the counter (kube-access before 3 December 2026).
 */
function rotationReason(before: AccessEntry, after: AccessEntry): string | undefined {
    const b = before.credential?.rotation;
    const a = after.credential?.rotation ?? 0;
    return b !== undefined && b !== a ? `rotation ${b} → ${a}` : undefined;
}

/**
 * Why a certificate user's certificate is issued again: a new key or
 * request, other groups (the certificate's O values), another lifetime or
 * signer, a changed rotation counter. Settings a stack deployed before the
 * `users` output carried them are not compared.
 */
export function certificateReissueReasons(before: AccessEntry, after: AccessEntry): string[] {
    const reasons: string[] = [];
    const b = before.credential ?? {};
    const a = after.credential ?? {};
    if (before.signer !== after.signer) reasons.push(`signer ${before.signer} → ${after.signer}`);
    if (before.keyHeldBy !== undefined && before.keyHeldBy !== after.keyHeldBy) {
        reasons.push(`key held by ${before.keyHeldBy} → ${after.keyHeldBy}`);
    } else if (b.certificateRequestSha256 !== a.certificateRequestSha256 && before.credential) {
        reasons.push("new certificate request");
    }
    if (b.keyAlgorithm !== undefined && b.keyAlgorithm !== a.keyAlgorithm) {
        reasons.push(`key ${b.keyAlgorithm} → ${a.keyAlgorithm}`);
    }
    if (!sameSet(before.groups, after.groups)) {
        reasons.push(`groups ${listOrNone(before.groups)} → ${listOrNone(after.groups)}`);
    }
    if (b.validityHours !== undefined && b.validityHours !== a.validityHours) {
        reasons.push(`validity ${b.validityHours} h → ${a.validityHours} h`);
    }
    const rotation = rotationReason(before, after);
    if (rotation)
        reasons.push(after.keyHeldBy === "user" ? `${rotation} (a new certificate for the same key)` : rotation);
    return reasons;
}

/**
 * The renewal window a certificate is judged by: `renewBeforeHours`, and for
 * the cluster signer at most half the lifetime (what the program's
 * ClusterSignedCertificate does; the lifetime is taken as validityHours).
 */
function renewBeforeSeconds(entry: AccessEntry): number | undefined {
    const c = entry.credential;
    if (c?.renewBeforeHours === undefined) return undefined;
    const seconds = c.renewBeforeHours * 3600;
    return entry.signer === "cluster" && c.validityHours !== undefined
        ? Math.min(seconds, Math.floor((c.validityHours * 3600) / 2))
        : seconds;
}

/** Credential changes of a user present before and after. */
export function credentialChanges(before: AccessEntry, after: AccessEntry, now: Date): CredentialChange[] {
    if (before.method !== after.method) {
        return [
            {
                kind: "method-changed",
                message: `credential replaced: ${before.method} → ${after.method}; the old ${before.method} credential ${
                    before.method === "certificate" && before.expiresAt
                        ? `stays valid until ${before.expiresAt}`
                        : "is removed"
                }`,
            },
        ];
    }
    const b = before.credential ?? {};
    const a = after.credential ?? {};
    switch (after.method) {
        case "certificate": {
            const reasons = certificateReissueReasons(before, after);
            if (reasons.length > 0) {
                const old = before.expiresAt ? `; the previous certificate stays valid until ${before.expiresAt}` : "";
                return [
                    {
                        kind: "certificate-reissued",
                        reasons,
                        message: `certificate re-issued (${reasons.join("; ")})${old}`,
                    },
                ];
            }
            if (before.expiresAt === undefined) return [];
            if (now.getTime() >= Date.parse(before.expiresAt)) {
                return [
                    {
                        kind: "expired",
                        reasons: ["expired"],
                        message: `certificate expired at ${before.expiresAt}; the next pulumi up issues a new one`,
                    },
                ];
            }
            const window = renewBeforeSeconds(after);
            if (window !== undefined && needsRenewal(before.expiresAt, window, now.getTime())) {
                return [
                    {
                        kind: "renewal-due",
                        reasons: ["renewal window"],
                        message:
                            `certificate expires at ${before.expiresAt}, inside its ${window / 3600}-hour renewal window: ` +
                            "the next pulumi up issues a new one",
                    },
                ];
            }
            return [];
        }
        case "serviceAccount": {
            if (b.namespace !== undefined && b.namespace !== a.namespace) {
                return [
                    {
                        kind: "token-secret-replaced",
                        message: `ServiceAccount and token Secret move from namespace ${b.namespace} to ${a.namespace}; the old token is refused once its Secret is deleted`,
                    },
                ];
            }
            const rotation = rotationReason(before, after);
            return rotation
                ? [
                      {
                          kind: "token-secret-replaced",
                          reasons: [rotation],
                          message: `token Secret replaced (${rotation}); the old token is refused once its Secret is deleted`,
                      },
                  ]
                : [];
        }
        case "oidc": {
            const changes: CredentialChange[] = [];
            if (!sameSet(before.groups, after.groups)) {
                const joined = after.groups.filter((g) => !before.groups.includes(g));
                const left = before.groups.filter((g) => !after.groups.includes(g));
                changes.push({
                    kind: "keycloak-groups-changed",
                    message: `Keycloak groups: ${[...joined.map((g) => `+${g}`), ...left.map((g) => `−${g}`)].join(", ")}; tokens issued before carry the old groups until they expire`,
                });
            }
            if (b.email !== undefined && b.email !== a.email) {
                changes.push({ kind: "keycloak-user-changed", message: `Keycloak email ${b.email} → ${a.email}` });
            }
            return changes;
        }
        default:
            return [];
    }
}

/**
 * What a certificate that stays valid still reaches through the proposed
 * bindings: its CN and the given O values (groups), until it expires.
 * Kubernetes cannot revoke a client certificate.
 */
export function keptByCertificate(
    entry: AccessEntry,
    groups: string[],
    planned: PlannedBinding[],
    now: Date,
    includeUser: boolean,
): KeptGrant[] {
    if (entry.method !== "certificate" || !entry.expiresAt || now.getTime() >= Date.parse(entry.expiresAt)) return [];
    // The certificate as issued carries every group the user had; `groups` are those whose grants it keeps.
    const reason = `the certificate (CN=${entry.identity}${entry.groups.map((g) => `, O=${g}`).join("")}) stays valid until it expires; Kubernetes cannot revoke a client certificate`;
    const grants = [
        ...(includeUser ? grantsOfSubject(planned, { kind: "User", name: entry.identity }, { kind: "user" }) : []),
        ...groups.flatMap((g) => grantsOfSubject(planned, { kind: "Group", name: g }, { kind: "group", group: g })),
    ];
    return grants.map((g) => ({ ...g, until: entry.expiresAt, reason }));
}

function grantChange(grant: GrantDetail, rules: RoleRules, escalations: Escalation[]): GrantChange {
    return {
        ...grant,
        allows: rules.state === "read" ? describeRules(rules.rules) : [],
        rules: rules.state,
        escalations,
    };
}

function userHead(entry: AccessEntry): Pick<UserChange, "name" | "method" | "signer" | "identity"> {
    return {
        name: entry.name,
        method: entry.method,
        ...(entry.signer ? { signer: entry.signer } : {}),
        identity: entry.identity,
    };
}

/** An escalation a user has through a grant, and where: a namespace, or cluster-wide when undefined. */
interface HeldEscalation {
    escalation: Escalation;
    namespace?: string;
}

/**
 * A user's grants after the change that the deployed stack's `users` output
 * can be compared with. A stack deployed before kube-access recorded
 * `unlistedSubjects` (3 December 2026) did not record what reaches a user
 * through the groups the API server adds itself (`system:authenticated`, a
 * service account's groups) either, so those grants are left out of the
 * user's gains; the section on users and groups outside the users list then
 * lists every grant to those groups, marked as not compared.
 */
function comparableGrants(after: GrantDetail[], input: ReportInput): GrantDetail[] {
    if (input.subjectsBefore !== undefined) return after;
    return after.filter((g) => g.via.kind !== "group" || broadSubjectMembers("Group", g.via.group) === undefined);
}

/** A service account's own namespace, where its pods and tokens are no escalation. */
function ownNamespaceOf(entry: AccessEntry): string | undefined {
    return entry.method === "serviceAccount" ? entry.credential?.namespace : undefined;
}

/** The grants of `all` that are not among `gained`: what a user or subject keeps through a change. */
function keptGrants(all: GrantDetail[], gained: GrantDetail[]): GrantDetail[] {
    const gainedKeys = new Set(gained.map(grantKey));
    return all.filter((g) => !gainedKeys.has(grantKey(g)));
}

/** The escalations of the grants a user or subject keeps through a change (`ownNamespace`: a service account's). */
function heldEscalations(ownNamespace: string | undefined, kept: GrantDetail[], input: ReportInput): HeldEscalation[] {
    return kept.flatMap((g) =>
        escalationsOf(g, input.rolesOf(g), ownNamespace).map((escalation) => ({
            escalation,
            namespace: g.namespace,
        })),
    );
}

/**
 * Whether a user could already do what escalation `e` of gained grant `g`
 * allows, through the grants they keep: the same kind in the same namespace
 * or cluster-wide, or every verb on every resource there. A gained wildcard
 * rule is always reported (another wildcard may cover other resources).
 */
function alreadyHeld(e: Escalation, g: GrantDetail, held: HeldEscalation[]): boolean {
    return held.some(
        ({ escalation, namespace }) =>
            (namespace === undefined || namespace === g.namespace) &&
            (escalation.kind === "cluster-admin" || (escalation.kind === e.kind && e.kind !== "wildcard")),
    );
}

/**
 * What a gained grant allows beyond the grants a user keeps in its namespace
 * or cluster-wide, as rule lines; undefined when the user keeps none there or
 * a role's rules were not read.
 */
function beyondKept(g: GrantDetail, rules: RoleRules, kept: GrantDetail[], input: ReportInput): string[] | undefined {
    return rulesBeyondGrants(rules, grantsThere(g, kept), input);
}

/** The grants of `others` that apply where `g` does: in its namespace, or cluster-wide. */
function grantsThere(g: GrantDetail, others: GrantDetail[]): GrantDetail[] {
    return others.filter((k) => k.namespace === undefined || k.namespace === g.namespace);
}

/**
 * What `rules` allow beyond the rules of `others`, as rule lines; undefined
 * when `others` is empty or a role's rules were not read.
 */
function rulesBeyondGrants(rules: RoleRules, others: GrantDetail[], input: ReportInput): string[] | undefined {
    if (rules.state !== "read" || others.length === 0) return undefined;
    const otherRules = others.map((k) => input.rolesOf(k));
    if (otherRules.some((r) => r.state !== "read")) return undefined;
    return describeRules(
        rulesBeyond(
            rules.rules,
            otherRules.flatMap((r) => (r.state === "read" ? r.rules : [])),
        ),
    );
}

/**
 * Gained grants with what each allows (and, beside `kept` grants, what it adds
 * to them), and the escalations each brings that the user did not have
 * through `held`.
 */
function gainedChanges(
    ownNamespace: string | undefined,
    gained: GrantDetail[],
    input: ReportInput,
    held: HeldEscalation[] = [],
    kept: GrantDetail[] = [],
): GrantChange[] {
    return gained.map((g) => {
        const rules = input.rolesOf(g);
        const change = grantChange(
            g,
            rules,
            escalationsOf(g, rules, ownNamespace).filter((e) => !alreadyHeld(e, g, held)),
        );
        const beyond = beyondKept(g, rules, kept, input);
        return beyond ? { ...change, beyondKept: beyond } : change;
    });
}

/**
 * Lost grants with what each allows, and, where the user or subject still
 * holds grants in the same namespace or cluster-wide after the change
 * (`remaining`), those grants and what the lost one allowed beyond them: what
 * the loss really takes away.
 */
function lostChanges(lost: GrantDetail[], input: ReportInput, remaining: GrantDetail[] = []): GrantChange[] {
    return lost.map((g) => {
        const rules = input.rolesOf(g);
        const change = grantChange(g, rules, []);
        const there = grantsThere(g, remaining);
        if (there.length === 0) return change;
        const beyond = rulesBeyondGrants(rules, there, input);
        return { ...change, stillHeldThere: there, ...(beyond ? { beyondRemaining: beyond } : {}) };
    });
}

function removedCredential(entry: AccessEntry): CredentialChange[] {
    switch (entry.method) {
        case "serviceAccount":
            return [
                {
                    kind: "token-secret-deleted",
                    message: "the ServiceAccount and its token Secret are deleted: the token is refused at once",
                },
            ];
        case "oidc":
            return [
                {
                    kind: "keycloak-user-deleted",
                    message:
                        "the Keycloak user is deleted; tokens issued before are accepted until they expire (oidc.tokenLifespanSeconds)",
                },
            ];
        default:
            return [];
    }
}

/**
 * What changes for bound users and groups that no user in config stands for:
 * grants gained (with their escalations, and that of binding a group the API
 * server fills itself) and lost, per subject, in the proposed config's order
 * and then the removed ones.
 */
export function subjectChanges(input: ReportInput): SubjectChange[] {
    const compared = input.subjectsBefore !== undefined;
    const before = new Map((input.subjectsBefore ?? []).map((s) => [s.subject, s]));
    const after = new Map((input.subjectsAfter ?? []).map((s) => [s.subject, s]));
    const changes: SubjectChange[] = [];
    for (const subject of [...after.values(), ...[...before.values()].filter((s) => !after.has(s.subject))]) {
        const { gained, lost } = diffGrants(
            before.get(subject.subject)?.grants ?? [],
            after.get(subject.subject)?.grants ?? [],
        );
        const impersonation = diffImpersonation(
            before.get(subject.subject)?.mayImpersonate ?? [],
            after.get(subject.subject)?.mayImpersonate ?? [],
        );
        if (gained.length + lost.length + impersonation.gained.length + impersonation.lost.length === 0) continue;
        // As for users: an escalation the subject already has through a grant it keeps is not flagged again.
        const kept = keptGrants(after.get(subject.subject)?.grants ?? [], gained);
        const gainedList = gainedChanges(undefined, gained, input, heldEscalations(undefined, kept, input));
        const broad = broadSubjectEscalations(subject.kind, subject.name, gained, impersonation.gained);
        changes.push({
            subject: subject.subject,
            kind: subject.kind,
            name: subject.name,
            reason: subject.reason,
            ...(subject.note ? { note: subject.note } : {}),
            gained: gainedList,
            lost: lostChanges(lost, input, after.get(subject.subject)?.grants ?? []),
            impersonation,
            escalations: [
                ...broad,
                ...gainedList.flatMap((g) => g.escalations),
                ...impersonationEscalations(impersonation.gained),
            ],
            compared,
        });
    }
    return changes;
}

/**
 * Authenticating proxies added and removed, by name (the certificate's CN),
 * with an escalation for each one added: the API server takes a request with
 * its certificate to be from whichever user and groups its headers name
 * (Kubernetes "Authenticating", authenticating proxy).
 */
export function proxyChanges(before: string[], after: string[]): ProxyChanges {
    const added = after.filter((p) => !before.includes(p));
    return {
        added,
        removed: before.filter((p) => !after.includes(p)),
        escalations: added.map((p) => ({
            kind: "authenticating-proxy",
            message:
                `authenticating proxy ${p}: whoever holds its certificate and key acts as any user and group it names in request headers, ` +
                "once the API server's --requestheader-allowed-names lists it",
        })),
    };
}

/** The report's one-line summary. */
export function summaryText(s: Omit<AccessReport["summary"], "text">): string {
    const total =
        s.gainAccess +
        s.loseAccess +
        s.changeAccess +
        s.escalations +
        s.credentialsReissued +
        s.renewalsDue +
        s.subjectsChanged +
        s.proxiesChanged;
    if (total === 0) return "No access change.";
    const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
    const parts = [
        `${plural(s.gainAccess, "user gains", "users gain")} access, ${plural(s.loseAccess, "loses", "lose")} it, ${plural(s.changeAccess, "changes", "change")} access`,
    ];
    if (s.subjectsChanged > 0)
        parts.push(
            `${plural(s.subjectsChanged, "user or group", "users or groups")} outside the users list ${s.subjectsChanged === 1 ? "changes" : "change"} access`,
        );
    if (s.proxiesChanged > 0)
        parts.push(`${plural(s.proxiesChanged, "authenticating proxy", "authenticating proxies")} added or removed`);
    if (s.escalations > 0) parts.push(plural(s.escalations, "escalation", "escalations"));
    const credentials = [
        ...(s.credentialsReissued > 0
            ? [`${plural(s.credentialsReissued, "credential", "credentials")} re-issued`]
            : []),
        ...(s.renewalsDue > 0 ? [`${plural(s.renewalsDue, "certificate", "certificates")} due for renewal`] : []),
    ];
    if (credentials.length > 0) parts.push(credentials.join(", "));
    return parts.join("; ");
}

/**
 * Compares what a stack grants now with what a proposed config would grant,
 * per user: added and removed users, grants gained and lost (with what each
 * gained role allows and its escalations), credential changes, and access
 * that certificates keep until they expire.
 */
export function buildAccessReport(input: ReportInput): AccessReport {
    const beforeByName = new Map(input.before.map((u) => [u.name, u]));
    const afterByName = new Map(input.after.map((u) => [u.name, u]));

    const added: UserChange[] = input.after
        .filter((u) => !beforeByName.has(u.name))
        .map((u) => {
            const gained = gainedChanges(ownNamespaceOf(u), u.grants, input);
            return {
                ...userHead(u),
                gained,
                lost: [],
                impersonation: { gained: u.mayImpersonate, lost: [] },
                kept: [],
                credential: [],
                escalations: [
                    ...groupEscalations(u.method === "certificate" ? u.groups : []),
                    ...gained.flatMap((g) => g.escalations),
                    ...impersonationEscalations(u.mayImpersonate),
                ],
            };
        });

    const removed: UserChange[] = input.before
        .filter((u) => !afterByName.has(u.name))
        .map((u) => ({
            ...userHead(u),
            gained: [],
            lost: lostChanges(u.grants, input),
            impersonation: { gained: [], lost: u.mayImpersonate },
            kept: keptByCertificate(u, u.groups, input.planned, input.now, true),
            credential: removedCredential(u),
            escalations: [],
        }));

    const changed: UserChange[] = [];
    for (const after of input.after) {
        const before = beforeByName.get(after.name);
        if (!before) continue;
        const { gained, lost } = diffGrants(before.grants, comparableGrants(after.grants, input));
        const credential = credentialChanges(before, after, input.now);
        const reissued = credential.some((c) => c.kind === "certificate-reissued" || c.kind === "method-changed");
        const leftGroups = before.groups.filter((g) => !after.groups.includes(g));
        const kept = reissued ? keptByCertificate(before, leftGroups, input.planned, input.now, false) : [];
        const newGroups = after.method === "certificate" ? after.groups.filter((g) => !before.groups.includes(g)) : [];
        // Escalations are what the change adds: not what the user can already do through grants they keep.
        const stays = keptGrants(after.grants, gained);
        const gainedChangesList = gainedChanges(
            ownNamespaceOf(after),
            gained,
            input,
            heldEscalations(ownNamespaceOf(after), stays, input),
            stays,
        );
        const impersonation = diffImpersonation(before.mayImpersonate, after.mayImpersonate);
        const escalations = [
            ...groupEscalations(newGroups),
            ...gainedChangesList.flatMap((g) => g.escalations),
            ...impersonationEscalations(impersonation.gained),
        ];
        const impersonationChanged = impersonation.gained.length + impersonation.lost.length > 0;
        if (gained.length + lost.length + credential.length + escalations.length === 0 && !impersonationChanged)
            continue;
        changed.push({
            ...userHead(after),
            gained: gainedChangesList,
            lost: lostChanges(lost, input, after.grants),
            impersonation,
            kept,
            credential,
            escalations,
        });
    }

    const all = [...added, ...removed, ...changed];
    const subjects = subjectChanges(input);
    const proxies = proxyChanges(input.proxiesBefore ?? [], input.proxiesAfter ?? []);
    const counts = {
        gainAccess: added.length,
        loseAccess: removed.length,
        changeAccess: changed.filter(
            (u) => u.gained.length + u.lost.length + u.impersonation.gained.length + u.impersonation.lost.length > 0,
        ).length,
        escalations: [...all, ...subjects, proxies].reduce((n, u) => n + u.escalations.length, 0),
        credentialsReissued: changed.reduce(
            (n, u) =>
                n +
                u.credential.filter((c) =>
                    ["certificate-reissued", "method-changed", "token-secret-replaced"].includes(c.kind),
                ).length,
            0,
        ),
        renewalsDue: changed.reduce(
            (n, u) => n + u.credential.filter((c) => c.kind === "renewal-due" || c.kind === "expired").length,
            0,
        ),
        subjectsChanged: subjects.length,
        proxiesChanged: proxies.added.length + proxies.removed.length,
    };
    return {
        ...(input.stack ? { stack: input.stack } : {}),
        at: input.now.toISOString(),
        cluster: input.cluster,
        summary: { ...counts, text: summaryText(counts) },
        added,
        removed,
        changed,
        subjects,
        proxies,
    };
}

/** Whether the report shows any change (the access-report command exits 2 then). */
export function hasChanges(report: AccessReport): boolean {
    return (
        report.added.length +
            report.removed.length +
            report.changed.length +
            report.subjects.length +
            report.proxies.added.length +
            report.proxies.removed.length >
        0
    );
}
