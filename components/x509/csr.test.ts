import * as crypto from "crypto";
import { decodeCsr } from "../../test/helpers/x509";
import { buildCsrPem, clientCertificateUsages } from "./csr";

const keyCases: [string, () => string][] = [
    ["RSA-2048", () => rsaKey(2048)],
    ["ECDSA-P256", () => ecKey("P-256")],
    ["ECDSA-P384", () => ecKey("P-384")],
];

function rsaKey(bits: number): string {
    return crypto
        .generateKeyPairSync("rsa", { modulusLength: bits })
        .privateKey.export({ type: "pkcs1", format: "pem" })
        .toString();
}

function ecKey(namedCurve: string): string {
    return crypto
        .generateKeyPairSync("ec", { namedCurve })
        .privateKey.export({ type: "sec1", format: "pem" })
        .toString();
}

describe("buildCsrPem", () => {
    test.each(keyCases)("%s: subject has CN=user and one O per group, signature verifies", (_name, makeKey) => {
        const keyPem = makeKey();
        const pem = buildCsrPem(keyPem, { commonName: "user1", organizations: ["group1", "group2"] });
        const csr = decodeCsr(pem);
        expect(csr.commonNames).toEqual(["user1"]);
        expect(csr.organizations).toEqual(["group1", "group2"]);
        expect(csr.signatureValid).toBe(true);
        const keyPublic = crypto.createPublicKey(keyPem).export({ type: "spki", format: "der" });
        expect(csr.publicKeyDer.equals(keyPublic)).toBe(true);
    });

    test.each(keyCases)("%s: the same key and subject give byte-identical CSRs", (_name, makeKey) => {
        const keyPem = makeKey();
        const subject = { commonName: "user1", organizations: ["group1"] };
        expect(buildCsrPem(keyPem, subject)).toEqual(buildCsrPem(keyPem, subject));
    });

    // The tls provider writes PKCS#1 (RSA), SEC 1 (ECDSA) and PKCS#8 (Ed25519);
    // each is decoded as DER of its type, anything else goes to OpenSSL as it is.
    const forms: [string, crypto.KeyObject][] = [
        ["RSA-2048", crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey],
        ["ECDSA-P256", crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey],
        ["ECDSA-P521", crypto.generateKeyPairSync("ec", { namedCurve: "P-521" }).privateKey],
        ["ED25519", crypto.generateKeyPairSync("ed25519").privateKey],
    ];
    test.each(forms)("%s: every PEM form of the key gives the same CSR, signed by that key", (_name, key) => {
        const pem = (type: "pkcs1" | "sec1" | "pkcs8") => key.export({ type, format: "pem" } as never).toString();
        const native = key.asymmetricKeyType === "rsa" ? "pkcs1" : key.asymmetricKeyType === "ec" ? "sec1" : "pkcs8";
        const subject = { commonName: "user1", organizations: ["group1", "group2"] };
        const expected = buildCsrPem(pem(native), subject);
        const variants = [
            pem("pkcs8"),
            pem(native).replace(/\n/g, "\r\n"),
            `a key, as copied:\n${pem(native)}\nend of the copy\n`,
        ];
        for (const variant of variants) expect(buildCsrPem(variant, subject)).toEqual(expected);
        const csr = decodeCsr(expected);
        expect(csr.signatureValid).toBe(true);
        expect(csr.publicKeyDer.equals(crypto.createPublicKey(key).export({ type: "spki", format: "der" }))).toBe(true);
    });

    test("a PEM that holds no private key is refused by OpenSSL, not read as one", () => {
        const certificateLike = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        expect(() => buildCsrPem(certificateLike, { commonName: "u", organizations: [] })).toThrow();
        const damaged = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
        expect(() => buildCsrPem(damaged, { commonName: "u", organizations: [] })).toThrow();
    });

    test("a change of groups changes the CSR", () => {
        const keyPem = rsaKey(2048);
        expect(buildCsrPem(keyPem, { commonName: "u", organizations: ["a"] })).not.toEqual(
            buildCsrPem(keyPem, { commonName: "u", organizations: ["a", "b"] }),
        );
    });

    test("a user with no groups has no O", () => {
        const csr = decodeCsr(buildCsrPem(ecKey("P-256"), { commonName: "sa", organizations: [] }));
        expect(csr.organizations).toEqual([]);
    });
});

describe("clientCertificateUsages", () => {
    test("RSA keys also need key encipherment; ECDSA keys do not", () => {
        expect(clientCertificateUsages("RSA-2048")).toEqual(["digital signature", "key encipherment", "client auth"]);
        expect(clientCertificateUsages("ECDSA-P256")).toEqual(["digital signature", "client auth"]);
    });
});
