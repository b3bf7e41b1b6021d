import * as YAML from "yaml";
import { OidcSpec } from "../model/types";
import { oidcClaimMappings } from "../model/identity";

/** Where `--oidc-ca-file` points when config does not say. */
export const defaultApiServerCaFile = "/etc/kubernetes/pki/oidc-ca.crt";

/**
 * The kube-apiserver `--oidc-*` flags that make it trust the issuer. An
 * alternative to {@link authenticationConfiguration}: use one, never both.
 */
export function apiServerOidcFlags(oidc: OidcSpec): string[] {
    const { username, groups } = oidcClaimMappings(oidc);
    const flags = [
        `--oidc-issuer-url=${oidc.issuerUrl}`,
        `--oidc-client-id=${oidc.clientId}`,
        `--oidc-username-claim=${username.claim}`,
        `--oidc-username-prefix=${username.prefix}`,
        `--oidc-groups-claim=${groups.claim}`,
        `--oidc-groups-prefix=${groups.prefix}`,
    ];
    if (oidc.caCertificatePem !== undefined || oidc.apiServerCaFile !== undefined) {
        flags.push(`--oidc-ca-file=${oidc.apiServerCaFile ?? defaultApiServerCaFile}`);
    }
    return flags;
}

/**
 * An `AuthenticationConfiguration` (apiserver.config.k8s.io/v1) with one JWT
 * authenticator for the issuer, mapping claims exactly as the flags do. Pass
 * it with `--authentication-config`; the API server reloads it when it changes.
 */
export function authenticationConfiguration(oidc: OidcSpec): Record<string, unknown> {
    return {
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "AuthenticationConfiguration",
        jwt: [
            {
                issuer: {
                    url: oidc.issuerUrl,
                    audiences: [oidc.clientId],
                    ...(oidc.caCertificatePem ? { certificateAuthority: oidc.caCertificatePem } : {}),
                },
                claimMappings: oidcClaimMappings(oidc),
            },
        ],
    };
}

/** {@link authenticationConfiguration} as the YAML file the API server reads. */
export function authenticationConfigurationYaml(oidc: OidcSpec): string {
    return YAML.stringify(authenticationConfiguration(oidc), { lineWidth: 0 });
}
