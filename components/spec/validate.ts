import {
    AccessSpec,
    AuthSpec,
    BindingSpec,
    CertificateOptions,
    ClusterSigningOptions,
    KeyAlgorithm,
    ClusterSpec,
    OidcSpec,
    SubjectSpec,
    UserSpec,
    authMethods,
    certificateSigners,
    keyAlgorithms,
    oidcKubeconfigStyles,
    oidcUsernameClaims,
} from "./types";
import { kubeloginGrantTypes, oidcClientTypes } from "./types";
import { AccessSpecError, IssueCollector, Raw, isPlainObject } from "./reader";
import { normaliseCertificatePem, parsePrivateKeyPem, privateKeyMatchesCertificate } from "./pem";
import { isDnsLabel, isDnsSubdomain, toObjectName } from "./names";
import { ParsedCsr, parseCsrPem } from "../certificates/csr";
import { keycloakEmail, keycloakNormalisationUnknown, keycloakUsername } from "../identity";

/** Config keys of the `kube-access` namespace. */
export const configKeys = [
    "cluster",
    "users",
    "groups",
    "bindings",
    "certificates",
    "clusterSigning",
    "oidc",
    "allowSystemMasters",
    "clusterKubeconfig",
    "clusterCaKey",
    "oidcInitialPasswords",
] as const;

/** Keys whose values must be stored with `pulumi config set --secret`. */
export const secretConfigKeys = ["clusterKubeconfig", "clusterCaKey", "oidcInitialPasswords"] as const;

/** Defaults applied to every certificate user unless config overrides them. */
export const defaultCertificateOptions: CertificateOptions = {
    keyAlgorithm: "RSA-2048",
    validityHours: 8760,
    renewBeforeHours: 720,
};

export const defaultClusterSigning: ClusterSigningOptions = { timeoutSeconds: 120, keepRequest: false };

/** kubelogin's default redirect URIs (it listens on port 8000, then 18000). */
export const kubeloginRedirectUris = ["http://localhost:8000", "http://localhost:18000"];

/** Raw config as Pulumi hands it over: key (without namespace) to parsed value. */
export type RawConfig = Record<string, Raw>;

/** Facts about the raw config that only the runtime knows. */
export interface ConfigFacts {
    /** Keys that are stored as secrets in the stack config. */
    secretKeys: string[];
    /**
     * The Keycloak provider's settings (`url`, `clientId`, `username`,
     * `password`, `clientSecret`) that are set in its `keycloak:` config or its
     * environment variables, and which of them are stored in config as plain
     * text. Checked only when there are OIDC users; absent means not checked.
     */
    keycloak?: { set: string[]; plainTextInConfig: string[] };
}

/** Checks the Keycloak provider can log in before any resource is created. */
function checkKeycloakProvider(c: IssueCollector, users: UserSpec[], keycloak: ConfigFacts["keycloak"]): void {
    if (!keycloak || !users.some((u) => u.auth.method === "oidc")) return;
    const has = (k: string) => keycloak.set.includes(k);
    if (!has("url")) c.add("keycloak:url", "is required for OIDC users: the Keycloak base URL (or set KEYCLOAK_URL)");
    if (!has("clientId"))
        c.add("keycloak:clientId", "is required for OIDC users: usually admin-cli (or set KEYCLOAK_CLIENT_ID)");
    if (!has("clientSecret") && !(has("username") && has("password"))) {
        c.add(
            "keycloak:password",
            "Keycloak admin credentials are required for OIDC users: keycloak:username and keycloak:password, or keycloak:clientSecret",
        );
    }
    for (const key of keycloak.plainTextInConfig) {
        c.add(
            `keycloak:${key}`,
            `holds a secret but is stored in plain text; set it with \`pulumi config set --secret keycloak:${key}\``,
        );
    }
}

const maxValidityHours = 10 * 8760;

/**
 * Validates the whole `kube-access` config and returns the access spec with
 * defaults filled in. Throws {@link AccessSpecError} listing every problem,
 * each with its field path, so nothing is created from a bad config.
 */
