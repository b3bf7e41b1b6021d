import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    AccessSpec,
    CertificateAuth,
    ClusterSpec,
    OidcAuth,
    OidcSpec,
    ServiceAccountAuth,
    UserSpec,
} from "./spec/types";
import { AccessSecrets } from "./spec/load";
import { CertificateUser, userKeyFile } from "./certificates/certificateUser";
import { CertificateStatus, certificateStatus } from "./certificates/certificateStatus";
import { ServiceAccountUser } from "./serviceAccounts/serviceAccountUser";
import { KeycloakAccess } from "./oidc/keycloakAccess";
import { apiServerOidcFlags, authenticationConfigurationYaml } from "./oidc/apiServer";
import { oidcCredential, oidcFirstStep } from "./oidc/kubeconfigCredential";
import { managedNamespace, ownedNamespaces } from "./namespaces";
import { AccessBindings } from "./rbac/accessBindings";
import { GrantDetail, grantDetailsByUser, grantsByUser, planRoleBindings } from "./rbac/plan";
import { apiServerUsername } from "./identity";
import { renderKubeconfig } from "./kubeconfig/render";
import { AuthenticatingProxy, ProxyCredential } from "./proxy/authenticatingProxy";
import { ImpersonationAccess } from "./impersonation/impersonationAccess";
import {
    addImpersonationContexts,
    impersonationContexts,
    impersonationsByUser,
    planImpersonation,
} from "./impersonation/plan";

/** How long to wait for the token controller to fill a service-account token Secret. */
export const serviceAccountTokenTimeoutSeconds = 120;

/** Whether the spec makes Kubernetes objects (bindings, service accounts) through `@pulumi/kubernetes`. */
export function needsKubernetesObjects(spec: AccessSpec): boolean {
    return (
        spec.bindings.length > 0 ||
        spec.users.some((u) => u.auth.method === "serviceAccount") ||
        (spec.impersonation ?? []).length > 0
    );
}

/**
 * The `clusterIdentifier` of the Kubernetes provider: what identifies the
 * cluster, not how Pulumi reaches it. It is the API server URL and the
 * SHA-256 fingerprint of the cluster CA (`cluster.server`,
 * `cluster.caCertificate`), e.g. `https://10.0.0.1:6443#sha256:3f1c...`.
 *
 * With it set, the provider is replaced only when this value changes; any
 * other change to the admin kubeconfig (a renamed cluster or context, a
 * `proxy-url`, rotated credentials) is an update of the provider, so the
 * objects it manages (namespaces, ServiceAccounts, token Secrets, bindings)
 * are kept. Without it, Pulumi guesses from the kubeconfig and may replace
 * them all (pulumi/pulumi-kubernetes#4019).
 */
export function providerClusterIdentifier(cluster: ClusterSpec): string {
    const fingerprint = new crypto.X509Certificate(cluster.caCertificatePem).fingerprint256
        .replace(/:/g, "")
        .toLowerCase();
    return `${cluster.server}#sha256:${fingerprint}`;
}

/** Inputs of {@link KubeAccess}. */
export interface KubeAccessArgs {
    spec: AccessSpec;
    secrets: AccessSecrets;
}

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
    /** OIDC users: the Keycloak user's email. */
    email?: string;
}

