import * as YAML from "yaml";

/** What a token request to the issuer needs, as an OIDC user's kubeconfig names it. */
export interface OidcClientSettings {
    /** The issuer URL (`https://<keycloak>/realms/<realm>`); token endpoints are below it. */
    issuerUrl: string;
    clientId: string;
    /** Only a confidential client's kubeconfigs carry its secret. */
    clientSecret?: string;
    /** PEM of the CA of the issuer's serving certificate, when the kubeconfig names one. */
    caCertificatePem?: string;
}

/**
 * The OIDC client settings of the first user of a kubeconfig, in either form
 * kube-access writes (components/oidc/kubeconfigCredential.ts): an `exec`
 * entry running kubelogin (`--oidc-issuer-url=`, `--oidc-client-id=`,
 * `--oidc-client-secret=`, `--certificate-authority-data=` flags, as
 * kubelogin v1.36 documents them) or kubectl's `oidc` auth provider
 * (`idp-issuer-url`, `client-id`, `client-secret`,
 * `idp-certificate-authority-data`). Throws when the kubeconfig has neither,
 * or names no issuer or client id.
 */
export function oidcClientSettings(kubeconfigText: string): OidcClientSettings {
    const user = (YAML.parse(kubeconfigText)?.users?.[0]?.user ?? {}) as {
        exec?: { args?: string[] };
        "auth-provider"?: { name?: string; config?: Record<string, string> };
    };
    let found: Record<string, string | undefined>;
    if (user.exec) {
        const flags: Record<string, string> = {};
        for (const arg of user.exec.args ?? []) {
            const m = /^--([a-z-]+)=(.*)$/.exec(arg);
            if (m) flags[m[1]] = m[2];
        }
        found = {
            issuerUrl: flags["oidc-issuer-url"],
            clientId: flags["oidc-client-id"],
            clientSecret: flags["oidc-client-secret"],
            caData: flags["certificate-authority-data"],
        };
    } else if (user["auth-provider"]?.name === "oidc") {
        const c = user["auth-provider"].config ?? {};
        found = {
            issuerUrl: c["idp-issuer-url"],
            clientId: c["client-id"],
            clientSecret: c["client-secret"],
            caData: c["idp-certificate-authority-data"],
        };
    } else {
        throw new Error("the kubeconfig has no OIDC user (exec kubelogin or auth-provider oidc)");
    }
    const { issuerUrl, clientId, clientSecret, caData } = found;
    if (!issuerUrl || !clientId) throw new Error("the kubeconfig's OIDC user names no issuer URL or client id");
    return {
        issuerUrl,
        clientId,
        ...(clientSecret ? { clientSecret } : {}),
        ...(caData ? { caCertificatePem: Buffer.from(caData, "base64").toString("utf8") } : {}),
    };
}
