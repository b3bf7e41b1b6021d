import {
    AccessReport,
    GrantChange,
    GrantDetail,
    ImpersonationChange,
    KeptGrant,
    SubjectChange,
    UserChange,
} from "./model";
import { scopeOf } from "./escalation";

/** The first line of every Markdown report: CI finds its earlier comment by it and updates that one. */
export function reportMarker(stack?: string): string {
    return `<!-- kube-access access report${stack ? `: ${stack}` : ""} -->`;
}

/** Markdown inline code that survives any backticks in the value. */
function code(value: string): string {
    const fence = value.includes("`") ? "``" : "`";
    return `${fence}${value.startsWith("`") || value.endsWith("`") ? ` ${value} ` : value}${fence}`;
}

/** `ClusterRole `edit` in namespace apps, via group `developers` (binding `dev-edit`)`. */
export function describeGrant(grant: GrantDetail): string {
    const via = grant.via.kind === "group" ? `via group ${code(grant.via.group)}` : "bound to the user";
    return `${grant.roleKind} ${code(grant.role)} ${scopeOf(grant)}, ${via} (binding ${code(grant.binding)})`;
}

function userTitle(u: UserChange): string {
    const method = u.signer ? `${u.method}, signer ${u.signer}` : u.method;
    return `**${u.name}** (${method}; the API server sees ${code(u.identity)})`;
}

/** At most this many rules per grant in Markdown; the JSON report carries them all. */
const shownRulesMax = 6;

function shownRules(allows: string[]): string[] {
    return allows.length <= shownRulesMax
        ? allows
        : [...allows.slice(0, shownRulesMax), `and ${allows.length - shownRulesMax} more rules (all in --format json)`];
}

function gainedLines(g: GrantChange): string[] {
    const lines = [`  - gains ${describeGrant(g)}`];
    for (const e of g.escalations) lines.push(`    - ⚠️ ${e.message}`);
    if (g.beyondKept !== undefined)
        lines.push(
            g.beyondKept.length > 0
                ? `    - adds to what the user keeps there: ${shownRules(g.beyondKept).join("; ")}`
                : "    - adds nothing to what the user keeps there",
        );
    if (g.rules === "read" && g.allows.length > 0) lines.push(`    - allows: ${shownRules(g.allows).join("; ")}`);
    if (g.rules === "missing")
        lines.push(`    - the cluster has no such ${g.roleKind} yet: the binding grants nothing until it exists`);
    return lines;
}

function lostLines(g: GrantChange): string[] {
    const lines = [`  - loses ${describeGrant(g)}`];
    if (g.beyondRemaining !== undefined)
        lines.push(
            g.beyondRemaining.length > 0
                ? `    - takes away: ${shownRules(g.beyondRemaining).join("; ")}`
                : "    - takes nothing away: everything it allowed is still allowed there",
        );
    if (g.stillHeldThere && g.stillHeldThere.length > 0)
        lines.push(`    - still holds there: ${g.stillHeldThere.map(describeGrant).join("; ")}`);
    return lines;
}

function keptLine(k: KeptGrant): string {
    return `  - keeps until ${k.until ?? "its credential expires"}: ${describeGrant(k)}; ${k.reason}`;
}

/** What a user or subject may now impersonate, and no longer. */
function impersonationLines(change: ImpersonationChange): string[] {
    return [
        ...(change.gained.length > 0 ? [`  - may now impersonate ${change.gained.map(code).join(", ")}`] : []),
        ...(change.lost.length > 0 ? [`  - may no longer impersonate ${change.lost.map(code).join(", ")}`] : []),
    ];
}

function userLines(u: UserChange): string[] {
    return [
        `- ${userTitle(u)}`,
        ...u.escalations.filter((e) => e.kind === "system-masters").map((e) => `  - ⚠️ ${e.message}`),
        ...u.gained.flatMap(gainedLines),
        ...u.lost.flatMap(lostLines),
        ...impersonationLines(u.impersonation),
        ...u.credential.map((c) => `  - ${c.message}`),
        ...u.kept.map(keptLine),
    ];
}

