/**
 * Reads a config section with its zod schema (./schema): the schema finds the
 * shape errors (unknown fields, types, enums, whole-number ranges, required
 * fields), which become {@link SpecIssue}s with field paths and the messages
 * users know; the fields that passed are returned, typed, with the schema's
 * defaults, so the cross-field rules still run on them.
 */
import { z } from "zod";
import { IssueCollector, Raw, isPlainObject, join, knownNames } from "./reader";
import { closestMatch, didYouMean } from "./suggest";
import { distinctEntries } from "./rules";
import { WholeNumberRange, fieldsOf, unwrap } from "./schema";

/** The schema of the value at `path` inside `schema`, through objects, arrays, records and wrappers. */
function schemaAt(schema: z.ZodType, path: PropertyKey[]): z.ZodType | undefined {
    let at: z.ZodType | undefined = schema;
    for (const key of path) {
        const inner: z.ZodType | undefined = at && unwrap(at);
        if (inner instanceof z.ZodObject) at = inner.shape[key as string] as z.ZodType | undefined;
        else if (inner instanceof z.ZodArray) at = inner.element as z.ZodType;
        else if (inner instanceof z.ZodRecord) at = inner.valueType as z.ZodType;
        else return undefined;
    }
    return at && unwrap(at);
}

/** `users[0].auth`: a field path in the notation of messages. */
export function pathText(base: string, path: PropertyKey[]): string {
    return path.reduce<string>((p, k) => (typeof k === "number" ? `${p}[${k}]` : join(p, String(k))), base);
}

const typeNames: Record<string, string> = {
    string: "a string",
    boolean: "true or false",
    number: "a whole number",
    int: "a whole number",
    object: "an object",
    record: "an object",
    array: "a list",
};

/**
 * Adds a zod issue of `schema`, found in the value at `base`, as the message
 * the hand-written reader gave for it, followed by the field's how-to-fix
 * hint (its schema's `meta().hint`) when it has one.
 */
export function addSchemaIssue(c: IssueCollector, base: string, schema: z.ZodType, issue: z.core.$ZodIssue): void {
    const fieldHint =
        issue.code === "unrecognized_keys"
            ? undefined
            : (schemaAt(schema, issue.path)?.meta() as { hint?: string } | undefined)?.hint;
    for (const { path, message } of schemaIssueMessages(c, base, schema, issue)) {
        c.add(path, fieldHint ? `${message}; ${fieldHint}` : message);
    }
}

/** The field paths and messages of one zod issue; `c` describes a bad value (never quoting a secret). */
function schemaIssueMessages(
    c: IssueCollector,
    base: string,
    schema: z.ZodType,
    issue: z.core.$ZodIssue,
): { path: string; message: string }[] {
    const input = (issue as { input?: unknown }).input;
    const path = pathText(base, issue.path);
    const missing = input === undefined || input === null;
    const at = (message: string) => [{ path, message }];
    switch (issue.code) {
        case "unrecognized_keys": {
            const found = schemaAt(schema, issue.path);
            const known = found instanceof z.ZodObject ? fieldsOf(found) : [];
            return issue.keys.map((key) => ({
                path: join(path, key),
                message: `unknown field; ${knownNames("fields", key, known)}`,
            }));
        }
        case "invalid_type":
            if (input === undefined || (input === null && issue.expected !== "object"))
                return at(issue.expected === "array" ? "is required (a list)" : "is required");
            return at(`must be ${typeNames[issue.expected] ?? issue.expected}, got ${c.describe(path, input)}`);
        case "invalid_value": {
            const allowed = issue.values.map(String);
            if (missing) return at(`is required; one of ${allowed.join(", ")}`);
            const hint = typeof input === "string" ? didYouMean(closestMatch(input, allowed)) : "";
            return at(`must be one of ${allowed.join(", ")}, got ${c.describe(path, input)}${hint}`);
        }
        case "custom": {
            const range = issue.params?.range as WholeNumberRange | undefined;
            if (range) return at(`must be between ${range.min} and ${range.max}, got ${String(input)}`);
            if (issue.params?.empty) return at("must not be empty");
            return at(issue.message);
        }
        default:
            return at(issue.message);
    }
}

