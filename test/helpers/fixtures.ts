import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createKeyAndCsr } from "../harness/openssl";

/** A throwaway CA made with openssl for tests; its key protects nothing. */
export interface TestCa {
    certificatePem: string;
    privateKeyPem: string;
}

const cache = new Map<string, TestCa>();

/** Creates (once per test file) a self-signed CA with the given common name. */
export function testCa(commonName = "kube-access-test-ca"): TestCa {
    const cached = cache.get(commonName);
    if (cached) return cached;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-ca-"));
    try {
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                path.join(dir, "ca.key"),
                "-out",
                path.join(dir, "ca.crt"),
                "-days",
                "3650",
                "-subj",
                `/CN=${commonName}`,
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
            { stdio: "ignore" },
        );
        const ca = {
            certificatePem: fs.readFileSync(path.join(dir, "ca.crt"), "utf8"),
            privateKeyPem: fs.readFileSync(path.join(dir, "ca.key"), "utf8"),
        };
        cache.set(commonName, ca);
        return ca;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A key and CSR made with openssl, the way the article's users make them. */
export function opensslCsr(
    subject: string,
    keyArgs: string[] = ["-newkey", "rsa:2048"],
): { keyPem: string; csrPem: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-csr-"));
    try {
        createKeyAndCsr(path.join(dir, "user.key"), path.join(dir, "user.csr"), subject, keyArgs);
        return {
            keyPem: fs.readFileSync(path.join(dir, "user.key"), "utf8"),
            csrPem: fs.readFileSync(path.join(dir, "user.csr"), "utf8"),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A CSR signed with DSA (SHA-256), an algorithm kube-access cannot verify, made with openssl. */
export function dsaCsrPem(subject: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-dsa-"));
    try {
        const params = path.join(dir, "dsa.params");
        execFileSync(
            "openssl",
            ["genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", params],
            { stdio: "ignore" },
        );
        return opensslCsr(subject, ["-newkey", `dsa:${params}`, "-sha256"]).csrPem;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** What {@link opensslCertificate} makes. */
export interface CertificateFixture {
    /** Subject, as openssl's -subj takes it. */
    subject: string;
    /** Extensions in openssl's config syntax (`basicConstraints=CA:FALSE`), one per entry; none when empty. */
    extensions: string[];
    /** Signed by this CA; self-signed when absent. */
    issuer?: TestCa;
}

/**
 * A certificate made with openssl, for tests that need certificates of a
 * given kind (a serving certificate, a client certificate, a CA without
 * keyCertSign). Only the extensions given are added.
 */
export function opensslCertificate(fixture: CertificateFixture): { certificatePem: string; privateKeyPem: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-cert-"));
    const file = (name: string) => path.join(dir, name);
    try {
        // A config with no default extensions: the certificate carries exactly `extensions`.
        fs.writeFileSync(
            file("openssl.cnf"),
            "[req]\ndistinguished_name = dn\n[dn]\n[ext]\n" + fixture.extensions.join("\n") + "\n",
        );
        fs.writeFileSync(file("ext.cnf"), fixture.extensions.join("\n") + "\n");
        const common = ["-days", "30", "-config", file("openssl.cnf")];
        if (fixture.issuer === undefined) {
            execFileSync(
                "openssl",
                [
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    file("key.pem"),
                    "-out",
                    file("cert.pem"),
                    "-subj",
                    fixture.subject,
                    ...common,
                    ...(fixture.extensions.length > 0 ? ["-extensions", "ext"] : []),
                ],
                { stdio: "ignore" },
            );
        } else {
            fs.writeFileSync(file("ca.crt"), fixture.issuer.certificatePem);
            fs.writeFileSync(file("ca.key"), fixture.issuer.privateKeyPem);
            execFileSync(
                "openssl",
                [
                    "req",
                    "-new",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    file("key.pem"),
                    "-out",
                    file("req.pem"),
                    "-subj",
                    fixture.subject,
                    "-config",
                    file("openssl.cnf"),
                ],
                { stdio: "ignore" },
            );
            execFileSync(
                "openssl",
                [
                    "x509",
                    "-req",
                    "-in",
                    file("req.pem"),
                    "-CA",
                    file("ca.crt"),
                    "-CAkey",
                    file("ca.key"),
                    "-CAcreateserial",
                    "-days",
                    "30",
                    "-out",
                    file("cert.pem"),
                    ...(fixture.extensions.length > 0 ? ["-extfile", file("ext.cnf")] : []),
                ],
                { stdio: "ignore" },
            );
        }
        return {
            certificatePem: fs.readFileSync(file("cert.pem"), "utf8"),
            privateKeyPem: fs.readFileSync(file("key.pem"), "utf8"),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * The state of a cluster-signed certificate issued for user2 on 2030-01-01,
 * valid ten days with a one-day renewal window: for tests of renewal and
 * rotation decisions.
 */
export const issuedClusterCertificate = {
    userName: "user2",
    objectName: "kube-access-user2",
    requestPem: "CSR",
    signerName: "kubernetes.io/kube-apiserver-client",
    usages: ["digital signature", "client auth"],
    expirationSeconds: 10 * 86400,
    renewBeforeSeconds: 86400,
    timeoutSeconds: 120,
    keepRequest: false,
    notBefore: "2030-01-01T00:00:00.000Z",
    notAfter: "2030-01-11T00:00:00.000Z",
    certificatePem: "CERT",
};
