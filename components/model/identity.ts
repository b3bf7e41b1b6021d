/**
 * The identity the API server sees for each user and group kube-access
 * declares: the one place that says what a request authenticated by each
 * method is called. RBAC subjects, the `users` output, the OIDC API-server
 * settings, Keycloak's user fields and validation all ask here, so a name
 * in a binding is always the name the API server compares it with.
 *
 * Sources: Kubernetes "Authenticating" (X.509 client certificates: CN is the
 * user name, each O a group; service account tokens:
 * `system:serviceaccount:<namespace>:<name>` in the groups
 * `system:serviceaccounts` and `system:serviceaccounts:<namespace>`; OpenID
 * Connect tokens: the username and groups claims, each with its prefix) and
 * Keycloak, which stores usernames and email addresses in lower case and
 * issues them so in tokens (`preferred_username`, `email`).
 */
import { OidcSpec, UserSpec } from "./types";

/** The user name the API server gives a service account's requests. */
export function serviceAccountUsername(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
}

/** The groups the API server gives a service account's requests. */
export function serviceAccountGroups(namespace: string): string[] {
    return ["system:serviceaccounts", `system:serviceaccounts:${namespace}`];
}

/**
 * Why Keycloak's stored form of a username or email cannot be known in
 * advance, or undefined when it can. Keycloak lower-cases with Java's
 * `String.toLowerCase()`, whose result for letters outside ASCII depends on
 * the server's locale and Unicode tables; for ASCII it is plain lower case.
 */
export function keycloakNormalisationUnknown(value: string): string | undefined {
    // eslint-disable-next-line no-control-regex
    return /[^\x00-\x7f]/.test(value)
        ? "has letters outside ASCII, whose lower-case form in Keycloak depends on its server's locale, " +
              "so kube-access cannot know what the token will carry; use ASCII"
        : undefined;
}

/** A username as Keycloak stores it and puts it in `preferred_username`: lower case. */
export function keycloakUsername(name: string): string {
    return name.toLowerCase();
}

/** An email address as Keycloak stores it and puts it in the `email` claim: lower case. */
export function keycloakEmail(email: string): string {
    return email.toLowerCase();
}

/** The OIDC claim that names a user and the claim that lists its groups, each with its prefix. */
export interface OidcClaimMappings {
    username: { claim: string; prefix: string };
    groups: { claim: string; prefix: string };
}

/**
 * How the API server maps token claims to a user name and groups: the same
 * settings for `--oidc-*` flags and an AuthenticationConfiguration.
 */
export function oidcClaimMappings(oidc: OidcSpec): OidcClaimMappings {
    return {
        username: { claim: oidc.usernameClaim, prefix: oidc.usernamePrefix },
        groups: { claim: oidc.groupsClaim, prefix: oidc.groupsPrefix },
    };
}

/**
 * The value of the username claim in an OIDC user's token, exactly as
 * Keycloak will issue it: `preferred_username` is the Keycloak username,
 * `email` the email address, both lower-cased by Keycloak.
 */
export function oidcUsernameClaimValue(user: UserSpec, oidc: OidcSpec): string {
    if (user.auth.method !== "oidc") throw new Error(`user ${user.name} does not log in through OIDC`);
    return oidc.usernameClaim === "email" ? keycloakEmail(user.auth.email) : keycloakUsername(user.name);
}

/** The group name the API server gives an OIDC user's group: the groups prefix plus the Keycloak group name. */
export function oidcGroupName(group: string, oidc: OidcSpec): string {
    return `${oidcClaimMappings(oidc).groups.prefix}${group}`;
}

/**
 * The user name the API server sees for a declared user (what
 * `kubectl auth whoami` shows): the certificate's CN, the service account's
 * name, or the OIDC prefix plus the claim value the token carries.
 */
export function apiServerUsername(user: UserSpec, oidc: OidcSpec | undefined): string {
    switch (user.auth.method) {
        case "certificate":
            return user.name;
        case "serviceAccount":
            return serviceAccountUsername(user.auth.namespace, user.name);
        case "oidc":
            if (!oidc) throw new Error(`user ${user.name} logs in through OIDC, but there are no OIDC settings`);
            return `${oidcClaimMappings(oidc).username.prefix}${oidcUsernameClaimValue(user, oidc)}`;
    }
}

/** The group the API server puts every authenticated request in (Kubernetes "Authenticating"). */
export const authenticatedGroup = "system:authenticated";

/**
 * The groups the API server adds to a declared user's requests by itself,
 * whatever config says: `system:authenticated` for everyone, and the service
 * account groups for a service account (Kubernetes "Authenticating").
 */
export function addedGroups(user: UserSpec): string[] {
    return user.auth.method === "serviceAccount"
        ? [...serviceAccountGroups(user.auth.namespace), authenticatedGroup]
        : [authenticatedGroup];
}

/**
 * The groups the API server gives a declared user's requests, besides
 * `system:authenticated`: each O of the certificate as declared, the service
 * account groups, or each Keycloak group with the OIDC groups prefix.
 */
export function apiServerGroups(user: UserSpec, oidc: OidcSpec | undefined): string[] {
    switch (user.auth.method) {
        case "certificate":
            return user.groups;
        case "serviceAccount":
            return serviceAccountGroups(user.auth.namespace);
        case "oidc":
            if (!oidc) throw new Error(`user ${user.name} logs in through OIDC, but there are no OIDC settings`);
            return user.groups.map((g) => oidcGroupName(g, oidc));
    }
}
