import { readFileSync } from "fs";
import { join } from "path";
import { z } from "zod";
import { configKeys, kubeAccessConfigSchema, secretConfigKeys, unwrap } from "./schema";
import { readField, readSection } from "./section";
import { IssueCollector } from "./reader";
import { clusterSigningSchema, oidcSchema, proxySchema, authenticatingProxySchema } from "./schema";

/** Every field name a schema declares, at any depth (a map's keys are the user's, not fields). */
function fieldsDeep(schema: z.ZodType): Set<string> {
    const inner = unwrap(schema);
    const out = new Set<string>();
    if (inner instanceof z.ZodObject) {
        for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
            out.add(key);
            fieldsDeep(field).forEach((f) => out.add(f));
        }
    } else if (inner instanceof z.ZodArray) {
        return fieldsDeep(inner.element as z.ZodType);
    } else if (inner instanceof z.ZodUnion) {
        for (const option of inner.options as z.ZodType[]) fieldsDeep(option).forEach((f) => out.add(f));
    }
    return out;
}

const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
/** README's config reference: from its heading to the validation rules. */
const reference = readme.slice(readme.indexOf("## Config reference"), readme.indexOf("### Validation rules"));

/** Rows of the reference table: key (as written, e.g. `cluster.name`), type and meaning. */
const tableRows = [...reference.matchAll(/^\| `([A-Za-z.]+)` *\| ([^|]+?) *\| (.+?) *\|$/gm)].map((m) => ({
    key: m[1],
    type: m[2],
    meaning: m[3],
}));

/**
 * Field names a YAML example of the reference gives for a config key: the
 * keys of its block (`kube-access:<key>:`), also those commented out or
 * offered as an alternative (`# or role: ...`).
 */
