/**
 * Access files: users, groups, namespaces and bindings kept in YAML files of
 * the repository (one per team, say) instead of inline stack config.
 *
 * The stack config names them with `kube-access:accessFiles` (one path or a
 * list, relative to the project folder). Their entries are appended to the
 * inline lists, in the order the files are named, and the merged config is
 * validated as one; every issue about an entry from a file is reported with
 * that file and the entry's position in it (`teams/a.yaml:users[3].groups[1]`).
 *
 * Why: the Pulumi language host hands the whole stack config to the program in
 * one environment variable, and Linux refuses a single environment string over
 * 128 KiB (MAX_ARG_STRLEN), so a stack with a few hundred users inline fails
 * before the program starts (`argument list too long`). Files are read by the
 * program itself and have no such limit.
 */
import * as fs from "fs";
import * as path from "path";
import { CORE_SCHEMA, YAMLException, loadAll } from "js-yaml";
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import { AccessSpecError, IssueCollector, Raw, SpecIssue, describeShape, isPlainObject } from "./reader";
import { closestMatch } from "./suggest";

/** The config key that names the access files. */
export const accessFilesKey = "accessFiles";

/** The lists an access file may hold; each is appended to the inline list of the same key. */
export const accessFileKeys = ["users", "groups", "namespaces", "bindings"] as const;
type ListKey = (typeof accessFileKeys)[number];

/**
 * Top-level keys of an access file that start with this are ignored: a place
 * to define anchors (`x-groups: &devs [team-a, role-dev]`) that entries refer
 * to, as Compose files' extension fields are.
 */
export const extensionKeyPrefix = "x-";

/** Config keys that hold secrets: they stay in stack config, encrypted, never in a file of the repository. */
const secretKeysRefusedInFiles = [
    "clusterKubeconfig",
    "clusterCaKey",
    "oidcInitialPasswords",
    "authenticatingProxyCaKey",
];

/** A user's `auth` field naming a file that holds their CSR (PEM), relative to the file that names it. */
export const certificateRequestFileField = "certificateRequestFile";

/** Where one merged list entry came from. */
interface EntryOrigin {
    /** The access file as named in config; undefined for inline stack config. */
    file?: string;
    /** Position in that file's (or the inline) list. */
    index: number;
    /** The CSR file named by `auth.certificateRequestFile`, as written. */
    csrFile?: string;
}

/** How file contents are read; tests give their own. */
export interface AccessFileReader {
    readFile(absolutePath: string): string;
}

const diskReader: AccessFileReader = { readFile: (p) => fs.readFileSync(p, "utf8") };

/** The inline config with every access file's entries appended, and where each entry came from. */
export interface MergedAccessConfig {
    /** The config to validate: `accessFiles` removed, lists merged, CSR files read. */
    raw: Record<string, Raw>;
    /** Problems with the files themselves (unreadable, not YAML, secrets in them), with their paths. */
    issues: SpecIssue[];
    /** Rewrites an issue of the merged config so it names the file and the entry's position in it. */
    locate(issue: SpecIssue): SpecIssue;
    /** The access files as named, in order. */
    files: string[];
}

/**
 * Reads the access files named by `raw.accessFiles` and appends their lists to
 * the inline ones. Paths are relative to `projectDir` (the folder of
 * Pulumi.yaml, where the program runs); a CSR file is relative to the access
 * file that names it (to `projectDir` for inline users).
 */
