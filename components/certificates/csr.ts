import * as crypto from "crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { CertificationRequest, CertificationRequestInfo, Attributes } from "@peculiar/asn1-csr";
import {
    AlgorithmIdentifier,
    AttributeTypeAndValue,
    AttributeValue,
    Name,
    RelativeDistinguishedName,
    SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import { p256, p384 } from "@noble/curves/nist";

const oid = {
    commonName: "2.5.4.3",
    organization: "2.5.4.10",
    sha256WithRsa: "1.2.840.113549.1.1.11",
    ecdsaWithSha256: "1.2.840.10045.4.3.2",
    ecdsaWithSha384: "1.2.840.10045.4.3.3",
};

/** The subject Kubernetes reads from a client certificate. */
export interface CertificateSubject {
    /** Becomes the user name (CN). */
    commonName: string;
    /** Each becomes a group (one O per group). */
    organizations: string[];
}

/**
 * Builds a PKCS#10 certificate signing request, PEM encoded, with subject
 * CN=<commonName> and one O per organization, signed by the given private key.
 *
 * The result is deterministic: the same key and subject always give the same
 * bytes (RSA uses PKCS#1 v1.5; ECDSA uses RFC 6979 nonces), so a second
 * `pulumi preview` sees no change.
 */
export function buildCsrPem(privateKeyPem: string, subject: CertificateSubject): string {
    const key = crypto.createPrivateKey(privateKeyPem);
    const spki = crypto.createPublicKey(key).export({ type: "spki", format: "der" });
    const info = new CertificationRequestInfo({
        version: 0,
        subject: subjectName(subject),
        subjectPKInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
        attributes: new Attributes(),
    });
    const toBeSigned = Buffer.from(AsnConvert.serialize(info));
    const { algorithm, signature } = sign(key, toBeSigned);
    const request = new CertificationRequest({
        certificationRequestInfo: info,
        signatureAlgorithm: algorithm,
        signature: toArrayBuffer(signature),
    });
    const der = Buffer.from(AsnConvert.serialize(request));
    const body = der
        .toString("base64")
        .replace(/(.{64})/g, "$1\n")
        .replace(/\n$/, "");
    return `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
}

function subjectName(subject: CertificateSubject): Name {
    const rdn = (type: string, value: string) =>
        new RelativeDistinguishedName([
            new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) }),
        ]);
    return new Name([
        rdn(oid.commonName, subject.commonName),
        ...subject.organizations.map((o) => rdn(oid.organization, o)),
    ]);
}

function sign(key: crypto.KeyObject, data: Buffer): { algorithm: AlgorithmIdentifier; signature: Buffer } {
    if (key.asymmetricKeyType === "rsa") {
        return {
            // RSA parameters are an explicit NULL.
            algorithm: new AlgorithmIdentifier({ algorithm: oid.sha256WithRsa, parameters: null }),
            signature: crypto.sign("sha256", data, key),
        };
    }
    if (key.asymmetricKeyType === "ec") {
        const jwk = key.export({ format: "jwk" });
        const secret = Buffer.from(jwk.d!, "base64url");
        const [curve, hash, algorithm] =
            jwk.crv === "P-256"
                ? [p256, "sha256", oid.ecdsaWithSha256]
                : jwk.crv === "P-384"
                  ? [p384, "sha384", oid.ecdsaWithSha384]
                  : [undefined, "", ""];
        if (!curve) throw new Error(`unsupported ECDSA curve ${jwk.crv}`);
        const digest = crypto.createHash(hash).update(data).digest();
        const signature = curve.sign(digest, secret, { prehash: false, lowS: true });
        return {
            algorithm: new AlgorithmIdentifier({ algorithm }),
            signature: Buffer.from(signature.toDERRawBytes()),
        };
    }
    throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Key usages a client certificate needs for this key type (Kubernetes CSR API spelling). */
export function clientCertificateUsages(keyAlgorithm: string): string[] {
    return keyAlgorithm.startsWith("RSA")
        ? ["digital signature", "key encipherment", "client auth"]
        : ["digital signature", "client auth"];
}

/** What kube-access reads from a PKCS#10 request. */
export interface ParsedCsr {
    commonNames: string[];
    organizations: string[];
    /** DER SubjectPublicKeyInfo of the requester's key. */
    publicKeyDer: Buffer;
    /** `RSA-<bits>` or `ECDSA-P256`/`ECDSA-P384`, or undefined for other keys. */
    keyAlgorithm?: string;
    /** Whether the request is signed by the key it carries. */
    signatureValid: boolean;
}

const subjectOids: Record<string, "CN" | "O"> = { [oid.commonName]: "CN", [oid.organization]: "O" };

function keyAlgorithmOf(publicKey: crypto.KeyObject): string | undefined {
    const details = publicKey.asymmetricKeyDetails ?? {};
    if (publicKey.asymmetricKeyType === "rsa") return `RSA-${details.modulusLength}`;
    if (publicKey.asymmetricKeyType === "ec") {
        return { prime256v1: "ECDSA-P256", secp384r1: "ECDSA-P384" }[details.namedCurve ?? ""];
    }
    return undefined;
}

/** Parses a PEM certificate request; throws a message for users if it is not one. */
export function parseCsrPem(pem: string): ParsedCsr {
    const match = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]+?)-----END (NEW )?CERTIFICATE REQUEST-----/.exec(
        pem,
    );
    if (!match) throw new Error("is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)");
    let csr: CertificationRequest;
    try {
        csr = AsnConvert.parse(Buffer.from(match[2].replace(/\s+/g, ""), "base64"), CertificationRequest);
    } catch {
        throw new Error("is not a valid PKCS#10 certificate request (it could not be decoded)");
    }
    const info = csr.certificationRequestInfo;
    const fields = info.subject.flatMap((rdn) =>
        rdn.map((atv) => ({ type: subjectOids[atv.type], value: atv.value.toString() })),
    );
    const publicKeyDer = Buffer.from(AsnConvert.serialize(info.subjectPKInfo));
    const publicKey = crypto.createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
    const hash = csr.signatureAlgorithm.algorithm === oid.ecdsaWithSha384 ? "sha384" : "sha256";
    let signatureValid = false;
    try {
        signatureValid = crypto.verify(
            hash,
            Buffer.from(AsnConvert.serialize(info as CertificationRequestInfo)),
            publicKey,
            Buffer.from(csr.signature),
        );
    } catch {
        signatureValid = false;
    }
    return {
        commonNames: fields.filter((f) => f.type === "CN").map((f) => f.value),
        organizations: fields.filter((f) => f.type === "O").map((f) => f.value),
        publicKeyDer,
        keyAlgorithm: keyAlgorithmOf(publicKey),
        signatureValid,
    };
}
