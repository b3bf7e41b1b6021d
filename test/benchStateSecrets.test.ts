import * as crypto from "crypto";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { plaintextBytesOfCiphertext, stateSecrets } from "../scripts/bench/stateSecrets";

const secret = (ciphertext: string) => ({ [specialSigKey]: specialSecretSig, ciphertext });

/** A ciphertext in the passphrase secrets manager's format: v1:<nonce>:<AES-256-GCM output and tag>, in base64. */
function passphraseCiphertext(plaintext: string): string {
    const nonce = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", crypto.randomBytes(32), nonce);
    const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `v1:${nonce.toString("base64")}:${sealed.toString("base64")}`;
}

describe("stateSecrets", () => {
    it("counts every secret in inputs and outputs, at any depth, with its ciphertext's length", () => {
        const found = stateSecrets([
            { type: "tls:index/privateKey:PrivateKey", outputs: { privateKeyPem: secret("abcd"), algorithm: "RSA" } },
            {
                type: "kubernetes:core/v1:Secret",
                inputs: { metadata: { name: "t" } },
                outputs: { data: secret("0123456789"), list: [secret("xy"), { deep: secret("z") }] },
            },
            { type: "kube-access:index:KubeAccess" },
        ]);
        expect(found).toEqual({ count: 4, ciphertextBytes: 17 });
    });

    it("leaves out the root stack's outputs, which are recorded once at the end", () => {
        const found = stateSecrets([
            { type: "pulumi:pulumi:Stack", outputs: { kubeconfigs: secret("x".repeat(1000)) } },
            { type: "pulumi-nodejs:dynamic/serviceAccounts:ServiceAccountToken", outputs: { token: secret("abc") } },
        ]);
        expect(found).toEqual({ count: 1, ciphertextBytes: 3 });
    });

    it("counts a value marked secret inside a secret once, and plain look-alikes not at all", () => {
        const found = stateSecrets([
            {
                type: "t",
                outputs: {
                    outer: { ...secret("abc"), inner: secret("d") },
                    plain: { [specialSigKey]: "something else", ciphertext: "nope" },
                },
            },
        ]);
        expect(found).toEqual({ count: 1, ciphertextBytes: 3 });
    });

    it("finds nothing in a state without secrets", () => {
        expect(stateSecrets([])).toEqual({ count: 0, ciphertextBytes: 0 });
    });
});

describe("plaintextBytesOfCiphertext", () => {
    it.each([1, 2, 3, 47, 108, 700, 1_000, 4_096, 6_917])(
        "gives the length of a %i-character text from its passphrase ciphertext, to 2 characters",
        (length) => {
            const ciphertext = passphraseCiphertext("p".repeat(length));
            const estimate = plaintextBytesOfCiphertext(ciphertext.length);
            expect(Math.abs(estimate - length)).toBeLessThanOrEqual(2);
        },
    );
});