export function mergeAccessFiles(
    raw: Record<string, Raw>,
    projectDir: string,
    reader: AccessFileReader = diskReader,
): MergedAccessConfig {
    const c = new IssueCollector();
    const { [accessFilesKey]: named, ...inline } = raw;
    const merged: Record<string, Raw> = { ...inline };
    const origins: Record<ListKey, EntryOrigin[]> = { users: [], groups: [], namespaces: [], bindings: [] };
    /** The text of each access file that was read as YAML, by its name in config. */
    const texts = new Map<string, string>();

    for (const key of accessFileKeys) {
        if (Array.isArray(inline[key])) {
            merged[key] = (inline[key] as Raw[]).map((entry, index) => {
                if (key !== "users") return entry;
                const { entry: read, csrFile } = readCsrFile(c, `users[${index}]`, entry, projectDir, reader);
                origins.users[index] = { index, ...(csrFile ? { csrFile } : {}) };
                return read;
            });
            if (key !== "users") origins[key] = (inline[key] as Raw[]).map((_, index) => ({ index }));
        }
    }

    const files = accessFileNames(c, named);
    for (const file of files) {
        const absolute = path.resolve(projectDir, file);
        let text: string;
        try {
            text = reader.readFile(absolute);
        } catch (e) {
            c.add(`${file}`, `cannot read the access file (${readProblem(e)}; looked for ${realLocation(absolute)})`);
            continue;
        }
        const read = readYamlDocument(text);
        if ("problem" in read) {
            c.add(`${file}`, read.problem);
            continue;
        }
        texts.set(file, text);
        const content = read.content;
        if (content === null || content === undefined) continue; // an empty file: a team with nobody yet
        if (!isPlainObject(content)) {
            c.add(`${file}`, `must be a mapping with ${accessFileKeys.join(", ")}, got ${describeShape(content)}`);
            continue;
        }
        for (const [key, value] of Object.entries(content)) {
            if (secretKeysRefusedInFiles.includes(key)) {
                c.add(
                    `${file}:${key}`,
                    `holds a secret, which must not be kept in a file of the repository; remove it from ${file} ` +
                        `and set it with \`pulumi config set --secret kube-access:${key}\``,
                );
                continue;
            }
            if (key.startsWith(extensionKeyPrefix)) continue; // a place for anchors, read by nothing else
            if (!(accessFileKeys as readonly string[]).includes(key)) {
                const near = closestMatch(key, accessFileKeys);
                c.add(
                    `${file}:${key}`,
                    `an access file holds only ${accessFileKeys.join(", ")}, and keys starting with ` +
                        `${extensionKeyPrefix} to hold anchors` +
                        (/^[a-zA-Z]+$/.test(key) && knownConfigKeyLike(key)
                            ? `; set ${key} in stack config (kube-access:${key})`
                            : near !== undefined
                              ? `; did you mean ${JSON.stringify(near)}?`
                              : ""),
                );
                continue;
            }
            const listKey = key as ListKey;
            if (value === null || value === undefined) continue;
            if (!Array.isArray(value)) {
                c.add(`${file}:${key}`, `must be a list, got ${describeShape(value)}`);
                continue;
            }
            if (inline[listKey] !== undefined && !Array.isArray(inline[listKey])) continue; // reported by validation
            const list = (merged[listKey] as Raw[] | undefined) ?? [];
            value.forEach((entry, index) => {
                let read = entry;
                let csrFile: string | undefined;
                if (listKey === "users") {
                    ({ entry: read, csrFile } = readCsrFile(
                        c,
                        `${file}:users[${index}]`,
                        entry,
                        path.dirname(absolute),
                        reader,
                    ));
                }
                origins[listKey][list.length] = { file, index, ...(csrFile ? { csrFile } : {}) };
                list.push(read);
            });
            merged[listKey] = list;
        }
    }

    // Each file with a problem is parsed for positions once, however many problems it has.
    const lineFinders = new Map<string, (fieldPath: string) => number | undefined>();
    const withLine = (issue: SpecIssue): SpecIssue => {
        const file = fileOfIssue(issue.path, [...texts.keys()]);
        if (file === undefined || issue.path === file) return issue;
        if (!lineFinders.has(file)) lineFinders.set(file, fieldLines(texts.get(file)!));
        const line = lineFinders.get(file)!(issue.path.slice(file.length + 1));
        return line === undefined ? issue : { ...issue, line };
    };
    return {
        raw: merged,
        issues: c.issues.map(withLine),
        locate: (issue) => withLine(locateIssue(issue, origins)),
        files,
    };
}

