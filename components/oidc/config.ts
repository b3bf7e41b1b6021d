/**
 * The `oidc` and `oidcInitialPasswords` config keys and the `oidc` auth
 * method of a user: Keycloak's issuer, client and kubelogin settings, the
 * prefixes that keep OIDC identities apart, and each OIDC user's identity as
 * Keycloak stores it.
 */
import { OidcAuth, OidcSpec, UserSpec, oidcUsernameClaims } from "../model/types";
import { IssueCollector, Raw, describeShape, isPlainObject } from "../intake/reader";
import {
    keycloakEmailProblem,
    keycloakGroupNameProblem,
    keycloakPersonNameProblem,
    keycloakUsernameProblem,
} from "../intake/limits";
import { z } from "zod";
import { distinctEntries, isHttpsUrl } from "../intake/rules";
import { oidcAuthSchema, oidcSchema } from "../intake/schema";
import { readSection } from "../intake/section";
import { normaliseCertificatePem } from "../x509/pem";
import { keycloakEmail, keycloakNormalisationUnknown, keycloakUsername } from "../model/identity";
import { DeclaredUser, declaredMethod } from "../model/declared";

/** kubelogin's default redirect URIs (it listens on port 8000, then 18000). */
export const kubeloginRedirectUris = ["http://localhost:8000", "http://localhost:18000"];

/** The Keycloak provider's settings that are set, and those stored in config as plain text. */
export interface KeycloakProviderFacts {
    set: string[];
    plainTextInConfig: string[];
}

