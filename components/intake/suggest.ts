import damerauLevenshtein from "damerau-levenshtein";

/**
 * "Did you mean ...?" suggestions for misspelt config values. The closest
 * candidate by Damerau-Levenshtein distance (case ignored; two neighbouring
 * characters swapped, as in `alcie`, count as one edit) is offered when it is
 * at most a third of the longer word away (at least one edit), so a wild
 * guess is never offered.
 */
export function closestMatch(value: string, candidates: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const d = damerauLevenshtein(value.toLowerCase(), candidate.toLowerCase()).steps;
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    if (best === undefined) return undefined;
    const allowed = Math.max(1, Math.floor(Math.max(value.length, best.length) / 3));
    return bestDistance <= allowed ? best : undefined;
}

/** `; did you mean "x"?` or the empty string. */
export function didYouMean(suggestion: string | undefined): string {
    return suggestion === undefined ? "" : `; did you mean ${JSON.stringify(suggestion)}?`;
}

/** Namespaces every cluster has; suggested when a namespace is close to one of them. */
export const wellKnownNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

/**
 * The valid namespace name (DNS-1123 label) closest to what was written:
 * lower case, other characters as '-', and a namespace the cluster or the
 * config already has when one is within reach.
 */
export function suggestNamespace(value: string, known: readonly string[]): string | undefined {
    const normalised = value
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 63)
        .replace(/-+$/, "");
    const candidates = [...new Set([...wellKnownNamespaces, ...known])].filter((n) => n !== value);
    const near = closestMatch(normalised || value, candidates);
    if (near !== undefined) return near;
    if (normalised !== "" && normalised !== value) return normalised;
    return undefined;
}

/** The https URL a server address probably meant: `host:6443` becomes `https://host:6443`. */
export function suggestHttpsUrl(value: string): string | undefined {
    const text = value.trim();
    const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
        ? text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "https://")
        : `https://${text.replace(/^\/+/, "")}`;
    try {
        const url = new URL(candidate);
        return url.hostname !== "" && candidate !== value ? candidate : undefined;
    } catch {
        return undefined;
    }
}
