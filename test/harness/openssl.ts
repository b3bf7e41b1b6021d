import { execFileSync } from "child_process";
import * as fs from "fs";

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
