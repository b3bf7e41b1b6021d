import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { isSecret, promiseOf, recordingMocks } from "./helpers/mocks";
import { secretKeys, validConfig } from "./helpers/config";
import { opensslCsr, testCa } from "./helpers/fixtures";

// Mock-based: a user who made their own key and CSR (the article's first step).
const ca = testCa();
const { mocks, resources } = recordingMocks(ca.certificatePem);
const own = opensslCsr("/CN=user2/O=group1");

test("kube-access signs the user's own CSR and never holds their key", async () => {
    await pulumi.runtime.setMocks(mocks, "kube-access", "test", false);
    const { KubeAccess, validateAccessSpec } = await import("../components");
    const config = validConfig();
    (config.users as Record<string, unknown>[])[1].auth = {
        method: "certificate",
        signer: "cluster",
        // As Java keytool writes it, with Windows line endings: the signer must still get CERTIFICATE REQUEST.
        certificateRequest: own.csrPem
            .replace(/CERTIFICATE REQUEST-----/g, "NEW CERTIFICATE REQUEST-----")
            .replace(/\n/g, "\r\n"),
    };
    const spec = validateAccessSpec(config, { secretKeys });
    const access = new KubeAccess("kube-access", {
        spec,
        secrets: { clusterCaKey: pulumi.secret(ca.privateKeyPem), oidcInitialPasswords: {} },
    });
    const kubeconfigs = await promiseOf(access.kubeconfigs);

    expect(resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey").map((r) => r.name)).toEqual([
        "user-user1-key",
    ]);
    const request = resources.find((r) => r.type === "pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate")!;
    expect(request.inputs.requestPem).toBe(own.csrPem);
    expect(request.inputs.usages).toEqual(["digital signature", "key encipherment", "client auth"]);

    const user = YAML.parse(kubeconfigs.user2).users[0].user;
    expect(user["client-key"]).toBe("user2.key");
    expect(user["client-key-data"]).toBeUndefined();
    expect(kubeconfigs.user2).not.toContain(own.keyPem.split("\n")[1]);
    expect(await isSecret(access.kubeconfigs)).toBe(true);
    const summary = (await promiseOf(access.users)).find((u) => u.name === "user2");
    expect(summary).toMatchObject({
        keyHeldBy: "user",
        signer: "cluster",
        firstStep: expect.stringMatching(/beside the kubeconfig as user2\.key$/),
    });
});

test("an externally signed user's own CSR keys the renewal schedule as it always has", async () => {
    await pulumi.runtime.setMocks(mocks, "kube-access", "test", false);
    const { KubeAccess, validateAccessSpec } = await import("../components");
    const config = validConfig();
    const external = opensslCsr("/CN=user1/O=group1/O=group2");
    (config.users as Record<string, unknown>[])[0].auth = {
        method: "certificate",
        signer: "external",
        certificateRequest: external.csrPem,
    };
    resources.length = 0;
    const access = new KubeAccess("kube-access", {
        spec: validateAccessSpec(config, { secretKeys }),
        secrets: { clusterCaKey: pulumi.secret(ca.privateKeyPem), oidcInitialPasswords: {} },
    });
    await promiseOf(access.kubeconfigs);
    const cert = resources.find((r) => r.type === "tls:index/locallySignedCert:LocallySignedCert")!;
    expect(cert.inputs.certRequestPem).toBe(external.csrPem);
    const schedule = resources.find((r) => r.type === "pulumi-nodejs:dynamic/certificates:CertificateRenewal")!;
    const issuance = JSON.stringify([external.csrPem, ca.certificatePem, cert.inputs.allowedUses]);
    expect(schedule.inputs.issuanceSha256).toBe(crypto.createHash("sha256").update(issuance).digest("hex"));
});