/**
 * The value with null fields of objects taken as unset, at every depth, as
 * the stack config means them (null fields the schema does not know stay, to
 * be reported as unknown; null list entries stay, to be reported).
 */
function withoutNulls(value: Raw, schema: z.ZodType | undefined): Raw {
    const inner = schema && unwrap(schema);
    if (inner instanceof z.ZodObject && isPlainObject(value)) {
        const shape = inner.shape as Record<string, z.ZodType>;
        return Object.fromEntries(
            Object.entries(value)
                .filter(([k, v]) => v !== null || !(k in shape))
                .map(([k, v]) => [k, withoutNulls(v, shape[k])]),
        );
    }
    if (inner instanceof z.ZodArray && Array.isArray(value))
        return value.map((v) => withoutNulls(v, inner.element as z.ZodType));
    return value;
}

/**
 * Reads the object at `path` with `schema`: every shape error is added to
 * `c`; returns each field that passed (or its default when it did not), or
 * undefined when the value is not an object. A list field with some bad
 * entries keeps its good ones, so checks across entries still run.
 */
export function readSection<S extends z.ZodObject>(
    c: IssueCollector,
    path: string,
    value: Raw,
    schema: S,
): Partial<z.output<S>> | undefined {
    if (!isPlainObject(value)) {
        c.add(path, `must be an object, got ${c.describe(path, value)}`);
        return undefined;
    }
    const given = withoutNulls(value, schema) as Record<string, Raw>;
    const parsed = schema.safeParse(given, { reportInput: true });
    if (parsed.success) return parsed.data as Partial<z.output<S>>;
    for (const issue of parsed.error.issues) addSchemaIssue(c, path, schema, issue);
    return fieldsThatPass(schema, given);
}

/**
 * The fields of `value` that `schema` accepts, and the defaults of those it
 * does not; reports nothing (for entries whose list {@link readSection}
 * reported). A list field keeps its good entries.
 */
export function fieldsThatPass<S extends z.ZodObject>(schema: S, value: Raw): Partial<z.output<S>> {
    const given = isPlainObject(value) ? (withoutNulls(value, schema) as Record<string, Raw>) : {};
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
        const own = field.safeParse(given[key]);
        const inner = unwrap(field);
        const raw = given[key];
        if (!own.success && inner instanceof z.ZodArray && Array.isArray(raw)) {
            out[key] = raw.flatMap((entry) => {
                const e = (inner.element as z.ZodType).safeParse(entry);
                return e.success ? [e.data] : [];
            });
            continue;
        }
        const fallback = own.success ? own : field.safeParse(undefined);
        if (fallback.success && fallback.data !== undefined) out[key] = fallback.data;
    }
    return out as Partial<z.output<S>>;
}

/**
 * Reads one value at `path` with `schema`; its shape errors are added to `c`.
 * Returns the value, or the schema's default (or undefined) when it is wrong.
 * Null is taken as unset.
 */
export function readField<T extends z.ZodType>(
    c: IssueCollector,
    path: string,
    value: Raw,
    schema: T,
): z.output<T> | undefined {
    const parsed = schema.safeParse(value === null ? undefined : value, { reportInput: true });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) addSchemaIssue(c, path, schema, issue);
    const fallback = schema.safeParse(undefined);
    return fallback.success ? fallback.data : undefined;
}

/**
 * Reads a list of names with its schema (a list of non-empty strings): shape
 * errors from the schema, then each repeated entry; returns the good entries
 * without repeats.
 */
export function readNameList(c: IssueCollector, path: string, value: Raw, schema: z.ZodType): string[] {
    readField(c, path, value, schema);
    return distinctEntries(c, path, value);
}
