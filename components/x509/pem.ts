import * as crypto from "crypto";

/**
 * Accepts one or more certificates as PEM (any line endings, text around the
 * blocks, the old `X509 CERTIFICATE` label), or as base64 of PEM the way
 * kubeconfigs carry it (`certificate-authority-data`), and returns canonical
 * PEM labelled `CERTIFICATE`, the only label Go's x509 (kubectl, the API
 * server, the tls provider) reads. Throws with a message meant for users when
 * it is none of these or does not parse.
 */
export function normaliseCertificatePem(value: string): string {
    const blocks = decodePemBlocks(unwrapBase64Pem(value));
    if (blocks.some((b) => /PRIVATE KEY$/.test(b.label))) {
        throw new Error(
            "also holds a private key, which must not be in plain config; paste only the certificate " +
                "(a CA key belongs in kube-access:clusterCaKey, set with --secret)",
        );
    }
    if (blocks.some((b) => b.label === "TRUSTED CERTIFICATE")) {
        throw new Error(
            "is an OpenSSL TRUSTED CERTIFICATE, which kubectl and the API server cannot read; " +
                "convert it with openssl x509 -in <file> -out <file>.pem",
        );
    }
    const certificates = blocks.filter((b) => b.label === "CERTIFICATE" || b.label === "X509 CERTIFICATE");
    if (certificates.length === 0) throw new Error("is not a PEM certificate (nor base64 of one)");
    const pems = certificates.map((b) => encodePem("CERTIFICATE", b.der));
    for (const pem of pems) {
        try {
            new crypto.X509Certificate(pem);
        } catch {
            // OpenSSL's own text ("asn1 encoding routines::too long") tells users nothing.
            throw new Error(
                "is not a valid X.509 certificate: its content does not decode, so it is probably truncated or altered; " +
                    "copy the whole certificate again",
            );
        }
    }
    return pems.join("");
}

/** Parses a PEM private key; throws a message that never contains the key. */
export function parsePrivateKeyPem(value: string): crypto.KeyObject {
    const pem = normalisePrivateKeyPem(value);
    try {
        return crypto.createPrivateKey(pem);
    } catch {
        throw new Error("is not a valid PEM private key (it could not be parsed)");
    }
}

/** True when the private key belongs to the certificate's public key. */
export function privateKeyMatchesCertificate(key: crypto.KeyObject, certificatePem: string): boolean {
    const publicFromKey = crypto.createPublicKey(key).export({ type: "spki", format: "der" });
    const publicFromCert = new crypto.X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
    return Buffer.compare(publicFromKey, publicFromCert) === 0;
}

/** Expiry of a PEM certificate as an ISO 8601 timestamp. */
export function certificateExpiry(certificatePem: string): string {
    return new Date(new crypto.X509Certificate(certificatePem).validTo).toISOString();
}

/** Start of a PEM certificate's validity as an ISO 8601 timestamp. */
export function certificateStart(certificatePem: string): string {
    return new Date(new crypto.X509Certificate(certificatePem).validFrom).toISOString();
}

/** One PEM block (RFC 7468): its label and the DER bytes it holds. */
export interface PemBlock {
    /** The label between `-----BEGIN ` and `-----`, e.g. `CERTIFICATE REQUEST`. */
    label: string;
    der: Buffer;
    /** Whether the block had RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, ...). */
    hasHeaders: boolean;
}

/**
 * Encodes DER as one PEM block with the strict RFC 7468 layout (64-character
 * lines, LF endings), the form every signer and kubectl read.
 */