/** The credential settings of a declared user, for the `users` output. */
export function credentialSummary(user: UserSpec): CredentialSummary {
    switch (user.auth.method) {
        case "certificate": {
            const { keyAlgorithm, validityHours, renewBeforeHours, certificateRequestPem } = user.auth;
            return {
                keyAlgorithm,
                validityHours,
                renewBeforeHours,
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
            return { namespace: user.auth.namespace };
        case "oidc":
            return { email: user.auth.email };
    }
}

/** Everything OIDC-related the API server's operators need (no secrets). */
export interface OidcApiServerSettings {
    issuerUrl: string;
    clientId: string;
    /** kube-apiserver `--oidc-*` flags; an alternative to `authenticationConfiguration`. */
    flags: string[];
    /** An AuthenticationConfiguration file for `--authentication-config`; an alternative to `flags`. */
    authenticationConfiguration: string;
    /** The CA the API server must trust for the issuer, PEM, if one is configured. */
    caCertificate?: string;
}

/** What the API server's operators and the proxies' operators need for authenticating proxies. */
export interface AuthenticatingProxySettings {
    /** Where the API server host keeps the request-header CA (`--requestheader-client-ca-file`). */
    caFile: string;
    /** The request-header CA certificate, PEM, to put at `caFile`. */
    caCertificate: pulumi.Output<string>;
    /** kube-apiserver `--requestheader-*` flags. */
    apiServerFlags: string[];
    /** Headers every proxy must remove from incoming requests before adding its own. */
    stripHeaders: string[];
    /** Each proxy's client certificate and key by name (secret). */
    credentials: pulumi.Output<Record<string, ProxyCredential>>;
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

function hasMethod<M extends UserSpec["auth"]>(method: M["method"]) {
    return (u: UserSpec): u is UserSpec & { auth: M } => u.auth.method === method;
}

/**
 * Onboards the users of an access spec to one cluster: credentials for every
 * user, RBAC bindings for what the spec grants, and a kubeconfig per user.
 */
export class KubeAccess extends pulumi.ComponentResource {
    /** Kubeconfig by user name (secret). */
    public readonly kubeconfigs: pulumi.Output<Record<string, string>>;
    /** A non-secret summary of every user. */
    public readonly users: pulumi.Output<UserSummary[]>;
    /**
     * The same summaries keyed by user name: the stack's `users` output, so a
     * preview shows a removed user as removed and a new one as added, never as
     * a rename of a list entry.
     */
    public readonly usersByName: pulumi.Output<Record<string, UserSummary>>;
    /** API server OIDC settings, when OIDC is configured. */
    public readonly oidc?: OidcApiServerSettings;
    /** Request-header settings and proxy credentials, when authenticating proxies are configured. */
    public readonly authenticatingProxy?: AuthenticatingProxySettings;

    constructor(name: string, args: KubeAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:index:KubeAccess", name, {}, opts);
        const { spec, secrets } = args;
        const child = { parent: this };

        const namespaces = new Map<string, k8s.core.v1.Namespace>(
            ownedNamespaces(spec).map((ns) => [ns, managedNamespace(ns, child)]),
        );

        const keycloakAccess =
            spec.oidc && spec.users.some(hasMethod<OidcAuth>("oidc"))
                ? new KeycloakAccess(
                      "keycloak",
                      {
                          oidc: spec.oidc,
                          users: spec.users.filter(hasMethod<OidcAuth>("oidc")),
                          groups: [
                              ...new Set(spec.users.filter(hasMethod<OidcAuth>("oidc")).flatMap((u) => u.groups)),
                          ].sort(),
                          initialPasswords: secrets.oidcInitialPasswords,
                      },
                      child,
                  )
                : undefined;

        const kubeconfigs: Record<string, pulumi.Output<string>> = {};
        const expiries: Record<string, pulumi.Output<string>> = {};
        const renewals: Record<string, pulumi.Output<string | undefined>> = {};
        const tokenRotations: Record<string, pulumi.Output<string>> = {};
        for (const user of spec.users) {
            const resourceName = `user-${user.name}`;
            if (hasMethod<CertificateAuth>("certificate")(user)) {
                const certUser = new CertificateUser(
                    resourceName,
                    {
                        user,
                        cluster: spec.cluster,
                        clusterCaKey: secrets.clusterCaKey,
                        clusterKubeconfig: secrets.clusterKubeconfig,
                        clusterSigning: spec.clusterSigning,
                    },
                    child,
                );
                kubeconfigs[user.name] = certUser.kubeconfig;
                expiries[user.name] = certUser.expiresAt;
                renewals[user.name] = certUser.renewsAt;
            } else if (hasMethod<ServiceAccountAuth>("serviceAccount")(user)) {
                const ns = namespaces.get(user.auth.namespace);
                const saUser = new ServiceAccountUser(
                    resourceName,
                    {
                        user,
                        cluster: spec.cluster,
                        clusterKubeconfig: secrets.clusterKubeconfig,
                        tokenTimeoutSeconds: serviceAccountTokenTimeoutSeconds,
                    },
                    { ...child, dependsOn: ns ? [ns] : [] },
                );
                kubeconfigs[user.name] = saUser.kubeconfig;
                if (saUser.tokenRotatesAt) tokenRotations[user.name] = saUser.tokenRotatesAt;
            } else if (keycloakAccess && spec.oidc) {
                const oidc = spec.oidc;
                // A public client's kubeconfig holds no secret; a confidential client's holds its secret.
                kubeconfigs[user.name] = pulumi.secret(
                    pulumi.output(keycloakAccess.clientSecret).apply((clientSecret) =>
                        renderKubeconfig({
                            cluster: spec.cluster,
                            userName: user.name,
                            credential: oidcCredential(oidc, clientSecret),
                        }),
                    ),
                );
            }
        }

        // Impersonators' kubeconfigs get one more context per user they may act as.
        for (const user of spec.users) {
            const contexts = impersonationContexts(user, spec);
            if (kubeconfigs[user.name] && contexts.length > 0) {
                kubeconfigs[user.name] = kubeconfigs[user.name].apply((k) => addImpersonationContexts(k, contexts));
            }
        }
        const impersonationGrants = planImpersonation(spec);
        if (impersonationGrants.length > 0) {
            new ImpersonationAccess(
                "impersonation",
                { grants: impersonationGrants },
                { ...child, dependsOn: [...namespaces.values()] },
            );
        }
        const mayImpersonate = impersonationsByUser(spec);

        const planned = planRoleBindings(spec);
        new AccessBindings("bindings", { bindings: planned }, { ...child, dependsOn: [...namespaces.values()] });

        this.kubeconfigs = pulumi.secret(pulumi.all(kubeconfigs));
        const grants = grantsByUser(spec, planned);
        const grantDetails = grantDetailsByUser(spec, planned);
        // Each run states where each certificate stands at the time it runs.
        const now = Date.now();
        this.users = pulumi.all([expiries, renewals, tokenRotations]).apply(([expiresAt, renewsAt, tokenRotatesAt]) =>
            spec.users.map((u): UserSummary => ({
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
            })),
        );
        if (spec.oidc) {
            this.oidc = {
                issuerUrl: spec.oidc.issuerUrl,
                clientId: spec.oidc.clientId,
                flags: apiServerOidcFlags(spec.oidc),
                authenticationConfiguration: authenticationConfigurationYaml(spec.oidc),
                ...(spec.oidc.caCertificatePem ? { caCertificate: spec.oidc.caCertificatePem } : {}),
            };
        }
        this.usersByName = this.users.apply((list) => Object.fromEntries(list.map((u) => [u.name, u])));
        if (spec.authenticatingProxy) {
            const proxy = new AuthenticatingProxy(
                "authenticating-proxy",
                { spec: spec.authenticatingProxy, caKey: secrets.authenticatingProxyCaKey },
                child,
            );
            this.authenticatingProxy = {
                caFile: spec.authenticatingProxy.caFile,
                caCertificate: proxy.caCertificate,
                apiServerFlags: proxy.apiServerFlags,
                stripHeaders: proxy.stripHeaders,
                credentials: proxy.credentials,
            };
        }
        this.registerOutputs({
            kubeconfigs: this.kubeconfigs,
            users: this.users,
            usersByName: this.usersByName,
            oidc: this.oidc,
            authenticatingProxy: this.authenticatingProxy,
        });
    }
}