/**
 * Finds where fields are written in an access file's text: the returned
 * function takes a field path (`users[3].groups[1]`) and gives the line
 * (from 1) of the field's key or list item, or, for a field the file lacks
 * or one reached through an alias (`*name`), of the deepest part of the path
 * it has; undefined when not even the path's first key is in the file. The
 * text is parsed once, with the `yaml` package, which keeps positions (js-yaml
 * does not); only files with a problem are.
 */
export function fieldLines(text: string): (fieldPath: string) => number | undefined {
    const lineCounter = new LineCounter();
    const parsed = parseAllDocuments(text, { lineCounter, schema: "core", uniqueKeys: false });
    const documents = Array.isArray(parsed) ? parsed : [parsed];
    const root: unknown = documents.find((d) => d.contents !== null)?.contents;
    return (fieldPath) => {
        let node = root;
        let offset: number | undefined;
        for (const [, index, key] of fieldPath.matchAll(/\[(\d+)\]|\.?([^.[\]]+)/g)) {
            if (isMap(node) && key !== undefined) {
                const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : undefined) === key);
                if (pair === undefined || !isScalar(pair.key) || !pair.key.range) break;
                offset = pair.key.range[0];
                node = pair.value;
            } else if (isSeq(node) && index !== undefined) {
                const item = node.items[Number(index)] as { range?: [number, number, number] } | undefined;
                if (item?.range === undefined) break;
                offset = item.range[0];
                node = item;
            } else break;
        }
        return offset === undefined ? undefined : lineCounter.linePos(offset).line;
    };
}

/**
 * Validates the stack config together with its access files: `validate` is
 * the validator of the merged config (it throws {@link AccessSpecError}).
 * Throws one AccessSpecError with the files' own problems and the
 * validator's, each naming the file and position an entry came from.
 */
export function validateWithAccessFiles<T>(
    raw: Record<string, Raw>,
    projectDir: string,
    validate: (merged: Record<string, Raw>) => T,
    reader: AccessFileReader = diskReader,
): T {
    const merged = mergeAccessFiles(raw, projectDir, reader);
    let result: T | undefined;
    let issues: SpecIssue[] = [];
    try {
        result = validate(merged.raw);
    } catch (e) {
        if (!(e instanceof AccessSpecError)) throw e;
        issues = e.issues.map(merged.locate);
    }
    if (merged.issues.length > 0 || issues.length > 0) {
        throw new AccessSpecError(inReadingOrder([...merged.issues, ...issues], merged.files));
    }
    return result as T;
}

/** The access file an issue's path names (`teams/a.yaml` or `teams/a.yaml:users[0]`), among `files`. */
function fileOfIssue(issuePath: string, files: string[]): string | undefined {
    return files.find((f) => issuePath === f || issuePath.startsWith(`${f}:`));
}

/**
 * Issues in the order a reader meets them: stack config first, then each
 * access file in the order it is named, by line within a file (a problem of
 * the whole file first). Issues of one place keep their order.
 */
function inReadingOrder(issues: SpecIssue[], files: string[]): SpecIssue[] {
    const fileRank = (issue: SpecIssue) => {
        const file = fileOfIssue(issue.path, files);
        return file === undefined ? 0 : files.indexOf(file) + 1;
    };
    return issues
        .map((issue, order) => ({ issue, order, rank: fileRank(issue), line: issue.line ?? 0 }))
        .sort((a, b) => a.rank - b.rank || (a.rank === 0 ? 0 : a.line - b.line) || a.order - b.order)
        .map(({ issue }) => issue);
}

/**
 * `absolute` with the links in its deepest existing folder resolved, for
 * messages: a file reached through a linked folder is named where it is.
 */
function realLocation(absolute: string): string {
    const rest: string[] = [];
    for (let at = absolute; ; at = path.dirname(at)) {
        try {
            return path.join(fs.realpathSync(at), ...rest);
        } catch {
            if (path.dirname(at) === at) return absolute;
            rest.unshift(path.basename(at));
        }
    }
}