export function validateAccessSpec(raw: RawConfig, facts: ConfigFacts = { secretKeys: [] }): AccessSpec {
    const c = new IssueCollector();

    for (const key of Object.keys(raw)) {
        if (!(configKeys as readonly string[]).includes(key)) {
            c.add(key, `unknown config key; known keys are ${configKeys.join(", ")}`);
        }
    }
    for (const key of secretConfigKeys) {
        if (raw[key] !== undefined && !facts.secretKeys.includes(key)) {
            c.add(
                key,
                `holds a secret but is stored in plain text; set it with \`pulumi config set --secret kube-access:${key}\``,
            );
        }
    }

    const allowSystemMasters = c.boolean("allowSystemMasters", raw.allowSystemMasters, false);
    const cluster = readCluster(c, raw.cluster);
    const defaults = readCertificateOptions(c, "certificates", raw.certificates, defaultCertificateOptions);
    const clusterSigning = readClusterSigning(c, raw.clusterSigning);
    const oidc = raw.oidc === undefined ? undefined : readOidc(c, raw.oidc);
    const users = readUsers(c, raw.users, defaults, allowSystemMasters);
    const groups = c.stringList("groups", raw.groups);
    groups.forEach((g, i) => checkGroupName(c, `groups[${i}]`, g, allowSystemMasters));
    const bindings = readBindings(c, raw.bindings);

    checkUsersAgainstSettings(c, users, oidc);
    checkBindingSubjects(c, bindings, users, groups);
    if (oidc) checkOidcPrefixes(c, oidc, users);
    checkSecrets(c, raw, users, cluster);
    checkKeycloakProvider(c, users, facts.keycloak);

    if (c.issues.length > 0) throw new AccessSpecError(c.issues);
    return {
        cluster: cluster!,
        users,
        groups,
        bindings,
        oidc,
        clusterSigning,
        allowSystemMasters,
    };
}

function readCluster(c: IssueCollector, value: Raw): ClusterSpec | undefined {
    if (value === undefined) {
        c.add("cluster", "is required: an object with name, server and caCertificate");
        return undefined;
    }
    const o = c.object("cluster", value, ["name", "server", "caCertificate"]);
    if (!o) return undefined;
    const name = c.string("cluster.name", o.name, { required: true });
    const server = c.string("cluster.server", o.server, { required: true });
    if (server !== undefined && !isHttpsUrl(server)) {
        c.add("cluster.server", `must be an https:// URL of the API server, got ${JSON.stringify(server)}`);
    }
    const ca = c.string("cluster.caCertificate", o.caCertificate, { required: true });
    let caCertificatePem: string | undefined;
    if (ca !== undefined) {
        try {
            caCertificatePem = normaliseCertificatePem(ca);
        } catch (e) {
            c.add("cluster.caCertificate", `${(e as Error).message}; paste the cluster CA in PEM or base64 form`);
        }
    }
    if (name === undefined || server === undefined || caCertificatePem === undefined) return undefined;
    return { name, server, caCertificatePem };
}

function readCertificateOptions(
    c: IssueCollector,
    path: string,
    value: Raw,
    fallback: CertificateOptions,
    extraFields: string[] = [],
): CertificateOptions {
    if (value === undefined) return fallback;
    const o = c.object(path, value, ["keyAlgorithm", "validityHours", "renewBeforeHours", ...extraFields]);
    if (!o) return fallback;
    const keyAlgorithm =
        c.oneOf(`${path}.keyAlgorithm`, o.keyAlgorithm, keyAlgorithms, fallback.keyAlgorithm) ?? fallback.keyAlgorithm;
    const validityHours = c.integer(
        `${path}.validityHours`,
        o.validityHours,
        fallback.validityHours,
        1,
        maxValidityHours,
    );
    const renewBeforeHours = c.integer(
        `${path}.renewBeforeHours`,
        o.renewBeforeHours,
        Math.min(fallback.renewBeforeHours, Math.floor(validityHours / 2)),
        0,
        maxValidityHours,
    );
    if (renewBeforeHours >= validityHours) {
        c.add(
            `${path}.renewBeforeHours`,
            `must be less than validityHours (${validityHours}), got ${renewBeforeHours}; otherwise every run would renew`,
        );
    }
    return { keyAlgorithm, validityHours, renewBeforeHours };
}

function readClusterSigning(c: IssueCollector, value: Raw): ClusterSigningOptions {
    if (value === undefined) return defaultClusterSigning;
    const o = c.object("clusterSigning", value, ["timeoutSeconds", "keepRequest"]);
    if (!o) return defaultClusterSigning;
    return {
        timeoutSeconds: c.integer("clusterSigning.timeoutSeconds", o.timeoutSeconds, 120, 5, 3600),
        keepRequest: c.boolean("clusterSigning.keepRequest", o.keepRequest, false),
    };
}

