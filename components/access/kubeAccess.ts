import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { AccessSpec, CertificateAuth, ClusterSpec, OidcAuth, ServiceAccountAuth, UserSpec } from "../model/types";
import { AccessSecrets } from "./load";
import { CertificateUser } from "../certificates/certificateUser";
import { ServiceAccountUser } from "../serviceAccounts/serviceAccountUser";
import { KeycloakAccess } from "../oidc/keycloakAccess";
import { apiServerOidcFlags, authenticationConfigurationYaml } from "../oidc/apiServer";
import { managedNamespaces } from "../namespaces";
import { AccessBindings } from "../rbac/accessBindings";
import { planRoleBindings } from "../rbac/plan";
import { AuthenticatingProxy, ProxyCredential } from "../proxy/authenticatingProxy";
import { ImpersonationAccess } from "../impersonation/impersonationAccess";
import { addImpersonationContexts, impersonationContexts, planImpersonation } from "../impersonation/plan";
import { UnlistedSubjectSummary, UserSummary, unlistedSubjectSummaries, userSummaries } from "./summary";
import { certificateStatus } from "../certificates/certificateStatus";
import { clusterKubeconfigFromStackConfig } from "../kubernetesApi/client";

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

/** A {@link UserSummary} whose fields may each be an Output: the credential's times are, until they are known. */
export type UserSummaryOutputs = { [K in keyof UserSummary]: UserSummary[K] | pulumi.Output<UserSummary[K]> };

/**
 * A user's summary with their credential's times, each an Output of its own:
 * a certificate's expiry, the start of its renewal window and its standing
 * at `now` (milliseconds since the epoch); a token's replacement time. A time
 * that does not apply to the user is left out, as {@link userSummaries} does.
 */
