/** One problem found in the config: where it is and what to do about it. */
export interface SpecIssue {
    /** Field path inside the `kube-access` config namespace, e.g. `users[3].groups[1]`, or a full key of another namespace (`keycloak:url`). */
    path: string;
    message: string;
}

/** Thrown when the config is invalid; lists every issue at once. */
export class AccessSpecError extends Error {
    constructor(public readonly issues: SpecIssue[]) {
        super(
            `Invalid kube-access config (${issues.length} problem${issues.length === 1 ? "" : "s"}); ` +
                `nothing was created:\n` +
                issues.map((i) => `  - ${qualifiedKey(i.path)}: ${i.message}`).join("\n"),
        );
        this.name = "AccessSpecError";
    }
}

/** A field path as the user writes it: in the `kube-access` namespace unless it names another one. */
export function qualifiedKey(path: string): string {
    return /^[a-z][a-z0-9-]*:/.test(path) ? path : `kube-access:${path}`;
}

export type Raw = unknown;

export function describeType(value: Raw): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "an object";
    if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
    return `${typeof value} ${JSON.stringify(value)}`;
}

export function isPlainObject(value: Raw): value is Record<string, Raw> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Collects issues while reading raw config; each read names its field path. */
export class IssueCollector {
    readonly issues: SpecIssue[] = [];

    add(path: string, message: string): void {
        this.issues.push({ path, message });
    }

    /** Reads an object and reports fields that are not in `known`. */
    object(path: string, value: Raw, known: readonly string[]): Record<string, Raw> | undefined {
        if (!isPlainObject(value)) {
            this.add(path, `must be an object, got ${describeType(value)}`);
            return undefined;
        }
        for (const key of Object.keys(value)) {
            if (!known.includes(key)) {
                this.add(join(path, key), `unknown field; known fields are ${known.join(", ")}`);
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
            this.add(path, `must be a string, got ${describeType(value)}`);
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
        this.add(path, `must be true or false, got ${describeType(value)}`);
        return fallback;
    }

    integer(path: string, value: Raw, fallback: number, min: number, max: number): number {
        if (value === undefined || value === null) return fallback;
        const n = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
        if (typeof n !== "number" || !Number.isInteger(n)) {
            this.add(path, `must be a whole number, got ${describeType(value)}`);
            return fallback;
        }
        if (n < min || n > max) {
            this.add(path, `must be between ${min} and ${max}, got ${n}`);
            return fallback;
        }
        return n;
    }

    list(path: string, value: Raw, opts: { required?: boolean } = {}): Raw[] {
        if (value === undefined || value === null) {
            if (opts.required) this.add(path, "is required (a list)");
            return [];
        }
        if (!Array.isArray(value)) {
            this.add(path, `must be a list, got ${describeType(value)}`);
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

    oneOf<T extends string>(path: string, value: Raw, allowed: readonly T[], fallback?: T): T | undefined {
        if (value === undefined || value === null) {
            if (fallback === undefined) this.add(path, `is required; one of ${allowed.join(", ")}`);
            return fallback;
        }
        if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
            this.add(path, `must be one of ${allowed.join(", ")}, got ${describeType(value)}`);
            return undefined;
        }
        return value as T;
    }
}

export function join(path: string, key: string): string {
    return path === "" ? key : `${path}.${key}`;
}
