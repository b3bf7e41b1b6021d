import * as YAML from "yaml";
import { validateAccessSpec } from "../access/validate";
import { secretKeys, validConfig } from "../../test/helpers/config";
import { apiServerOidcFlags, authenticationConfiguration, defaultApiServerCaFile } from "./apiServer";
import { oidcCredential } from "./kubeconfigCredential";
import { testCa } from "../../test/helpers/fixtures";

function oidcSpec(extra: Record<string, unknown>) {
    const config = validConfig();
    config.oidc = { ...(config.oidc as object), ...extra };
    return validateAccessSpec(config, { secretKeys }).oidc!;
}

describe("API server settings", () => {
    test("with an issuer CA, the flags point at the CA file and the configuration embeds the CA", () => {
        const ca = testCa("keycloak-ca").certificatePem;
        const oidc = oidcSpec({
            caCertificate: ca,
            usernameClaim: "email",
            usernamePrefix: "kc:",
            groupsPrefix: "kc-group:",
        });
        expect(apiServerOidcFlags(oidc)).toEqual(
            expect.arrayContaining([
                "--oidc-username-claim=email",
                "--oidc-username-prefix=kc:",
                "--oidc-groups-prefix=kc-group:",
                `--oidc-ca-file=${defaultApiServerCaFile}`,
            ]),
        );
        const jwt = (authenticationConfiguration(oidc).jwt as Record<string, any>[])[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
        expect(jwt.issuer.certificateAuthority).toBe(ca);
        expect(jwt.claimMappings.username).toEqual({ claim: "email", prefix: "kc:" });
        expect(jwt.claimMappings.groups).toEqual({ claim: "groups", prefix: "kc-group:" });
    });

    test("the CA file location is configurable", () => {
        expect(apiServerOidcFlags(oidcSpec({ apiServerCaFile: "/srv/kc.pem" }))).toContain(
            "--oidc-ca-file=/srv/kc.pem",
        );
    });
});

describe("OIDC kubeconfig credentials", () => {
    test("exec (default): kubelogin with issuer, client, browser grant with PKCE and scopes; no secret, password or token", () => {
        const credential = oidcCredential(oidcSpec({}));
        expect(credential).toEqual({
            kind: "exec",
            exec: {
                command: "kubectl",
                args: [
                    "oidc-login",
                    "get-token",
                    "--oidc-issuer-url=https://127.0.0.1:8443/realms/kube-access",
                    "--oidc-client-id=kubernetes",
                    "--grant-type=authcode",
                    "--oidc-pkce-method=S256",
                    "--oidc-extra-scope=email",
                    "--oidc-extra-scope=profile",
                ],
                interactiveMode: "IfAvailable",
            },
        });
    });

    test("exec with a confidential client carries its secret, as kubelogin needs it for every token request", () => {
        const credential = oidcCredential(oidcSpec({ clientType: "confidential" }), "s3cret");
        expect(credential.kind === "exec" && credential.exec.args).toContain("--oidc-client-secret=s3cret");
        expect(() => oidcCredential(oidcSpec({ clientType: "confidential" }))).toThrow(/needs its secret/);
    });

    test("auth-provider form on request, with the issuer CA; no secret for a public client, no token", () => {
        const ca = testCa("keycloak-ca").certificatePem;
        const credential = oidcCredential(oidcSpec({ kubeconfigStyle: "auth-provider", caCertificate: ca }), "s3cret");
        expect(credential).toEqual({
            kind: "authProvider",
            name: "oidc",
            config: {
                "idp-issuer-url": "https://127.0.0.1:8443/realms/kube-access",
                "client-id": "kubernetes",
                "extra-scopes": "email,profile",
                "idp-certificate-authority-data": Buffer.from(ca).toString("base64"),
            },
        });
        expect(JSON.stringify(credential)).not.toMatch(/refresh-token|id-token|password|s3cret/);
        const confidential = oidcCredential(
            oidcSpec({ kubeconfigStyle: "auth-provider", clientType: "confidential" }),
            "s3cret",
        );
        expect(confidential.kind === "authProvider" && confidential.config["client-secret"]).toBe("s3cret");
    });

    test("the AuthenticationConfiguration is valid YAML for the API server", () => {
        expect(YAML.parse(YAML.stringify(authenticationConfiguration(oidcSpec({}))))).toMatchObject({
            kind: "AuthenticationConfiguration",
        });
    });
});
