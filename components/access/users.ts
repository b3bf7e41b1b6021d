/**
 * The `users` config key: every user's name, groups and auth method. Rules
 * common to all users live here; each method's own rules live in its folder's
 * config.ts (certificates, serviceAccounts, oidc).
 */
import { AuthSpec, CertificateOptions, UserSpec, authMethods } from "../model/types";
import { IssueCollector, Raw, isPlainObject } from "../intake/reader";
import { identityTextProblem, rbacNameProblem } from "../intake/limits";
import { checkGroupName, entryPath } from "../intake/rules";
import { isDnsLabel, toObjectName } from "../model/names";
import { authMethodSchema, fieldsOf, userSchema } from "../intake/schema";
import { readField } from "../intake/section";
import { DeclaredUser, declaredMethod, declaredSigner } from "../model/declared";
import {
    checkCertificateGroup,
    checkCertificateUser,
    checkCertificateUserName,
    readCertificateAuth,
} from "../certificates/config";
import {
    checkServiceAccountGroups,
    checkServiceAccountUserName,
    readServiceAccountAuth,
    ServiceAccountTokenDefaults,
} from "../serviceAccounts/config";
import { checkOidcGroup, checkOidcUserName, readOidcAuth } from "../oidc/config";

export function readUsers(
    c: IssueCollector,
    value: Raw,
    defaults: CertificateOptions,
    allowSystemMasters: boolean,
    namespaces: string[],
    tokenDefaults: ServiceAccountTokenDefaults = {},
): { users: UserSpec[]; declared: DeclaredUser[] } {
    const users: UserSpec[] = [];
    const declared: DeclaredUser[] = [];
    const byName = new Map<string, number>();
    const byObjectName = new Map<string, number>();
    c.list("users", value, { required: true }).forEach((item, i) => {
        const path = `users[${i}]`;
        const o = c.object(path, item, fieldsOf(userSchema));
        if (!o) return;
        const name = c.string(`${path}.name`, o.name, { required: true });
        const nameOk = name !== undefined && checkUserName(c, `${path}.name`, name);
        if (name !== undefined) {
            const earlier = byName.get(name);
            if (earlier !== undefined) {
                c.add(`${path}.name`, `duplicate user name ${JSON.stringify(name)} (also users[${earlier}].name)`);
            } else {
                byName.set(name, i);
                const objectName = toObjectName(name);
                const clash = byObjectName.get(objectName);
                if (clash !== undefined) {
                    c.add(
                        `${path}.name`,
                        `${JSON.stringify(name)} and users[${clash}].name map to the same Kubernetes object name ` +
                            `${JSON.stringify(objectName)}; rename one of them`,
                    );
                } else byObjectName.set(objectName, i);
            }
        }
        const groups = c.stringList(`${path}.groups`, o.groups);
        const groupPath = (g: string, j: number) => entryPath(`${path}.groups`, o.groups, g, j);
        const auth = readAuth(c, `${path}.auth`, o.auth, defaults, namespaces, tokenDefaults);
        // Checks that depend on the method run even when other auth fields are wrong.
        const method = auth?.method ?? declaredMethod(o.auth);
        const signer = auth?.method === "certificate" ? auth.signer : declaredSigner(o.auth);
        // For a cluster-signed user, system:masters is refused by the signer's rule (checkCertificateUser),
        // whose fix covers the allow flag too; the allow flag's own message would offer a fix that does not work.
        const signerRefusesMasters = method === "certificate" && signer === "cluster";
        groups.forEach((g, j) => checkGroupName(c, groupPath(g, j), g, allowSystemMasters || signerRefusesMasters));
        declared.push({ index: i, name, groups, groupPath, method, signer });
        if (nameOk && method !== undefined) checkNameForMethod(c, `${path}.name`, name!, method);
        groups.forEach((g, j) => checkGroupForMethod(c, groupPath(g, j), g, method));
        if (method === "serviceAccount") checkServiceAccountGroups(c, `${path}.groups`, groups);
        if (method === "certificate")
            checkCertificateUser(
                c,
                path,
                { name, groups, signer },
                auth?.method === "certificate" ? auth : undefined,
                o.auth,
            );
        if (name === undefined || auth === undefined) return;
        users.push({ name, groups, auth });
    });
    return { users, declared };
}

