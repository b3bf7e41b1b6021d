import { AuthenticatingProxySpec } from "../model/types";

/**
 * The kube-apiserver flags that trust the declared proxies (Kubernetes
 * "Authenticating", Authenticating proxy; kube-apiserver reference):
 * `--requestheader-client-ca-file` (the request-header CA, kept at
 * `caFile` on the API server host), `--requestheader-allowed-names` (the
 * proxies' CNs; never empty, since an empty list trusts every certificate the
 * CA signs), and the username, group and extra header settings.
 */
export function requestHeaderFlags(spec: AuthenticatingProxySpec): string[] {
    return [
        `--requestheader-client-ca-file=${spec.caFile}`,
        `--requestheader-allowed-names=${spec.proxies.map((p) => p.name).join(",")}`,
        `--requestheader-username-headers=${spec.usernameHeaders.join(",")}`,
        `--requestheader-group-headers=${spec.groupHeaders.join(",")}`,
        `--requestheader-extra-headers-prefix=${spec.extraHeadersPrefixes.join(",")}`,
    ];
}

/**
 * Every header a proxy must remove from an incoming request before it adds
 * its own: the identity headers and extra prefixes the API server reads, and
 * the impersonation headers. A client that could send them through the proxy
 * would name itself any user, since the API server trusts whatever the proxy's
 * certificate carries.
 */
export function headersToStrip(spec: AuthenticatingProxySpec): string[] {
    return [
        ...spec.usernameHeaders,
        ...spec.groupHeaders,
        ...spec.extraHeadersPrefixes.map((p) => `${p}*`),
        "Impersonate-User",
        "Impersonate-Group",
        "Impersonate-Uid",
        "Impersonate-Extra-*",
        "Authorization",
    ];
}
