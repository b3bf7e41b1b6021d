import * as YAML from "yaml";
import { renderKubeconfig } from "./render";

const cluster = {
    name: "demo-rbac",
    server: "https://10.0.0.1:6443",
    caCertificatePem: "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
};
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("renderKubeconfig", () => {
    test("client certificate: embedded data, one context, current", () => {
        const doc = YAML.parse(
            renderKubeconfig({
                cluster,
                userName: "user1",
                credential: { kind: "clientCertificate", certificatePem: "CERT", privateKeyPem: "KEY" },
            }),
        );
        expect(doc).toEqual({
            apiVersion: "v1",
            kind: "Config",
            clusters: [
                {
                    name: "demo-rbac",
                    cluster: { server: cluster.server, "certificate-authority-data": b64(cluster.caCertificatePem) },
                },
            ],
            users: [{ name: "user1", user: { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") } }],
            contexts: [{ name: "user1@demo-rbac", context: { cluster: "demo-rbac", user: "user1" } }],
            "current-context": "user1@demo-rbac",
            preferences: {},
        });
    });

    test("token with a default namespace", () => {
        const doc = YAML.parse(
            renderKubeconfig({ cluster, userName: "sa1", namespace: "ci", credential: { kind: "token", token: "T" } }),
        );
        expect(doc.users[0].user).toEqual({ token: "T" });
        expect(doc.contexts[0].context).toEqual({ cluster: "demo-rbac", user: "sa1", namespace: "ci" });
    });

    test("values that look like YAML syntax survive the round trip", () => {
        const token = "a: b\n- c # d";
        const doc = YAML.parse(
            renderKubeconfig({
                cluster: { ...cluster, name: "x: y" },
                userName: "u@corp",
                credential: { kind: "token", token },
            }),
        );
        expect(doc.users[0].user.token).toBe(token);
        expect(doc["current-context"]).toBe("u@corp@x: y");
    });

    test("is deterministic", () => {
        const input = { cluster, userName: "u", credential: { kind: "token" as const, token: "T" } };
        expect(renderKubeconfig(input)).toBe(renderKubeconfig(input));
    });
});