function readUsers(
    c: IssueCollector,
    value: Raw,
    defaults: CertificateOptions,
    allowSystemMasters: boolean,
): UserSpec[] {
    const users: UserSpec[] = [];
    const byName = new Map<string, number>();
    const byObjectName = new Map<string, number>();
    c.list("users", value, { required: true }).forEach((item, i) => {
        const path = `users[${i}]`;
        const o = c.object(path, item, ["name", "groups", "auth"]);
        if (!o) return;
        const name = c.string(`${path}.name`, o.name, { required: true });
        if (name !== undefined) {
            checkUserName(c, `${path}.name`, name);
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
        groups.forEach((g, j) => checkGroupName(c, `${path}.groups[${j}]`, g, allowSystemMasters));
        const auth = readAuth(c, `${path}.auth`, o.auth, defaults);
        if (name === undefined || auth === undefined) return;
        if (auth.method === "serviceAccount") {
            if (!isDnsSubdomain(name)) {
                c.add(
                    `${path}.name`,
                    `a service-account user's name becomes the ServiceAccount name and must be lower case ` +
                        `letters, digits, '-' and '.', got ${JSON.stringify(name)}` +
                        (isDnsSubdomain(toObjectName(name)) ? `; try ${JSON.stringify(toObjectName(name))}` : ""),
                );
            }
            if (groups.length > 0) {
                c.add(
                    `${path}.groups`,
                    "must be empty for a service-account user: the API server sets its groups " +
                        "(system:serviceaccounts and system:serviceaccounts:<namespace>)",
                );
            }
        }
        if (auth.method === "certificate" && auth.certificateRequestPem) {
            const csr = parseCsrPem(auth.certificateRequestPem);
            const expected = `/CN=${name}${groups.map((g) => `/O=${g}`).join("")}`;
            const actual = `/CN=${csr.commonNames.join(",")}${csr.organizations.map((o) => `/O=${o}`).join("")}`;
            const sameGroups = [...csr.organizations].sort().join("\0") === [...groups].sort().join("\0");
            if (csr.commonNames.length !== 1 || csr.commonNames[0] !== name || !sameGroups) {
                c.add(
                    `${path}.auth.certificateRequest`,
                    `has subject ${actual} but the user is ${expected}; the certificate would grant a different identity, so make a new request with that subject`,
                );
            }
        }
        if (auth.method === "certificate" && auth.signer === "cluster" && groups.includes("system:masters")) {
            c.add(
                `${path}.groups`,
                "the cluster signer (kubernetes.io/kube-apiserver-client) refuses certificates for system:masters; " +
                    "use signer external or bind a ClusterRole instead",
            );
        }
        users.push({ name, groups, auth });
    });
    return users;
}

function checkUserName(c: IssueCollector, path: string, name: string): void {
    if (name.startsWith("system:")) {
        c.add(path, `must not start with "system:", which Kubernetes reserves for its own identities`);
    } else if (/[\s/%]/.test(name)) {
        c.add(path, `must not contain whitespace, '/' or '%', got ${JSON.stringify(name)}`);
    } else if (toObjectName(name) === "") {
        c.add(path, `needs at least one letter or digit, got ${JSON.stringify(name)}`);
    }
}

function checkGroupName(c: IssueCollector, path: string, group: string, allowSystemMasters: boolean): void {
    if (group === "system:masters") {
        if (!allowSystemMasters) {
            c.add(
                path,
                "system:masters bypasses RBAC entirely and cannot be revoked from an issued certificate; " +
                    "bind cluster-admin instead, or set kube-access:allowSystemMasters to true if you really mean it",
            );
        }
    } else if (group.startsWith("system:")) {
        c.add(path, `must not start with "system:", which Kubernetes reserves for its own groups`);
    } else if (/[\s/%]/.test(group)) {
        c.add(path, `must not contain whitespace, '/' or '%', got ${JSON.stringify(group)}`);
    }
}

function readAuth(c: IssueCollector, path: string, value: Raw, defaults: CertificateOptions): AuthSpec | undefined {
    if (value === undefined) {
        c.add(path, `is required: an object with method (${authMethods.join(", ")})`);
        return undefined;
    }
    if (!isPlainObject(value)) {
        c.object(path, value, []);
        return undefined;
    }
    const method = c.oneOf(`${path}.method`, value.method, authMethods);
    switch (method) {
        case "certificate": {
            const signer = c.oneOf(`${path}.signer`, value.signer, certificateSigners);
            const { method: _m, signer: _s, certificateRequest, ...options } = value;
            const opts = readCertificateOptions(c, path, options, defaults);
            const csr = readCertificateRequest(
                c,
                `${path}.certificateRequest`,
                certificateRequest,
                value.keyAlgorithm,
                signer,
            );
            if (csr?.keyAlgorithm) opts.keyAlgorithm = csr.keyAlgorithm;
            if (signer === undefined) return undefined;
            return { method, signer, ...opts, ...(csr ? { certificateRequestPem: csr.pem } : {}) };
        }
        case "serviceAccount": {
            c.object(path, value, ["method", "namespace", "createNamespace"]);
            const namespace = c.string(`${path}.namespace`, value.namespace, { fallback: "default" }) ?? "default";
            if (!isDnsLabel(namespace)) {
                c.add(
                    `${path}.namespace`,
                    `must be a valid namespace name (lower case DNS label), got ${JSON.stringify(namespace)}`,
                );
            }
            const createNamespace = c.boolean(`${path}.createNamespace`, value.createNamespace, false);
            return { method, namespace, createNamespace };
        }
        case "oidc": {
            c.object(path, value, ["method", "email", "firstName", "lastName"]);
            const email = c.string(`${path}.email`, value.email, { required: true });
            if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) {
                c.add(`${path}.email`, `must be an email address, got ${JSON.stringify(email)}`);
            }
            const firstName = c.string(`${path}.firstName`, value.firstName, { required: true });
            const lastName = c.string(`${path}.lastName`, value.lastName, { required: true });
            if (email === undefined || firstName === undefined || lastName === undefined) return undefined;
            return { method, email, firstName, lastName };
        }
        default:
            return undefined;
    }
}

