import { execFileSync } from "child_process";
import { providerClusterIdentifier } from "../components/access/kubeAccess";
import { testCa } from "./helpers/fixtures";

// The provider's clusterIdentifier: the real-engine proof that a kubeconfig change is an
// update, not a replacement, is test/e2e/clusterIdentity.test.ts.
describe("providerClusterIdentifier", () => {
    const ca = testCa().certificatePem;
    const cluster = { name: "prod", server: "https://10.0.0.1:6443", caCertificatePem: ca };

    test("is the API server URL and the CA's SHA-256 fingerprint, as openssl computes it", () => {
        const openssl = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], {
            input: ca,
            encoding: "utf8",
        });
        const fingerprint = openssl.split("=")[1].trim().replace(/:/g, "").toLowerCase();
        expect(providerClusterIdentifier(cluster)).toBe(`https://10.0.0.1:6443#sha256:${fingerprint}`);
    });

    test("the kubeconfig entry's name does not enter it; another server or CA does", () => {
        const id = providerClusterIdentifier(cluster);
        expect(providerClusterIdentifier({ ...cluster, name: "renamed" })).toBe(id);
        expect(providerClusterIdentifier({ ...cluster, server: "https://10.0.0.2:6443" })).not.toBe(id);
        expect(providerClusterIdentifier({ ...cluster, caCertificatePem: testCa("other-ca").certificatePem })).not.toBe(
            id,
        );
    });
});
