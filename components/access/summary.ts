import * as crypto from "crypto";
import { AccessSpec, OidcSpec, UserSpec } from "../model/types";
import { apiServerUsername } from "../model/identity";
import {
    PlannedBinding,
    GrantDetail,
    UnlistedReason,
    grantDetailsByUser,
    grantsByUser,
    unlistedSubjects,
} from "../rbac/plan";
import { userKeyFile } from "../certificates/kubeconfig";
import { CertificateStatus, certificateStatus } from "../certificates/certificateStatus";
import { oidcFirstStep } from "../oidc/kubeconfigCredential";
import { impersonationsByUser, impersonatorsBySubject } from "../impersonation/plan";

/** What the `users` output says about each user; holds no secret. */
export interface UserSummary {
    name: string;
    method: string;
    /** `external` or `cluster`, for certificate users. */
    signer?: string;
    groups: string[];
    /** The user name the API server sees. */
    identity: string;
    /** Who holds a certificate user's private key: kube-access (in the kubeconfig) or the user (their own CSR). */
    keyHeldBy?: "kube-access" | "user";
    /** Certificate expiry (ISO 8601), for certificate users. */
    expiresAt?: string;
    /** From when a `pulumi up` issues a new certificate (ISO 8601): the start of the renewal window. */
    renewsAt?: string;
    /**
     * The certificate's standing when the program last ran (`pulumi up` or
     * preview): `valid`, `renewalDue` (inside the renewal window) or `expired`;
     * the next `pulumi up` re-issues the latter two.
     */
    certificateStatus?: CertificateStatus;
    /** From when a `pulumi up` replaces a service account's token Secret (ISO 8601), when its token has a maximum age. */
    tokenRotatesAt?: string;
    /** Roles granted through bindings to the user or its groups. */
    grants: string[];
    /** What the user must do before the delivered kubeconfig works, when anything. */
    firstStep?: string;
    /** The same grants, structured: role, namespace (none: cluster-wide), binding, and whether through a group. */
    grantDetails: GrantDetail[];
    /** What the user's credential is made from; a change here issues a new credential. */
    credential: CredentialSummary;
    /** Whom the user may impersonate (`user:<name>`, `group:<name>`, `serviceaccount:<ns>/<name>`, `uid:…`, `userextra:<key>=<value>`), when anyone. */
    mayImpersonate?: string[];
}

/** The settings a user's credential is made from (no secret; a CSR is named by its SHA-256). */
export interface CredentialSummary {
    /** Certificate users: key algorithm, lifetime and renewal window in hours. */
    keyAlgorithm?: string;
    validityHours?: number;
    renewBeforeHours?: number;
    /** Certificate users who brought their own CSR: SHA-256 (hex) of its PEM text. */
    certificateRequestSha256?: string;
    /** Service-account users: the ServiceAccount's namespace. */
    namespace?: string;
    /**
     * Certificate and service-account users: the rotation counter (`auth.rotation`,
     * 0 when absent); a change issues a new key and certificate, or a new token Secret.
     */
    rotation?: number;
    /** OIDC users: the Keycloak user's email. */
    email?: string;
}

/** The credential settings of a declared user, for the `users` output. */
export function credentialSummary(user: UserSpec): CredentialSummary {
    switch (user.auth.method) {
        case "certificate": {
            const { keyAlgorithm, validityHours, renewBeforeHours, certificateRequestPem, rotation } = user.auth;
            return {
                keyAlgorithm,
                validityHours,
                renewBeforeHours,
                rotation: rotation ?? 0,
                ...(certificateRequestPem
                    ? {
                          certificateRequestSha256: crypto
                              .createHash("sha256")
                              .update(certificateRequestPem)
                              .digest("hex"),
                      }
                    : {}),
            };
        }
        case "serviceAccount":
            return { namespace: user.auth.namespace, rotation: user.auth.rotation ?? 0 };
        case "oidc":
            return { email: user.auth.email };
    }
}

/** The one step a user takes before their kubeconfig works: keys kube-access never saw, OIDC login tools. */
function firstStepOf(user: UserSpec, oidc: OidcSpec | undefined): { firstStep?: string } {
    if (user.auth.method === "certificate" && user.auth.certificateRequestPem) {
        return {
            firstStep: `put your private key (the one your certificate request was made with) beside the kubeconfig as ${userKeyFile(user.name)}`,
        };
    }
    if (user.auth.method === "oidc" && oidc) return { firstStep: oidcFirstStep(oidc) };
    return {};
}

