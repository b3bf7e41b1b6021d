import * as crypto from "crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { BasicConstraints, Certificate, KeyUsage, id_ce_basicConstraints, id_ce_keyUsage } from "@peculiar/asn1-x509";

/** Extended key usages that tell what a leaf certificate was made for (RFC 5280 section 4.2.1.12). */
const serverAuth = "1.3.6.1.5.5.7.3.1";
const clientAuth = "1.3.6.1.5.5.7.3.2";

/**
 * Why a PEM certificate cannot be the cluster CA, or undefined when it can:
 * a CA certificate has basicConstraints with CA:TRUE and, when it has a
 * keyUsage extension, the keyCertSign bit (RFC 5280 sections 4.2.1.9 and
 * 4.2.1.3). The message says what was probably pasted instead (a serving or
 * a client certificate) and where the real CA usually is.
 */
export function caCertificateProblem(pem: string): string | undefined {
    const x509 = new crypto.X509Certificate(pem);
    const extensions = AsnConvert.parse(x509.raw, Certificate).tbsCertificate.extensions ?? [];
    const extension = (id: string) => extensions.find((e) => e.extnID === id)?.extnValue.buffer;
    const basicConstraintsDer = extension(id_ce_basicConstraints);
    const keyUsageDer = extension(id_ce_keyUsage);

    let reason: string | undefined;
    if (basicConstraintsDer === undefined) {
        reason = "is not a CA certificate: it has no basicConstraints extension";
    } else if (!AsnConvert.parse(basicConstraintsDer, BasicConstraints).cA) {
        reason = "is not a CA certificate: its basicConstraints say CA:FALSE";
    } else if (keyUsageDer !== undefined && !AsnConvert.parse(keyUsageDer, KeyUsage).toJSON().includes("keyCertSign")) {
        reason = "is a CA certificate whose keyUsage lacks keyCertSign, so it may not sign certificates";
    }
    if (reason === undefined) return undefined;
    return (
        `${reason}; ${whatItLooksLike(x509)}. Certificates signed with it would be refused. ` +
        `Use the CA that issued it (${oneLine(x509.issuer)}): on kubeadm clusters /etc/kubernetes/pki/ca.crt, ` +
        `or the certificate-authority-data of an admin kubeconfig`
    );
}

function whatItLooksLike(x509: crypto.X509Certificate): string {
    // Node names the extended key usages `keyUsage`.
    const usages = x509.keyUsage ?? [];
    if (usages.includes(serverAuth) || (x509.subjectAltName && !usages.includes(clientAuth))) {
        const names = x509.subjectAltName ? ` for ${x509.subjectAltName}` : "";
        return `it looks like a serving certificate${names} (such as the API server's own, apiserver.crt)`;
    }
    if (usages.includes(clientAuth)) {
        return `it looks like a client certificate (${oneLine(x509.subject)}), such as a kubeconfig's client-certificate-data`;
    }
    return `it looks like an end-entity certificate (${oneLine(x509.subject)})`;
}

function oneLine(distinguishedName: string): string {
    return distinguishedName.split("\n").join(", ");
}
