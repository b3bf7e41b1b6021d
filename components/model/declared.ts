import { AuthSpec, authMethods } from "./types";
import { Raw, isPlainObject } from "../intake/reader";

/**
 * What a user entry declares, even when some of its fields are invalid, so
 * checks across entries still run and name the entry's own field path.
 */
export interface DeclaredUser {
    /** Position in `users`. */
    index: number;
    name?: string;
    groups: string[];
    /** Field path of a group, by the group and its position among the valid ones. */
    groupPath: (group: string, j: number) => string;
    method?: AuthSpec["method"];
    signer?: string;
}

/** The auth method a user entry names, if it names a known one. */
export function declaredMethod(auth: Raw): AuthSpec["method"] | undefined {
    const method = isPlainObject(auth) ? auth.method : undefined;
    return (authMethods as readonly unknown[]).includes(method) ? (method as AuthSpec["method"]) : undefined;
}

/** The signer a user entry names, if it names one as a string. */
export function declaredSigner(auth: Raw): string | undefined {
    return isPlainObject(auth) && typeof auth.signer === "string" ? auth.signer : undefined;
}