/** Times known once credentials exist, by user name (ISO 8601). */
export interface CredentialTimes {
    /** Each certificate user's expiry. */
    expiresAt: Record<string, string>;
    /** Each certificate user's start of the renewal window. */
    renewsAt?: Record<string, string | undefined>;
    /** Each service-account user's token replacement time, when its token has a maximum age. */
    tokenRotatesAt?: Record<string, string>;
}

/**
 * The `users` output: one summary per declared user, in config order. Pure:
 * `times` are the credentials' times once known; `now` (milliseconds since
 * the epoch) decides each certificate's {@link CertificateStatus}.
 */
export function userSummaries(
    spec: AccessSpec,
    planned: PlannedBinding[],
    times: CredentialTimes,
    now: number = Date.now(),
): UserSummary[] {
    const { expiresAt, renewsAt = {}, tokenRotatesAt = {} } = times;
    const grants = grantsByUser(spec, planned);
    const grantDetails = grantDetailsByUser(spec, planned);
    const mayImpersonate = impersonationsByUser(spec);
    return spec.users.map((u): UserSummary => ({
        name: u.name,
        method: u.auth.method,
        ...(u.auth.method === "certificate"
            ? { signer: u.auth.signer, keyHeldBy: u.auth.certificateRequestPem ? "user" : "kube-access" }
            : {}),
        groups: u.groups,
        identity: apiServerUsername(u, spec.oidc),
        ...(expiresAt[u.name] ? { expiresAt: expiresAt[u.name] } : {}),
        ...(expiresAt[u.name] && renewsAt[u.name]
            ? {
                  renewsAt: renewsAt[u.name],
                  certificateStatus: certificateStatus(expiresAt[u.name], renewsAt[u.name]!, now),
              }
            : {}),
        ...(tokenRotatesAt[u.name] ? { tokenRotatesAt: tokenRotatesAt[u.name] } : {}),
        grants: grants[u.name],
        grantDetails: grantDetails[u.name],
        credential: credentialSummary(u),
        ...(mayImpersonate[u.name] ? { mayImpersonate: mayImpersonate[u.name] } : {}),
        ...firstStepOf(u, spec.oidc),
    }));
}

/** What the `unlistedSubjects` output says about one subject no user in config stands for; holds no secret. */
export interface UnlistedSubjectSummary {
    kind: "User" | "Group";
    /** The name as the API server sees it. */
    name: string;
    /** `external` (bound with `external: true`) or `no-listed-member` (a declared group nobody in config is in). */
    reason: UnlistedReason;
    /** `<role kind>/<role> in <namespace> | cluster-wide (<binding object>)`, as the `users` output writes grants. */
    grants: string[];
    /** The same grants, structured, for the access report. */
    grantDetails: GrantDetail[];
    /** Whom it may impersonate (as the `users` output's `mayImpersonate`), when anyone. */
    mayImpersonate?: string[];
    /** What a reviewer should know of the name, when anything (an external group without the OIDC groups prefix). */
    note?: string;
}

/**
 * The `unlistedSubjects` output: every bound or impersonating user or group
 * that no user in config stands for, keyed `user:<name>` or `group:<name>`,
 * with its grants and whom it may impersonate,
 * so reviews see access that reaches identities kube-access does not list
 * (`system:authenticated`, an identity provider's group). Pure; plain data,
 * known at preview.
 */
export function unlistedSubjectSummaries(
    spec: AccessSpec,
    planned: PlannedBinding[],
): Record<string, UnlistedSubjectSummary> {
    return Object.fromEntries(
        unlistedSubjects(spec, planned, impersonatorsBySubject(spec)).map((s) => [
            s.subject,
            {
                kind: s.kind,
                name: s.name,
                reason: s.reason,
                grants: s.grants.map(
                    (g) =>
                        `${g.roleKind}/${g.role} ${g.namespace ? `in ${g.namespace}` : "cluster-wide"} (kube-access:${g.binding}:${s.subject})`,
                ),
                grantDetails: s.grants,
                ...(s.mayImpersonate.length > 0 ? { mayImpersonate: s.mayImpersonate } : {}),
                ...(s.note ? { note: s.note } : {}),
            },
        ]),
    );
}
