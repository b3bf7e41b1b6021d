import * as crypto from "crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import { Name } from "@peculiar/asn1-x509";

const oidNames: Record<string, string> = { "2.5.4.3": "CN", "2.5.4.10": "O" };

/** A CSR decoded for assertions: subject fields, public key, and whether its signature verifies. */
export interface DecodedCsr {
    commonNames: string[];
    organizations: string[];
    publicKeyDer: Buffer;
    signatureValid: boolean;
}

function pemBody(pem: string): Buffer {
    return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

function subjectFields(name: Name): { type: string; value: string }[] {
    return name.flatMap((rdn) =>
        rdn.map((atv) => ({ type: oidNames[atv.type] ?? atv.type, value: atv.value.toString() })),
    );
}

/** Decodes a PEM CSR independently of the code that built it. */
export function decodeCsr(pem: string): DecodedCsr {
    const csr = AsnConvert.parse(pemBody(pem), CertificationRequest);
    const info = csr.certificationRequestInfo;
    const fields = subjectFields(info.subject);
    const publicKeyDer = Buffer.from(AsnConvert.serialize(info.subjectPKInfo));
    const publicKey = crypto.createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
    const hash = csr.signatureAlgorithm.algorithm.endsWith(".3") ? "sha384" : "sha256";
    const signatureValid = crypto.verify(
        hash,
        Buffer.from(AsnConvert.serialize(info as CertificationRequestInfo)),
        publicKey,
        Buffer.from(csr.signature),
    );
    return {
        commonNames: fields.filter((f) => f.type === "CN").map((f) => f.value),
        organizations: fields.filter((f) => f.type === "O").map((f) => f.value),
        publicKeyDer,
        signatureValid,
    };
}