/** Reads a user-supplied CSR; its subject is checked against the user later. */
function readCertificateRequest(
    c: IssueCollector,
    path: string,
    value: Raw,
    keyAlgorithm: Raw,
    signer: string | undefined,
): { pem: string; keyAlgorithm?: KeyAlgorithm; commonNames: string[]; organizations: string[] } | undefined {
    const pem = c.string(path, value);
    if (pem === undefined) return undefined;
    try {
        const csr = parseCsrPem(pem);
        checkCsrSignature(c, path, csr, signer);
        const algorithm = (keyAlgorithms as readonly string[]).includes(csr.keyAlgorithm ?? "")
            ? (csr.keyAlgorithm as KeyAlgorithm)
            : undefined;
        if (algorithm === undefined) {
            c.add(path, `uses a ${csr.keyAlgorithm ?? "unsupported"} key; use one of ${keyAlgorithms.join(", ")}`);
        }
        if (keyAlgorithm !== undefined) {
            c.add(
                path.replace(/certificateRequest$/, "keyAlgorithm"),
                "must not be set with certificateRequest: the request's key decides",
            );
        }
        return {
            // Canonical PEM (label CERTIFICATE REQUEST), whatever form the user pasted.
            pem: csr.pem,
            keyAlgorithm: algorithm,
            commonNames: csr.commonNames,
            organizations: csr.organizations,
        };
    } catch (e) {
        c.add(
            path,
            `${(e as Error).message}; create one with: openssl req -new -key <user>.key -subj "/CN=<user>/O=<group>..."`,
        );
        return undefined;
    }
}

/** The self-signature of a user's CSR, checked with the algorithm it names. */
function checkCsrSignature(c: IssueCollector, path: string, csr: ParsedCsr, signer: string | undefined): void {
    const remake =
        'make the request again with RSA or ECDSA and SHA-256 (openssl req -new -key <user>.key -sha256 -subj "/CN=<user>/O=<group>")';
    if (csr.signatureCheck === "unsupported") {
        c.add(path, `uses signature algorithm ${csr.signatureAlgorithm}, which kube-access cannot verify; ${remake}`);
    } else if (csr.signatureCheck === "invalid") {
        c.add(
            path,
            `has a ${csr.signatureAlgorithm} signature that does not verify with its own public key; ` +
                "it was damaged or not made with this key, so make the request again",
        );
    } else if (csr.kubernetesRefusal && signer === "cluster") {
        c.add(
            path,
            `uses signature algorithm ${csr.signatureAlgorithm}, which the cluster signer cannot take: ` +
                `${csr.kubernetesRefusal}; ${remake}, or use signer external`,
        );
    }
}

