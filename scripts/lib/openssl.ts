import { execFileSync } from "child_process";
import * as fs from "fs";

/** openssl arguments that make a new key of a kube-access key algorithm. */
export function opensslKeyArgs(keyAlgorithm = "RSA-2048"): string[] {
    const [family, size] = keyAlgorithm.split("-");
    if (family === "ED25519") return ["-newkey", "ed25519"];
    return family === "RSA"
        ? ["-newkey", `rsa:${size}`]
        : ["-newkey", "ec", "-pkeyopt", `ec_paramgen_curve:${size.replace("P", "P-")}`];
}

/** The `-subj` of a user's CSR: CN = user, one O per group (the article's form). */
export function csrSubject(user: string, groups: string[]): string {
    return `/CN=${user}${groups.map((g) => `/O=${g}`).join("")}`;
}

/**
 * What the article's user does: make a private key and a CSR with openssl.
 * Keeps existing files, so the CSR (and the certificate) stays the same on re-runs.
 */
export function createKeyAndCsr(keyFile: string, csrFile: string, subject: string, keyArgs: string[]): void {
    if (fs.existsSync(keyFile) && fs.existsSync(csrFile)) return;
    execFileSync(
        "openssl",
        ["req", "-new", ...keyArgs, "-nodes", "-keyout", keyFile, "-out", csrFile, "-subj", subject],
        {
            stdio: "ignore",
        },
    );
    fs.chmodSync(keyFile, 0o600);
}
