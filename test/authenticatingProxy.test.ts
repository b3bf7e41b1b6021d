import {
    MockedKubeAccess,
    RecordedResource,
    isSecret,
    mockedKubeAccess,
    promiseOf,
    secretInput,
} from "./helpers/mocks";

// Mock-based: what the program asks the tls provider for when config declares
// authenticating proxies. test/e2e/authenticatingProxy.test.ts is the proof.
let ca: MockedKubeAccess["ca"];
let resources: RecordedResource[];
let access: MockedKubeAccess["access"];

const byType = (type: string): RecordedResource[] => resources.filter((r) => r.type === type);

beforeAll(async () => {
    ({ access, resources, ca } = await mockedKubeAccess((config) => {
        config.authenticatingProxy = {
            proxies: [{ name: "web-console" }, { name: "api-gateway", keyAlgorithm: "RSA-2048" }],
        };
    }));
});

test("kube-access creates its own request-header CA, not the cluster CA", async () => {
    const [selfSigned] = byType("tls:index/selfSignedCert:SelfSignedCert");
    expect(selfSigned.inputs).toMatchObject({
        isCaCertificate: true,
        subject: { commonName: "kube-access-request-header-ca" },
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    });
    expect(await promiseOf(access.authenticatingProxy!.caCertificate)).toBe(
        "self-signed:kube-access-request-header-ca",
    );
});

test("each proxy's certificate is signed by that CA for client auth, never with the cluster CA key", () => {
    const certificates = byType("tls:index/locallySignedCert:LocallySignedCert").filter((r) =>
        r.name.startsWith("authenticating-proxy-"),
    );
    expect(certificates.map((r) => r.name).sort()).toEqual([
        "authenticating-proxy-api-gateway-certificate",
        "authenticating-proxy-web-console-certificate",
    ]);
    for (const certificate of certificates) {
        expect(certificate.inputs.caCertPem).toBe("self-signed:kube-access-request-header-ca");
        expect(certificate.inputs.caPrivateKeyPem).not.toEqual(secretInput(ca.privateKeyPem));
        expect(certificate.inputs.allowedUses).toContain("client_auth");
    }
});

test("the API server flags name both proxies; the credentials are secret", async () => {
    expect(access.authenticatingProxy!.apiServerFlags).toContain(
        "--requestheader-allowed-names=web-console,api-gateway",
    );
    expect(await isSecret(access.authenticatingProxy!.credentials)).toBe(true);
    const credentials = await promiseOf(access.authenticatingProxy!.credentials);
    expect(Object.keys(credentials)).toEqual(["web-console", "api-gateway"]);
    expect(credentials["api-gateway"].privateKey).toMatch(/BEGIN RSA PRIVATE KEY/);
});