function readBindings(c: IssueCollector, value: Raw): BindingSpec[] {
    const bindings: BindingSpec[] = [];
    const names = new Map<string, number>();
    c.list("bindings", value).forEach((item, i) => {
        const path = `bindings[${i}]`;
        const o = c.object(path, item, ["name", "clusterRole", "role", "namespaces", "subjects"]);
        if (!o) return;
        const clusterRole = c.string(`${path}.clusterRole`, o.clusterRole);
        const role = c.string(`${path}.role`, o.role);
        if ((clusterRole === undefined) === (role === undefined)) {
            c.add(path, "needs exactly one of clusterRole or role");
            return;
        }
        const roleRef =
            clusterRole !== undefined
                ? { kind: "ClusterRole" as const, name: clusterRole }
                : { kind: "Role" as const, name: role! };
        const namespaces = c.stringList(`${path}.namespaces`, o.namespaces);
        namespaces.forEach((ns, j) => {
            if (!isDnsLabel(ns))
                c.add(`${path}.namespaces[${j}]`, `must be a valid namespace name, got ${JSON.stringify(ns)}`);
        });
        if (roleRef.kind === "Role" && namespaces.length === 0) {
            c.add(`${path}.namespaces`, "is required with role: a Role exists only inside namespaces");
        }
        const defaultName = `${roleRef.kind === "ClusterRole" ? "clusterrole" : "role"}-${roleRef.name}`;
        const name = c.string(`${path}.name`, o.name, { fallback: defaultName }) ?? defaultName;
        if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
            c.add(`${path}.name`, `must be lower case letters, digits, '-' and '.', got ${JSON.stringify(name)}`);
        }
        const earlier = names.get(name);
        if (earlier !== undefined) {
            c.add(
                `${path}.name`,
                `binding name ${JSON.stringify(name)} is also used by bindings[${earlier}]; give each binding a distinct name`,
            );
        }
        names.set(name, i);
        const subjects: SubjectSpec[] = [];
        const rawSubjects = c.list(`${path}.subjects`, o.subjects, { required: true });
        if (Array.isArray(o.subjects) && rawSubjects.length === 0)
            c.add(`${path}.subjects`, "must name at least one subject");
        rawSubjects.forEach((s, j) => {
            const sp = `${path}.subjects[${j}]`;
            const so = c.object(sp, s, ["user", "group", "external"]);
            if (!so) return;
            const user = c.string(`${sp}.user`, so.user);
            const group = c.string(`${sp}.group`, so.group);
            if ((user === undefined) === (group === undefined)) {
                c.add(sp, "needs exactly one of user or group");
                return;
            }
            const subject: SubjectSpec = {
                kind: user !== undefined ? "user" : "group",
                name: (user ?? group)!,
                external: c.boolean(`${sp}.external`, so.external, false),
            };
            if (subject.kind === "group" && subject.name === "system:masters") {
                c.add(sp, "binding a role to system:masters has no effect; it already bypasses RBAC");
            }
            if (subjects.some((x) => x.kind === subject.kind && x.name === subject.name)) {
                c.add(sp, `duplicate subject ${subject.kind} ${JSON.stringify(subject.name)}`);
            } else subjects.push(subject);
        });
        bindings.push({ name, role: roleRef, namespaces, subjects });
    });
    return bindings;
}

