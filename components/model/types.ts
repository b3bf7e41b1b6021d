/**
 * The access spec: what a stack's config declares, after validation and with
 * every default filled in. Secret values are never part of it; they are read
 * separately and wrapped as Pulumi secrets at once.
 */
import {
    authMethods,
    certificateSigners,
    keyAlgorithms,
    kubeloginGrantTypes,
    oidcClientTypes,
    oidcKubeconfigStyles,
} from "../intake/schema";

/** The enums of the config, declared with its shape in ../intake/schema. */
export { authMethods, certificateSigners, keyAlgorithms, kubeloginGrantTypes, oidcClientTypes, oidcKubeconfigStyles };

/** Key algorithms a user's private key can use. */
export type KeyAlgorithm = (typeof keyAlgorithms)[number];

/** Who signs a user's client certificate. */
export type CertificateSigner = (typeof certificateSigners)[number];

/** Auth methods a user can have. */
export type AuthMethod = (typeof authMethods)[number];

/** The cluster users are onboarded to. */
export interface ClusterSpec {
    /** Name of the cluster entry in generated kubeconfigs. */
    name: string;
    /** API server URL, e.g. `https://127.0.0.1:6443`. */
    server: string;
    /** The cluster CA certificate, normalised to PEM. */
    caCertificatePem: string;
}

/** Lifetime and key settings of a client certificate. */
export interface CertificateOptions {
    /** Algorithm and size of the private key. */
    keyAlgorithm: KeyAlgorithm;
    /** How long a certificate is valid, in hours. */
    validityHours: number;
    /** A `pulumi up` this many hours or fewer before expiry issues a new certificate. */
    renewBeforeHours: number;
}

/** A user whose credential is a client certificate. */
export interface CertificateAuth extends CertificateOptions {
    method: "certificate";
    /** `external`: signed with the cluster CA key; `cluster`: signed through the CSR API. */
    signer: CertificateSigner;
    /**
     * A CSR the user made with their own key (the article's first step). When
     * set, kube-access never sees the private key: it signs this request and
     * the kubeconfig points at the key file beside it.
     */
    certificateRequestPem?: string;
    /**
     * Rotation counter (config `auth.rotation`, 0 when absent): any change
     * makes the next `pulumi up` issue a new certificate, with a new private
     * key when kube-access holds it.
     */
    rotation?: number;
}

/** A machine user backed by a ServiceAccount and a token Secret. */
export interface ServiceAccountAuth {
    method: "serviceAccount";
    /** Namespace of the ServiceAccount. */
    namespace: string;
    /** Create the namespace if kube-access should own it. */
    createNamespace: boolean;
    /** Rotation counter (config `auth.rotation`, 0 when absent): any change replaces the token Secret at the next `pulumi up`. */
    rotation?: number;
    /**
     * The first `pulumi up` this many hours after the token Secret was made
     * replaces it (the old token is refused from then on); never when
     * undefined. From `auth.tokenMaxAgeHours`, else `serviceAccountTokens.maxAgeHours`.
     */
    tokenMaxAgeHours?: number;
}

/** A person who logs in through the OIDC identity provider (Keycloak). */
export interface OidcAuth {
    method: "oidc";
    /** Email address, required by Keycloak before a user can log in; Keycloak stores and issues it lower-cased. */
    email: string;
    firstName: string;
    lastName: string;
}

export type AuthSpec = CertificateAuth | ServiceAccountAuth | OidcAuth;

/** One user of the cluster: a person or a machine. */
export interface UserSpec {
    /**
     * The user's key in config. Also the CN of a certificate user, the
     * ServiceAccount name of a machine user and the Keycloak username of an
     * OIDC user; what the API server calls each is in ../identity.
     */
    name: string;
    /** Groups the user belongs to. */
    groups: string[];
    auth: AuthSpec;
}

