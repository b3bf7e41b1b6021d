/**
 * The guardrails of kube-access stacks as pure functions over the resources
 * of a preview: each returns its violations, each naming the user or binding
 * and how to fix it. `index.ts` wires them into a @pulumi/policy PolicyPack.
 */

/** A resource as a stack policy sees it: its type token, name and final properties. */
export interface StackResource {
    type: string;
    name: string;
    urn?: string;
    props: Record<string, unknown>;
}

/** One violation: what is wrong, where, and how to fix it. */
export interface Violation {
    message: string;
    urn?: string;
}

export const certificateUserType = "kube-access:certificates:CertificateUser";
export const clusterRoleBindingType = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
export const roleBindingType = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";

interface Subject {
    kind: string;
    name: string;
    namespace?: string;
}

interface Binding {
    resource: StackResource;
    kind: "ClusterRoleBinding" | "RoleBinding";
    objectName: string;
    namespace?: string;
    roleRef: { kind: string; name: string };
    subjects: Subject[];
}

interface CertificateUser {
    resource: StackResource;
    commonName: string;
    organizations: string[];
    validityHours?: number;
    renewBeforeHours?: number;
    expiresAt?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A property, or undefined when it is not known yet: during a preview,
 * @pulumi/policy throws on reading a value the engine does not know yet (the
 * expiry of a certificate not issued yet), which would skip the whole policy.
 */
function known(props: Record<string, unknown>, key: string): unknown {
    try {
        return props[key];
    } catch {
        return undefined;
    }
}

function bindingsOf(resources: StackResource[]): Binding[] {
    return resources.flatMap((r): Binding[] => {
        if (r.type !== clusterRoleBindingType && r.type !== roleBindingType) return [];
        const metadata = isObject(r.props.metadata) ? r.props.metadata : {};
        const roleRef = isObject(r.props.roleRef) ? r.props.roleRef : {};
        const subjects = Array.isArray(r.props.subjects) ? r.props.subjects.filter(isObject) : [];
        return [
            {
                resource: r,
                kind: r.type === clusterRoleBindingType ? "ClusterRoleBinding" : "RoleBinding",
                objectName: typeof metadata.name === "string" ? metadata.name : r.name,
                ...(typeof metadata.namespace === "string" ? { namespace: metadata.namespace } : {}),
                roleRef: { kind: String(roleRef.kind ?? ""), name: String(roleRef.name ?? "") },
                subjects: subjects.map((s) => ({
                    kind: String(s.kind ?? ""),
                    name: String(s.name ?? ""),
                    ...(typeof s.namespace === "string" ? { namespace: s.namespace } : {}),
                })),
            },
        ];
    });
}

function certificateUsersOf(resources: StackResource[]): CertificateUser[] {
    return resources.flatMap((r): CertificateUser[] => {
        if (r.type !== certificateUserType) return [];
        const subjectProp = known(r.props, "subject");
        const subject = isObject(subjectProp) ? subjectProp : {};
        const organizations = Array.isArray(subject.organizations)
            ? subject.organizations.filter((o): o is string => typeof o === "string")
            : [];
        const number = (v: unknown) => (typeof v === "number" ? v : undefined);
        return [
            {
                resource: r,
                commonName: typeof subject.commonName === "string" ? subject.commonName : r.name,
                organizations,
                validityHours: number(known(r.props, "validityHours")),
                renewBeforeHours: number(known(r.props, "renewBeforeHours")),
                ...(typeof known(r.props, "expiresAt") === "string"
                    ? { expiresAt: known(r.props, "expiresAt") as string }
                    : {}),
            },
        ];
    });
}

function where(b: Binding): string {
    return `${b.kind} ${b.objectName}${b.namespace ? ` in namespace ${b.namespace}` : ""}`;
}

function at(r: StackResource): { urn?: string } {
    return r.urn ? { urn: r.urn } : {};
}

/** No client certificate for the group system:masters: it bypasses RBAC and cannot be revoked. */
export function systemMastersViolations(resources: StackResource[]): Violation[] {
    return certificateUsersOf(resources)
        .filter((u) => u.organizations.includes("system:masters"))
        .map((u) => ({
            message:
                `user ${u.commonName} gets a certificate for the group system:masters, which bypasses every RBAC check ` +
                "and cannot be revoked before it expires; remove system:masters from the user's groups and bind " +
                "cluster-admin through a kube-access binding instead",
            ...at(u.resource),
        }));
}

/** Settings of {@link adminBindingViolations}. */
export interface AdminBindingConfig {
    /** Roles that give full control (cluster-admin, and any wildcard role the cluster has). */
    adminRoles: string[];
    /** Subjects allowed to hold them, as the API server names them (`oidc:alice`, `oidc:platform`, `ops`). */
    allowedSubjects: string[];
    /** The OIDC username prefix of the stack (`kube-access:oidc.usernamePrefix`). */
    oidcUsernamePrefix: string;
}

export const defaultAdminBindingConfig: AdminBindingConfig = {
    adminRoles: ["cluster-admin"],
    allowedSubjects: [],
    oidcUsernamePrefix: "oidc:",
};

/** No admin role for a group, or for an OIDC user, unless the subject is allowed. */
export function adminBindingViolations(resources: StackResource[], config: AdminBindingConfig): Violation[] {
    return bindingsOf(resources).flatMap((b) => {
        if (b.roleRef.kind !== "ClusterRole" || !config.adminRoles.includes(b.roleRef.name)) return [];
        return b.subjects
            .filter((s) => s.kind === "Group" || (s.kind === "User" && s.name.startsWith(config.oidcUsernamePrefix)))
            .filter((s) => !config.allowedSubjects.includes(s.name))
            .map((s) => ({
                message:
                    `${where(b)} grants ClusterRole ${b.roleRef.name} to ${s.kind === "Group" ? "group" : "OIDC user"} ${s.name}, ` +
                    `which is not in the allow-list; grant a narrower role (admin or edit in namespaces), or add ${s.name} ` +
                    "to allowedSubjects of kube-access-no-admin-for-groups in the policy pack config",
                ...at(b.resource),
            }));
    });
}

/** Identities that every client has: binding anything to them grants it to everyone. */
export const everyoneSubjects = ["system:authenticated", "system:unauthenticated", "system:anonymous"];

/** No binding to system:authenticated, system:unauthenticated or system:anonymous. */
export function everyoneBindingViolations(resources: StackResource[]): Violation[] {
    return bindingsOf(resources).flatMap((b) =>
        b.subjects
            .filter((s) => everyoneSubjects.includes(s.name))
            .map((s) => ({
                message:
                    `${where(b)} grants ${b.roleRef.kind} ${b.roleRef.name} to ${s.name}, that is to every ` +
                    `${s.name === "system:authenticated" ? "authenticated client" : "anonymous client"}; ` +
                    "bind the role to named users or groups instead",
                ...at(b.resource),
            })),
    );
}

/** Certificates live at most `maxValidityHours`: a client certificate cannot be revoked. */
export function certificateValidityViolations(resources: StackResource[], maxValidityHours: number): Violation[] {
    return certificateUsersOf(resources)
        .filter((u) => u.validityHours !== undefined && u.validityHours > maxValidityHours)
        .map((u) => ({
            message:
                `user ${u.commonName} gets a certificate valid for ${u.validityHours} hours, more than the ` +
                `${maxValidityHours} allowed; set validityHours to ${maxValidityHours} or less (a client certificate ` +
                "cannot be revoked, so its validity bounds how long a removed user keeps access)",
            ...at(u.resource),
        }));
}

/** Certificates inside their renewal window: the next `pulumi up` issues new ones (advisory). */
export function renewalWindowViolations(resources: StackResource[], now: Date): Violation[] {
    return certificateUsersOf(resources).flatMap((u) => {
        if (u.expiresAt === undefined || u.renewBeforeHours === undefined) return [];
        const expires = Date.parse(u.expiresAt);
        if (Number.isNaN(expires) || now.getTime() < expires - u.renewBeforeHours * 3600 * 1000) return [];
        return [
            {
                message:
                    `the certificate of user ${u.commonName} expires at ${u.expiresAt}, inside its ` +
                    `${u.renewBeforeHours}-hour renewal window; run pulumi up to issue a new one and hand the user ` +
                    "the new kubeconfig",
                ...at(u.resource),
            },
        ];
    });
}