function readOidc(c: IssueCollector, value: Raw): OidcSpec | undefined {
    const o = c.object("oidc", value, [
        "issuerUrl",
        "realm",
        "createRealm",
        "clientId",
        "usernameClaim",
        "groupsClaim",
        "usernamePrefix",
        "groupsPrefix",
        "caCertificate",
        "apiServerCaFile",
        "deviceAuthorizationGrant",
        "directAccessGrants",
        "redirectUris",
        "extraScopes",
        "kubeconfigStyle",
        "temporaryPasswords",
        "clientType",
        "kubeloginGrantType",
    ]);
    if (!o) return undefined;
    const issuerUrl = c.string("oidc.issuerUrl", o.issuerUrl, { required: true });
    const realm = c.string("oidc.realm", o.realm, { fallback: "kubernetes" }) ?? "kubernetes";
    if (issuerUrl !== undefined) {
        if (!isHttpsUrl(issuerUrl)) {
            c.add(
                "oidc.issuerUrl",
                `must be an https:// URL (the API server only trusts https issuers), got ${JSON.stringify(issuerUrl)}`,
            );
        } else if (!issuerUrl.replace(/\/$/, "").endsWith(`/realms/${realm}`)) {
            c.add(
                "oidc.issuerUrl",
                `must be Keycloak's issuer for realm ${JSON.stringify(realm)}, ending in /realms/${realm}, got ${JSON.stringify(issuerUrl)}`,
            );
        }
    }
    const usernameClaim =
        c.string("oidc.usernameClaim", o.usernameClaim, { fallback: "preferred_username" }) ?? "preferred_username";
    if (!(oidcUsernameClaims as readonly string[]).includes(usernameClaim)) {
        c.add(
            "oidc.usernameClaim",
            `Keycloak does not emit ${JSON.stringify(usernameClaim)} as a unique user claim for the client; ` +
                `use one of ${oidcUsernameClaims.join(", ")}`,
        );
    }
    const groupsClaim = c.string("oidc.groupsClaim", o.groupsClaim, { fallback: "groups" }) ?? "groups";
    if (
        !/^[A-Za-z_][A-Za-z0-9_]*$/.test(groupsClaim) ||
        (oidcUsernameClaims as readonly string[]).includes(groupsClaim)
    ) {
        c.add(
            "oidc.groupsClaim",
            `must be a plain claim name other than the standard user claims, got ${JSON.stringify(groupsClaim)}`,
        );
    }
    const usernamePrefix = c.string("oidc.usernamePrefix", o.usernamePrefix, { fallback: "oidc:" }) ?? "oidc:";
    const groupsPrefix = c.string("oidc.groupsPrefix", o.groupsPrefix, { fallback: "oidc:" }) ?? "oidc:";
    for (const [field, prefix] of [
        ["usernamePrefix", usernamePrefix],
        ["groupsPrefix", groupsPrefix],
    ] as const) {
        if (prefix === "" || prefix === "-") {
            c.add(
                `oidc.${field}`,
                "must not be empty: without a prefix OIDC identities could collide with certificate and service-account identities",
            );
        } else if (prefix.startsWith("system:")) {
            c.add(`oidc.${field}`, `must not start with "system:", got ${JSON.stringify(prefix)}`);
        } else if (/[\s/%]/.test(prefix)) {
            c.add(`oidc.${field}`, `must not contain whitespace, '/' or '%', got ${JSON.stringify(prefix)}`);
        }
    }
    let caCertificatePem: string | undefined;
    const ca = c.string("oidc.caCertificate", o.caCertificate);
    if (ca !== undefined) {
        try {
            caCertificatePem = normaliseCertificatePem(ca);
        } catch (e) {
            c.add("oidc.caCertificate", (e as Error).message);
        }
    }
    const apiServerCaFile = c.string("oidc.apiServerCaFile", o.apiServerCaFile);
    if (apiServerCaFile !== undefined && !apiServerCaFile.startsWith("/")) {
        c.add(
            "oidc.apiServerCaFile",
            `must be an absolute path on the API server host, got ${JSON.stringify(apiServerCaFile)}`,
        );
    }
    const redirectUris =
        o.redirectUris === undefined ? kubeloginRedirectUris : c.stringList("oidc.redirectUris", o.redirectUris);
    redirectUris.forEach((uri, i) => {
        if (!/^https?:\/\/[^\s]+$/.test(uri))
            c.add(`oidc.redirectUris[${i}]`, `must be an http(s) URL, got ${JSON.stringify(uri)}`);
    });
    const clientId = c.string("oidc.clientId", o.clientId, { fallback: "kubernetes" }) ?? "kubernetes";
    if (!/^[A-Za-z0-9._-]+$/.test(clientId))
        c.add("oidc.clientId", `must be letters, digits, '.', '_' or '-', got ${JSON.stringify(clientId)}`);
    return {
        issuerUrl: (issuerUrl ?? "").replace(/\/$/, ""),
        realm,
        createRealm: c.boolean("oidc.createRealm", o.createRealm, true),
        clientId,
        usernameClaim,
        groupsClaim,
        usernamePrefix,
        groupsPrefix,
        caCertificatePem,
        apiServerCaFile,
        clientType: c.oneOf("oidc.clientType", o.clientType, oidcClientTypes, "public") ?? "public",
        ...readKubeloginGrant(c, o),
        redirectUris,
        extraScopes:
            o.extraScopes === undefined ? ["email", "profile"] : c.stringList("oidc.extraScopes", o.extraScopes),
        kubeconfigStyle: c.oneOf("oidc.kubeconfigStyle", o.kubeconfigStyle, oidcKubeconfigStyles, "exec") ?? "exec",
        temporaryPasswords: c.boolean("oidc.temporaryPasswords", o.temporaryPasswords, true),
    };
}

