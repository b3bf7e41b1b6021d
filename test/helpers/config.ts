import { RawConfig } from "../../components/access/validate";
import { testCa } from "./fixtures";

/** Secret keys as the engine reports them for {@link validConfig}. */
export const secretKeys = ["clusterCaKey", "clusterKubeconfig", "oidcInitialPasswords"];

/** A valid raw config with every auth method, mirroring the article's users. */
export function validConfig(): RawConfig {
    const ca = testCa();
    return {
        cluster: { name: "demo", server: "https://127.0.0.1:6443", caCertificate: ca.certificatePem },
        clusterCaKey: ca.privateKeyPem,
        users: [
            { name: "user1", groups: ["group1", "group2"], auth: { method: "certificate", signer: "external" } },
            {
                name: "user2",
                groups: ["group1"],
                auth: {
                    method: "certificate",
                    signer: "cluster",
                    keyAlgorithm: "ECDSA-P256",
                    validityHours: 24,
                    renewBeforeHours: 2,
                },
            },
            { name: "sa1", auth: { method: "serviceAccount", namespace: "ci" } },
            {
                name: "da-admin",
                groups: ["admins"],
                auth: { method: "oidc", email: "da@example.com", firstName: "Da", lastName: "Admin" },
            },
        ],
        bindings: [
            { clusterRole: "view", subjects: [{ group: "group1" }, { user: "sa1" }] },
            { name: "admins", clusterRole: "admin", namespaces: ["default"], subjects: [{ group: "admins" }] },
        ],
        oidc: { issuerUrl: "https://127.0.0.1:8443/realms/kube-access", realm: "kube-access" },
    };
}
