/**
 * The access-change report: who gains and who loses what when a stack's
 * config changes, in the terms a reviewer uses (people, roles, namespaces,
 * credentials), not in RoleBinding objects. Plain data, rendered as JSON or
 * Markdown.
 */
import type { CredentialSummary } from "../access/summary";
import type { GrantDetail, UnlistedSubject } from "../rbac/plan";

export type { GrantDetail, UnlistedSubject } from "../rbac/plan";
export type { CredentialSummary } from "../access/summary";

/** One user as a stack grants it: the deployed `users` output, or what the working tree's config would make. */
export interface AccessEntry {
    name: string;
    /** `certificate`, `serviceAccount` or `oidc`. */
    method: string;
    /** `external` or `cluster`, for certificate users. */
    signer?: string;
    /** The user name the API server sees. */
    identity: string;
    groups: string[];
    /** Who holds a certificate user's private key: `kube-access` or `user`. */
    keyHeldBy?: string;
    /** Certificate expiry (ISO 8601); known only for deployed certificates. */
    expiresAt?: string;
    grants: GrantDetail[];
    /** Whom the user may impersonate (`user:<name>`, `group:<name>`, `serviceaccount:<ns>/<name>`, `uid:…`, `userextra:<key>=<value>`); empty when nobody. */
    mayImpersonate: string[];
    /** Absent for stacks deployed before the `users` output carried it. */
    credential?: CredentialSummary;
}

/** An RBAC policy rule as a Role or ClusterRole holds it (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
    apiGroups?: string[];
    resources?: string[];
    resourceNames?: string[];
    nonResourceURLs?: string[];
    verbs: string[];
}

/**
 * The rules of a role as read from the cluster: `rules` when it was read,
 * `missing` when the cluster has no such role, `unknown` when it was not read
 * (the cluster could not be reached).
 */
export type RoleRules = { state: "read"; rules: PolicyRule[] } | { state: "missing" } | { state: "unknown" };

/** Kinds of grant a reviewer must look at twice. */
export const escalationKinds = [
    "cluster-admin",
    "wildcard",
    "reads-secrets",
    "impersonate",
    "bind",
    "escalate",
    "delegates",
    "creates-pods",
    "creates-tokens",
    "system-masters",
    "broad-subject",
    "authenticating-proxy",
] as const;
export type EscalationKind = (typeof escalationKinds)[number];

/** A grant that lets its holder do more than the role's name suggests, or take other identities' permissions. */
export interface Escalation {
    kind: EscalationKind;
    /** What the holder can do, and where. */
    message: string;
}

/** A grant gained or lost, with what the role lets its holder do. */
export interface GrantChange extends GrantDetail {
    /** What the role's rules allow, one line per rule (empty when the rules were not read). */
    allows: string[];
    /**
     * For a grant gained beside grants the user keeps in the same namespace
     * or cluster-wide: what it allows that those do not, one line per rule
     * (empty when it adds nothing); absent when the user keeps no grant there
     * or a role's rules were not read.
     */
    beyondKept?: string[];
    /**
     * For a grant lost while the user or subject still holds grants in the
     * same namespace or cluster-wide: those grants.
     */
    stillHeldThere?: GrantDetail[];
    /**
     * For a grant lost beside {@link stillHeldThere}: what it allowed that
     * those do not, one line per rule; empty when the loss takes nothing away
     * (everything it allowed is still allowed there). Absent when a role's
     * rules were not read.
     */
    beyondRemaining?: string[];
    /** Where the rules came from: read from the cluster, missing there, or not read. */
    rules: RoleRules["state"];
    /** Escalations of a gained grant (none for lost grants). */
    escalations: Escalation[];
}

/** Access a credential keeps after the change, until it expires, because Kubernetes cannot revoke it. */
export interface KeptGrant extends GrantDetail {
    /** Until when (ISO 8601), when known. */
    until?: string;
    /** Why it is kept. */
    reason: string;
}

/** Kinds of credential change. */
export type CredentialChangeKind =
    | "certificate-reissued"
    | "renewal-due"
    | "expired"
    | "token-secret-replaced"
    | "token-secret-deleted"
    | "keycloak-groups-changed"
    | "keycloak-user-deleted"
    | "keycloak-user-changed"
    | "method-changed";

export interface CredentialChange {
    kind: CredentialChangeKind;
    /** For a re-issued certificate: key, groups, validity, signer, certificate request, rotation, renewal window; for a replaced token Secret: rotation. */
    reasons?: string[];
    message: string;
}

/** Identities a user or subject may now impersonate, and those it no longer may (labels as the `users` output's `mayImpersonate`). */
export interface ImpersonationChange {
    gained: string[];
    lost: string[];
}

/** Everything that changes for one user. */
export interface UserChange {
    name: string;
    method: string;
    signer?: string;
    identity: string;
    gained: GrantChange[];
    lost: GrantChange[];
    impersonation: ImpersonationChange;
    kept: KeptGrant[];
    credential: CredentialChange[];
    /** Escalations of gained grants and groups, in one list. */
    escalations: Escalation[];
}

/** What changes for one bound user or group that no user in config stands for. */
export interface SubjectChange {
    /** `user:<name>` or `group:<name>`, as the API server sees the name. */
    subject: string;
    kind: UnlistedSubject["kind"];
    name: string;
    reason: UnlistedSubject["reason"];
    /** What a reviewer should know of the name, when anything. */
    note?: string;
    gained: GrantChange[];
    lost: GrantChange[];
    impersonation: ImpersonationChange;
    escalations: Escalation[];
    /**
     * False when the deployed stack does not record these subjects (deployed
     * before its `unlistedSubjects` output existed): `gained` is then all the
     * config grants them, not only what the change adds.
     */
    compared: boolean;
}

/**
 * Authenticating proxies (by certificate CN, `--requestheader-allowed-names`)
 * the change adds or removes. A proxy's certificate lets whoever holds it act
 * as any user and group it names in request headers.
 */
export interface ProxyChanges {
    added: string[];
    removed: string[];
    /** One `authenticating-proxy` escalation per added proxy. */
    escalations: Escalation[];
}

/** The whole report. */
export interface AccessReport {
    /** The stack compared, if named. */
    stack?: string;
    /** The time renewal windows were judged at (ISO 8601). */
    at: string;
    /** Whether role rules were read from the cluster; a note says why not. */
    cluster: { rulesRead: boolean; note?: string };
    summary: {
        gainAccess: number;
        loseAccess: number;
        changeAccess: number;
        escalations: number;
        credentialsReissued: number;
        renewalsDue: number;
        /** Users and groups no user in config stands for whose access changes. */
        subjectsChanged: number;
        /** Authenticating proxies added or removed. */
        proxiesChanged: number;
        /** One line: "2 users gain access, 1 loses it, ...". */
        text: string;
    };
    added: UserChange[];
    removed: UserChange[];
    changed: UserChange[];
    /** Bound users and groups that no user in config stands for, whose grants change. */
    subjects: SubjectChange[];
    proxies: ProxyChanges;
}