/** The file names `accessFiles` holds: one string or a list of them, each named once. */
function accessFileNames(c: IssueCollector, value: Raw): string[] {
    if (value === undefined || value === null) return [];
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list)) {
        c.add(accessFilesKey, `must be a file path or a list of them, got ${describeShape(value)}`);
        return [];
    }
    const names: string[] = [];
    list.forEach((item, i) => {
        const at = typeof value === "string" ? accessFilesKey : `${accessFilesKey}[${i}]`;
        const name = c.string(at, item, { required: true });
        if (name === undefined) return;
        if (!/\.ya?ml$/i.test(name)) {
            c.add(at, `must name a YAML file (ending in .yaml or .yml), got ${JSON.stringify(name)}`);
            return;
        }
        if (names.some((n) => path.normalize(n) === path.normalize(name))) {
            c.add(at, `names ${JSON.stringify(name)} twice; its entries would be declared twice`);
            return;
        }
        names.push(name);
    });
    return names;
}

/**
 * Replaces a user's `auth.certificateRequestFile` by the CSR the file holds
 * (`auth.certificateRequest`), so the validator checks it like an inline one.
 */
function readCsrFile(
    c: IssueCollector,
    at: string,
    entry: Raw,
    baseDir: string,
    reader: AccessFileReader,
): { entry: Raw; csrFile?: string } {
    if (!isPlainObject(entry) || !isPlainObject(entry.auth) || entry.auth[certificateRequestFileField] === undefined) {
        return { entry };
    }
    const { [certificateRequestFileField]: fileValue, ...auth } = entry.auth;
    const fieldPath = `${at}.auth.${certificateRequestFileField}`;
    const file = c.string(fieldPath, fileValue, { required: true });
    if (file === undefined) return { entry: { ...entry, auth } };
    if (auth.certificateRequest !== undefined) {
        c.add(fieldPath, "must not be set with certificateRequest: give the request inline or as a file, not both");
        return { entry: { ...entry, auth } };
    }
    const absolute = path.resolve(baseDir, file);
    try {
        return { entry: { ...entry, auth: { ...auth, certificateRequest: reader.readFile(absolute) } }, csrFile: file };
    } catch (e) {
        c.add(
            fieldPath,
            `cannot read the certificate request file (${readProblem(e)}; looked for ${realLocation(absolute)})`,
        );
        return { entry: { ...entry, auth } };
    }
}

/** An issue of the merged config, named by the file and position its entry came from. */
function locateIssue(issue: SpecIssue, origins: Record<ListKey, EntryOrigin[]>): SpecIssue {
    const located = (key: ListKey, index: number, rest: string): string => {
        const origin = origins[key][index];
        if (origin === undefined) return `${key}[${index}]${rest}`;
        let field = rest;
        if (origin.csrFile !== undefined && /^\.auth\.certificateRequest$/.test(rest)) {
            field = `.auth.${certificateRequestFileField}`;
        }
        return `${origin.file === undefined ? "" : `${origin.file}:`}${key}[${origin.index}]${field}`;
    };
    const entryAt = /^(users|groups|namespaces|bindings)\[(\d+)\]((?:\.[A-Za-z]+|\[\d+\])*)/;
    const match = entryAt.exec(issue.path);
    let issuePath = issue.path;
    let message = issue.message;
    if (match) {
        const [whole, key, index, rest] = match;
        const origin = origins[key as ListKey][Number(index)];
        issuePath = located(key as ListKey, Number(index), rest) + issue.path.slice(whole.length);
        if (origin?.csrFile !== undefined && /^\.auth\.certificateRequest$/.test(rest)) {
            message = `${origin.csrFile}: ${message}`;
        }
    }
    // Other entries a message refers to ("also users[3].name") are named the same way.
    message = message.replace(/(?<![\w.\]:])(users|groups|namespaces|bindings)\[(\d+)\]/g, (_, key, index) =>
        located(key as ListKey, Number(index), ""),
    );
    return { path: issuePath, message };
}

function readProblem(e: unknown): string {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no such file";
    if (code === "EISDIR") return "it is a folder; name each file";
    if (code === "EACCES") return "permission denied";
    return (e as Error).message;
}

