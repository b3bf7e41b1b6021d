import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { opensslCsr, testCa } from "../../test/helpers/fixtures";
import { parseCsrPem } from "./csr";
import {
    decodePemBlocks,
    normaliseCertificatePem,
    normaliseCertificateRequestPem,
    normalisePrivateKeyPem,
    parsePrivateKeyPem,
} from "./pem";

/*
 * User-supplied PEM in the forms people paste it. Whatever the form, the
 * signers (the Kubernetes CSR API and the tls provider read PEM with Go's
 * encoding/pem and accept only the canonical labels) and kubectl get
 * canonical PEM, or validation refuses the value.
 */

// The fixture: an ordinary openssl request, relabelled as Java keytool writes it.
const alice = opensslCsr("/CN=alice/O=devs", ["-newkey", "rsa:2048"]);
const keytoolForm = alice.csrPem.replace(/CERTIFICATE REQUEST-----/g, "NEW CERTIFICATE REQUEST-----");
const canonical = alice.csrPem;
const b64 = (s: string) => Buffer.from(s).toString("base64");
const crlf = (s: string) => s.replace(/\n/g, "\r\n");

/** `openssl req -text` output: a readable dump, then the PEM block. */
function withTextDump(pem: string): string {
    return execFileSync("openssl", ["req", "-text"], { input: pem, encoding: "utf8" });
}

const requestForms: [string, () => string][] = [
    ["the canonical form", () => canonical],
    ["label NEW CERTIFICATE REQUEST (keytool)", () => keytoolForm],
    ["CRLF line endings", () => crlf(canonical)],
    ["keytool label with CRLF", () => crlf(keytoolForm)],
    ["leading and trailing whitespace", () => `\n\n   ${canonical}  \n\t\n`],
    ["every line indented (a YAML block pasted as is)", () => canonical.replace(/^/gm, "    ")],
    ["text around the block (openssl req -text)", () => withTextDump(canonical)],
    ["text around the keytool block", () => `request for alice:\n${keytoolForm}\nthanks\n`],
    ["base64 of PEM (a CertificateSigningRequest's spec.request)", () => b64(canonical)],
    ["base64 of the keytool PEM", () => b64(keytoolForm)],
    ["base64 of PEM, wrapped", () => b64(canonical).replace(/(.{76})/g, "$1\n")],
    ["body rewrapped at 76 columns", () => rewrap(canonical, 76)],
    ["no final newline", () => canonical.trimEnd()],
];