function withCredentialTimes(
    summary: UserSummary,
    times: {
        expiresAt?: pulumi.Output<string>;
        renewsAt?: pulumi.Output<string | undefined>;
        tokenRotatesAt?: pulumi.Output<string>;
        now: number;
    },
): UserSummaryOutputs {
    const { expiresAt, renewsAt, tokenRotatesAt, now } = times;
    return {
        ...summary,
        ...(expiresAt ? { expiresAt } : {}),
        ...(expiresAt && renewsAt
            ? {
                  renewsAt,
                  // One apply inside another rather than `pulumi.all`: fewer of the SDK's promises per user.
                  certificateStatus: expiresAt.apply((notAfter) =>
                      renewsAt.apply((start) =>
                          start === undefined ? undefined : certificateStatus(notAfter, start, now),
                      ),
                  ),
              }
            : {}),
        ...(tokenRotatesAt ? { tokenRotatesAt } : {}),
    };
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
    /**
     * A non-secret summary of every user, keyed by user name: the stack's
     * `users` output, so a preview shows a removed user as removed and a new
     * one as added, never as a rename of a list entry. Each summary is plain
     * data known at preview (method, groups, identity, grants, credential
     * settings); in a preview, a credential's times (`expiresAt`, `renewsAt`,
     * `certificateStatus`, `tokenRotatesAt`) are Outputs of their own. So a
     * preview that creates or re-issues a credential, whose times are unknown
     * until `pulumi up`, still shows every user's grants and what changes. In
     * an update, where every time is known, it is one Output of the whole record.
     */
    public readonly usersByName: pulumi.Input<Record<string, UserSummaryOutputs>>;
    private usersList?: pulumi.Output<UserSummary[]>;

    /** The same summaries as one list, in config order, once every credential's times are known. */
    get users(): pulumi.Output<UserSummary[]> {
        // Made when first asked for: the stack's outputs do not need it.
        this.usersList ??= pulumi.output(this.usersByName).apply((byName) => Object.values(byName)) as pulumi.Output<
            UserSummary[]
        >;
        return this.usersList;
    }
    /**
     * Every bound user or group that no user in config stands for (external
     * subjects, groups with no listed member), keyed `user:<name>` or
     * `group:<name>`, with its grants: the stack's `unlistedSubjects` output.
     * Plain data from config, known at preview.
     */
    public readonly unlistedSubjects: Record<string, UnlistedSubjectSummary>;
    /** API server OIDC settings, when OIDC is configured. */
    public readonly oidc?: OidcApiServerSettings;
    /** Request-header settings and proxy credentials, when authenticating proxies are configured. */
    public readonly authenticatingProxy?: AuthenticatingProxySettings;

    constructor(name: string, args: KubeAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:index:KubeAccess", name, {}, opts);
        const { spec, secrets } = args;
        const child = { parent: this };

        const namespaces = managedNamespaces(spec, child);

        const keycloakAccess =
            spec.oidc && spec.users.some(hasMethod<OidcAuth>("oidc"))
                ? new KeycloakAccess(
                      "keycloak",
                      {
                          oidc: spec.oidc,
                          users: spec.users.filter(hasMethod<OidcAuth>("oidc")),
                          initialPasswords: secrets.oidcInitialPasswords,
                      },
                      child,
                  )
                : undefined;

        const kubeconfigs: Record<string, pulumi.Output<string>> = {};
        const expiries: Record<string, pulumi.Output<string>> = {};
        const renewals: Record<string, pulumi.Output<string | undefined>> = {};
        const tokenRotations: Record<string, pulumi.Output<string>> = {};
        // kube-access's own resources name the stack config key rather than hold the kubeconfig (state size).
        const methodKubeconfig = secrets.clusterKubeconfigInStackConfig
            ? clusterKubeconfigFromStackConfig
            : secrets.clusterKubeconfig;
        for (const user of spec.users) {
            const resourceName = `user-${user.name}`;
            if (hasMethod<CertificateAuth>("certificate")(user)) {
                const certUser = new CertificateUser(
                    resourceName,
                    {
                        user,
                        cluster: spec.cluster,
                        clusterCaKey: secrets.clusterCaKey,
                        clusterKubeconfig: methodKubeconfig,
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
                        clusterKubeconfig: methodKubeconfig,
                        tokenTimeoutSeconds: serviceAccountTokenTimeoutSeconds,
                    },
                    { ...child, dependsOn: ns ? [ns] : [] },
                );
                kubeconfigs[user.name] = saUser.kubeconfig;
                if (saUser.tokenRotatesAt) tokenRotations[user.name] = saUser.tokenRotatesAt;
            } else if (keycloakAccess) {
                kubeconfigs[user.name] = keycloakAccess.kubeconfig(user.name, spec.cluster);
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

        const planned = planRoleBindings(spec);
        new AccessBindings("bindings", { bindings: planned }, { ...child, dependsOn: [...namespaces.values()] });

        this.kubeconfigs = pulumi.secret(pulumi.all(kubeconfigs));
        // Each run states where each certificate stands at the time it runs.
        const now = Date.now();
        // In a preview, a credential to be made or re-issued has unknown times: each time is then an Output of
        // its own, so the users output still shows every user's grants. In an update every time is known, and
        // one Output for all of them costs the SDK far fewer promises (docs/performance-runs.md, run 23).
        this.usersByName = pulumi.runtime.isDryRun()
            ? Object.fromEntries(
                  userSummaries(spec, planned, { expiresAt: {} }, now).map((summary) => [
                      summary.name,
                      withCredentialTimes(summary, {
                          expiresAt: expiries[summary.name],
                          renewsAt: renewals[summary.name],
                          tokenRotatesAt: tokenRotations[summary.name],
                          now,
                      }),
                  ]),
              )
            : pulumi
                  .all([expiries, renewals, tokenRotations])
                  .apply(([expiresAt, renewsAt, tokenRotatesAt]) =>
                      Object.fromEntries(
                          userSummaries(spec, planned, { expiresAt, renewsAt, tokenRotatesAt }, now).map((u) => [
                              u.name,
                              u,
                          ]),
                      ),
                  );
        this.unlistedSubjects = unlistedSubjectSummaries(spec, planned);
        if (spec.oidc) {
            this.oidc = {
                issuerUrl: spec.oidc.issuerUrl,
                clientId: spec.oidc.clientId,
                flags: apiServerOidcFlags(spec.oidc),
                authenticationConfiguration: authenticationConfigurationYaml(spec.oidc),
                ...(spec.oidc.caCertificatePem ? { caCertificate: spec.oidc.caCertificatePem } : {}),
            };
        }
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
        // Kubeconfigs and the user summaries are not repeated in the component's
        // state: the stack outputs and the methods' resources hold them (state
        // size, docs/performance.md).
        this.registerOutputs({
            oidc: this.oidc,
            authenticatingProxy: this.authenticatingProxy,
        });
    }
}