export function encodePem(label: string, der: Buffer): string {
    const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * The PEM text inside what a user pasted: the text itself when it has a
 * `-----BEGIN` line, else the base64 of PEM that kubeconfigs and Kubernetes
 * objects carry (`certificate-authority-data`, a CSR's `spec.request`).
 */
export function unwrapBase64Pem(value: string): string {
    if (value.includes("-----BEGIN")) return value;
    const compact = value.replace(/\s+/g, "");
    if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return value;
    const decoded = Buffer.from(compact, "base64").toString("utf8");
    return decoded.includes("-----BEGIN") ? decoded : value;
}

/**
 * Finds every PEM block in text, tolerating what copies and other tools add:
 * CRLF line endings, indentation, trailing spaces, and text before, between
 * and after the blocks (as `openssl req -text` writes). Throws a message for
 * users when a block is damaged (labels that do not match, or a body that is
 * not base64). Messages never contain the text, which may hold a key.
 */
export function decodePemBlocks(text: string): PemBlock[] {
    const lines = text.split(/\r\n|\r|\n/).map((l) => l.trim());
    const blocks: PemBlock[] = [];
    for (let i = 0; i < lines.length; i++) {
        const begin = /^-----BEGIN ([A-Z0-9 ]+)-----$/.exec(lines[i]);
        if (!begin) continue;
        const label = begin[1];
        const body: string[] = [];
        let hasHeaders = false;
        let j = i + 1;
        for (; j < lines.length && !lines[j].startsWith("-----END "); j++) {
            if (/^[A-Za-z-]+:/.test(lines[j]) || (hasHeaders && body.length === 0 && lines[j] === "")) {
                hasHeaders = true;
                continue;
            }
            body.push(lines[j]);
        }
        if (j === lines.length)
            throw new Error(
                `has a -----BEGIN ${label}----- line but no -----END ${label}----- line, so it was cut off; paste the whole block`,
            );
        if (lines[j] !== `-----END ${label}-----`) {
            throw new Error(`has a -----BEGIN ${label}----- block that ends with a different label (${lines[j]})`);
        }
        const base64 = body.join("");
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0 || base64.length === 0) {
            throw new Error(`has a ${label} block whose body is not base64; copy the whole block again`);
        }
        blocks.push({ label, der: Buffer.from(base64, "base64"), hasHeaders });
        i = j;
    }
    return blocks;
}

/** Labels of PEM private keys (RFC 7468, and OpenSSL's traditional forms). */
const privateKeyLabel = /PRIVATE KEY$/;

/**
 * Accepts a PKCS#10 certificate signing request in any form users have one
 * (PEM with the label `CERTIFICATE REQUEST`, or `NEW CERTIFICATE REQUEST` as
 * Java keytool and old OpenSSL write it; CRLF line endings; text around the
 * block; base64 of PEM) and returns it as canonical PEM labelled
 * `CERTIFICATE REQUEST`, the only label the Kubernetes CSR API and the tls
 * provider accept (both read it with Go's encoding/pem). Throws a message for
 * users when there is not exactly one request, or when a private key was
 * pasted with it.
 */
export function normaliseCertificateRequestPem(value: string): string {
    const blocks = decodePemBlocks(unwrapBase64Pem(value));
    if (blocks.some((b) => privateKeyLabel.test(b.label))) {
        throw new Error("also holds a private key; paste only the certificate request and keep the key with its owner");
    }
    const requests = blocks.filter((b) => b.label === "CERTIFICATE REQUEST" || b.label === "NEW CERTIFICATE REQUEST");
    if (requests.length === 0) {
        throw new Error(
            blocks.length > 0
                ? `holds a PEM ${blocks[0].label} block, not a certificate request (-----BEGIN CERTIFICATE REQUEST-----)`
                : "is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)",
        );
    }
    if (requests.length > 1) {
        throw new Error(`holds ${requests.length} certificate requests; give exactly one`);
    }
    return encodePem("CERTIFICATE REQUEST", requests[0].der);
}

/** Private-key PEM labels the tls provider reads (and Node, and kubectl). */
export const supportedPrivateKeyLabels = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"] as const;

/**
 * Accepts a private key as PEM (any line endings, text around it, an
 * `EC PARAMETERS` block before it as `openssl ecparam -genkey` writes) or as
 * base64 of PEM (`client-key-data`), and returns the one key block as
 * canonical PEM. The tls provider reads only the first PEM block of a key, so
 * without this an `EC PARAMETERS` block would make it fail. Throws a message
 * that never contains the key when there is not exactly one unencrypted key
 * in a form the tls provider reads.
 */
export function normalisePrivateKeyPem(value: string): string {
    const blocks = decodePemBlocks(unwrapBase64Pem(value)).filter((b) => privateKeyLabel.test(b.label));
    if (blocks.length === 0) {
        throw new Error("is not a PEM private key (expected a -----BEGIN ... PRIVATE KEY----- block)");
    }
    if (blocks.length > 1) throw new Error(`holds ${blocks.length} private keys; give exactly one`);
    const [key] = blocks;
    if (key.label === "ENCRYPTED PRIVATE KEY" || key.hasHeaders) {
        throw new Error(
            "is encrypted with a passphrase, which the tls provider cannot use; " +
                "store it unencrypted as a Pulumi secret instead (openssl pkey -in <key> -out <plain key>)",
        );
    }
    if (!(supportedPrivateKeyLabels as readonly string[]).includes(key.label)) {
        throw new Error(
            `is a ${key.label}, which the tls provider cannot read; convert it to PKCS#8 (openssl pkey -in <key> -out <pkcs8 key>)`,
        );
    }
    return encodePem(key.label, key.der);
}
