import { renderKubeconfig } from "../components/kubeconfig/render";
import { oidcCredential } from "../components/oidc/kubeconfigCredential";
import { validateAccessSpec } from "../components/access/validate";
import { oidcClientSettings } from "../scripts/lib/oidcKubeconfig";
import { secretKeys, validConfig } from "./helpers/config";
import { testCa } from "./helpers/fixtures";

/*
 * scripts/oidc-token.ts reads the issuer, client and CA back from a kubeconfig
 * kube-access wrote: every form the product writes (kubelogin exec or the oidc
 * auth provider, public or confidential client, with or without an issuer CA)
 * gives back what the config said.
 */
const ca = testCa("oidc-token-keycloak-ca").certificatePem;

function kubeconfigFor(oidc: Record<string, unknown>, clientSecret?: string): string {
    const config = validConfig();
    config.oidc = { ...(config.oidc as object), ...oidc };
    const spec = validateAccessSpec(config, { secretKeys }).oidc!;
    return renderKubeconfig({
        cluster: { name: "demo", server: "https://127.0.0.1:6443", caCertificatePem: ca },
        userName: "da-admin",
        credential: oidcCredential(spec, clientSecret),
    });
}

const issuerUrl = "https://127.0.0.1:8443/realms/kube-access";
const cases: [string, Record<string, unknown>, string | undefined, object][] = [
    ["kubelogin exec, public client, no issuer CA", {}, undefined, { issuerUrl, clientId: "kubernetes" }],
    [
        "kubelogin exec, confidential client, issuer CA, device-code grant",
        { clientType: "confidential", caCertificate: ca, kubeloginGrantType: "device-code", clientId: "k8s" },
        "s3cret",
        { issuerUrl, clientId: "k8s", clientSecret: "s3cret", caCertificatePem: ca },
    ],
    [
        "oidc auth provider, public client, issuer CA",
        { kubeconfigStyle: "auth-provider", caCertificate: ca },
        undefined,
        { issuerUrl, clientId: "kubernetes", caCertificatePem: ca },
    ],
    [
        "oidc auth provider, confidential client",
        { kubeconfigStyle: "auth-provider", clientType: "confidential" },
        "an0ther",
        { issuerUrl, clientId: "kubernetes", clientSecret: "an0ther" },
    ],
];

test.each(cases)("%s", (_label, oidc, clientSecret, expected) => {
    expect(oidcClientSettings(kubeconfigFor(oidc, clientSecret))).toEqual(expected);
});

const refused: [string, string, RegExp][] = [
    [
        "a token user's kubeconfig",
        renderKubeconfig({
            cluster: { name: "demo", server: "https://127.0.0.1:6443", caCertificatePem: ca },
            userName: "sa1",
            credential: { kind: "token", token: "t0ken" },
        }),
        /has no OIDC user/,
    ],
    ["an auth provider other than oidc", "users: [{name: u, user: {auth-provider: {name: gcp}}}]", /has no OIDC user/],
    [
        "an exec entry without the issuer flag",
        "users: [{name: u, user: {exec: {args: [--oidc-client-id=k]}}}]",
        /names no issuer URL/,
    ],
    ["no users at all", "apiVersion: v1\nkind: Config\n", /has no OIDC user/],
];

test.each(refused)("refused: %s", (_label, text, message) => {
    expect(() => oidcClientSettings(text)).toThrow(message);
});