/** The role a binding grants. */
export interface RoleRef {
    kind: "ClusterRole" | "Role";
    name: string;
}

/** Who a binding grants its role to. */
export interface SubjectSpec {
    kind: "user" | "group";
    name: string;
    /** True for identities that kube-access does not manage (granted as written). */
    external: boolean;
}

/** A grant of one role to some subjects, cluster-wide or in named namespaces. */
export interface BindingSpec {
    /** Stable name; RBAC object names derive from it. */
    name: string;
    role: RoleRef;
    /** Namespaces to bind in; empty means cluster-wide (ClusterRole only). */
    namespaces: string[];
    subjects: SubjectSpec[];
}

/**
 * How OIDC users' kubeconfigs obtain tokens: `exec` runs kubelogin
 * (`kubectl oidc-login get-token`) on every use; `auth-provider` is kubectl's
 * built-in oidc auth provider, which only refreshes tokens: it needs an
 * id-token and refresh-token in the kubeconfig first (kubelogin's standalone
 * mode writes them).
 */
export type OidcKubeconfigStyle = (typeof oidcKubeconfigStyles)[number];

/**
 * OAuth client types (RFC 6749 section 2.1): a `public` client has no
 * secret, so none is handed to users, and relies on PKCE; a `confidential`
 * client has a secret that every token request must carry, so every user's
 * kubeconfig holds it.
 */
export type OidcClientType = (typeof oidcClientTypes)[number];

/**
 * The grant kubelogin uses to log a user in (its `--grant-type`):
 * `authcode` opens a browser (authorization code + PKCE); `device-code`
 * prints a URL and code to open on any device (RFC 8628); `password` asks
 * for the user's password in the terminal (resource owner password grant).
 */
export type KubeloginGrantType = (typeof kubeloginGrantTypes)[number];

/** Claims Keycloak emits for every user that name them uniquely and are known before the user exists. */
export const oidcUsernameClaims = ["preferred_username", "email"] as const;

/** OIDC settings shared by Keycloak and the API server. */
export interface OidcSpec {
    /** Issuer URL: Keycloak's base URL + `/realms/<realm>`; must be https. */
    issuerUrl: string;
    /** The Keycloak realm. */
    realm: string;
    /** Create the realm, or use an existing one. */
    createRealm: boolean;
    /** OpenID client id; also the audience the API server expects. */
    clientId: string;
    usernameClaim: string;
    groupsClaim: string;
    /** Prepended to OIDC user names in the API server and in RBAC subjects. */
    usernamePrefix: string;
    /** Prepended to OIDC group names in the API server and in RBAC subjects. */
    groupsPrefix: string;
    /** PEM of the CA that signed the issuer's serving certificate, if not publicly trusted. */
    caCertificatePem?: string;
    /** Where the API server host keeps that CA for `--oidc-ca-file`. */
    apiServerCaFile?: string;
    /** Whether the Keycloak client has a secret; `public` (the default) hands no shared secret to users. */
    clientType: OidcClientType;
    /** Extra OAuth flows; the authorization code flow is always on. */
    deviceAuthorizationGrant: boolean;
    directAccessGrants: boolean;
    /** The grant kubelogin uses in users' kubeconfigs; the client allows it. */
    kubeloginGrantType: KubeloginGrantType;
    /** Redirect URIs of the login client (kubelogin's defaults unless set). */
    redirectUris: string[];
    /** Scopes requested at login, besides `openid`. */
    extraScopes: string[];
    kubeconfigStyle: OidcKubeconfigStyle;
    /** Initial passwords from config are temporary (changed at first login) unless false. */
    temporaryPasswords: boolean;
    /**
     * Lifetime of the client's ID and access tokens, in seconds (60 to 86400);
     * the realm's (Keycloak's default: 300) when undefined. The API server
     * accepts a token until it expires, even after the user is removed.
     */
    tokenLifespanSeconds?: number;
    /** Rotation counter of a confidential client's secret (0 when absent): any change makes Keycloak generate a new one. */
    clientSecretRotation?: number;
}

