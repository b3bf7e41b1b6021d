import * as pulumi from "@pulumi/pulumi";
import * as keycloak from "@pulumi/keycloak";
import { ClusterSpec, OidcAuth, OidcSpec, UserSpec } from "../model/types";
import { oidcKubeconfig } from "./kubeconfigCredential";
import { keycloakEmail, keycloakUsername } from "../model/identity";

/** Inputs of {@link KeycloakAccess}. */
export interface KeycloakAccessArgs {
    oidc: OidcSpec;
    /** Users who log in through Keycloak. */
    users: (UserSpec & { auth: OidcAuth })[];
    /** Keycloak groups to manage; by default every group of `users`. */
    groups?: string[];
    /** Initial passwords by user name (secret); users without one set their password through an admin. */
    initialPasswords: Record<string, pulumi.Input<string>>;
}

/**
 * Whether Keycloak should insist on PKCE (S256) for the client. It does, so a
 * stolen authorization code is useless, unless the client allows the device
 * grant: Keycloak then insists on PKCE for device requests too, which
 * kubelogin's device flow does not send (int128/kubelogin#1470), so
 * enforcement is left off and kubelogin still sends PKCE on its own in the
 * browser flow (`--oidc-pkce-method=S256` in every kubeconfig).
 */
export function enforcesPkce(oidc: OidcSpec): boolean {
    return !oidc.deviceAuthorizationGrant;
}

/**
 * Keycloak's side of OIDC login to Kubernetes: the realm (or an existing
 * one), a `kubernetes` client (public by default, or confidential) with
 * browser login (authorization code + PKCE) and optional device and password
 * grants, claim mappers for groups and audience, and the groups and users
 * themselves.
 */
export class KeycloakAccess extends pulumi.ComponentResource {
    /** The realm the client and users live in. */
    public readonly realmId: pulumi.Output<string>;
    /** The client's secret (secret); undefined for a public client, which has none. */
    public readonly clientSecret?: pulumi.Output<string>;
    /** Keycloak user ids by user name. */
    public readonly userIds: Record<string, pulumi.Output<string>>;
    private readonly oidc: OidcSpec;
    /** The client secret, or nothing for a public client, as one secret Output that every user's kubeconfig reads. */
    private readonly kubeconfigClientSecret: pulumi.Output<string | undefined>;

    constructor(name: string, args: KeycloakAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:oidc:KeycloakAccess", name, {}, opts);
        const { oidc } = args;
        this.oidc = oidc;
        const child = { parent: this };

        const realm = oidc.createRealm
            ? new keycloak.Realm(`${name}-realm`, { realm: oidc.realm, enabled: true, sslRequired: "external" }, child)
            : undefined;
        this.realmId = realm ? realm.id : pulumi.output(oidc.realm);
        const realmId = this.realmId;

        const client = new keycloak.openid.Client(
            `${name}-client`,
            {
                realmId,
                clientId: oidc.clientId,
                name: "Kubernetes",
                description: "kubectl login to Kubernetes, managed by kube-access",
                enabled: true,
                accessType: oidc.clientType === "confidential" ? "CONFIDENTIAL" : "PUBLIC",
                standardFlowEnabled: true,
                ...(enforcesPkce(oidc) ? { pkceCodeChallengeMethod: "S256" } : {}),
                implicitFlowEnabled: false,
                serviceAccountsEnabled: false,
                directAccessGrantsEnabled: oidc.directAccessGrants,
                oauth2DeviceAuthorizationGrantEnabled: oidc.deviceAuthorizationGrant,
                validRedirectUris: oidc.redirectUris,
                // Keycloak generates a new secret whenever this map changes (oidc.clientSecretRotation).
                ...(oidc.clientType === "confidential" && oidc.clientSecretRotation
                    ? { clientSecretRegenerateWhenChanged: { rotation: String(oidc.clientSecretRotation) } }
                    : {}),
                ...(oidc.tokenLifespanSeconds === undefined
                    ? {}
                    : { accessTokenLifespan: String(oidc.tokenLifespanSeconds) }),
            },
            child,
        );
        this.clientSecret = oidc.clientType === "confidential" ? pulumi.secret(client.clientSecret) : undefined;
        this.kubeconfigClientSecret = this.clientSecret ?? pulumi.secret(undefined);

        new keycloak.openid.GroupMembershipProtocolMapper(
            `${name}-groups-claim`,
            {
                realmId,
                clientId: client.id,
                name: "kubernetes-groups",
                claimName: oidc.groupsClaim,
                fullPath: false,
                addToIdToken: true,
                addToAccessToken: true,
                addToUserinfo: true,
            },
            child,
        );
        new keycloak.openid.AudienceProtocolMapper(
            `${name}-audience`,
            {
                realmId,
                clientId: client.id,
                name: "kubernetes-audience",
                includedClientAudience: oidc.clientId,
                addToIdToken: true,
                addToAccessToken: true,
            },
            child,
        );

        const groupIds: Record<string, pulumi.Output<string>> = {};
        for (const group of args.groups ?? [...new Set(args.users.flatMap((u) => u.groups))].sort()) {
            groupIds[group] = new keycloak.Group(`${name}-group-${group}`, { realmId, name: group }, child).id;
        }

        this.userIds = {};
        for (const user of args.users) {
            const password = args.initialPasswords[user.name];
            const kcUser = new keycloak.User(
                `${name}-user-${user.name}`,
                {
                    realmId,
                    // Keycloak stores both in lower case; giving them so keeps previews free of drift.
                    username: keycloakUsername(user.name),
                    email: keycloakEmail(user.auth.email),
                    emailVerified: true,
                    firstName: user.auth.firstName,
                    lastName: user.auth.lastName,
                    enabled: true,
                    ...(password !== undefined
                        ? { initialPassword: { value: pulumi.secret(password), temporary: oidc.temporaryPasswords } }
                        : {}),
                },
                // Keycloak owns required actions: it adds UPDATE_PASSWORD for a temporary initial password
                // and clears it once the user has chosen one. Managing them here would clear it at the next
                // `pulumi up` (found by the upgrade test) or force a new password on every run.
                { ...child, ignoreChanges: ["requiredActions"] },
            );
            this.userIds[user.name] = kcUser.id;
            new keycloak.UserGroups(
                `${name}-user-${user.name}-groups`,
                { realmId, userId: kcUser.id, groupIds: user.groups.map((g) => groupIds[g]), exhaustive: true },
                child,
            );
        }
        this.registerOutputs({ realmId: this.realmId, clientSecret: this.clientSecret, userIds: this.userIds });
    }

    /**
     * The kubeconfig of one of its users (secret): see {@link oidcKubeconfig}.
     * A public client's kubeconfig holds no secret; a confidential client's
     * holds its client secret.
     */
    kubeconfig(userName: string, cluster: ClusterSpec): pulumi.Output<string> {
        const oidc = this.oidc;
        // Secret because the Output it is made from is, made so once for all users.
        return this.kubeconfigClientSecret.apply((clientSecret) =>
            oidcKubeconfig(cluster, userName, oidc, clientSecret),
        );
    }
}
