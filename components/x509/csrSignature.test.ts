import { spawnSync } from "child_process";
import { dsaCsrPem, opensslCsr } from "../../test/helpers/fixtures";
import { parseCsrPem } from "./csr";

/*
 * Every signature algorithm the Kubernetes CSR API (Go's crypto/x509
 * CertificateRequest.CheckSignature) and the tls provider accept, in requests
 * made by openssl as users make them. openssl's own `req -verify` is the
 * independent judge of whether each signature is valid.
 */

/** Whether openssl itself verifies the request's self-signature (OpenSSL 3.0 exits 0 either way, so read its verdict). */
function opensslVerifies(csrPem: string): boolean {
    const result = spawnSync("openssl", ["req", "-noout", "-verify"], { input: csrPem, encoding: "utf8" });
    return `${result.stdout}${result.stderr}`.includes("self-signature verify OK");
}

const pss = (hash: string, salt: string) => [
    "-newkey",
    "rsa:2048",
    `-${hash}`,
    "-sigopt",
    "rsa_padding_mode:pss",
    "-sigopt",
    `rsa_pss_saltlen:${salt}`,
];

type AlgorithmCase = [
    description: string,
    subject: string,
    keyArgs: string[],
    signatureAlgorithm: string | RegExp,
    keyAlgorithm: string,
    kubernetesAccepts: boolean,
];

const algorithmCases: AlgorithmCase[] = [
    // The value: what cfssl makes for 4096-bit keys.
    [
        "RSA-4096 with SHA-512 (dave/ops)",
        "/CN=dave/O=ops",
        ["-newkey", "rsa:4096", "-sha512"],
        "sha512WithRSAEncryption",
        "RSA-4096",
        true,
    ],
    [
        "RSA-2048 with SHA-256",
        "/CN=u/O=g",
        ["-newkey", "rsa:2048", "-sha256"],
        "sha256WithRSAEncryption",
        "RSA-2048",
        true,
    ],
    [
        "RSA-2048 with SHA-384",
        "/CN=u/O=g",
        ["-newkey", "rsa:2048", "-sha384"],
        "sha384WithRSAEncryption",
        "RSA-2048",
        true,
    ],
    ["RSA-3072 with SHA-512", "/CN=u", ["-newkey", "rsa:3072", "-sha512"], "sha512WithRSAEncryption", "RSA-3072", true],
    ["RSA-2048 with SHA-1", "/CN=u", ["-newkey", "rsa:2048", "-sha1"], "sha1WithRSAEncryption", "RSA-2048", true],
    [
        "RSASSA-PSS SHA-256, salt = hash",
        "/CN=u",
        pss("sha256", "digest"),
        /^RSASSA-PSS \(sha256, MGF1 sha256, salt 32\)$/,
        "RSA-2048",
        true,
    ],
    [
        "RSASSA-PSS SHA-384, salt = hash",
        "/CN=u",
        pss("sha384", "digest"),
        /^RSASSA-PSS \(sha384, MGF1 sha384, salt 48\)$/,
        "RSA-2048",
        true,
    ],
    [
        "RSASSA-PSS SHA-512, salt = hash",
        "/CN=u",
        pss("sha512", "digest"),
        /^RSASSA-PSS \(sha512, MGF1 sha512, salt 64\)$/,
        "RSA-2048",
        true,
    ],
    // openssl's default PSS salt is the maximum; Go (so the CSR API) verifies only salt = hash length.
    [
        "RSASSA-PSS SHA-256, maximum salt",
        "/CN=u",
        pss("sha256", "max"),
        /^RSASSA-PSS \(sha256, MGF1 sha256, salt 222\)$/,
        "RSA-2048",
        false,
    ],
    [
        "ECDSA P-256 with SHA-256",
        "/CN=u",
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha256"],
        "ecdsa-with-SHA256",
        "ECDSA-P256",
        true,
    ],
    [
        "ECDSA P-256 with SHA-512",
        "/CN=u",
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha512"],
        "ecdsa-with-SHA512",
        "ECDSA-P256",
        true,
    ],
    [
        "ECDSA P-384 with SHA-384",
        "/CN=u",
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha384"],
        "ecdsa-with-SHA384",
        "ECDSA-P384",
        true,
    ],
    [
        "ECDSA P-521 with SHA-512",
        "/CN=u",
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-sha512"],
        "ecdsa-with-SHA512",
        "ECDSA-P521",
        true,
    ],
    [
        "ECDSA P-384 with SHA-1",
        "/CN=u",
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-sha1"],
        "ecdsa-with-SHA1",
        "ECDSA-P384",
        true,
    ],
    ["Ed25519", "/CN=u/O=g", ["-newkey", "ed25519"], "Ed25519", "ED25519", true],
];

describe("parseCsrPem: the self-signature is checked with the algorithm the request names", () => {
    test.each(algorithmCases)(
        "%s: verifies, as openssl says",
        (_d, subject, keyArgs, signatureAlgorithm, keyAlgorithm, kubernetesAccepts) => {
            const { csrPem } = opensslCsr(subject, keyArgs);
            expect(opensslVerifies(csrPem)).toBe(true);
            const csr = parseCsrPem(csrPem);
            expect(csr.signatureAlgorithm).toMatch(signatureAlgorithm);
            expect(csr.signatureCheck).toBe("valid");
            expect(csr.signatureValid).toBe(true);
            expect(csr.keyAlgorithm).toBe(keyAlgorithm);
            expect(csr.kubernetesRefusal === undefined).toBe(kubernetesAccepts);
        },
    );

    test.each(algorithmCases)("%s: a changed signature does not verify", (_d, subject, keyArgs) => {
        const { csrPem } = opensslCsr(subject, keyArgs);
        const tampered = flipLastSignatureByte(csrPem);
        expect(opensslVerifies(tampered)).toBe(false);
        expect(parseCsrPem(tampered)).toMatchObject({ signatureCheck: "invalid", signatureValid: false });
    });

    test("a changed subject no longer matches the signature", () => {
        const { csrPem } = opensslCsr("/CN=alice/O=devs", ["-newkey", "rsa:2048", "-sha512"]);
        const der = derOf(csrPem);
        const at = der.indexOf(Buffer.from("alice"));
        der.write("mallo", at);
        const forged = toPem(der);
        expect(parseCsrPem(forged)).toMatchObject({ commonNames: ["mallo"], signatureCheck: "invalid" });
    });

    test("an algorithm kube-access has no verifier for is reported as such, not as a broken request (DSA)", () => {
        const csrPem = dsaCsrPem("/CN=u");
        expect(opensslVerifies(csrPem)).toBe(true);
        const csr = parseCsrPem(csrPem);
        expect(csr.signatureCheck).toBe("unsupported");
        expect(csr.signatureAlgorithm).toBe("2.16.840.1.101.3.4.3.2");
        expect(csr.keyAlgorithm).toBeUndefined();
    });
});

function derOf(pem: string): Buffer {
    return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function toPem(der: Buffer): string {
    const body = der
        .toString("base64")
        .match(/.{1,64}/g)!
        .join("\n");
    return `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** The request with the last byte of its signature (the last byte of the DER) changed. */
function flipLastSignatureByte(pem: string): string {
    const der = derOf(pem);
    der[der.length - 1] ^= 0x01;
    return toPem(der);
}
