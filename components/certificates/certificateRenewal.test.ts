import { CertificateRenewalState, diffCertificateRenewal, issuedRenewal } from "./certificateRenewal";

const at = (iso: string) => Date.parse(iso);
const inputs: CertificateRenewalState = {
    issuanceSha256: "a1",
    validitySeconds: 10 * 86400,
    renewBeforeSeconds: 86400,
};
const issued = issuedRenewal(inputs, at("2030-01-01T00:00:00Z"));

describe("renewal of certificates signed by the tls provider", () => {
    test("records when the certificate was issued and when it expires", () => {
        expect(issued).toMatchObject({ issuedAt: "2030-01-01T00:00:00.000Z", notAfter: "2030-01-11T00:00:00.000Z" });
    });

    test.each([
        ["the day after issue", "2030-01-02T00:00:00Z"],
        ["one second before the window", "2030-01-09T23:59:59Z"],
    ])("outside the window (%s): no change", (_label, now) => {
        expect(diffCertificateRenewal(issued, { ...inputs }, at(now))).toMatchObject({ changes: false, replaces: [] });
    });

    test.each([
        ["at the start of the window", "2030-01-10T00:00:00Z"],
        ["an hour before expiry", "2030-01-10T23:00:00Z"],
        ["after expiry, when nobody ran pulumi up in time", "2030-02-01T00:00:00Z"],
    ])("inside the window (%s): issued again", (_label, now) => {
        expect(diffCertificateRenewal(issued, { ...inputs }, at(now))).toMatchObject({
            changes: true,
            replaces: ["notAfter"],
        });
    });

    test.each([
        ["the request or CA", { issuanceSha256: "b2" }, ["issuanceSha256"]],
        ["the lifetime", { validitySeconds: 86400 * 30 }, ["validitySeconds"]],
    ])("a change of %s starts a new schedule", (_label, change, replaces) => {
        const result = diffCertificateRenewal(issued, { ...inputs, ...change }, at("2030-01-02T00:00:00Z"));
        expect(result).toMatchObject({ changes: true, replaces });
    });

    test("a wider window alone changes nothing until it is reached, then renews", () => {
        const wider = { ...inputs, renewBeforeSeconds: 5 * 86400 };
        expect(diffCertificateRenewal(issued, wider, at("2030-01-05T23:00:00Z")).changes).toBe(false);
        expect(diffCertificateRenewal(issued, wider, at("2030-01-06T00:00:00Z")).replaces).toEqual(["notAfter"]);
    });
});
