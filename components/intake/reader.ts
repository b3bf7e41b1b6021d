import { closestMatch } from "./suggest";

/** One problem found in the config: where it is and what to do about it. */
export interface SpecIssue {
    /** Field path inside the `kube-access` config namespace, e.g. `users[3].groups[1]`, or a full key of another namespace (`keycloak:url`). */
    path: string;
    message: string;
    /** For a field of an access file: the line (from 1) where the field, or the deepest part of its path the file has, is written. */
    line?: number;
}

/**
 * Thrown when the config is invalid; lists every issue at once. The program
 * throws it before it declares any resource, so the engine creates, changes
 * and deletes nothing, on a new stack and on one deployed before.
 */
export class AccessSpecError extends Error {
    constructor(public readonly issues: SpecIssue[]) {
        super(
            `Invalid kube-access config (${issues.length} problem${issues.length === 1 ? "" : "s"}); ` +
                `nothing was created or changed:\n` +
                issues
                    .map(
                        (i) =>
                            `  - ${qualifiedKey(i.path)}${i.line === undefined ? "" : ` (line ${i.line})`}: ${i.message}`,
                    )
                    .join("\n"),
        );
        this.name = "AccessSpecError";
    }
}

/** A field path as the user writes it: in the `kube-access` namespace unless it names another one or an access file (`teams/a.yaml:users[0]`). */
export function qualifiedKey(path: string): string {
    return /^[a-z][a-z0-9-]*:/.test(path) || /^[^\s:]+\.ya?ml(:|$)/i.test(path) ? path : `kube-access:${path}`;
}

export type Raw = unknown;

/**
 * What a value is, for messages: `the string "x"`, `number 3`, `a list`.
 * A string that holds a private key is never quoted.
 */
export function describeType(value: Raw): string {
    if (typeof value === "string" && /PRIVATE KEY/.test(value)) return "a private key (not shown)";
    if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
    if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${JSON.stringify(value)}`;
    return describeShape(value);
}

/** The shape of a value without any of its content: for secrets, whatever they hold. */
export function describeShape(value: Raw): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "an object";
    if (typeof value === "string") return "a string";
    if (typeof value === "number") return "a number";
    if (typeof value === "boolean") return "true or false";
    return `a ${typeof value}`;
}

export function isPlainObject(value: Raw): value is Record<string, Raw> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A PEM private key inside a message, up to its END line or the end of the quoted value. */
const quotedPrivateKey = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|(?=")|$)/g;

/**
 * Collects issues while reading raw config; each read names its field path.
 * Values under a secret key (`secretKeys`, top-level keys of the namespace)
 * are described by their shape only, never by their content.
 */
export class IssueCollector {
    readonly issues: SpecIssue[] = [];

    constructor(private readonly secretKeys: readonly string[] = []) {}

    /** Records an issue; a private key quoted by mistake (pasted into the wrong field) is cut out. */
    add(path: string, message: string): void {
        this.issues.push({ path, message: message.replace(quotedPrivateKey, "<a private key, not shown>") });
    }

    /** Whether a field path lies inside a secret config key. */
    isSecretPath(path: string): boolean {
        const root = /^[^.[]*/.exec(path)![0];
        return this.secretKeys.includes(root);
    }

    /** {@link describeType}, or {@link describeShape} inside a secret key. */
    describe(path: string, value: Raw): string {
        return this.isSecretPath(path) ? describeShape(value) : describeType(value);
    }

    /** Reads an object and reports fields that are not in `known`, with the closest known field. */
    object(path: string, value: Raw, known: readonly string[]): Record<string, Raw> | undefined {
        if (!isPlainObject(value)) {
            this.add(path, `must be an object, got ${this.describe(path, value)}`);
            return undefined;
        }
        for (const key of Object.keys(value)) {
            if (!known.includes(key)) {
                this.add(join(path, key), `unknown field; ${knownNames("fields", key, known)}`);
            }
        }
        return value;
    }

    string(path: string, value: Raw, opts: { required?: boolean; fallback?: string } = {}): string | undefined {
        if (value === undefined || value === null) {
            if (opts.required) this.add(path, "is required");
            return opts.fallback;
        }
        if (typeof value !== "string") {
            this.add(path, `must be a string, got ${this.describe(path, value)}`);
            return opts.fallback;
        }
        if (opts.required && value.trim() === "") {
            this.add(path, "must not be empty");
            return opts.fallback;
        }
        return value;
    }

    boolean(path: string, value: Raw, fallback: boolean): boolean {
        if (value === undefined || value === null) return fallback;
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        this.add(path, `must be true or false, got ${this.describe(path, value)}`);
        return fallback;
    }

    list(path: string, value: Raw, opts: { required?: boolean } = {}): Raw[] {
        if (value === undefined || value === null) {
            if (opts.required) this.add(path, "is required (a list)");
            return [];
        }
        if (!Array.isArray(value)) {
            this.add(path, `must be a list, got ${this.describe(path, value)}`);
            return [];
        }
        return value;
    }

    /** Reads a list of non-empty strings, reporting duplicates. */
    stringList(path: string, value: Raw): string[] {
        const out: string[] = [];
        this.list(path, value).forEach((item, i) => {
            const s = this.string(`${path}[${i}]`, item, { required: true });
            if (s === undefined) return;
            if (out.includes(s)) this.add(`${path}[${i}]`, `duplicate entry ${JSON.stringify(s)}`);
            else out.push(s);
        });
        return out;
    }
}

/** `did you mean "groups"? Known fields are ...`, or `known fields are ...` when nothing is close. */
export function knownNames(what: string, given: string, known: readonly string[]): string {
    const near = closestMatch(given, known);
    const list = `${what} are ${known.join(", ")}`;
    return near === undefined ? `known ${list}` : `did you mean ${JSON.stringify(near)}? Known ${list}`;
}

export function join(path: string, key: string): string {
    return path === "" ? key : `${path}.${key}`;
}
