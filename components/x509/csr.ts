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
import { RsaSaPssParams, id_RSASSA_PSS, id_mgf1 } from "@peculiar/asn1-rsa";
import { p256, p384, p521 } from "@noble/curves/nist";
import { decodePemBlocks, normaliseCertificateRequestPem } from "./pem";

const oid = {
    commonName: "2.5.4.3",
    organization: "2.5.4.10",
    sha256WithRsa: "1.2.840.113549.1.1.11",
    ecdsaWithSha256: "1.2.840.10045.4.3.2",
    ecdsaWithSha384: "1.2.840.10045.4.3.3",
    ecdsaWithSha512: "1.2.840.10045.4.3.4",
    ed25519: "1.3.101.112",
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
 * bytes (RSA uses PKCS#1 v1.5; ECDSA uses RFC 6979 nonces; Ed25519 is
 * deterministic by design, RFC 8032), so a second `pulumi preview` sees no change.
 */
export function buildCsrPem(privateKeyPem: string, subject: CertificateSubject): string {
    const key = privateKeyObject(privateKeyPem);
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

/** How each PEM label of a private key encodes its DER (RFC 7468 for PKCS#8; OpenSSL's traditional forms). */
const privateKeyDerTypes: Record<string, "pkcs1" | "sec1" | "pkcs8"> = {
    "RSA PRIVATE KEY": "pkcs1",
    "EC PRIVATE KEY": "sec1",
    "PRIVATE KEY": "pkcs8",
};

/**
 * The key of a PEM private key. A key in one of the forms the tls provider
 * writes (PKCS#1, SEC 1, PKCS#8) is decoded as DER of that type, which skips
 * OpenSSL's search for a decoder: about 0.15 ms a key instead of 0.4 ms
 * (docs/performance.md). Any other PEM goes to OpenSSL as it is.
 */
function privateKeyObject(privateKeyPem: string): crypto.KeyObject {
    const blocks = decodePemBlocks(privateKeyPem);
    const type = blocks.length === 1 && !blocks[0].hasHeaders ? privateKeyDerTypes[blocks[0].label] : undefined;
    return type
        ? crypto.createPrivateKey({ key: blocks[0].der, format: "der", type })
        : crypto.createPrivateKey(privateKeyPem);
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
                  : jwk.crv === "P-521"
                    ? [p521, "sha512", oid.ecdsaWithSha512]
                    : [undefined, "", ""];
        if (!curve) throw new Error(`unsupported ECDSA curve ${jwk.crv}`);
        const digest = crypto.createHash(hash).update(data).digest();
        const signature = curve.sign(digest, secret, { prehash: false, lowS: true });
        return {
            algorithm: new AlgorithmIdentifier({ algorithm }),
            signature: Buffer.from(signature.toDERRawBytes()),
        };
    }
    if (key.asymmetricKeyType === "ed25519") {
        // RFC 8410: the parameters are absent.
        return {
            algorithm: new AlgorithmIdentifier({ algorithm: oid.ed25519 }),
            signature: crypto.sign(null, data, key),
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

/**
 * How a request's self-signature was checked:
 * - `valid`: it verifies with the request's own public key;
 * - `invalid`: it does not (a damaged or forged request);
 * - `unsupported`: kube-access has no verifier for the algorithm it names.
 */
export type SignatureCheck = "valid" | "invalid" | "unsupported";

/** What kube-access reads from a PKCS#10 request. */
export interface ParsedCsr {
    /** The request as canonical PEM (label `CERTIFICATE REQUEST`). */
    pem: string;
    commonNames: string[];
    organizations: string[];
    /** DER SubjectPublicKeyInfo of the requester's key. */
    publicKeyDer: Buffer;
    /** `RSA-<bits>`, `ECDSA-P256`/`-P384`/`-P521` or `ED25519`; undefined for other keys. */
    keyAlgorithm?: string;
    /** The signature algorithm the request names, e.g. `sha512WithRSAEncryption`, or its OID when unknown. */
    signatureAlgorithm: string;
    signatureCheck: SignatureCheck;
    /** Whether the request is signed by the key it carries (`signatureCheck === "valid"`). */
    signatureValid: boolean;
    /**
     * Why the Kubernetes CSR API would refuse this signature although
     * kube-access can check it (Go's crypto/x509 verifies fewer variants), or
     * undefined when it accepts it.
     */
    kubernetesRefusal?: string;
}

const subjectOids: Record<string, "CN" | "O"> = { [oid.commonName]: "CN", [oid.organization]: "O" };

function keyAlgorithmOf(publicKey: crypto.KeyObject): string | undefined {
    const details = publicKey.asymmetricKeyDetails ?? {};
    if (publicKey.asymmetricKeyType === "rsa") return `RSA-${details.modulusLength}`;
    if (publicKey.asymmetricKeyType === "ec") {
        return { prime256v1: "ECDSA-P256", secp384r1: "ECDSA-P384", secp521r1: "ECDSA-P521" }[details.namedCurve ?? ""];
    }
    if (publicKey.asymmetricKeyType === "ed25519") return "ED25519";
    return undefined;
}

/** A signature algorithm kube-access can verify: what it hashes with and which key type signs. */
interface SignatureAlgorithm {
    name: string;
    /** Node digest name; null for Ed25519, which hashes internally. */
    hash: string | null;
    keyType: "rsa" | "ec" | "ed25519";
    /** Set when the Kubernetes CSR API refuses it although it verifies. */
    kubernetesRefusal?: string;
}

/**
 * Signature algorithms of PKCS#10 requests by OID (RFC 8017, RFC 5758,
 * RFC 8410). Which of them the Kubernetes CSR API accepts follows Go's
 * crypto/x509 (`CertificateRequest.CheckSignature`): SHA-1 is allowed for
 * requests, MD5 is not.
 */
const signatureAlgorithms: Record<string, SignatureAlgorithm> = {
    "1.2.840.113549.1.1.4": {
        name: "md5WithRSAEncryption",
        hash: "md5",
        keyType: "rsa",
        kubernetesRefusal: "MD5 is broken and the Kubernetes CSR API refuses it",
    },
    "1.2.840.113549.1.1.5": { name: "sha1WithRSAEncryption", hash: "sha1", keyType: "rsa" },
    "1.3.14.3.2.29": { name: "sha1WithRSASignature", hash: "sha1", keyType: "rsa" },
    "1.2.840.113549.1.1.14": {
        name: "sha224WithRSAEncryption",
        hash: "sha224",
        keyType: "rsa",
        kubernetesRefusal: "the Kubernetes CSR API does not know SHA-224 signatures",
    },
    "1.2.840.113549.1.1.11": { name: "sha256WithRSAEncryption", hash: "sha256", keyType: "rsa" },
    "1.2.840.113549.1.1.12": { name: "sha384WithRSAEncryption", hash: "sha384", keyType: "rsa" },
    "1.2.840.113549.1.1.13": { name: "sha512WithRSAEncryption", hash: "sha512", keyType: "rsa" },
    "1.2.840.10045.4.1": { name: "ecdsa-with-SHA1", hash: "sha1", keyType: "ec" },
    "1.2.840.10045.4.3.1": {
        name: "ecdsa-with-SHA224",
        hash: "sha224",
        keyType: "ec",
        kubernetesRefusal: "the Kubernetes CSR API does not know SHA-224 signatures",
    },
    [oid.ecdsaWithSha256]: { name: "ecdsa-with-SHA256", hash: "sha256", keyType: "ec" },
    [oid.ecdsaWithSha384]: { name: "ecdsa-with-SHA384", hash: "sha384", keyType: "ec" },
    [oid.ecdsaWithSha512]: { name: "ecdsa-with-SHA512", hash: "sha512", keyType: "ec" },
    [oid.ed25519]: { name: "Ed25519", hash: null, keyType: "ed25519" },
};

/** Digest OIDs that may appear in RSASSA-PSS parameters (RFC 8017 A.2.3). */
const pssHashes: Record<string, { name: string; bytes: number }> = {
    "1.3.14.3.2.26": { name: "sha1", bytes: 20 },
    "2.16.840.1.101.3.4.2.4": { name: "sha224", bytes: 28 },
    "2.16.840.1.101.3.4.2.1": { name: "sha256", bytes: 32 },
    "2.16.840.1.101.3.4.2.2": { name: "sha384", bytes: 48 },
    "2.16.840.1.101.3.4.2.3": { name: "sha512", bytes: 64 },
};

/** A request's signature: which algorithm it names and whether it verifies. */
function checkSignature(
    csr: CertificationRequest,
    publicKey: crypto.KeyObject,
): { signatureAlgorithm: string; signatureCheck: SignatureCheck; kubernetesRefusal?: string } {
    // The signature covers the request info as it was encoded (RFC 2986 section 4.2): the parser keeps those
    // bytes, so they are not encoded again (which took about a sixth of the time parseCsrPem spent on a request).
    const signed = Buffer.from(csr.certificationRequestInfoRaw ?? AsnConvert.serialize(csr.certificationRequestInfo));
    const signature = Buffer.from(csr.signature);
    const ai = csr.signatureAlgorithm;
    const verify = (hash: string | null, key: crypto.VerifyKeyObjectInput | crypto.KeyObject): boolean => {
        try {
            return crypto.verify(hash, signed, key, signature);
        } catch {
            return false;
        }
    };
    if (ai.algorithm === id_RSASSA_PSS) {
        let params: RsaSaPssParams;
        try {
            params = ai.parameters ? AsnConvert.parse(ai.parameters, RsaSaPssParams) : new RsaSaPssParams();
        } catch {
            return { signatureAlgorithm: "RSASSA-PSS", signatureCheck: "invalid" };
        }
        const hash = pssHashes[params.hashAlgorithm.algorithm];
        const mgf =
            params.maskGenAlgorithm.algorithm === id_mgf1 && params.maskGenAlgorithm.parameters
                ? pssHashes[AsnConvert.parse(params.maskGenAlgorithm.parameters, AlgorithmIdentifier).algorithm]
                : undefined;
        const name = `RSASSA-PSS (${hash?.name ?? params.hashAlgorithm.algorithm}, MGF1 ${mgf?.name ?? "?"}, salt ${params.saltLength})`;
        // Node verifies PSS with MGF1 over the message digest, so other MGF hashes cannot be checked here.
        if (
            !hash ||
            !mgf ||
            mgf.name !== hash.name ||
            params.trailerField !== 1 ||
            publicKey.asymmetricKeyType !== "rsa"
        ) {
            return { signatureAlgorithm: name, signatureCheck: "unsupported" };
        }
        const valid = verify(hash.name, {
            key: publicKey,
            padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
            saltLength: params.saltLength,
        });
        const goAccepts = ["sha256", "sha384", "sha512"].includes(hash.name) && params.saltLength === hash.bytes;
        return {
            signatureAlgorithm: name,
            signatureCheck: valid ? "valid" : "invalid",
            ...(goAccepts
                ? {}
                : {
                      kubernetesRefusal:
                          "the Kubernetes CSR API verifies RSASSA-PSS only with SHA-256, SHA-384 or SHA-512 and a salt as long as the hash " +
                          "(openssl req ... -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest)",
                  }),
        };
    }
    const known = signatureAlgorithms[ai.algorithm];
    if (!known) return { signatureAlgorithm: ai.algorithm, signatureCheck: "unsupported" };
    // The algorithm must match the key, or the request is inconsistent (Go refuses it too).
    const keyType = publicKey.asymmetricKeyType;
    const valid = keyType === known.keyType && verify(known.hash, publicKey);
    return {
        signatureAlgorithm: known.name,
        signatureCheck: valid ? "valid" : "invalid",
        ...(known.kubernetesRefusal ? { kubernetesRefusal: known.kubernetesRefusal } : {}),
    };
}

/**
 * Parses a certificate request in any form {@link normaliseCertificateRequestPem}
 * accepts and checks its self-signature with the algorithm the request names
 * (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA with SHA-1/256/384/512, Ed25519).
 * Throws a message for users when it is not a request.
 */
export function parseCsrPem(text: string): ParsedCsr {
    const pem = normaliseCertificateRequestPem(text);
    let csr: CertificationRequest;
    try {
        const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
        csr = AsnConvert.parse(der, CertificationRequest);
    } catch {
        throw new Error("is not a valid PKCS#10 certificate request (it could not be decoded)");
    }
    const info = csr.certificationRequestInfo;
    const fields = info.subject.flatMap((rdn) =>
        rdn.map((atv) => ({ type: subjectOids[atv.type], value: atv.value.toString() })),
    );
    const publicKeyDer = Buffer.from(AsnConvert.serialize(info.subjectPKInfo));
    let publicKey: crypto.KeyObject;
    try {
        publicKey = crypto.createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
    } catch {
        throw new Error("has a public key kube-access cannot read (neither RSA, ECDSA nor Ed25519)");
    }
    const signature = checkSignature(csr, publicKey);
    return {
        pem,
        commonNames: fields.filter((f) => f.type === "CN").map((f) => f.value),
        organizations: fields.filter((f) => f.type === "O").map((f) => f.value),
        publicKeyDer,
        keyAlgorithm: keyAlgorithmOf(publicKey),
        ...signature,
        signatureValid: signature.signatureCheck === "valid",
    };
}