function rewrap(pem: string, width: number): string {
    const [, label, body] = /-----BEGIN ([A-Z ]+)-----([\s\S]+?)-----END/.exec(pem)!;
    const lines = body.replace(/\s+/g, "").match(new RegExp(`.{1,${width}}`, "g"))!;
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

describe("normaliseCertificateRequestPem", () => {
    test.each(requestForms)("%s: becomes the canonical CERTIFICATE REQUEST", (_d, form) => {
        const pem = normaliseCertificateRequestPem(form());
        expect(pem).toBe(canonical);
        expect(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----\n")).toBe(true);
        expect(pem.endsWith("\n-----END CERTIFICATE REQUEST-----\n")).toBe(true);
        const csr = parseCsrPem(form());
        expect(csr).toMatchObject({ commonNames: ["alice"], organizations: ["devs"], signatureValid: true });
        expect(csr.pem).toBe(canonical);
    });

    test("openssl reads the result of the keytool form as the same request", () => {
        const subject = execFileSync("openssl", ["req", "-noout", "-subject"], {
            input: normaliseCertificateRequestPem(keytoolForm),
            encoding: "utf8",
        });
        expect(subject).toMatch(/CN\s*=\s*alice, O\s*=\s*devs/);
    });

    const refused: [string, () => string, RegExp][] = [
        ["not PEM at all", () => "hello", /is not a PEM certificate request/],
        ["an empty string", () => "", /is not a PEM certificate request/],
        [
            "a certificate instead of a request",
            () => testCa().certificatePem,
            /holds a PEM CERTIFICATE block, not a certificate request/,
        ],
        ["two requests", () => canonical + opensslCsr("/CN=bob").csrPem, /holds 2 certificate requests/],
        ["the private key pasted with the request", () => alice.keyPem + canonical, /also holds a private key/],
        [
            "BEGIN and END labels that differ",
            () => canonical.replace("-----END CERTIFICATE REQUEST-----", "-----END NEW CERTIFICATE REQUEST-----"),
            /ends with a different label/,
        ],
        [
            "no END line (truncated)",
            () => canonical.split("-----END")[0],
            /no -----END CERTIFICATE REQUEST----- line, so it was cut off/,
        ],
        ["a body that is not base64", () => canonical.replace(/\n[A-Za-z0-9+/]{10}/, "\n!!!!!!!!!!"), /not base64/],
    ];
    test.each(refused)("refuses %s, without echoing what was pasted", (_d, form, message) => {
        expect(() => normaliseCertificateRequestPem(form())).toThrow(message);
        try {
            normaliseCertificateRequestPem(form());
        } catch (e) {
            expect((e as Error).message).not.toMatch(/PRIVATE KEY-----|[A-Za-z0-9+/]{40}/);
        }
    });
});

describe("normaliseCertificatePem", () => {
    const ca = testCa();
    const certificateForms: [string, () => string][] = [
        ["the canonical form", () => ca.certificatePem],
        ["CRLF line endings", () => crlf(ca.certificatePem)],
        [
            "text around the block (openssl x509 -text)",
            () => execFileSync("openssl", ["x509", "-text"], { input: ca.certificatePem, encoding: "utf8" }),
        ],
        [
            "the old X509 CERTIFICATE label",
            () => ca.certificatePem.replace(/CERTIFICATE-----/g, "X509 CERTIFICATE-----"),
        ],
        ["base64 of PEM (certificate-authority-data)", () => b64(ca.certificatePem)],
        ["base64 of PEM with CRLF inside", () => b64(crlf(ca.certificatePem))],
        ["indented", () => ca.certificatePem.replace(/^/gm, "  ")],
    ];
    test.each(certificateForms)("%s: becomes canonical PEM", (_d, form) => {
        expect(normaliseCertificatePem(form())).toBe(ca.certificatePem);
    });

    test("a bundle keeps every certificate, each canonical", () => {
        const other = testCa("other-ca").certificatePem;
        expect(normaliseCertificatePem(crlf(ca.certificatePem + "\n" + other))).toBe(ca.certificatePem + other);
    });

    test("a certificate pasted with its private key is refused, without echoing the key", () => {
        const text = ca.certificatePem + ca.privateKeyPem;
        expect(() => normaliseCertificatePem(text)).toThrow(/also holds a private key/);
        expect(() => normaliseCertificatePem(text)).not.toThrow(/[A-Za-z0-9+/]{40}/);
    });

    test("an OpenSSL TRUSTED CERTIFICATE, which Go cannot read, is refused with the conversion", () => {
        const trusted = execFileSync("openssl", ["x509", "-trustout", "-addtrust", "clientAuth"], {
            input: ca.certificatePem,
            encoding: "utf8",
        });
        expect(trusted).toContain("BEGIN TRUSTED CERTIFICATE");
        expect(() => normaliseCertificatePem(trusted)).toThrow(/TRUSTED CERTIFICATE.*openssl x509 -in/);
    });
});

describe("normalisePrivateKeyPem", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-keys-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const openssl = (...args: string[]) => execFileSync("openssl", args, { encoding: "utf8", cwd: dir });
    const rsa = testCa().privateKeyPem;
    // What `openssl ecparam -genkey` writes: an EC PARAMETERS block before the key.
    const ecWithParameters = () => openssl("ecparam", "-name", "prime256v1", "-genkey");
    const ecTraditional = () => openssl("ec", "-in", writeFile("ec.pem", ecWithParameters()));
    function writeFile(name: string, text: string): string {
        fs.writeFileSync(path.join(dir, name), text);
        return name;
    }

    test.each([
        ["PKCS#8 (openssl req -newkey)", () => rsa, "PRIVATE KEY"],
        ["CRLF line endings", () => crlf(rsa), "PRIVATE KEY"],
        ["base64 of PEM (client-key-data)", () => b64(rsa), "PRIVATE KEY"],
        ["PKCS#1 RSA", () => openssl("rsa", "-in", writeFile("k.pem", rsa), "-traditional"), "RSA PRIVATE KEY"],
        ["SEC 1 EC", ecTraditional, "EC PRIVATE KEY"],
    ] as [string, () => string, string][])("%s: one canonical key block", (_d, form, label) => {
        const pem = normalisePrivateKeyPem(form());
        expect(decodePemBlocks(pem).map((b) => b.label)).toEqual([label]);
        expect(crypto.createPrivateKey(pem).asymmetricKeyType).toBeDefined();
    });

    test("an EC PARAMETERS block first (openssl ecparam -genkey) is dropped, since the tls provider reads only the first block", () => {
        const text = ecWithParameters();
        expect(decodePemBlocks(text).map((b) => b.label)).toEqual(["EC PARAMETERS", "EC PRIVATE KEY"]);
        expect(decodePemBlocks(normalisePrivateKeyPem(text)).map((b) => b.label)).toEqual(["EC PRIVATE KEY"]);
    });

    test.each([
        [
            "an encrypted PKCS#8 key",
            () => openssl("pkcs8", "-topk8", "-in", writeFile("p.pem", rsa), "-passout", "pass:secret-pass"),
            /encrypted with a passphrase/,
        ],
        [
            "an encrypted traditional key (Proc-Type header)",
            () =>
                openssl(
                    "rsa",
                    "-in",
                    writeFile("q.pem", rsa),
                    "-traditional",
                    "-aes256",
                    "-passout",
                    "pass:secret-pass",
                ),
            /encrypted with a passphrase/,
        ],
        [
            "an OpenSSH key",
            () => "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
            /OPENSSH PRIVATE KEY, which the tls provider cannot read/,
        ],
        ["two keys", () => rsa + rsa, /holds 2 private keys/],
        ["a certificate", () => testCa().certificatePem, /is not a PEM private key/],
    ] as [string, () => string, RegExp][])("refuses %s, never echoing the key", (_d, form, message) => {
        const text = form();
        expect(() => normalisePrivateKeyPem(text)).toThrow(message);
        expect(() => parsePrivateKeyPem(text)).toThrow(message);
        try {
            normalisePrivateKeyPem(text);
        } catch (e) {
            expect((e as Error).message).not.toMatch(/[A-Za-z0-9+/]{40}|secret-pass/);
        }
    });
});
