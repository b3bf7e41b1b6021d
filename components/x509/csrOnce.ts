import { ParsedCsr, parseCsrPem } from "./csr";

/**
 * The parse of the requests validated most recently, by the text given and by
 * its canonical PEM. Validation reads a user's request (signature, key) and
 * then checks its subject against the user; both see the same parse, so each
 * request's signature is verified once (issue 17: parsing twice cost 5-14 s
 * for 1,000 users with their own CSR). Only a few entries are kept: the two
 * reads of one user come one right after the other.
 */
const recent = new Map<string, ParsedCsr>();
const kept = 8;

/** {@link parseCsrPem}, answered from the last few parses of the same text; throws as it does. */
export function parseCsrPemOnce(text: string): ParsedCsr {
    const cached = recent.get(text);
    if (cached) return cached;
    const parsed = parseCsrPem(text);
    for (const key of [text, parsed.pem]) {
        recent.delete(key);
        recent.set(key, parsed);
    }
    while (recent.size > kept) recent.delete(recent.keys().next().value as string);
    return parsed;
}
