import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, promiseOf, recordingMocks } from "./helpers/mocks";
import { secretKeys, validConfig } from "./helpers/config";
import { testCa } from "./helpers/fixtures";

/*
 * Every OIDC grant option and client type gives a Keycloak client and a
 * kubeconfig that kubelogin (v1.36) can use together, as kubelogin documents
 * them: `get-token` flags, `--grant-type` (authcode | device-code | password),
 * `--oidc-pkce-method`; its device flow sends no PKCE (int128/kubelogin#1470),
 * so a client that allows the device grant must not have Keycloak enforce PKCE.
 * Mock-based: the inputs the Keycloak provider would get.
 */
const { mocks, resources } = recordingMocks(testCa().certificatePem);
type Components = typeof import("../components");
let components: Components;
let oidcKubeconfig: typeof import("../components/oidc/kubeconfigCredential");

beforeAll(async () => {
    await pulumi.runtime.setMocks(mocks, "kube-access", "test", false);
    components = await import("../components");
    oidcKubeconfig = await import("../components/oidc/kubeconfigCredential");
});

/** The `kubectl oidc-login get-token` flags kubelogin v1.36 documents that kube-access may write. */
const kubeloginGetTokenFlags = [
    "oidc-issuer-url",
    "oidc-client-id",
    "oidc-client-secret",
    "oidc-extra-scope",
    "grant-type",
    "oidc-pkce-method",
    "certificate-authority-data",
];

type OptionCase = [description: string, oidc: Record<string, unknown>, grant: string, clientType: string];
const optionCases: OptionCase[] = [
    ["defaults", {}, "authcode", "public"],
    // The value: the device grant allowed beside the browser flow.
    ["deviceAuthorizationGrant: true", { deviceAuthorizationGrant: true }, "authcode", "public"],
    ["kubeloginGrantType: device-code", { kubeloginGrantType: "device-code" }, "device-code", "public"],
    [
        "device-code with a confidential client",
        { kubeloginGrantType: "device-code", clientType: "confidential" },
        "device-code",
        "confidential",
    ],
    ["kubeloginGrantType: password", { kubeloginGrantType: "password" }, "password", "public"],
    ["directAccessGrants: true (the article's password grant)", { directAccessGrants: true }, "authcode", "public"],
    ["confidential client", { clientType: "confidential" }, "authcode", "confidential"],
    [
        "auth-provider kubeconfig with device-code",
        { kubeconfigStyle: "auth-provider", kubeloginGrantType: "device-code" },
        "device-code",
        "public",
    ],
];

/** The resource once the mocks have recorded it (registration is asynchronous). */
async function recorded(type: string, name: string): Promise<RecordedResource> {
    for (let i = 0; i < 100; i++) {
        const found = resources.find((r) => r.type === type && r.name === name);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no ${type} named ${name} was registered`);
}

describe.each(optionCases)("%s", (description, oidcOptions, grant, clientType) => {
    let client: RecordedResource;
    let kubeconfig: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    let spec: ReturnType<Components["validateAccessSpec"]>;

    beforeAll(async () => {
        const config = validConfig();
        Object.assign(config.oidc as object, oidcOptions);
        spec = components.validateAccessSpec(config, { secretKeys });
        const name = `kc-${optionCases.findIndex((c) => c[0] === description)}`;
        const access = new components.KeycloakAccess(name, {
            oidc: spec.oidc!,
            users: spec.users.filter((u) => u.auth.method === "oidc") as never,
            groups: ["admins"],
            initialPasswords: {},
        });
        await promiseOf(pulumi.all([access.realmId, ...Object.values(access.userIds)]));
        client = await recorded("keycloak:openid/client:Client", `${name}-client`);
        const secret = access.clientSecret ? await promiseOf(access.clientSecret) : undefined;
        kubeconfig = oidcKubeconfig.oidcCredential(spec.oidc!, secret) as never;
    });

    test("the client allows the grant kubelogin will use", () => {
        const allowed = {
            authcode: client.inputs.standardFlowEnabled,
            "device-code": client.inputs.oauth2DeviceAuthorizationGrantEnabled,
            password: client.inputs.directAccessGrantsEnabled,
        } as Record<string, boolean>;
        expect(allowed[grant]).toBe(true);
        expect(client.inputs.standardFlowEnabled).toBe(true);
    });

    test("Keycloak enforces PKCE exactly when the client does not allow the device grant", () => {
        const deviceAllowed = client.inputs.oauth2DeviceAuthorizationGrantEnabled === true;
        expect(client.inputs.pkceCodeChallengeMethod).toBe(deviceAllowed ? undefined : "S256");
    });

    test("the client type and the secret: public clients hand out none", () => {
        expect(client.inputs.accessType).toBe(clientType === "public" ? "PUBLIC" : "CONFIDENTIAL");
        const text = JSON.stringify(kubeconfig);
        if (clientType === "public") expect(text).not.toMatch(/client-secret|mock-client-secret/);
        else expect(text).toContain("mock-client-secret");
    });

    test("the kubeconfig selects the grant with flags kubelogin documents", () => {
        if (kubeconfig.kind === "exec") {
            const args: string[] = kubeconfig.exec.args;
            expect(args.slice(0, 2)).toEqual(["oidc-login", "get-token"]);
            for (const arg of args.slice(2)) {
                expect(kubeloginGetTokenFlags).toContain(/^--([a-z-]+)=/.exec(arg)?.[1]);
            }
            expect(args).toContain(`--grant-type=${grant}`);
            // PKCE in the browser flow even where Keycloak does not enforce it.
            if (grant === "authcode") expect(args).toContain("--oidc-pkce-method=S256");
        } else {
            // kubectl's auth provider cannot log in: the users output names the one login step, with the grant.
            expect(oidcKubeconfig.oidcFirstStep(spec.oidc!)).toContain(
                `kubectl oidc-login --kubeconfig <kubeconfig> --grant-type=${grant}`,
            );
        }
    });
});

describe("a grant kubelogin is told to use but the client does not allow is refused at validation", () => {
    test.each([
        ["device-code", "deviceAuthorizationGrant"],
        ["password", "directAccessGrants"],
    ])("kubeloginGrantType %s with %s: false", (grant, field) => {
        const config = validConfig();
        Object.assign(config.oidc as object, { kubeloginGrantType: grant, [field]: false });
        expect(() => components.validateAccessSpec(config, { secretKeys })).toThrow(
            new RegExp(`kube-access:oidc\\.${field}: is false, but oidc\\.kubeloginGrantType is ${grant}`),
        );
    });

    test("unknown client types and grants name the allowed values", () => {
        const config = validConfig();
        Object.assign(config.oidc as object, { clientType: "secret", kubeloginGrantType: "implicit" });
        expect(() => components.validateAccessSpec(config, { secretKeys })).toThrow(
            /oidc\.clientType: must be one of public, confidential[\s\S]*oidc\.kubeloginGrantType: must be one of authcode, device-code, password/,
        );
    });
});
