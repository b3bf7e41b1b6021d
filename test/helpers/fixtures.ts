import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createKeyAndCsr } from "../../scripts/lib/openssl";

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