/** Who holds a subject's grants, in a reviewer's words. */
function subjectTitle(s: SubjectChange): string {
    const who =
        s.reason === "external"
            ? s.kind === "Group"
                ? "external: whoever the API server puts in this group"
                : "external: whoever the API server authenticates under this name"
            : "no user in config is in this group: whoever the identity provider puts in it";
    return `**${s.kind === "Group" ? "group" : "user"}** ${code(s.name)} (${who})`;
}

function subjectLines(s: SubjectChange): string[] {
    return [
        `- ${subjectTitle(s)}`,
        ...(s.note ? [`  - note: ${s.note}`] : []),
        ...(s.compared
            ? []
            : [
                  "  - the deployed stack does not record these subjects (deployed before kube-access recorded them): every grant the config makes is listed",
              ]),
        ...s.escalations.filter((e) => e.kind === "broad-subject").map((e) => `  - ⚠️ ${e.message}`),
        ...s.escalations.filter((e) => e.kind === "system-masters").map((e) => `  - ⚠️ ${e.message}`),
        ...s.gained.flatMap(gainedLines),
        ...s.lost.flatMap(lostLines),
        ...impersonationLines(s.impersonation),
    ];
}

/**
 * The report as Markdown for a pull-request comment: a marker line, the
 * one-line summary, escalations first, then added, removed and changed
 * users. Holds no secret: only names, roles, groups and dates.
 */
export function renderMarkdown(report: AccessReport): string {
    const title = `### Access changes${report.stack ? ` for stack ${code(report.stack)}` : ""}`;
    const lines = [reportMarker(report.stack), title, "", `**${report.summary.text}**`, ""];
    lines.push(
        report.cluster.rulesRead
            ? "Role rules were read from the cluster."
            : `Role rules were not read: ${report.cluster.note ?? "no cluster access"}. Roles are judged by name only.`,
    );
    const all = [...report.added, ...report.removed, ...report.changed];
    const escalations = [
        ...all.flatMap((u) => u.escalations.map((e) => `- ⚠️ **${u.name}**: ${e.message}`)),
        ...report.subjects.flatMap((s) => s.escalations.map((e) => `- ⚠️ **${s.subject}**: ${e.message}`)),
        ...report.proxies.escalations.map((e) => `- ⚠️ ${e.message}`),
    ];
    if (escalations.length > 0) lines.push("", "#### Escalations", "", ...escalations);
    for (const [heading, users] of [
        ["Added", report.added],
        ["Removed", report.removed],
        ["Changed", report.changed],
    ] as const) {
        if (users.length > 0) lines.push("", `#### ${heading}`, "", ...users.flatMap(userLines));
    }
    if (report.subjects.length > 0) {
        lines.push("", "#### Users and groups outside the users list", "", ...report.subjects.flatMap(subjectLines));
    }
    if (report.proxies.added.length + report.proxies.removed.length > 0) {
        lines.push(
            "",
            "#### Authenticating proxies",
            "",
            ...report.proxies.added.map(
                (p) =>
                    `- ${code(p)} added: acts as any user and group it names in request headers, once the API server's flags from the \`authenticatingProxy\` output are applied`,
            ),
            ...report.proxies.removed.map(
                (p) =>
                    `- ${code(p)} removed: the API server still trusts its certificate until its \`--requestheader-allowed-names\` is set from the new \`authenticatingProxy\` output`,
            ),
        );
    }
    lines.push("", `<sub>Renewal windows judged at ${report.at}.</sub>`, "");
    return lines.join("\n");
}

/** The report as JSON text (the same data as the Markdown). */
export function renderJson(report: AccessReport): string {
    return JSON.stringify(report, null, 2) + "\n";
}
