import { execFileSync } from "child_process";
import { AccessSpecError } from "../intake/reader";
import { RawConfig, validateAccessSpec } from "./validate";
import { dsaCsrPem, opensslCsr } from "../../test/helpers/fixtures";
import { secretKeys, validConfig } from "../../test/helpers/config";

/*
 * Inputs from real-world reports (issue #10), through the whole validator:
 * what users paste is accepted in every form a signer can be given, and what
 * no signer can take is refused with its field path, before anything is created.
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
const users = (c: RawConfig) => c.users as any[];

function validate(mutate: (c: RawConfig) => void) {
    const config = validConfig();
    mutate(config);
    return validateAccessSpec(config, { secretKeys });
}

function issuesOf(mutate: (c: RawConfig) => void): { path: string; message: string }[] {
    try {
        validate(mutate);
        return [];
    } catch (e) {
        if (e instanceof AccessSpecError) return e.issues;
        throw e;
    }
}

/** user2 (users[1], groups [group1]) brings this request, for the given signer. */
const ownCsr =
    (csr: string, signer = "cluster") =>
    (c: RawConfig) =>
        (users(c)[1].auth = { method: "certificate", signer, certificateRequest: csr });

const alice = opensslCsr("/CN=user2/O=group1", ["-newkey", "rsa:2048"]).csrPem;
const keytool = alice.replace(/CERTIFICATE REQUEST-----/g, "NEW CERTIFICATE REQUEST-----");

describe("a user's own CSR in any form a signer can be given is accepted, and stored canonical", () => {
    const accepted: [string, string, string][] = [
        ["keytool label (NEW CERTIFICATE REQUEST)", keytool, "RSA-2048"],
        ["CRLF line endings", alice.replace(/\n/g, "\r\n"), "RSA-2048"],
        ["base64 of PEM", Buffer.from(keytool).toString("base64"), "RSA-2048"],
        ["text around it", `# user2's request\n${keytool}\n`, "RSA-2048"],
        // The issue's value for signatures, with its subject made user2's.
        [
            "RSA-4096 signed with SHA-512 (cfssl)",
            opensslCsr("/CN=user2/O=group1", ["-newkey", "rsa:4096", "-sha512"]).csrPem,
            "RSA-4096",
        ],
        [
            "RSASSA-PSS with SHA-256 and salt = hash length",
            opensslCsr("/CN=user2/O=group1", [
                "-newkey",
                "rsa:2048",
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:digest",
            ]).csrPem,
            "RSA-2048",
        ],
        [
            "ECDSA P-256 with SHA-384",
            opensslCsr("/CN=user2/O=group1", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha384"])
                .csrPem,
            "ECDSA-P256",
        ],
        [
            "ECDSA P-521",
            opensslCsr("/CN=user2/O=group1", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"]).csrPem,
            "ECDSA-P521",
        ],
        ["Ed25519", opensslCsr("/CN=user2/O=group1", ["-newkey", "ed25519"]).csrPem, "ED25519"],
    ];
    test.each(accepted)("%s", (_d, csr, keyAlgorithm) => {
        for (const signer of ["cluster", "external"]) {
            const auth = validate(ownCsr(csr, signer)).users[1].auth as any;
            expect(auth.keyAlgorithm).toBe(keyAlgorithm);
            expect(auth.certificateRequestPem).toMatch(
                /^-----BEGIN CERTIFICATE REQUEST-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE REQUEST-----\n$/,
            );
            const subject = execFileSync("openssl", ["req", "-noout", "-subject"], {
                input: auth.certificateRequestPem,
                encoding: "utf8",
            });
            expect(subject).toMatch(/CN\s*=\s*user2, O\s*=\s*group1/);
        }
    });
});

describe("a CSR no signer can take is refused at validation, with its field path", () => {
    const maxSaltPss = opensslCsr("/CN=user2/O=group1", [
        "-newkey",
        "rsa:2048",
        "-sigopt",
        "rsa_padding_mode:pss",
    ]).csrPem;
    const refused: [string, () => (c: RawConfig) => void, RegExp][] = [
        [
            "DSA: an algorithm kube-access cannot verify, said as such",
            () => ownCsr(dsaCsrPem("/CN=user2/O=group1")),
            /uses signature algorithm 2\.16\.840\.1\.101\.3\.4\.3\.2, which kube-access cannot verify; make the request again/,
        ],
        [
            "RSASSA-PSS with openssl's default (maximum) salt, for the cluster signer",
            () => ownCsr(maxSaltPss, "cluster"),
            /RSASSA-PSS \(sha256, MGF1 sha256, salt 222\), which the cluster signer cannot take.*rsa_pss_saltlen:digest/,
        ],
        [
            "a signature that does not verify",
            () =>
                ownCsr(
                    alice.replace(/([A-Za-z0-9+/])(=*\n-----END)/, (_m, ch, rest) => (ch === "A" ? "B" : "A") + rest),
                ),
            /sha256WithRSAEncryption signature that does not verify with its own public key/,
        ],
        [
            "the key pasted with the request",
            () => ownCsr(opensslCsr("/CN=user2/O=group1").keyPem + alice),
            /also holds a private key/,
        ],
    ];
    test.each(refused)("%s", (_d, mutate, message) => {
        const issues = issuesOf(mutate());
        const issue = issues.find((i) => i.path === "users[1].auth.certificateRequest");
        expect({ issues, found: issue !== undefined }).toMatchObject({ found: true });
        expect(issue!.message).toMatch(message);
        expect(issue!.message).not.toMatch(/[A-Za-z0-9+/]{40}/);
    });

    test("the PSS request the cluster signer cannot take is fine for the external signer (the tls provider)", () => {
        expect(issuesOf(ownCsr(maxSaltPss, "external"))).toEqual([]);
    });
});