/** Checks the Keycloak provider can log in before any resource is created. */
export function checkKeycloakProvider(
    c: IssueCollector,
    users: UserSpec[],
    keycloak: KeycloakProviderFacts | undefined,
): void {
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

/** The defaults of `oidc`'s fields, as the schema declares them. */
const oidcDefaults = oidcSchema.parse({ issuerUrl: "https://unset" });

/**
 * Reads `oidc` (shape in ../intake/schema) and checks what the schema cannot:
 * the issuer URL against the realm, claims Keycloak emits, prefixes that keep
 * OIDC identities apart, the CA, paths and URLs.
 */
export function readOidc(c: IssueCollector, value: Raw): OidcSpec | undefined {
    const o = readSection(c, "oidc", value, oidcSchema);
    if (!o) return undefined;
    const { issuerUrl, realm, usernameClaim, groupsClaim, usernamePrefix, groupsPrefix, clientId } = {
        ...oidcDefaults,
        issuerUrl: undefined,
        ...o,
    };
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
    if (!(oidcUsernameClaims as readonly string[]).includes(usernameClaim)) {
        c.add(
            "oidc.usernameClaim",
            `Keycloak does not emit ${JSON.stringify(usernameClaim)} as a unique user claim for the client; ` +
                `use one of ${oidcUsernameClaims.join(", ")}`,
        );
    }
    if (
        !/^[A-Za-z_][A-Za-z0-9_]*$/.test(groupsClaim) ||
        (oidcUsernameClaims as readonly string[]).includes(groupsClaim)
    ) {
        c.add(
            "oidc.groupsClaim",
            `must be a plain claim name other than the standard user claims, got ${JSON.stringify(groupsClaim)}`,
        );
    }
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
    const ca = o.caCertificate;
    if (ca !== undefined) {
        try {
            caCertificatePem = normaliseCertificatePem(ca);
        } catch (e) {
            c.add("oidc.caCertificate", (e as Error).message);
        }
    }
    const apiServerCaFile = o.apiServerCaFile;
    if (apiServerCaFile !== undefined && !apiServerCaFile.startsWith("/")) {
        c.add(
            "oidc.apiServerCaFile",
            `must be an absolute path on the API server host, got ${JSON.stringify(apiServerCaFile)}`,
        );
    }
    const redirectUris =
        o.redirectUris === undefined
            ? kubeloginRedirectUris
            : distinctEntries(c, "oidc.redirectUris", (value as Record<string, Raw>).redirectUris);
    redirectUris.forEach((uri, i) => {
        if (!/^https?:\/\/[^\s]+$/.test(uri))
            c.add(`oidc.redirectUris[${i}]`, `must be an http(s) URL, got ${JSON.stringify(uri)}`);
    });
    if (!/^[A-Za-z0-9._-]+$/.test(clientId))
        c.add("oidc.clientId", `must be letters, digits, '.', '_' or '-', got ${JSON.stringify(clientId)}`);
    const clientType = o.clientType ?? oidcDefaults.clientType;
    if ((value as Record<string, Raw>).clientSecretRotation !== undefined && clientType !== "confidential") {
        c.add(
            "oidc.clientSecretRotation",
            `a ${clientType} client has no secret to rotate; remove it, or set oidc.clientType: confidential`,
        );
    }
    return {
        issuerUrl: (issuerUrl ?? "").replace(/\/$/, ""),
        realm,
        createRealm: o.createRealm ?? oidcDefaults.createRealm,
        clientId,
        usernameClaim,
        groupsClaim,
        usernamePrefix,
        groupsPrefix,
        caCertificatePem,
        apiServerCaFile,
        clientType,
        ...(o.clientSecretRotation ? { clientSecretRotation: o.clientSecretRotation } : {}),
        ...readKubeloginGrant(c, o),
        redirectUris,
        extraScopes:
            o.extraScopes === undefined
                ? ["email", "profile"]
                : distinctEntries(c, "oidc.extraScopes", (value as Record<string, Raw>).extraScopes),
        kubeconfigStyle: o.kubeconfigStyle ?? oidcDefaults.kubeconfigStyle,
        temporaryPasswords: o.temporaryPasswords ?? oidcDefaults.temporaryPasswords,
        ...(o.tokenLifespanSeconds === undefined ? {} : { tokenLifespanSeconds: o.tokenLifespanSeconds }),
    };
}

/**
 * The grant kubelogin uses and the grants the client allows, consistent with
 * each other: the chosen grant is switched on unless config switches it off,
 * which is refused (kubelogin could not log anyone in).
 */
export function readKubeloginGrant(
    c: IssueCollector,
    o: Partial<z.output<typeof oidcSchema>>,
): Pick<OidcSpec, "kubeloginGrantType" | "deviceAuthorizationGrant" | "directAccessGrants"> {
    const kubeloginGrantType = o.kubeloginGrantType ?? oidcDefaults.kubeloginGrantType;
    const needs = (grant: string) => kubeloginGrantType === grant;
    const deviceAuthorizationGrant = o.deviceAuthorizationGrant ?? needs("device-code");
    const directAccessGrants = o.directAccessGrants ?? needs("password");
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

export function checkUsersAgainstSettings(
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
export function checkOidcIdentities(
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

/** OIDC prefixes must keep OIDC identities apart from every other identity. */
export function checkOidcPrefixes(c: IssueCollector, oidc: OidcSpec, users: DeclaredUser[]): void {
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

/**
 * Initial passwords: a map from OIDC user name to a string of at least 8
 * characters. Neither a value nor a key that is not a user name is ever
 * quoted: a key might be a password typed in the wrong place.
 */
export function checkInitialPasswords(c: IssueCollector, raw: Record<string, Raw>): void {
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

/** Reads the `oidc` auth method of a user (`path` is `users[i].auth`): the Keycloak user's email and names. */
export function readOidcAuth(c: IssueCollector, path: string, value: Record<string, Raw>): OidcAuth | undefined {
    const { rotation, ...fields } = value;
    if (rotation !== undefined) {
        c.add(
            `${path}.rotation`,
            "OIDC users hold no credential that kube-access issues (they log in to Keycloak); remove it, " +
                "and to replace the secret of a confidential Keycloak client raise oidc.clientSecretRotation",
        );
    }
    const { email, firstName, lastName } = readSection(c, path, fields, oidcAuthSchema) ?? {};
    const emailProblem = email === undefined ? undefined : keycloakEmailProblem(email);
    if (emailProblem) c.add(`${path}.email`, emailProblem);
    for (const [field, personName] of [
        ["firstName", firstName],
        ["lastName", lastName],
    ] as const) {
        const problem = personName === undefined ? undefined : keycloakPersonNameProblem(personName);
        if (problem) c.add(`${path}.${field}`, problem);
    }
    if (email === undefined || firstName === undefined || lastName === undefined) return undefined;
    return { method: "oidc", email, firstName, lastName };
}

/** An OIDC user's name is a Keycloak username. */
export function checkOidcUserName(c: IssueCollector, path: string, name: string): void {
    const problem = keycloakUsernameProblem(name);
    if (problem) c.add(path, problem);
}

/** An OIDC user's group is a Keycloak group. */
export function checkOidcGroup(c: IssueCollector, path: string, group: string): void {
    const problem = keycloakGroupNameProblem(group);
    if (problem) c.add(path, problem);
}