/**
 * The grant kubelogin uses and the grants the client allows, consistent with
 * each other: the chosen grant is switched on unless config switches it off,
 * which is refused (kubelogin could not log anyone in).
 */
function readKubeloginGrant(
    c: IssueCollector,
    o: Record<string, Raw>,
): Pick<OidcSpec, "kubeloginGrantType" | "deviceAuthorizationGrant" | "directAccessGrants"> {
    const kubeloginGrantType =
        c.oneOf("oidc.kubeloginGrantType", o.kubeloginGrantType, kubeloginGrantTypes, "authcode") ?? "authcode";
    const needs = (grant: string) => kubeloginGrantType === grant;
    const deviceAuthorizationGrant = c.boolean(
        "oidc.deviceAuthorizationGrant",
        o.deviceAuthorizationGrant,
        needs("device-code"),
    );
    const directAccessGrants = c.boolean("oidc.directAccessGrants", o.directAccessGrants, needs("password"));
    for (const [grant, field, on] of [
        ["device-code", "deviceAuthorizationGrant", deviceAuthorizationGrant],
        ["password", "directAccessGrants", directAccessGrants],
    ] as const) {
        if (needs(grant) && !on) {
            c.add(
                `oidc.${field}`,
                `is false, but oidc.kubeloginGrantType is ${grant}: kubelogin could not log anyone in; ` +
                    `remove ${field} or choose another kubeloginGrantType`,
            );
        }
    }
    return { kubeloginGrantType, deviceAuthorizationGrant, directAccessGrants };
}

function checkUsersAgainstSettings(c: IssueCollector, users: UserSpec[], oidc: OidcSpec | undefined): void {
    users.forEach((u, i) => {
        if (u.auth.method !== "oidc") return;
        if (oidc === undefined) {
            c.add(
                `users[${i}].auth.method`,
                "is oidc, but the stack has no kube-access:oidc settings; add them or pick another method",
            );
        }
    });
    if (oidc) checkOidcIdentities(c, users, oidc);
}

/**
 * An OIDC user's identity must be exactly what Keycloak will put in the token
 * (see ../identity): Keycloak lower-cases usernames and emails, so an email is
 * taken in any case and bound in lower case; a user name, which is also the
 * config's key for the user, must be written as Keycloak stores it. Values
 * whose stored form cannot be known, and two users Keycloak would see as one,
 * are refused.
 */
function checkOidcIdentities(c: IssueCollector, users: UserSpec[], oidc: OidcSpec): void {
    const byEmail = new Map<string, number>();
    users.forEach((u, i) => {
        if (u.auth.method !== "oidc") return;
        const unknownName = keycloakNormalisationUnknown(u.name);
        if (unknownName) c.add(`users[${i}].name`, unknownName);
        else if (u.name !== keycloakUsername(u.name)) {
            c.add(
                `users[${i}].name`,
                `Keycloak lower-cases usernames, so it would store and issue ${JSON.stringify(keycloakUsername(u.name))}` +
                    (oidc.usernameClaim === "preferred_username" ? " as the token's user name" : "") +
                    "; write the name in lower case",
            );
        }
        const unknownEmail = keycloakNormalisationUnknown(u.auth.email);
        if (unknownEmail) {
            c.add(`users[${i}].auth.email`, unknownEmail);
            return;
        }
        const email = keycloakEmail(u.auth.email);
        const earlier = byEmail.get(email);
        if (earlier !== undefined) {
            c.add(
                `users[${i}].auth.email`,
                `is the same address as users[${earlier}].auth.email once Keycloak lower-cases it (${JSON.stringify(email)}); ` +
                    "Keycloak refuses a second user with it" +
                    (oidc.usernameClaim === "email" ? " and the API server would see both as one user" : "") +
                    "; give each user their own address",
            );
        } else byEmail.set(email, i);
    });
}

