import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * The Node.js arguments a project asks for in its Pulumi.yaml
 * (`runtime.options.nodeargs`, https://www.pulumi.com/docs/iac/concepts/projects/project-file/),
 * split at whitespace; none when the file names none.
 *
 * A released Pulumi CLI's language host passes them to Node.js. The host
 * built here (`pulumi-language-nodejs` from `sdk/v3` v3.68.0, docs/engine.md)
 * drops every runtime option, so the harness passes them itself
 * ({@link withNodeOptions}).
 *
 * @throws Error when Pulumi.yaml is missing or is not YAML.
 */
export function projectNodeArgs(programDir: string): string[] {
    const project = parse(fs.readFileSync(path.join(programDir, "Pulumi.yaml"), "utf8")) as {
        runtime?: string | { options?: { nodeargs?: unknown } };
    };
    const nodeargs = typeof project?.runtime === "object" ? project.runtime.options?.nodeargs : undefined;
    return typeof nodeargs === "string" ? nodeargs.split(/\s+/).filter((arg) => arg !== "") : [];
}

/**
 * `NODE_OPTIONS` with `args` after what it holds: a released language host
 * starts `node <nodeargs> ...`, and Node.js reads its command line after
 * `NODE_OPTIONS`, so for a flag given in both the project's value wins, here
 * too. Undefined when both are empty. Node.js accepts only some flags in
 * `NODE_OPTIONS` (https://nodejs.org/api/cli.html#node_optionsoptions) and
 * refuses to start on any other.
 */
export function withNodeOptions(nodeOptions: string | undefined, args: readonly string[]): string | undefined {
    const all = [...(nodeOptions ?? "").split(/\s+/).filter((arg) => arg !== ""), ...args];
    return all.length > 0 ? all.join(" ") : undefined;
}
