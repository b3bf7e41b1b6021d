import { ClusterSpec, OidcSpec } from "../model/types";
import { KubeconfigCredential, renderKubeconfig } from "../kubeconfig/render";

/**
 * The kubeconfig credential of an OIDC user. Neither form holds a password or
 * a token, and the client secret only when the client is confidential
 * (`clientSecret` given); a public client needs none.
 *
 * - `exec` (default): kubectl runs kubelogin (`kubectl oidc-login get-token`)
 *   for every request; kubelogin logs the user in with the configured grant
 *   (`--grant-type`: browser with PKCE S256, device code, or password) and
 *   refreshes tokens itself. Flags as documented by kubelogin v1.36.
 * - `auth-provider`: kubectl's built-in `oidc` auth provider (still in
 *   kubectl; 1.26 removed only the gcp and azure providers). It cannot log
 *   in, only refresh: it needs an `id-token` and `refresh-token` in the
 *   kubeconfig first, which kubelogin's standalone mode writes (see
 *   {@link oidcFirstStep}).
 */
export function oidcCredential(oidc: OidcSpec, clientSecret?: string): KubeconfigCredential {
    const caData = oidc.caCertificatePem ? Buffer.from(oidc.caCertificatePem).toString("base64") : undefined;
    const secret = oidc.clientType === "confidential" ? clientSecret : undefined;
    if (oidc.clientType === "confidential" && secret === undefined) {
        throw new Error("a confidential OIDC client needs its secret in the kubeconfig");
    }
    if (oidc.kubeconfigStyle === "auth-provider") {
        return {
            kind: "authProvider",
            name: "oidc",
            config: {
                "idp-issuer-url": oidc.issuerUrl,
                "client-id": oidc.clientId,
                ...(secret !== undefined ? { "client-secret": secret } : {}),
                ...(oidc.extraScopes.length > 0 ? { "extra-scopes": oidc.extraScopes.join(",") } : {}),
                ...(caData ? { "idp-certificate-authority-data": caData } : {}),
            },
        };
    }
    return {
        kind: "exec",
        exec: {
            command: "kubectl",
            args: [
                "oidc-login",
                "get-token",
                `--oidc-issuer-url=${oidc.issuerUrl}`,
                `--oidc-client-id=${oidc.clientId}`,
                ...(secret !== undefined ? [`--oidc-client-secret=${secret}`] : []),
                ...kubeloginLoginArgs(oidc),
                ...oidc.extraScopes.map((s) => `--oidc-extra-scope=${s}`),
                ...(caData ? [`--certificate-authority-data=${caData}`] : []),
            ],
            interactiveMode: "IfAvailable",
        },
    };
}

/**
 * kubelogin flags that pick the login grant: `--grant-type`, and for the
 * browser flow `--oidc-pkce-method=S256`, so PKCE is used even where Keycloak
 * does not enforce it (see enforcesPkce in keycloakAccess.ts).
 */
export function kubeloginLoginArgs(oidc: OidcSpec): string[] {
    return [
        `--grant-type=${oidc.kubeloginGrantType}`,
        ...(oidc.kubeloginGrantType === "authcode" ? ["--oidc-pkce-method=S256"] : []),
    ];
}

/**
 * What an OIDC user must do before the delivered kubeconfig works, in one
 * sentence; `<kubeconfig>` stands for the file they saved it to.
 */
export function oidcFirstStep(oidc: OidcSpec): string {
    // kubelogin's standalone mode (no subcommand) has --grant-type but no PKCE flags; it uses PKCE S256
    // when the issuer's discovery document offers it, as Keycloak's does.
    const login = `kubectl oidc-login --kubeconfig <kubeconfig> --grant-type=${oidc.kubeloginGrantType}`;
    return oidc.kubeconfigStyle === "auth-provider"
        ? `log in once with kubelogin's standalone mode, \`${login}\`: it writes the id-token and refresh-token ` +
              "that kubectl's oidc auth provider needs into this kubeconfig, and kubectl refreshes them from then on"
        : "install kubelogin as the kubectl plugin oidc-login (https://github.com/int128/kubelogin); " +
              "kubectl then runs it and it logs you in on first use";
}

/**
 * The kubeconfig kube-access delivers to an OIDC user, as YAML text: the
 * cluster and {@link oidcCredential}. `clientSecret` is needed (and written)
 * only for a confidential client.
 */
export function oidcKubeconfig(cluster: ClusterSpec, userName: string, oidc: OidcSpec, clientSecret?: string): string {
    return renderKubeconfig({ cluster, userName, credential: oidcCredential(oidc, clientSecret) });
}
