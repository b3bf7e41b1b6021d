import { OidcSpec } from "../spec/types";
import { KubeconfigCredential } from "../kubeconfig/render";

/**
 * The kubeconfig credential of an OIDC user. By default an exec entry that
 * runs kubelogin (`kubectl oidc-login get-token`), which logs the user in
 * with the browser (authorization code + PKCE) and refreshes tokens itself;
 * with `kubeconfigStyle: auth-provider`, the legacy `auth-provider: oidc`
 * entry (removed from kubectl 1.26+, kept for older clients). Neither holds a
 * password or a token: the user logs in on first use.
 */
export function oidcCredential(oidc: OidcSpec, clientSecret: string): KubeconfigCredential {
    const caData = oidc.caCertificatePem ? Buffer.from(oidc.caCertificatePem).toString("base64") : undefined;
    if (oidc.kubeconfigStyle === "auth-provider") {
        return {
            kind: "authProvider",
            name: "oidc",
            config: {
                "idp-issuer-url": oidc.issuerUrl,
                "client-id": oidc.clientId,
                "client-secret": clientSecret,
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
                `--oidc-client-secret=${clientSecret}`,
                ...oidc.extraScopes.map((s) => `--oidc-extra-scope=${s}`),
                ...(caData ? [`--certificate-authority-data=${caData}`] : []),
            ],
            interactiveMode: "IfAvailable",
        },
    };
}
