import {
    AccessSpec,
    AuthSpec,
    BindingSpec,
    CertificateOptions,
    ClusterSigningOptions,
    KeyAlgorithm,
    ClusterSpec,
    OidcSpec,
    RoleRef,
    SubjectSpec,
    UserSpec,
    authMethods,
    certificateSigners,
    keyAlgorithms,
    oidcKubeconfigStyles,
    oidcUsernameClaims,
} from "./types";
import * as YAML from "yaml";
import { AccessSpecError, IssueCollector, Raw, describeShape, isPlainObject, knownNames } from "./reader";
import { normaliseCertificatePem, parsePrivateKeyPem, privateKeyMatchesCertificate } from "./pem";
import { isDnsLabel, toObjectName, tokenSecretName } from "./names";
import { caCertificateProblem } from "./caCertificate";
import {
    dnsLabelProblem,
    dnsSubdomainMax,
    dnsSubdomainProblem,
    characterCount,
    identityTextProblem,
    keycloakEmailProblem,
    keycloakGroupNameProblem,
    keycloakPersonNameProblem,
    keycloakUsernameProblem,
    labelValueMax,
    labelValueProblem,
    rbacNameProblem,
    x509AttributeProblem,
} from "./limits";
import { closestMatch, didYouMean, suggestHttpsUrl, suggestNamespace } from "./suggest";
import { parseCsrPemOnce as parseCsrPem } from "./csrOnce";
import { kubeloginGrantTypes, oidcClientTypes } from "./types";
import { ParsedCsr } from "../certificates/csr";
import { keycloakEmail, keycloakNormalisationUnknown, keycloakUsername } from "../identity";
import { readImpersonation } from "../impersonation/config";
import { readAuthenticatingProxy } from "../proxy/config";

/** Config keys of the `kube-access` namespace. */
export const configKeys = [
    "cluster",
    "users",
    "groups",
    "namespaces",
    "bindings",
    "certificates",
    "clusterSigning",
    "oidc",
    "allowSystemMasters",
    "impersonation",
    "authenticatingProxy",
    "clusterKubeconfig",
    "clusterCaKey",
    "oidcInitialPasswords",
    "authenticatingProxyCaKey",
] as const;

/** Keys whose values must be stored with `pulumi config set --secret`. */
export const secretConfigKeys = [
    "clusterKubeconfig",
    "clusterCaKey",
    "oidcInitialPasswords",
    "authenticatingProxyCaKey",
] as const;

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
    /**
     * The values of secret keys are not given (the access report reads config
     * without decrypting it): they are neither required nor checked. Whether
     * they are stored as secrets still is.
     */
    secretValuesWithheld?: boolean;
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
 * Whether a config value holds anything: not unset, null or an empty map. An
 * empty map is what `pulumi config rm --path key.entry` leaves behind after the
 * last entry (stored in plain text, with nothing secret in it).
 */
function holdsValue(value: unknown): boolean {
    if (value === undefined || value === null) return false;
    return !(typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0);
}

/**
 * Validates the whole `kube-access` config and returns the access spec with
 * defaults filled in. Throws {@link AccessSpecError} listing every problem,
 * each with its field path, so nothing is created from a bad config.
 */