/** Defaults for the cluster-signed path. */
export interface ClusterSigningOptions {
    /** How long to wait for the signer to issue a certificate. */
    timeoutSeconds: number;
    /** Keep the CertificateSigningRequest object after the certificate is read. */
    keepRequest: boolean;
}

/** The whole validated access spec. */
export interface AccessSpec {
    cluster: ClusterSpec;
    users: UserSpec[];
    /** Group names that may be referenced even if no user belongs to them yet. */
    groups: string[];
    /**
     * Namespaces kube-access creates and keeps, whichever users come and go
     * (besides those of service-account users with `createNamespace`).
     */
    namespaces: string[];
    bindings: BindingSpec[];
    oidc?: OidcSpec;
    clusterSigning: ClusterSigningOptions;
    /** Whether `system:masters` may be granted through user groups. */
    allowSystemMasters: boolean;
    /** Who may act as whom through impersonation headers; empty or undefined when nobody may. */
    impersonation?: ImpersonationSpec[];
    /** Front proxies the API server trusts to name users in request headers, when any. */
    authenticatingProxy?: AuthenticatingProxySpec;
}

/** One authenticating proxy: the client certificate it presents to the API server. */
export interface ProxySpec {
    /** The certificate's CN, listed in `--requestheader-allowed-names`. */
    name: string;
    keyAlgorithm: KeyAlgorithm;
    /** How long the proxy's certificate is valid, in hours. */
    validityHours: number;
}

/**
 * The API server's request-header authentication (Kubernetes
 * "Authenticating", Authenticating proxy): a request whose client
 * certificate is signed by the request-header CA and has one of the allowed
 * names is taken to be from the user and groups its headers name.
 */
export interface AuthenticatingProxySpec {
    /** A request-header CA supplied in config, PEM; kube-access creates one when undefined. */
    caCertificatePem?: string;
    /** Where the API server host keeps the request-header CA, for `--requestheader-client-ca-file`. */
    caFile: string;
    /** Headers the API server reads the user name from, in order (`--requestheader-username-headers`). */
    usernameHeaders: string[];
    /** Headers it reads groups from (`--requestheader-group-headers`). */
    groupHeaders: string[];
    /** Header prefixes of user extras (`--requestheader-extra-headers-prefix`). */
    extraHeadersPrefixes: string[];
    /** Lifetime of a CA kube-access creates, in hours. */
    caValidityHours: number;
    proxies: ProxySpec[];
}

/**
 * One identity an impersonation grant lets its impersonators act as. A `user`
 * is a declared user by config name (a service-account user is impersonated as
 * its ServiceAccount) or, with `external`, a user name as the API server sees
 * it; a `group` is a declared group or, with `external`, any group name; a
 * `uid` is always taken as written.
 */
export interface ImpersonationTarget {
    kind: "user" | "group" | "uid";
    name: string;
    /** True for identities that kube-access does not manage (impersonated as written). */
    external: boolean;
}

/**
 * An impersonation grant (Kubernetes "Authenticating", User impersonation):
 * its impersonators may send `Impersonate-User`, `Impersonate-Group`,
 * `Impersonate-Uid` and `Impersonate-Extra-<key>` headers naming its targets,
 * and nothing else.
 */
export interface ImpersonationSpec {
    /** Stable name; the ClusterRole, Roles and bindings derive theirs from it. */
    name: string;
    /** Who may impersonate: users and groups, as in a binding's subjects. */
    impersonators: SubjectSpec[];
    targets: ImpersonationTarget[];
    /** User extras that may be impersonated: key to allowed values (`userextras/<key>`). */
    extras: Record<string, string[]>;
    /** Whether targets may include `system:` groups (including `system:masters`) and `system:` users. */
    allowSystemIdentities: boolean;
}
