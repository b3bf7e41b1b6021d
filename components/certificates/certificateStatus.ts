/**
 * Where a client certificate stands at one moment, for the `users` output:
 * - `valid`: before its renewal window;
 * - `renewalDue`: inside the window (from `renewsAt` on), so the next
 *   `pulumi up` issues a new one;
 * - `expired`: past its notAfter (RFC 5280 section 4.1.2.5); the API server
 *   refuses it, and the next `pulumi up` issues a new one.
 */
export type CertificateStatus = "valid" | "renewalDue" | "expired";

/** The status at `now` (ms since the epoch) of a certificate valid until `notAfter` and renewed from `renewsAt` (both ISO 8601). */
export function certificateStatus(notAfter: string, renewsAt: string, now: number): CertificateStatus {
    if (now >= Date.parse(notAfter)) return "expired";
    if (now >= Date.parse(renewsAt)) return "renewalDue";
    return "valid";
}

/**
 * The start of the renewal window of a certificate valid until `notAfter`
 * (ISO 8601), `renewBeforeSeconds` earlier; undefined while `notAfter` is not
 * known (a certificate not issued yet).
 */
export function renewalStart(notAfter: string | undefined, renewBeforeSeconds: number): string | undefined {
    const end = notAfter === undefined ? NaN : Date.parse(notAfter);
    return Number.isNaN(end) ? undefined : new Date(end - renewBeforeSeconds * 1000).toISOString();
}