/**
 * Rules for every user name: not `system:` (Kubernetes' own identities), no
 * leading or trailing whitespace or control characters, no '/' or '%'
 * (kube-access names RBAC binding objects after the user), and a letter or
 * digit (for the CertificateSigningRequest object name).
 */
function checkUserName(c: IssueCollector, path: string, name: string): boolean {
    const issues = c.issues.length;
    const text = identityTextProblem(name);
    const rbac = /[/%]/.test(name) ? rbacNameProblem(name) : undefined;
    if (name.startsWith("system:")) {
        c.add(path, `must not start with "system:", which Kubernetes reserves for its own identities`);
    } else if (text !== undefined) {
        c.add(path, text);
    } else if (rbac !== undefined) {
        c.add(
            path,
            `${rbac}; kube-access names each binding object kube-access:<binding>:user:<name>, so it cannot bind this user; rename it`,
        );
    } else if (toObjectName(name) === "") {
        c.add(
            path,
            `needs at least one ASCII letter or digit (kube-access names objects such as the user's ` +
                `CertificateSigningRequest after it), got ${JSON.stringify(name)}`,
        );
    }
    return c.issues.length === issues;
}

/** Where a user's name ends up for its method, and the limits of that place. */
function checkNameForMethod(c: IssueCollector, path: string, name: string, method: AuthSpec["method"]): void {
    switch (method) {
        case "certificate":
            return checkCertificateUserName(c, path, name);
        case "serviceAccount":
            return checkServiceAccountUserName(c, path, name);
        case "oidc":
            return checkOidcUserName(c, path, name);
    }
}

/** Where a user's group ends up for the user's method: an O of the certificate, or a Keycloak group. */
function checkGroupForMethod(
    c: IssueCollector,
    path: string,
    group: string,
    method: AuthSpec["method"] | undefined,
): void {
    if (method === "certificate") checkCertificateGroup(c, path, group);
    else if (method === "oidc") checkOidcGroup(c, path, group);
}

function readAuth(
    c: IssueCollector,
    path: string,
    value: Raw,
    defaults: CertificateOptions,
    namespaces: string[],
    tokenDefaults: ServiceAccountTokenDefaults,
): AuthSpec | undefined {
    if (value === undefined) {
        c.add(path, `is required: an object with method (${authMethods.join(", ")})`);
        return undefined;
    }
    if (!isPlainObject(value)) {
        c.object(path, value, []);
        return undefined;
    }
    const method = readField(c, `${path}.method`, value.method, authMethodSchema);
    switch (method) {
        case "certificate":
            return readCertificateAuth(c, path, value, defaults);
        case "serviceAccount":
            return readServiceAccountAuth(c, path, value, namespaces, tokenDefaults);
        case "oidc":
            return readOidcAuth(c, path, value);
        default:
            return undefined;
    }
}

/** Valid namespace names the config uses anywhere, for "did you mean" suggestions. */
export function namespacesNamedIn(raw: Record<string, Raw>): string[] {
    const found: unknown[] = [];
    if (Array.isArray(raw.users)) {
        for (const u of raw.users) if (isPlainObject(u) && isPlainObject(u.auth)) found.push(u.auth.namespace);
    }
    if (Array.isArray(raw.bindings)) {
        for (const b of raw.bindings) if (isPlainObject(b) && Array.isArray(b.namespaces)) found.push(...b.namespaces);
    }
    return [...new Set(found.filter((n): n is string => typeof n === "string" && isDnsLabel(n)))];
}