function yamlFields(key: string): Set<string> {
    const out = new Set<string>();
    for (const block of reference.matchAll(/```yaml\n([\s\S]*?)```/g)) {
        const lines = block[1].split("\n");
        if (!lines[0].startsWith(`kube-access:${key}:`)) continue;
        for (const line of lines.slice(1)) {
            const field = /^\s*(?:-\s+)?(?:#\s*)?([a-z][A-Za-z]*):(\s|$)/.exec(line);
            if (field) out.add(field[1]);
            for (const alternative of line.matchAll(/#\s*or ([a-z][A-Za-z]*):/g)) out.add(alternative[1]);
        }
    }
    return out;
}

/** Field names the reference gives for a config key: its table rows and its YAML example. */
function documentedFields(key: string): Set<string> {
    const out = yamlFields(key);
    for (const row of tableRows) {
        if (row.key.startsWith(`${key}.`)) out.add(row.key.slice(key.length + 1));
        if (row.key === key && row.type === "object") {
            for (const m of row.meaning.matchAll(/`([a-z][A-Za-z]*)`/g)) out.add(m[1]);
        }
    }
    return out;
}

/** Example keys of a map in the YAML examples (user-extra keys of impersonation.extras), not fields. */
const exampleMapKeys: Record<string, string[]> = { impersonation: ["scopes"] };

describe("README's config reference and the schema (components/intake/schema.ts)", () => {
    it("names every config key in the table, and no key the schema lacks", () => {
        const documented = new Set(tableRows.map((r) => r.key.split(".")[0]));
        expect([...documented].sort()).toEqual([...configKeys].sort());
    });

    it.each(configKeys.map((k) => [k]))("documents every field of %s, and no field the schema lacks", (key) => {
        const declared = fieldsDeep(kubeAccessConfigSchema.shape[key]);
        const documented = documentedFields(key);
        for (const example of exampleMapKeys[key] ?? []) documented.delete(example);
        expect({ key, fields: [...documented].sort() }).toEqual({ key, fields: [...declared].sort() });
    });

    it("finds the reference's parts it reads (so the checks above cannot pass on an empty reference)", () => {
        expect(tableRows.length).toBeGreaterThanOrEqual(configKeys.length);
        for (const key of ["users", "bindings", "impersonation", "authenticatingProxy", "oidc"])
            expect({ key, size: yamlFields(key).size > 0 }).toEqual({ key, size: true });
    });
});

describe("the schema", () => {
    it("declares the secret keys", () => {
        expect(secretConfigKeys).toEqual([
            "clusterKubeconfig",
            "clusterCaKey",
            "oidcInitialPasswords",
            "authenticatingProxyCaKey",
        ]);
    });

    it.each([
        ["true", true],
        ["false", false],
        [true, true],
    ])("takes %j as the boolean %j, as pulumi config set stores it", (value, expected) => {
        const c = new IssueCollector();
        expect(readSection(c, "clusterSigning", { keepRequest: value }, clusterSigningSchema)?.keepRequest).toBe(
            expected,
        );
        expect(c.issues).toEqual([]);
    });

    it.each([
        ["30", 30],
        [3600, 3600],
        ["5", 5],
    ])("takes %j as the whole number %j", (value, expected) => {
        const c = new IssueCollector();
        expect(readSection(c, "clusterSigning", { timeoutSeconds: value }, clusterSigningSchema)?.timeoutSeconds).toBe(
            expected,
        );
        expect(c.issues).toEqual([]);
    });

    type Case = [what: string, value: unknown, path: string, message: string];
    it.each<Case>([
        ["a whole number out of range", { timeoutSeconds: 4 }, "s.timeoutSeconds", "must be between 5 and 3600, got 4"],
        [
            "a digit string out of range",
            { timeoutSeconds: "9999" },
            "s.timeoutSeconds",
            "must be between 5 and 3600, got 9999",
        ],
        ["a fraction", { timeoutSeconds: 1.5 }, "s.timeoutSeconds", "must be a whole number, got number 1.5"],
        [
            "text for a number",
            { timeoutSeconds: "soon" },
            "s.timeoutSeconds",
            'must be a whole number, got the string "soon"',
        ],
        ["text for a boolean", { keepRequest: "yes" }, "s.keepRequest", 'must be true or false, got the string "yes"'],
        [
            "a misspelt field",
            { keepRequests: true },
            "s.keepRequests",
            'unknown field; did you mean "keepRequest"? Known fields are timeoutSeconds, keepRequest',
        ],
        ["a list for the section", [], "s", "must be an object, got a list"],
    ])("reports %s with the message users know", (_what, value, path, message) => {
        const c = new IssueCollector();
        readSection(c, "s", value, clusterSigningSchema);
        expect(c.issues).toEqual([{ path, message }]);
    });

    it.each<Case>([
        [
            "a misspelt enum value",
            { issuerUrl: "https://x", kubeconfigStyle: "exex" },
            "oidc.kubeconfigStyle",
            'must be one of exec, auth-provider, got the string "exex"; did you mean "exec"?',
        ],
        ["a missing required field", {}, "oidc.issuerUrl", "is required"],
        ["a blank required field", { issuerUrl: "  " }, "oidc.issuerUrl", "must not be empty"],
        [
            "a list entry that is no string",
            { issuerUrl: "https://x", extraScopes: ["email", 3] },
            "oidc.extraScopes[1]",
            "must be a string, got number 3",
        ],
        [
            "a list entry that is null",
            { issuerUrl: "https://x", extraScopes: [null] },
            "oidc.extraScopes[0]",
            "is required",
        ],
    ])("reports %s in oidc", (_what, value, path, message) => {
        const c = new IssueCollector();
        readSection(c, "oidc", value, oidcSchema);
        expect(c.issues).toEqual([{ path, message }]);
    });

    it("takes null fields as unset at every depth, but reports an unknown field even when null", () => {
        const c = new IssueCollector();
        const read = readSection(
            c,
            "authenticatingProxy",
            { caFile: null, proxies: [{ name: "web", keyAlgorithm: null, colour: null }] },
            authenticatingProxySchema,
        );
        expect(c.issues.map((i) => i.path)).toEqual(["authenticatingProxy.proxies[0].colour"]);
        expect(read?.caFile).toBe("/etc/kubernetes/pki/front-proxy-ca.crt");
    });

    it("keeps the good fields and list entries of a section with bad ones, so later checks still run", () => {
        const c = new IssueCollector();
        const read = readSection(c, "oidc", { issuerUrl: 3, realm: "r", extraScopes: ["a", 3, "b"] }, oidcSchema);
        expect(read?.realm).toBe("r");
        expect(read?.extraScopes).toEqual(["a", "b"]);
        expect(read?.issuerUrl).toBeUndefined();
        expect(read?.kubeconfigStyle).toBe("exec");
    });

    it("describes a value under a secret key by its shape only", () => {
        const c = new IssueCollector(["clusterCaKey"]);
        readField(c, "clusterCaKey", 12345678, kubeAccessConfigSchema.shape.clusterCaKey);
        expect(c.issues).toEqual([{ path: "clusterCaKey", message: "must be a string, got a number" }]);
        expect(JSON.stringify(c.issues)).not.toContain("12345678");
    });

    it("gives a proxy's defaults from the schema", () => {
        expect(proxySchema.parse({ name: "web" })).toEqual({
            name: "web",
            keyAlgorithm: "ECDSA-P256",
            validityHours: 8760,
        });
    });
});
