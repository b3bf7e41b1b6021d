import type * as tls from "@pulumi/tls";
import { KeyAlgorithm } from "../model/types";
import { clientCertificateUsages } from "./csr";

/** tls.PrivateKey arguments for a key algorithm. */
export function privateKeyArgs(algorithm: KeyAlgorithm): tls.PrivateKeyArgs {
    const [family, size] = algorithm.split("-");
    if (family === "ED25519") return { algorithm: "ED25519" };
    return family === "RSA" ? { algorithm: "RSA", rsaBits: Number(size) } : { algorithm: "ECDSA", ecdsaCurve: size };
}

/** tls provider spelling of the key usages of a client certificate. */
export function tlsAllowedUses(algorithm: KeyAlgorithm): string[] {
    return clientCertificateUsages(algorithm).map((u) => u.replace(/ /g, "_"));
}