export function validateAccessSpec(raw: RawConfig, facts: ConfigFacts = { secretKeys: [] }): AccessSpec {
    const c = new IssueCollector(secretConfigKeys);

    for (const key of Object.keys(raw)) {
        if (!(configKeys as readonly string[]).includes(key)) {
            c.add(key, `unknown config key; ${knownNames("keys", key, configKeys)}`);
        }
    }
    for (const key of secretConfigKeys) {
        if (holdsValue(raw[key]) && !facts.secretKeys.includes(key)) {
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
    const namespaces = namespacesNamedIn(raw);
    const { users, declared } = readUsers(c, raw.users, defaults, allowSystemMasters, namespaces);
    const groups = c.stringList("groups", raw.groups);
    groups.forEach((g, i) => checkGroupName(c, entryPath("groups", raw.groups, g, i), g, allowSystemMasters));
    const ownedNamespaces = c.stringList("namespaces", raw.namespaces);
    ownedNamespaces.forEach((ns, i) =>
        checkNamespace(c, entryPath("namespaces", raw.namespaces, ns, i), ns, namespaces),
    );
    const readBindingList = readBindings(c, raw.bindings, namespaces);
    const bindings: BindingSpec[] = readBindingList.flatMap(({ name, role, namespaces, subjects }) =>
        role === undefined ? [] : [{ name, role, namespaces, subjects }],
    );

    checkUsersAgainstSettings(c, declared, oidc, raw.oidc !== undefined, users);
    checkBindingSubjects(c, readBindingList, declaredIdentities(raw, groups));
    const impersonation = readImpersonation(c, raw.impersonation, {
        users,
        declared: declaredIdentities(raw, groups),
        oidc,
        readSubject,
    });
    const authenticatingProxy = readAuthenticatingProxy(c, raw.authenticatingProxy, {
        cluster,
        caKey: raw.authenticatingProxyCaKey,
        secretValuesWithheld: facts.secretValuesWithheld === true,
    });
    if (oidc) checkOidcPrefixes(c, oidc, declared);
    if (!facts.secretValuesWithheld) checkSecrets(c, raw, declared, cluster);
    checkKeycloakProvider(c, users, facts.keycloak);

    if (c.issues.length > 0) throw new AccessSpecError(c.issues);
    return {
        cluster: cluster!,
        users,
        groups,
        namespaces: [...new Set(ownedNamespaces)],
        bindings,
        oidc,
        clusterSigning,
        allowSystemMasters,
        ...(impersonation.length > 0 ? { impersonation } : {}),
        ...(authenticatingProxy ? { authenticatingProxy } : {}),
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
        c.add(
            "cluster.server",
            `must be an https:// URL of the API server, got ${JSON.stringify(server)}${didYouMean(suggestHttpsUrl(server))}`,
        );
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
    const notCa = caCertificatePem === undefined ? undefined : caCertificateProblem(caCertificatePem);
    if (notCa !== undefined) {
        c.add("cluster.caCertificate", notCa);
        caCertificatePem = undefined;
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
    namespaces: string[],
): { users: UserSpec[]; declared: DeclaredUser[] } {
    const users: UserSpec[] = [];
    const declared: DeclaredUser[] = [];
    const byName = new Map<string, number>();
    const byObjectName = new Map<string, number>();
    c.list("users", value, { required: true }).forEach((item, i) => {
        const path = `users[${i}]`;
        const o = c.object(path, item, ["name", "groups", "auth"]);
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
        groups.forEach((g, j) => checkGroupName(c, groupPath(g, j), g, allowSystemMasters));
        const auth = readAuth(c, `${path}.auth`, o.auth, defaults, namespaces);
        // Checks that depend on the method run even when other auth fields are wrong.
        const method = auth?.method ?? declaredMethod(o.auth);
        const signer = auth?.method === "certificate" ? auth.signer : declaredSigner(o.auth);
        declared.push({ index: i, name, groups, groupPath, method, signer });
        if (nameOk && method !== undefined) checkNameForMethod(c, `${path}.name`, name!, method);
        groups.forEach((g, j) => checkGroupForMethod(c, groupPath(g, j), g, method));
        if (method === "serviceAccount" && groups.length > 0) {
            c.add(
                `${path}.groups`,
                "must be empty for a service-account user: the API server sets its groups " +
                    "(system:serviceaccounts and system:serviceaccounts:<namespace>)",
            );
        }
        if (method === "certificate" && signer === "cluster" && groups.includes("system:masters")) {
            c.add(
                `${path}.groups`,
                "the cluster signer (kubernetes.io/kube-apiserver-client) refuses certificates for system:masters; " +
                    "use signer external or bind a ClusterRole instead",
            );
        }
        const requestPem =
            auth?.method === "certificate"
                ? auth.certificateRequestPem
                : method === "certificate" && isPlainObject(o.auth) && typeof o.auth.certificateRequest === "string"
                  ? o.auth.certificateRequest
                  : undefined;
        if (name !== undefined && requestPem !== undefined) {
            // A request that does not parse is reported under certificateRequest already.
            let csr: ReturnType<typeof parseCsrPem> | undefined;
            try {
                csr = parseCsrPem(requestPem);
            } catch {
                csr = undefined;
            }
            const expected = `/CN=${name}${groups.map((g) => `/O=${g}`).join("")}`;
            const actual = `/CN=${csr?.commonNames.join(",")}${csr?.organizations.map((o) => `/O=${o}`).join("")}`;
            const sameGroups = [...(csr?.organizations ?? [])].sort().join("\0") === [...groups].sort().join("\0");
            if (csr && (csr.commonNames.length !== 1 || csr.commonNames[0] !== name || !sameGroups)) {
                c.add(
                    `${path}.auth.certificateRequest`,
                    `has subject ${actual} but the user is ${expected}; the certificate would grant a different identity, so make a new request with that subject`,
                );
            }
        }
        if (name === undefined || auth === undefined) return;
        users.push({ name, groups, auth });
    });
    return { users, declared };
}

/**
 * What a user entry declares, even when some of its fields are invalid, so
 * checks across entries still run and name the entry's own field path.
 */
interface DeclaredUser {
    /** Position in `users`. */
    index: number;
    name?: string;
    groups: string[];
    /** Field path of a group, by the group and its position among the valid ones. */
    groupPath: (group: string, j: number) => string;
    method?: AuthSpec["method"];
    signer?: string;
}

/** The path of a list entry, by its position in the raw list (skipped or duplicate entries keep the numbering). */
function entryPath(path: string, rawList: Raw, value: string, j: number): string {
    const index = Array.isArray(rawList) ? rawList.indexOf(value) : -1;
    return `${path}[${index >= 0 ? index : j}]`;
}

/** The auth method a user entry names, if it names a known one. */
function declaredMethod(auth: Raw): AuthSpec["method"] | undefined {
    const method = isPlainObject(auth) ? auth.method : undefined;
    return (authMethods as readonly unknown[]).includes(method) ? (method as AuthSpec["method"]) : undefined;
}

function declaredSigner(auth: Raw): string | undefined {
    return isPlainObject(auth) && typeof auth.signer === "string" ? auth.signer : undefined;
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
        case "certificate": {
            const problem = x509AttributeProblem(name, "CN");
            if (problem) c.add(path, problem);
            return;
        }
        case "serviceAccount": {
            // The token Secret is named <name>-kube-access-token, so the name leaves room for the suffix.
            const max = dnsSubdomainMax - (tokenSecretName(name).length - name.length);
            const problem = dnsSubdomainProblem(
                name,
                "it becomes the ServiceAccount name",
                max,
                `it becomes the ServiceAccount name and, with -kube-access-token appended, the token Secret name; ` +
                    `Kubernetes limits a Secret name to ${dnsSubdomainMax}, so this name is limited`,
            );
            if (problem) {
                const fixed = toObjectName(name);
                c.add(
                    path,
                    problem +
                        (fixed !== name && dnsSubdomainProblem(fixed, "", max) === undefined ? didYouMean(fixed) : ""),
                );
            }
            return;
        }
        case "oidc": {
            const problem = keycloakUsernameProblem(name);
            if (problem) c.add(path, problem);
            return;
        }
    }
}

/**
 * Rules for every group name: Kubernetes takes any string, spaces and commas
 * included. kube-access refuses `system:` groups other than system:masters
 * (which needs allowSystemMasters), leading or trailing whitespace, control
 * characters, and '/' or '%' (binding objects are named after the group).
 */
function checkGroupName(c: IssueCollector, path: string, group: string, allowSystemMasters: boolean): void {
    const text = identityTextProblem(group);
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
    } else if (text !== undefined) {
        c.add(path, text);
    } else if (/[/%]/.test(group)) {
        c.add(
            path,
            `${rbacNameProblem(group)}; kube-access names each binding object kube-access:<binding>:group:<name>, so it cannot bind this group; rename it`,
        );
    }
}

/** Where a user's group ends up for the user's method: an O of the certificate, or a Keycloak group. */
function checkGroupForMethod(
    c: IssueCollector,
    path: string,
    group: string,
    method: AuthSpec["method"] | undefined,
): void {
    const problem =
        method === "certificate"
            ? x509AttributeProblem(group, "O")
            : method === "oidc"
              ? keycloakGroupNameProblem(group)
              : undefined;
    if (problem) c.add(path, problem);
}

function readAuth(
    c: IssueCollector,
    path: string,
    value: Raw,
    defaults: CertificateOptions,
    namespaces: string[],
): AuthSpec | undefined {
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
            checkNamespace(c, `${path}.namespace`, namespace, namespaces);
            const createNamespace = c.boolean(`${path}.createNamespace`, value.createNamespace, false);
            return { method, namespace, createNamespace };
        }
        case "oidc": {
            c.object(path, value, ["method", "email", "firstName", "lastName"]);
            const email = c.string(`${path}.email`, value.email, { required: true });
            const emailProblem = email === undefined ? undefined : keycloakEmailProblem(email);
            if (emailProblem) c.add(`${path}.email`, emailProblem);
            const firstName = c.string(`${path}.firstName`, value.firstName, { required: true });
            const lastName = c.string(`${path}.lastName`, value.lastName, { required: true });
            for (const [field, personName] of [
                ["firstName", firstName],
                ["lastName", lastName],
            ] as const) {
                const problem = personName === undefined ? undefined : keycloakPersonNameProblem(personName);
                if (problem) c.add(`${path}.${field}`, problem);
            }
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

/** A binding as read; `role` is missing when the entry names none (then the config is refused). */
type ReadBinding = Omit<BindingSpec, "role"> & { role?: RoleRef; index: number; subjectIndexes: number[] };

/**
 * Reads every binding field even when another field of the same binding is
 * wrong, so all problems are reported at once.
 */
function readBindings(c: IssueCollector, value: Raw, knownNamespaces: string[]): ReadBinding[] {
    const bindings: ReadBinding[] = [];
    const names = new Map<string, number>();
    c.list("bindings", value).forEach((item, i) => {
        const path = `bindings[${i}]`;
        const o = c.object(path, item, ["name", "clusterRole", "role", "namespaces", "subjects"]);
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
const bindingNamePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * A binding's name: given, or `clusterrole-<role>` / `role-<role>`, with the
 * role name made into object-name characters (identical for every role name
 * that was already valid, so existing objects keep their names). It becomes
 * part of each binding object's name and the value of the
 * `kube-access/binding` label, so it is limited to 63 characters.
 */
function readBindingName(
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
function readSubject(c: IssueCollector, path: string, value: Raw): SubjectSpec | undefined {
    const o = c.object(path, value, ["user", "group", "external"]);
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

/** A namespace name (DNS-1123 label), with the closest valid name when it is not one. */
function checkNamespace(c: IssueCollector, path: string, namespace: string, known: string[]): void {
    const problem = dnsLabelProblem(namespace, "a namespace name");
    if (problem !== undefined) {
        c.add(path, problem + (problem.startsWith("is ") ? "" : didYouMean(suggestNamespace(namespace, known))));
    }
}

/** Valid namespace names the config uses anywhere, for "did you mean" suggestions. */
function namespacesNamedIn(raw: RawConfig): string[] {
    const found: unknown[] = [];
    if (Array.isArray(raw.users)) {
        for (const u of raw.users) if (isPlainObject(u) && isPlainObject(u.auth)) found.push(u.auth.namespace);
    }
    if (Array.isArray(raw.bindings)) {
        for (const b of raw.bindings) if (isPlainObject(b) && Array.isArray(b.namespaces)) found.push(...b.namespaces);
    }
    return [...new Set(found.filter((n): n is string => typeof n === "string" && isDnsLabel(n)))];
}

/**
 * Every user and group name the config declares, including entries that are
 * invalid for other reasons, so a binding to them is not also reported as
 * undeclared.
 */
function declaredIdentities(raw: RawConfig, groups: string[]): { users: Set<string>; groups: Set<string> } {
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
        "tokenLifespanSeconds",
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
        ...(o.tokenLifespanSeconds === undefined
            ? {}
            : { tokenLifespanSeconds: c.integer("oidc.tokenLifespanSeconds", o.tokenLifespanSeconds, 300, 60, 86400) }),
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

function checkUsersAgainstSettings(
    c: IssueCollector,
    users: DeclaredUser[],
    oidc: OidcSpec | undefined,
    oidcGiven: boolean,
    validUsers: UserSpec[],
): void {
    users.forEach((u) => {
        if (u.method !== "oidc") return;
        if (oidc === undefined) {
            // Settings that are there but wrong are reported under kube-access:oidc.
            if (oidcGiven) return;
            c.add(
                `users[${u.index}].auth.method`,
                "is oidc, but the stack has no kube-access:oidc settings; add them or pick another method",
            );
        } else if (u.name !== undefined) {
            // Checked on every OIDC entry, even one whose other fields are wrong.
            const unknownName = keycloakNormalisationUnknown(u.name);
            if (unknownName) c.add(`users[${u.index}].name`, unknownName);
            else if (u.name !== keycloakUsername(u.name)) {
                c.add(
                    `users[${u.index}].name`,
                    `Keycloak lower-cases usernames, so it would store and issue ${JSON.stringify(keycloakUsername(u.name))}` +
                        (oidc.usernameClaim === "preferred_username" ? " as the token's user name" : "") +
                        "; write the name in lower case",
                );
            }
        }
    });
    if (oidc) {
        const indexOf = (u: UserSpec) => users.find((d) => d.name === u.name)?.index ?? -1;
        checkOidcIdentities(c, validUsers, oidc, indexOf);
    }
}

/**
 * An OIDC user's identity must be exactly what Keycloak will put in the token
 * (see ../identity): Keycloak lower-cases usernames and emails, so an email is
 * taken in any case and bound in lower case; a user name, which is also the
 * config's key for the user, must be written as Keycloak stores it. Values
 * whose stored form cannot be known, and two users Keycloak would see as one,
 * are refused.
 */
function checkOidcIdentities(
    c: IssueCollector,
    users: UserSpec[],
    oidc: OidcSpec,
    indexOf: (u: UserSpec) => number,
): void {
    const byEmail = new Map<string, number>();
    users.forEach((u) => {
        if (u.auth.method !== "oidc") return;
        const i = indexOf(u);
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

function checkBindingSubjects(
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

/** OIDC prefixes must keep OIDC identities apart from every other identity. */
function checkOidcPrefixes(c: IssueCollector, oidc: OidcSpec, users: DeclaredUser[]): void {
    users.forEach((u) => {
        if (u.method === "oidc") return;
        if (u.name?.startsWith(oidc.usernamePrefix)) {
            c.add(
                `users[${u.index}].name`,
                `starts with the OIDC username prefix ${JSON.stringify(oidc.usernamePrefix)}, so it could not be told apart from an OIDC user; rename it or change oidc.usernamePrefix`,
            );
        }
        u.groups.forEach((g, j) => {
            if (g.startsWith(oidc.groupsPrefix)) {
                c.add(
                    u.groupPath(g, j),
                    `starts with the OIDC groups prefix ${JSON.stringify(oidc.groupsPrefix)}, so it could not be told apart from an OIDC group; rename it or change oidc.groupsPrefix`,
                );
            }
        });
    });
}

function checkSecrets(
    c: IssueCollector,
    raw: RawConfig,
    users: DeclaredUser[],
    cluster: ClusterSpec | undefined,
): void {
    const externalUsers = users.filter((u) => u.method === "certificate" && u.signer === "external");
    const caKey = c.string("clusterCaKey", raw.clusterCaKey);
    if (caKey === undefined && raw.clusterCaKey === undefined && externalUsers.length > 0) {
        c.add(
            "clusterCaKey",
            `is required because ${externalUsers.map((u) => u.name ?? `users[${u.index}]`).join(", ")} ha${externalUsers.length === 1 ? "s" : "ve"} ` +
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
    if (raw.clusterKubeconfig !== undefined) {
        const kubeconfig = clusterKubeconfigText(raw.clusterKubeconfig);
        const problem =
            kubeconfig === undefined
                ? `must be a kubeconfig (YAML or JSON text, or an object), got ${describeShape(raw.clusterKubeconfig)}`
                : kubeconfigProblem(kubeconfig);
        if (problem) c.add("clusterKubeconfig", problem);
    }
    if (raw.oidcInitialPasswords !== undefined) checkInitialPasswords(c, raw);
}

/**
 * The admin kubeconfig as text. A kubeconfig set as text (YAML or JSON) is
 * used as it is; one set as structured config (`pulumi config set --path`,
 * or JSON that Pulumi hands over parsed) is serialised as JSON, which
 * kubeconfig readers take as well.
 */
export function clusterKubeconfigText(value: Raw): string | undefined {
    if (typeof value === "string") return value;
    if (isPlainObject(value)) return JSON.stringify(value);
    return undefined;
}

/**
 * What keeps a kubeconfig from reaching a cluster: it must parse, list
 * clusters, users and contexts, and name in current-context the context to use.
 * Messages never quote the kubeconfig (it holds credentials).
 */
function kubeconfigProblem(text: string): string | undefined {
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (e) {
        const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
        return `is not valid YAML or JSON${line ? ` (line ${line})` : ""}; paste the whole kubeconfig file`;
    }
    if (!isPlainObject(doc)) {
        return `must be a kubeconfig with clusters, users and contexts, got ${describeShape(doc)}`;
    }
    const missing = ["clusters", "users", "contexts"].filter((k) => !Array.isArray(doc[k]) || doc[k].length === 0);
    if (missing.length > 0) {
        return `is not a usable kubeconfig: it has no ${missing.join(", no ")}; use an admin kubeconfig of the cluster`;
    }
    const named = (key: string) =>
        (doc[key] as unknown[]).map((e) => (isPlainObject(e) && typeof e.name === "string" ? e.name : undefined));
    const current = doc["current-context"];
    if (typeof current !== "string" || current === "") {
        return "has no current-context; set it to the context Pulumi should use (kubectl config use-context <name>)";
    }
    if (!named("contexts").includes(current)) {
        return "names a current-context that is not among its contexts; fix current-context";
    }
    return undefined;
}

/**
 * Initial passwords: a map from OIDC user name to a string of at least 8
 * characters. Neither a value nor a key that is not a user name is ever
 * quoted: a key might be a password typed in the wrong place.
 */
function checkInitialPasswords(c: IssueCollector, raw: RawConfig): void {
    const entries = Array.isArray(raw.users) ? raw.users.filter(isPlainObject) : [];
    const oidcUsers = entries.filter((u) => declaredMethod(u.auth) === "oidc").map((u) => u.name);
    const allUsers = entries.map((u) => u.name);
    const value = raw.oidcInitialPasswords;
    if (!isPlainObject(value)) {
        c.add(
            "oidcInitialPasswords",
            `must be a map from OIDC user name to password, got ${describeShape(value)}; ` +
                "set each with `pulumi config set --secret --path kube-access:oidcInitialPasswords.<user>`",
        );
        return;
    }
    let unknownKeys = 0;
    for (const [name, password] of Object.entries(value)) {
        if (!oidcUsers.includes(name)) {
            if (allUsers.includes(name)) {
                c.add(
                    `oidcInitialPasswords.${name}`,
                    "unknown field: this user is not an OIDC user, and only OIDC users have Keycloak passwords",
                );
            } else unknownKeys++;
            continue;
        }
        if (typeof password !== "string") {
            c.add(
                `oidcInitialPasswords.${name}`,
                `must be a string of at least 8 characters, got ${describeShape(password)}` +
                    (typeof password === "number" ? " (quote it in the config so it stays text)" : ""),
            );
        } else if (password.length < 8) {
            c.add(`oidcInitialPasswords.${name}`, "must be a string of at least 8 characters");
        }
    }
    if (unknownKeys > 0) {
        c.add(
            "oidcInitialPasswords",
            `has ${unknownKeys} entr${unknownKeys === 1 ? "y" : "ies"} whose key is not a user name (not shown, in case ` +
                `it is a password); the keys are OIDC user names${oidcUsers.length > 0 ? `: ${oidcUsers.join(", ")}` : ""}`,
        );
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
