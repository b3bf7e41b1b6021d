import * as crypto from "crypto";

/**
 * Accepts a certificate as PEM, or as base64 of PEM the way kubeconfigs carry
 * it (`certificate-authority-data`), and returns PEM. Throws with a message
 * meant for users when it is neither or does not parse.
 */
export function normaliseCertificatePem(value: string): string {
    const text = value.trim();
    const pem = text.startsWith("-----BEGIN") ? text : Buffer.from(text, "base64").toString("utf8").trim();
    if (/^-----BEGIN CERTIFICATE-----/.test(pem) && !/-----END CERTIFICATE-----/.test(pem)) {
        throw new Error("has no -----END CERTIFICATE----- line, so it was cut off; paste the whole certificate");
    }
    if (!/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(pem)) {
        throw new Error("is not a PEM certificate (nor base64 of one)");
    }
    try {
        new crypto.X509Certificate(pem);
    } catch {
        // OpenSSL's own text ("asn1 encoding routines::too long") tells users nothing.
        throw new Error(
            "is not a valid X.509 certificate: its content does not decode, so it is probably truncated or altered; " +
                "copy the whole certificate again",
        );
    }
    return pem + "\n";
}

/** Parses a PEM private key; throws a message that never contains the key. */
export function parsePrivateKeyPem(value: string): crypto.KeyObject {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) {
        throw new Error("is not a PEM private key (expected a -----BEGIN ... PRIVATE KEY----- block)");
    }
    try {
        return crypto.createPrivateKey(value);
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