/**
 * How many values an access file may hold once its aliases (`*name`) are
 * expanded, per character of the file. A file without aliases holds at most
 * about one value per character; aliases that refer to anchors (`&name`) of a
 * few values add a few more each. Nested aliases can expand exponentially
 * (the "billion laughs" attack), so past this the file is refused rather than
 * read.
 */
export const aliasExpansionPerCharacter = 4;
/** Values any access file may hold besides {@link aliasExpansionPerCharacter}, so that a short file may still share an anchor widely. */
export const aliasExpansionAllowance = 1000;

/**
 * Reads an access file's text as one YAML 1.2 document with the core schema
 * (YAML 1.2.2 section 10.3: `yes`, `on` and dates stay strings; no merge keys
 * or custom tags; a key twice in a mapping is an error). Returns the
 * document (undefined for an empty file), or a problem for users that gives
 * the line and column and never quotes the file.
 *
 * Parsed with js-yaml, which reads the files of a 4,000-user stack about ten
 * times faster than `yaml` (docs/performance-runs.md, run 19).
 */
export function readYamlDocument(text: string): { content: Raw } | { problem: string } {
    let documents: unknown[];
    try {
        documents = loadAll(text, { schema: CORE_SCHEMA });
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        const at = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : "";
        return { problem: `is not valid YAML: ${firstYamlError(text) ?? e.reason + at}` };
    }
    const nonEmpty = documents.filter((d) => d !== null && d !== undefined);
    if (nonEmpty.length > 1) {
        return {
            problem:
                `holds ${nonEmpty.length} YAML documents (separated by ---); an access file holds one mapping: ` +
                `merge them, or make each a file of its own and name it in kube-access:${accessFilesKey}`,
        };
    }
    const content = nonEmpty[0];
    const budget = aliasExpansionPerCharacter * text.length + aliasExpansionAllowance;
    if (expandsBeyond(content, budget)) {
        return {
            problem:
                `holds more than ${budget} values once its aliases (*name) are expanded (at most ` +
                `${aliasExpansionPerCharacter} per character of the file, plus ${aliasExpansionAllowance}); write the repeated values out, ` +
                `or refer to smaller anchors`,
        };
    }
    return { content };
}

/**
 * The first error the `yaml` package finds in `text`, as `<message> at line
 * L, column C`, without the excerpt of the file it adds; undefined when it
 * finds none. Used only for a file js-yaml refused: `yaml` names what is
 * missing (`Missing closing "quote`) where js-yaml names what it met next
 * (`deficient indentation`).
 */
function firstYamlError(text: string): string | undefined {
    const parsed = parseAllDocuments(text);
    const documents = Array.isArray(parsed) ? parsed : [parsed];
    const error = documents.flatMap((d) => d.errors)[0];
    if (error === undefined) return undefined;
    const message = error.message.split("\n")[0].replace(/:\s*$/, "");
    if (error.code !== "DUPLICATE_KEY") return message;
    // A key's name is shown when it is a plain word, as field names are; any other text of the file never is.
    const key = /^[A-Za-z0-9_.-]{1,64}(?=[ \t]*:)/.exec(text.slice(error.pos[0]))?.[0];
    return key !== undefined
        ? message.replace(
              /^Map keys must be unique/,
              `The key ${JSON.stringify(key)} is given twice in one mapping (keep one)`,
          )
        : message;
}

/** Whether `value`, read as a tree with every shared reference (alias) expanded, has more than `budget` nodes; stops counting there. */
function expandsBeyond(value: Raw, budget: number): boolean {
    let left = budget;
    const visit = (v: Raw): boolean => {
        if (--left < 0) return true;
        if (Array.isArray(v)) return v.some(visit);
        if (isPlainObject(v)) return Object.values(v).some(visit);
        return false;
    };
    return visit(value);
}

/** Keys of stack config an access file might hold by mistake. */
function knownConfigKeyLike(key: string): boolean {
    return [
        "cluster",
        "certificates",
        "clusterSigning",
        "oidc",
        "allowSystemMasters",
        "impersonation",
        "authenticatingProxy",
    ].includes(key);
}