function checkBindingSubjects(c: IssueCollector, bindings: BindingSpec[], users: UserSpec[], groups: string[]): void {
    const userNames = new Set(users.map((u) => u.name));
    const groupNames = new Set([...groups, ...users.flatMap((u) => u.groups)]);
    bindings.forEach((b, i) =>
        b.subjects.forEach((s, j) => {
            if (s.external) return;
            const declared = s.kind === "user" ? userNames.has(s.name) : groupNames.has(s.name);
            if (!declared) {
                c.add(
                    `bindings[${i}].subjects[${j}].${s.kind}`,
                    s.kind === "user"
                        ? `${JSON.stringify(s.name)} is not a user in kube-access:users; add the user, remove this subject, or set external: true for an identity managed elsewhere`
                        : `${JSON.stringify(s.name)} is not a group of any user nor listed in kube-access:groups; declare it, or set external: true`,
                );
            }
        }),
    );
}

/** OIDC prefixes must keep OIDC identities apart from every other identity. */
function checkOidcPrefixes(c: IssueCollector, oidc: OidcSpec, users: UserSpec[]): void {
    users.forEach((u, i) => {
        if (u.auth.method === "oidc") return;
        if (u.name.startsWith(oidc.usernamePrefix)) {
            c.add(
                `users[${i}].name`,
                `starts with the OIDC username prefix ${JSON.stringify(oidc.usernamePrefix)}, so it could not be told apart from an OIDC user; rename it or change oidc.usernamePrefix`,
            );
        }
        u.groups.forEach((g, j) => {
            if (g.startsWith(oidc.groupsPrefix)) {
                c.add(
                    `users[${i}].groups[${j}]`,
                    `starts with the OIDC groups prefix ${JSON.stringify(oidc.groupsPrefix)}, so it could not be told apart from an OIDC group; rename it or change oidc.groupsPrefix`,
                );
            }
        });
    });
}

function checkSecrets(c: IssueCollector, raw: RawConfig, users: UserSpec[], cluster: ClusterSpec | undefined): void {
    const externalUsers = users.filter((u) => u.auth.method === "certificate" && u.auth.signer === "external");
    const caKey = c.string("clusterCaKey", raw.clusterCaKey);
    if (caKey === undefined && raw.clusterCaKey === undefined && externalUsers.length > 0) {
        c.add(
            "clusterCaKey",
            `is required because ${externalUsers.map((u) => u.name).join(", ")} ha${externalUsers.length === 1 ? "s" : "ve"} ` +
                "an externally signed certificate; set it with `pulumi config set --secret kube-access:clusterCaKey < ca.key`",
        );
    }
    if (caKey !== undefined) {
        try {
            const key = parsePrivateKeyPem(caKey);
            if (cluster && !privateKeyMatchesCertificate(key, cluster.caCertificatePem)) {
                c.add(
                    "clusterCaKey",
                    "does not belong to cluster.caCertificate; certificates signed with it would be refused",
                );
            }
        } catch (e) {
            c.add("clusterCaKey", (e as Error).message);
        }
    }
    const kubeconfig = c.string("clusterKubeconfig", raw.clusterKubeconfig);
    if (
        kubeconfig !== undefined &&
        !/^\s*(apiVersion|clusters|kind|contexts|users|current-context|\{)/m.test(kubeconfig)
    ) {
        c.add("clusterKubeconfig", "does not look like a kubeconfig (YAML or JSON with clusters, users and contexts)");
    }
    if (raw.oidcInitialPasswords !== undefined) {
        const o = c.object(
            "oidcInitialPasswords",
            raw.oidcInitialPasswords,
            users.filter((u) => u.auth.method === "oidc").map((u) => u.name),
        );
        if (o) {
            for (const [name, value] of Object.entries(o)) {
                if (typeof value !== "string" || value.length < 8) {
                    c.add(`oidcInitialPasswords.${name}`, "must be a string of at least 8 characters");
                }
            }
        }
    }
}

function isHttpsUrl(value: string): boolean {
    try {
        const u = new URL(value);
        return u.protocol === "https:" && u.hostname !== "";
    } catch {
        return false;
    }
}
